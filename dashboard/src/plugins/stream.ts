/**
 * The SSE stream plugin: GET /stream (under the /api prefix) hands the
 * connection to the process's one LiveFeed (see stream.ts), which pushes what
 * lands in ClickHouse and the pipeline's health.
 */
import fp from 'fastify-plugin';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { badRequestSchema } from '../answers';
import { noQuery } from '../params';
import { LiveFeed, type SlowClientPolicy } from '../stream';

/** Live feed tuning (tests poll faster). */
export interface StreamOptions {
  pollIntervalMs?: number;
  latenessMs?: number;
  heartbeatMs?: number;
  healthIntervalMs?: number;
  /** When a client that stopped reading is dropped (defaults in stream.ts). */
  slowClients?: Partial<SlowClientPolicy>;
}

const description = `Server-Sent Events. Events: \`ready\` (the feed has primed; data after it is new),
\`ticks\` (array of ticks as in /api/recent), \`candles\` (candles as in /api/candles, again when a window fires
with more ticks), \`alerts\` (as in /api/alerts), \`health\` (as /api/health), \`status\` (ClickHouse down or
back up). A comment line every heartbeat keeps proxies from closing the connection.`;

const stream: FastifyPluginAsyncZod<StreamOptions> = async (app, options) => {
  const feed = new LiveFeed({
    clickhouse: app.clickhouse.client,
    describeError: app.clickhouse.describeError,
    checkHealth: () => app.pipelineHealth(),
    log: app.log,
    ...options,
  });

  app.get(
    '/stream',
    {
      schema: {
        summary: 'Live ticks, candles, alerts and health',
        description,
        querystring: noQuery,
        response: {
          200: { description: 'An endless event stream.', content: { 'text/event-stream': { schema: z.string() } } },
          400: badRequestSchema.meta({ description: 'A parameter was given (this route has none).' }),
        },
      },
    },
    (_request, reply) => {
      reply.hijack();
      feed.add(reply.raw);
    },
  );

  // Streams never end by themselves: end them before the server waits for its connections.
  app.addHook('preClose', async () => feed.close());
};

/** GET /stream and the live feed behind it. */
export const streamPlugin = fp(stream, {
  name: 'dashboard-stream',
  fastify: '5.x',
  // Routes get the prefix it is registered with.
  encapsulate: true,
  dependencies: ['dashboard-clickhouse', 'dashboard-health'],
  decorators: { fastify: ['clickhouse', 'pipelineHealth'] },
});
