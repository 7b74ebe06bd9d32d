/**
 * The health probe plugin: `pipelineHealth()` reports ClickHouse, the
 * configured pipeline's Flink job and the worker (see health.ts). One answer
 * is shared for a second by every caller (the stream and /api/health), so
 * many viewers do not multiply the probes.
 */
import fp from 'fastify-plugin';
import { AnswerCache } from '../answer-cache';
import type { PipelineHealth } from '../answers';
import { checkPipeline, WorkerProbe } from '../health';

export interface HealthOptions {
  flinkUrl: string;
  workerAddress: string;
  /** The pipeline whose Flink job is reported (PIPELINE_NAME): two pipelines may share a cluster. */
  pipelineName: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The pipeline's health, at most a second old. */
    pipelineHealth(): Promise<PipelineHealth>;
  }
}

/** Decorates the server with `pipelineHealth`. */
export const healthPlugin = fp<HealthOptions>(
  async (app, options) => {
    const worker = new WorkerProbe(options.workerAddress);
    const { clickhouse } = app;
    // Fresh for a second, never served stale: health is about now.
    const cache = new AnswerCache(1000, 0);
    app.decorate('pipelineHealth', () =>
      cache.get('health', () =>
        checkPipeline({
          clickhouse: clickhouse.client,
          clickhouseUrl: clickhouse.url,
          describeClickHouseError: clickhouse.describeError,
          flinkUrl: options.flinkUrl,
          pipeline: options.pipelineName,
          worker,
        }),
      ),
    );
    app.addHook('onClose', async () => worker.close());
  },
  {
    name: 'dashboard-health',
    fastify: '5.x',
    dependencies: ['dashboard-clickhouse'],
    decorators: { fastify: ['clickhouse'] },
  },
);
