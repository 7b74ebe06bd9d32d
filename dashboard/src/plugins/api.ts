/**
 * The JSON API plugin (registered under /api): one route per answer, each
 * with its zod parameter and answer schemas. Fastify validates the query with
 * the route's schema before a handler runs (see params.ts), so handlers get
 * typed values and only read ClickHouse. Answers are shared and reused
 * through one AnswerCache; ClickHouse failures become 503 (see clickhouse.ts).
 */
import fp from 'fastify-plugin';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AnswerCache } from '../answer-cache';
import {
  alertsAnswerSchema,
  badRequestSchema,
  candlesAnswerSchema,
  historyAnswerSchema,
  internalErrorSchema,
  latestAnswerSchema,
  pipelineHealthSchema,
  recentAnswerSchema,
  statsAnswerSchema,
  unavailableSchema,
} from '../answers';
import { alertsQuery, candlesQuery, historyQuery, latestQuery, noQuery, recentQuery, statsQuery } from '../params';
import {
  latestPrices,
  newestTickMs,
  recentAlerts,
  recentTicks,
  symbolCandles,
  symbolHistory,
  type Window,
  windowStats,
} from '../queries';
import { alertEvent, candleEvent, tickEvent } from '../stream';

export interface ApiOptions {
  /**
   * How long an answer is reused for identical requests (default 1000 ms; 0 turns it off), then
   * served stale for up to 4× that while one refresh runs. Concurrent identical requests always
   * share one ClickHouse query.
   */
  cacheTtlMs?: number;
}

/** The error answers every ClickHouse-backed route documents. */
const failures = {
  400: badRequestSchema.meta({ description: 'A bad or unknown query parameter; the message names it.' }),
  500: internalErrorSchema.meta({ description: 'A bug.' }),
  503: unavailableSchema.meta({ description: 'ClickHouse is unreachable or its schema is missing.' }),
};

const api: FastifyPluginAsyncZod<ApiOptions> = async (app, options) => {
  const { clickhouse } = app;
  const cache = new AnswerCache(options.cacheTtlMs ?? 1000);

  /** The answer for `key`, shared and reused; ClickHouse failures become 503. */
  function answer<T>(key: string, work: () => Promise<T>): Promise<T> {
    return cache.get(key, () => clickhouse.run(work));
  }

  /** The window [until − minutes, until]; `until` defaults to the newest tick time (then to now). */
  async function resolveWindow(minutes: number, until: number | undefined): Promise<Window> {
    const untilMs = until ?? (await newestTickMs(clickhouse.client)) ?? Date.now();
    return { fromMs: untilMs - minutes * 60_000, untilMs };
  }

  app.get(
    '/latest',
    {
      schema: {
        summary: 'Last price and change since the day’s open, per symbol',
        querystring: latestQuery,
        response: { 200: latestAnswerSchema, ...failures },
      },
    },
    async () => {
      const rows = await answer('latest', () => latestPrices(clickhouse.client));
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
    },
  );

  app.get(
    '/history',
    {
      schema: {
        summary: 'One symbol’s ticks in a window, oldest first',
        querystring: historyQuery,
        response: { 200: historyAnswerSchema, ...failures },
      },
    },
    async ({ query: q }) =>
      answer(`history ${JSON.stringify(q)}`, async () => {
        const window = await resolveWindow(q.minutes, q.until);
        const rows = await symbolHistory(clickhouse.client, q.symbol, window, q.limit);
        return {
          symbol: q.symbol,
          from: new Date(window.fromMs).toISOString(),
          until: new Date(window.untilMs).toISOString(),
          points: rows.map((r) => ({ ts: new Date(r.ms).toISOString(), price: r.price, volume: r.volume })),
        };
      }),
  );

  app.get(
    '/recent',
    {
      schema: {
        summary: 'The newest ticks of all symbols, newest first',
        querystring: recentQuery,
        response: { 200: recentAnswerSchema, ...failures },
      },
    },
    async ({ query: q }) =>
      answer(`recent ${JSON.stringify(q)}`, async () => {
        const newest = await newestTickMs(clickhouse.client);
        if (newest === null) return { ticks: [] };
        // Look in the last minute of data first (cheap); widen to everything if that is not enough.
        let rows = await recentTicks(clickhouse.client, newest - 60_000, q.limit);
        if (rows.length < q.limit) rows = await recentTicks(clickhouse.client, 0, q.limit);
        return { ticks: rows.map(tickEvent) };
      }),
  );

  app.get(
    '/stats',
    {
      schema: {
        summary: 'Per-symbol statistics over a window',
        querystring: statsQuery,
        response: { 200: statsAnswerSchema, ...failures },
      },
    },
    async ({ query: q }) =>
      answer(`stats ${JSON.stringify(q)}`, async () => {
        const window = await resolveWindow(q.minutes, q.until);
        const rows = await windowStats(clickhouse.client, window);
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
      }),
  );

  app.get(
    '/candles',
    {
      schema: {
        summary: 'One symbol’s 1-minute candles in a window, oldest first',
        querystring: candlesQuery,
        response: { 200: candlesAnswerSchema, ...failures },
      },
    },
    async ({ query: q }) =>
      answer(`candles ${JSON.stringify(q)}`, async () => {
        const window = await resolveWindow(q.minutes, q.until);
        const rows = await symbolCandles(clickhouse.client, q.symbol, window);
        return {
          symbol: q.symbol,
          from: new Date(window.fromMs).toISOString(),
          until: new Date(window.untilMs).toISOString(),
          candles: rows.map(candleEvent),
        };
      }),
  );

  app.get(
    '/alerts',
    {
      schema: {
        summary: 'The newest price-move alerts, newest first',
        querystring: alertsQuery,
        response: { 200: alertsAnswerSchema, ...failures },
      },
    },
    async ({ query: q }) => {
      const rows = await answer(`alerts ${q.limit}`, () => recentAlerts(clickhouse.client, q.limit));
      return { alerts: rows.map(alertEvent) };
    },
  );

  app.get(
    '/health',
    {
      schema: {
        summary: 'Health of the pipeline: ClickHouse data, the Flink job, the worker',
        description: 'Each probe reports its own failure; the answer itself is always 200.',
        querystring: noQuery,
        response: { 200: pipelineHealthSchema, 400: failures[400], 500: failures[500] },
      },
    },
    () => app.pipelineHealth(),
  );

  app.get(
    '/openapi.json',
    {
      schema: {
        summary: 'This document',
        querystring: noQuery,
        response: {
          200: z.looseObject({ openapi: z.string() }).meta({ description: 'OpenAPI 3.0 document.' }),
          400: failures[400],
        },
      },
    },
    () => {
      const document = app.swagger();
      // server.ts configures OpenAPI 3; @fastify/swagger's type also allows Swagger 2.
      if (!('openapi' in document)) throw new Error('the API document is not OpenAPI 3');
      return { ...document };
    },
  );
};

/** The JSON API and its OpenAPI document; register with `prefix: '/api'`. */
export const apiPlugin = fp(api, {
  name: 'dashboard-api',
  fastify: '5.x',
  // Routes get the prefix it is registered with.
  encapsulate: true,
  dependencies: ['dashboard-clickhouse', 'dashboard-health', '@fastify/swagger'],
  decorators: { fastify: ['clickhouse', 'pipelineHealth', 'swagger'] },
});
