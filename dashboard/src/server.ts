/**
 * The dashboard's HTTP server, assembled from plugins: ClickHouse (the
 * `clickhouse` decorator), the health probe (`pipelineHealth`), the JSON API
 * and the SSE stream under /api, described by the OpenAPI document at
 * /api/openapi.json, plus /healthz and the static page with its chart.js
 * vendor files served straight from node_modules. `buildServer` is what tests
 * start; main.ts adds the environment and signals.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import type { Logger } from '@ticker/common';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifySerializerCompiler,
  LogController,
  type RawServerDefault,
} from 'fastify';
import { jsonSchemaTransform, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { type BadRequestAnswer, badRequestSchema, livenessSchema, type UnavailableAnswer } from './answers';
import { type ClickHouseOptions, ClickHouseUnavailableError } from './clickhouse';
import { BadParameterError, noQuery, validatorCompiler } from './params';
import { type ApiOptions, apiPlugin } from './plugins/api';
import { clickhousePlugin } from './plugins/clickhouse';
import { healthPlugin } from './plugins/health';
import { type StreamOptions, streamPlugin } from './plugins/stream';

export interface ServerOptions {
  /** The read-only user's connection (database included). */
  clickhouse: ClickHouseOptions;
  flinkUrl: string;
  workerAddress: string;
  /** The pipeline whose Flink job /api/health reports (PIPELINE_NAME). */
  pipelineName: string;
  log: Logger;
  /** Live feed tuning (tests poll faster). */
  stream?: StreamOptions;
  /** See ApiOptions.cacheTtlMs (default 1000 ms; 0 turns reuse off). */
  cacheTtlMs?: ApiOptions['cacheTtlMs'];
}

const publicDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'public');
const require = createRequire(import.meta.url);

/** The dist folder of an installed package (found through its main file). */
function distDir(pkg: string): string {
  return dirname(require.resolve(pkg));
}

/** Vendor files the page loads, by URL prefix: no build step, straight from node_modules. */
const vendor: Record<string, string> = {
  '/vendor/chart.js/': distDir('chart.js'),
  '/vendor/chartjs-adapter-date-fns/': distDir('chartjs-adapter-date-fns'),
  '/vendor/chartjs-chart-financial/': distDir('chartjs-chart-financial'),
};

/** The Fastify instance buildServer returns. */
export type DashboardServer = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/**
 * Answers are typed by their zod schemas at compile time and sent as they are: re-validating every
 * answer (thousands of points, up to hundreds of requests a second, often the same cached answer)
 * would cost more than it catches. The schemas still document them.
 */
const serializerCompiler: FastifySerializerCompiler<unknown> = () => (data) => JSON.stringify(data);

/** The API's error answers: 400 naming the parameter, 503 naming ClickHouse, 500 for a bug. */
function sendError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof BadParameterError) {
    const body: BadRequestAnswer = {
      error: 'Bad Request',
      message: error.message,
      parameter: error.parameter,
    };
    return reply.code(400).send(body);
  }
  if (error instanceof ClickHouseUnavailableError) {
    const body: UnavailableAnswer = {
      error: 'Service Unavailable',
      message: error.message,
      service: 'clickhouse',
      url: error.url,
    };
    return reply.code(503).send(body);
  }
  const status = error.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return reply.code(status).send({ error: 'Bad Request', message: error.message });
  }
  request.log.error({ err: error, url: request.url }, 'request failed');
  return reply.code(500).send({ error: 'Internal Server Error', message: error.message });
}

/** Builds (does not start) the server. Close it to end streams and connections. */
export async function buildServer(options: ServerOptions): Promise<DashboardServer> {
  const app = Fastify({
    loggerInstance: options.log as FastifyBaseLogger,
    // One log line per request would drown the logs at 200 req/s; errors are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(sendError);

  // Before any route: it collects them as they are added.
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Stock ticker dashboard API',
        version: '0.1.0',
        description:
          'Prices, candles, alerts and statistics read from ClickHouse, a live Server-Sent-Events feed, and ' +
          'pipeline health. A bad or unknown query parameter gets 400 with a message naming it.',
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(clickhousePlugin, options.clickhouse);
  await app.register(healthPlugin, {
    flinkUrl: options.flinkUrl,
    workerAddress: options.workerAddress,
    pipelineName: options.pipelineName,
  });
  await app.register(apiPlugin, { prefix: '/api', cacheTtlMs: options.cacheTtlMs });
  await app.register(streamPlugin, { prefix: '/api', ...options.stream });

  app.get(
    '/healthz',
    {
      schema: {
        summary: 'Liveness of the dashboard process (not of the pipeline: see /api/health)',
        querystring: noQuery,
        response: { 200: livenessSchema, 400: badRequestSchema },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  await app.register(fastifyStatic, { root: publicDir, prefix: '/', index: ['index.html'] });
  for (const [prefix, root] of Object.entries(vendor)) {
    await app.register(fastifyStatic, { root, prefix, decorateReply: false, index: false });
  }
  return app;
}
