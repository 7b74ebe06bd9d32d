/**
 * The dashboard's HTTP server: the JSON API over ClickHouse, the SSE stream,
 * pipeline health, and the static page with its chart.js vendor files served
 * straight from node_modules. `buildServer` is what tests start; main.ts adds
 * the environment and signals.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { Logger } from '@ticker/common';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController, type RawServerDefault } from 'fastify';
import { AnswerCache } from './answer-cache';
import {
  type ClickHouseOptions,
  ClickHouseUnavailableError,
  classifyClickHouseError,
  createDashboardClient,
} from './clickhouse';
import { checkPipeline, type PipelineHealth, WorkerProbe } from './health';
import {
  alertsQuery,
  BadParameterError,
  candlesQuery,
  historyQuery,
  latestQuery,
  noQuery,
  parseQuery,
  recentQuery,
  statsQuery,
} from './params';
import {
  latestPrices,
  newestTickMs,
  recentAlerts,
  recentTicks,
  symbolCandles,
  symbolHistory,
  type Window,
  windowStats,
} from './queries';
import { alertEvent, candleEvent, LiveFeed, tickEvent } from './stream';

export interface ServerOptions {
  /** The read-only user's connection (database included). */
  clickhouse: ClickHouseOptions;
  flinkUrl: string;
  workerAddress: string;
  log: Logger;
  /** Live feed tuning (tests poll faster). */
  stream?: { pollIntervalMs?: number; latenessMs?: number; heartbeatMs?: number; healthIntervalMs?: number };
  /**
   * How long an API answer is reused for identical requests (default 1000 ms; 0 turns it off),
   * then served stale for up to 4× that while one refresh runs. Concurrent identical requests
   * always share one ClickHouse query.
   */
  cacheTtlMs?: number;
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
export type DashboardServer = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger>;

