/**
 * Pipeline health for /api/health and the stream: the Flink job (state, age
 * of the last completed checkpoint) from Flink's REST API, the worker's gRPC
 * health check, and from ClickHouse the end-to-end latency (now − newest tick
 * time) and the tick rate. Each probe has a deadline and reports its own
 * failure, naming the service and its address, instead of failing the report.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { type Client, credentials, makeClientConstructor, type ServiceError } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { z } from 'zod';
import { newestTickMs, ticksPerSecond } from './queries';

export interface FlinkHealth {
  status: 'up' | 'down';
  url: string;
  /** The running bridge job, else the most recently started job; null when Flink has none. */
  job: { id: string; name: string; state: string } | null;
  /** Milliseconds since the last completed checkpoint was acknowledged; null when there is none. */
  lastCheckpointAgeMs: number | null;
  error?: string;
}

export interface WorkerHealth {
  status: 'SERVING' | 'NOT_SERVING' | 'UNKNOWN' | 'SERVICE_UNKNOWN' | 'down';
  address: string;
  error?: string;
}

export interface DataHealth {
  status: 'up' | 'down';
  url: string;
  newestTickTs: string | null;
  /** now − newest tick time: how far behind real time the data is. */
  endToEndLatencyMs: number | null;
  /** Distinct ticks per second with a time in the last 10 s of wall-clock time. */
  rowsPerSecond: number | null;
  error?: string;
}

export interface PipelineHealth {
  /** ok: all up and the job running; degraded: something down or not running; down: ClickHouse down. */
  status: 'ok' | 'degraded' | 'down';
  checkedAt: string;
  clickhouse: DataHealth;
  flink: FlinkHealth;
  worker: WorkerHealth;
}

const jobsOverview = z.object({
  jobs: z.array(z.object({ jid: z.string(), name: z.string(), state: z.string(), 'start-time': z.number() })),
});
const checkpoints = z.object({
  latest: z.object({ completed: z.object({ latest_ack_timestamp: z.number() }).nullish() }).nullish(),
});

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

/** Flink's job state and checkpoint age from its REST API at `flinkUrl`. */
export async function probeFlink(flinkUrl: string, timeoutMs = 2000, nowMs = Date.now()): Promise<FlinkHealth> {
  try {
    const { jobs } = jobsOverview.parse(await getJson(`${flinkUrl}/jobs/overview`, timeoutMs));
    const ordered = [...jobs].sort((a, b) => b['start-time'] - a['start-time']);
    const job = ordered.find((j) => j.state === 'RUNNING') ?? ordered[0];
    if (job === undefined) return { status: 'up', url: flinkUrl, job: null, lastCheckpointAgeMs: null };
    const { latest } = checkpoints.parse(await getJson(`${flinkUrl}/jobs/${job.jid}/checkpoints`, timeoutMs));
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
  worker: WorkerProbe;
}): Promise<PipelineHealth> {
  const nowMs = Date.now();
  const [clickhouse, flink, worker] = await Promise.all([
    probeData(deps.clickhouse, deps.clickhouseUrl, deps.describeClickHouseError, nowMs),
    probeFlink(deps.flinkUrl, 2000, nowMs),
    deps.worker.check(2000),
  ]);
  const allUp = flink.status === 'up' && flink.job?.state === 'RUNNING' && worker.status === 'SERVING';
  return {
    status: clickhouse.status === 'down' ? 'down' : allUp ? 'ok' : 'degraded',
    checkedAt: new Date(nowMs).toISOString(),
    clickhouse,
    flink,
    worker,
  };
}
