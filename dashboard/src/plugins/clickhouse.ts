/**
 * The ClickHouse plugin: one connection for the whole server, as the
 * `clickhouse` decorator, closed with the server. Everything that reads
 * ClickHouse goes through `run`, so every failure is classified the same way
 * (503 naming ClickHouse and its URL, or the error itself: a bug).
 */
import type { ClickHouseClient } from '@clickhouse/client';
import fp from 'fastify-plugin';
import { type ClickHouseOptions, classifyClickHouseError, createDashboardClient } from '../clickhouse';

/** The `clickhouse` decorator. */
export interface DashboardClickHouse {
  readonly client: ClickHouseClient;
  readonly url: string;
  readonly database: string;
  /** Runs ClickHouse work; a failure is rethrown classified (ClickHouseUnavailableError → 503). */
  run<T>(work: (client: ClickHouseClient) => Promise<T>): Promise<T>;
  /** The message a ClickHouse failure is shown with. */
  describeError(error: unknown): string;
}

declare module 'fastify' {
  interface FastifyInstance {
    clickhouse: DashboardClickHouse;
  }
}

/** Decorates the server with `clickhouse` (the read-only user's connection). */
export const clickhousePlugin = fp<ClickHouseOptions>(
  async (app, options) => {
    const client = createDashboardClient(options);
    const classify = (error: unknown) => classifyClickHouseError(error, options.url, options.database);
    const clickhouse: DashboardClickHouse = {
      client,
      url: options.url,
      database: options.database,
      async run(work) {
        try {
          return await work(client);
        } catch (error) {
          throw classify(error);
        }
      },
      describeError: (error) => classify(error).message,
    };
    app.decorate('clickhouse', clickhouse);
    app.addHook('onClose', async () => client.close());
  },
  { name: 'dashboard-clickhouse', fastify: '5.x' },
);
