/** `npm run dashboard`: the dashboard server with the environment's config (see docs/dashboard.md). */
import { ConfigError, createLogger, loadConfig } from '@ticker/common';
import { buildServer } from './server';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger('dashboard', config.logLevel);
  const { clickhouse } = config;
  const app = await buildServer({
    clickhouse: {
      url: clickhouse.url,
      user: clickhouse.dashboardUser,
      password: clickhouse.dashboardPassword,
      database: clickhouse.database,
    },
    flinkUrl: config.flink.url,
    workerAddress: config.worker.address,
    pipelineName: config.pipeline.name,
    log,
    cacheTtlMs: config.dashboard.cacheMs,
    stream: { pollIntervalMs: config.dashboard.pollMs },
  });
  const { host, port } = config.dashboard;
  try {
    await app.listen({ host, port });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'EADDRINUSE'
        ? `dashboard: port ${port} on ${host} is already in use (set DASHBOARD_PORT)`
        : `dashboard: cannot listen on ${host}:${port}: ${(error as Error).message}`,
    );
  }
  console.log(
    `dashboard on http://${host}:${port} (ClickHouse ${clickhouse.url} database ${clickhouse.database} as ${clickhouse.dashboardUser})`,
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError || error instanceof Error ? error.message : error);
  process.exit(1);
});