/** Builds (does not start) the server. Close it to end streams and connections. */
export async function buildServer(options: ServerOptions): Promise<DashboardServer> {
  const { clickhouse: ch } = options;
  const app = Fastify({
    loggerInstance: options.log as FastifyBaseLogger,
    // One log line per request would drown the logs at 200 req/s; errors are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
  });
  const client = createDashboardClient(ch);
  const worker = new WorkerProbe(options.workerAddress);
  const describeError = (error: unknown) => classifyClickHouseError(error, ch.url, ch.database).message;

  /** Runs ClickHouse work; a failure becomes 503 (unavailable) or 500 (a bug). */
  async function fromClickHouse<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw classifyClickHouseError(error, ch.url, ch.database);
    }
  }

  const cache = new AnswerCache(options.cacheTtlMs ?? 1000);
  /** The answer for `key`, shared and reused (see answer-cache.ts); ClickHouse failures become 503. */
  function answer<T>(key: string, work: () => Promise<T>): Promise<T> {
    return cache.get(key, () => fromClickHouse(work));
  }

  /** The window [until − minutes, until]; `until` defaults to the newest tick time (then to now). */
  async function resolveWindow(minutes: number, until: number | undefined): Promise<Window> {
    const untilMs = until ?? (await newestTickMs(client)) ?? Date.now();
    return { fromMs: untilMs - minutes * 60_000, untilMs };
  }

  let cachedHealth: { at: number; value: Promise<PipelineHealth> } | null = null;
  /** Pipeline health, shared for a second between callers (the stream and /api/health). */
  function health(): Promise<PipelineHealth> {
    const now = Date.now();
    if (cachedHealth === null || now - cachedHealth.at > 1000) {
      cachedHealth = {
        at: now,
        value: checkPipeline({
          clickhouse: client,
          clickhouseUrl: ch.url,
          describeClickHouseError: describeError,
          flinkUrl: options.flinkUrl,
          worker,
        }),
      };
    }
    return cachedHealth.value;
  }

  const feed = new LiveFeed({
    clickhouse: client,
    describeError,
    checkHealth: health,
    log: options.log,
    ...options.stream,
  });

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof BadParameterError) {
      return reply.code(400).send({ error: 'Bad Request', message: error.message, parameter: error.parameter });
    }
    if (error instanceof ClickHouseUnavailableError) {
      return reply
        .code(503)
        .send({ error: 'Service Unavailable', message: error.message, service: 'clickhouse', url: ch.url });
    }
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      return reply.code(status).send({ error: 'Bad Request', message: (error as Error).message });
    }
    request.log.error({ err: error, url: request.url }, 'request failed');
    return reply.code(500).send({ error: 'Internal Server Error', message: (error as Error).message });
  });

  app.get('/healthz', async (request) => {
    parseQuery(noQuery, request.query);
    return { status: 'ok' };
  });

  app.get('/api/latest', async (request) => {
    parseQuery(latestQuery, request.query);
    const rows = await answer('latest', () => latestPrices(client));
    const newest = rows.reduce((max, r) => Math.max(max, r.last_ms), 0);
    return {
      asOf: newest > 0 ? new Date(newest).toISOString() : null,
      symbols: rows.map((r) => {
        const change = r.last - r.day_open;
        return {
          symbol: r.symbol,
          price: r.last,
          ts: new Date(r.last_ms).toISOString(),
          dayOpen: r.day_open,
          dayOpenTs: new Date(r.day_open_ms).toISOString(),
          change,
          changePct: r.day_open === 0 ? 0 : (change / r.day_open) * 100,
        };
      }),
    };
  });

  app.get('/api/history', async (request) => {
    const q = parseQuery(historyQuery, request.query);
    return answer(`history ${JSON.stringify(q)}`, async () => {
      const window = await resolveWindow(q.minutes, q.until);
      const rows = await symbolHistory(client, q.symbol, window, q.limit);
      return {
        symbol: q.symbol,
        from: new Date(window.fromMs).toISOString(),
        until: new Date(window.untilMs).toISOString(),
        points: rows.map((r) => ({ ts: new Date(r.ms).toISOString(), price: r.price, volume: r.volume })),
      };
    });
  });

  app.get('/api/recent', async (request) => {
    const q = parseQuery(recentQuery, request.query);
    return answer(`recent ${JSON.stringify(q)}`, async () => {
      const newest = await newestTickMs(client);
      if (newest === null) return { ticks: [] };
      // Look in the last minute of data first (cheap); widen to everything if that is not enough.
      let rows = await recentTicks(client, newest - 60_000, q.limit);
      if (rows.length < q.limit) rows = await recentTicks(client, 0, q.limit);
      return { ticks: rows.map(tickEvent) };
    });
  });

  app.get('/api/stats', async (request) => {
    const q = parseQuery(statsQuery, request.query);
    return answer(`stats ${JSON.stringify(q)}`, async () => {
      const window = await resolveWindow(q.minutes, q.until);
      const rows = await windowStats(client, window);
      return {
        from: new Date(window.fromMs).toISOString(),
        until: new Date(window.untilMs).toISOString(),
        symbols: rows.map((r) => ({
          symbol: r.symbol,
          ticks: r.ticks,
          min: r.min,
          max: r.max,
          avg: r.avg,
          volume: r.volume,
          // Volume-weighted average price; with no volume there is nothing to weigh.
          vwap: r.volume === 0 ? null : r.notional / r.volume,
          first: new Date(r.first_ms).toISOString(),
          last: new Date(r.last_ms).toISOString(),
        })),
      };
    });
  });

  app.get('/api/candles', async (request) => {
    const q = parseQuery(candlesQuery, request.query);
    return answer(`candles ${JSON.stringify(q)}`, async () => {
      const window = await resolveWindow(q.minutes, q.until);
      const rows = await symbolCandles(client, q.symbol, window);
      return {
        symbol: q.symbol,
        from: new Date(window.fromMs).toISOString(),
        until: new Date(window.untilMs).toISOString(),
        candles: rows.map(candleEvent),
      };
    });
  });

  app.get('/api/alerts', async (request) => {
    const q = parseQuery(alertsQuery, request.query);
    const rows = await answer(`alerts ${q.limit}`, () => recentAlerts(client, q.limit));
    return { alerts: rows.map(alertEvent) };
  });

  app.get('/api/health', async (request) => {
    parseQuery(noQuery, request.query);
    return health();
  });

  app.get('/api/stream', (request, reply) => {
    parseQuery(noQuery, request.query);
    reply.hijack();
    feed.add(reply.raw);
  });

  await app.register(fastifyStatic, { root: publicDir, prefix: '/', index: ['index.html'] });
  for (const [prefix, root] of Object.entries(vendor)) {
    await app.register(fastifyStatic, { root, prefix, decorateReply: false, index: false });
  }

  // Streams never end by themselves: end them before the server waits for its connections.
  app.addHook('preClose', async () => feed.close());
  app.addHook('onClose', async () => {
    worker.close();
    await client.close();
  });
  return app;
}
