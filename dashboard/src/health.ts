/**
 * Pipeline health for /api/health and the stream: the configured pipeline's
 * Flink job (state, age of the last completed checkpoint) from Flink's REST
 * API, the worker's gRPC health check, and from ClickHouse the end-to-end
 * latency (now − newest tick time) and the tick rate. Each probe has a
 * deadline and reports its own failure, naming the service and its address,
 * instead of failing the report.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { type Client, credentials, makeClientConstructor, type ServiceError } from '@grpc/grpc-js';
import { isJobOfPipeline } from '@ticker/flink-tools/jobs';
import { checkpointStatsSchema, jobsOverviewSchema } from '@ticker/flink-tools/rest/schemas';
import { service as healthService } from 'grpc-health-check';
import type { DataHealth, FlinkHealth, PipelineHealth, WorkerHealth } from './answers';
import { newestTickMs, ticksPerSecond } from './queries';

async function getJson(url: string, timeoutMs: number): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`HTTP ${res.status} from ${url}`);
  return res.json();
}

function reason(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: { code?: string } }).cause;
    return cause?.code ? `${error.message} (${cause.code})` : error.message;
  }
  return String(error);
}

/**
 * The job of `pipeline` from Flink's REST API at `flinkUrl` (its running job, else its newest),
 * and the age of that job's last completed checkpoint. Other pipelines' jobs on the cluster are ignored.
 */
export async function probeFlink(
  flinkUrl: string,
  pipeline: string,
  timeoutMs = 2000,
  nowMs = Date.now(),
): Promise<FlinkHealth> {
  try {
    const { jobs } = jobsOverviewSchema.parse(await getJson(`${flinkUrl}/jobs/overview`, timeoutMs));
    const ours = jobs
      .filter((j) => isJobOfPipeline(j.name, pipeline))
      .sort((a, b) => b['start-time'] - a['start-time']);
    const job = ours.find((j) => j.state === 'RUNNING') ?? ours[0];
    if (job === undefined) return { status: 'up', url: flinkUrl, job: null, lastCheckpointAgeMs: null };
    const { latest } = checkpointStatsSchema.parse(await getJson(`${flinkUrl}/jobs/${job.jid}/checkpoints`, timeoutMs));
    const ack = latest?.completed?.latest_ack_timestamp;
    return {
      status: 'up',
      url: flinkUrl,
      job: { id: job.jid, name: job.name, state: job.state },
      lastCheckpointAgeMs: ack === undefined ? null : Math.max(0, nowMs - ack),
    };
  } catch (error) {
    return {
      status: 'down',
      url: flinkUrl,
      job: null,
      lastCheckpointAgeMs: null,
      error: `Flink REST API at ${flinkUrl}: ${reason(error)}`,
    };
  }
}

type HealthCheck = (
  request: { service: string },
  options: { deadline: Date },
  callback: (error: ServiceError | null, response?: { status: string }) => void,
) => void;

/** A reusable gRPC health-check client for the worker at host:port. */
export class WorkerProbe {
  private readonly client: Client & { Check: HealthCheck };

  constructor(readonly address: string) {
    const Ctor = makeClientConstructor(healthService, 'grpc.health.v1.Health');
    this.client = new Ctor(address, credentials.createInsecure()) as unknown as Client & { Check: HealthCheck };
  }

  /** The worker's overall serving status (the '' service), within `timeoutMs`. */
  check(timeoutMs = 2000): Promise<WorkerHealth> {
    return new Promise((resolve) => {
      this.client.Check({ service: '' }, { deadline: new Date(Date.now() + timeoutMs) }, (error, response) => {
        if (error) {
          resolve({
            status: 'down',
            address: this.address,
            error: `worker gRPC at ${this.address}: ${(error.details || error.message).replace(/\s*Resolution note:.*$/s, '')}`,
          });
          return;
        }
        const status = response?.status;
        resolve({
          status: status === 'SERVING' || status === 'NOT_SERVING' || status === 'SERVICE_UNKNOWN' ? status : 'UNKNOWN',
          address: this.address,
        });
      });
    });
  }

  /** Closes the gRPC channel. */
  close(): void {
    this.client.close();
  }
}

/** End-to-end latency and tick rate from ClickHouse; `describeError` words a failure the way the API does. */
export async function probeData(
  client: ClickHouseClient,
  url: string,
  describeError: (error: unknown) => string,
  nowMs = Date.now(),
): Promise<DataHealth> {
  try {
    const [newest, rate] = await Promise.all([newestTickMs(client), ticksPerSecond(client, nowMs, 10)]);
    return {
      status: 'up',
      url,
      newestTickTs: newest === null ? null : new Date(newest).toISOString(),
      endToEndLatencyMs: newest === null ? null : nowMs - newest,
      rowsPerSecond: rate,
    };
  } catch (error) {
    return {
      status: 'down',
      url,
      newestTickTs: null,
      endToEndLatencyMs: null,
      rowsPerSecond: null,
      error: describeError(error),
    };
  }
}

/** Runs the three probes at once and sums them up. */
export async function checkPipeline(deps: {
  clickhouse: ClickHouseClient;
  clickhouseUrl: string;
  describeClickHouseError: (error: unknown) => string;
  flinkUrl: string;
  pipeline: string;
  worker: WorkerProbe;
}): Promise<PipelineHealth> {
  const nowMs = Date.now();
  const [clickhouse, flink, worker] = await Promise.all([
    probeData(deps.clickhouse, deps.clickhouseUrl, deps.describeClickHouseError, nowMs),
    probeFlink(deps.flinkUrl, deps.pipeline, 2000, nowMs),
    deps.worker.check(2000),
  ]);
  const allUp = flink.status === 'up' && flink.job?.state === 'RUNNING' && worker.status === 'SERVING';
  return {
    status: clickhouse.status === 'down' ? 'down' : allUp ? 'ok' : 'degraded',
    pipeline: deps.pipeline,
    checkedAt: new Date(nowMs).toISOString(),
    clickhouse,
    flink,
    worker,
  };
}
