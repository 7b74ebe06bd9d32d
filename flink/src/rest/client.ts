/**
 * A small typed client for Flink's REST API: every response is validated with zod,
 * and every failure becomes an error that says which call failed and why.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { z } from 'zod';
import {
  type CheckpointStats,
  type ClusterOverview,
  checkpointStatsSchema,
  errorBodySchema,
  type JobDetails,
  type JobExceptions,
  type JobOverview,
  jarListSchema,
  jarRunSchema,
  jarUploadSchema,
  jobDetailsSchema,
  jobExceptionsSchema,
  jobsOverviewSchema,
  overviewSchema,
  type SavepointStatus,
  savepointStatusSchema,
  triggerSchema,
  vertexMetricValuesSchema,
} from './schemas';

/** Flink could not be reached at all (connection refused, DNS, timeout). */
export class FlinkUnreachableError extends Error {
  override readonly name = 'FlinkUnreachableError';
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(
      `Flink is not reachable at ${url} (${reason}). Is the cluster up? ` +
        'Start it with `npm run stack:up` (local) or `docker compose up -d`, or point FLINK_URL at it.',
    );
  }
}

/** Flink answered with an error status or a body we do not understand. */
export class FlinkApiError extends Error {
  override readonly name = 'FlinkApiError';
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly details: string,
  ) {
    super(`Flink ${method} ${path} failed (HTTP ${status}): ${details}`);
  }
}

export interface RunJarRequest {
  entryClass: string;
  programArgsList: string[];
  parallelism?: number;
  savepointPath?: string;
  allowNonRestoredState?: boolean;
}

export interface FlinkRestClientOptions {
  /** Base URL, e.g. http://localhost:8081 (no trailing slash needed). */
  url: string;
  /** Per-request timeout; uploads get ten times this. */
  timeoutMs?: number;
}

/** Typed access to the Flink REST endpoints the deploy tooling uses. */
export class FlinkRestClient {
  readonly url: string;
  private readonly timeoutMs: number;

  constructor(options: FlinkRestClientOptions) {
    this.url = options.url.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** Cluster overview: version, TaskManagers, slots. */
  overview(): Promise<ClusterOverview> {
    return this.request('GET', '/overview', overviewSchema);
  }

  /** Every job the JobManager knows (running and recently finished). */
  async listJobs(): Promise<JobOverview[]> {
    return (await this.request('GET', '/jobs/overview', jobsOverviewSchema)).jobs;
  }

  /** Job state and its vertices with per-vertex task states and record counters. */
  job(jobId: string): Promise<JobDetails> {
    return this.request('GET', `/jobs/${encodeURIComponent(jobId)}`, jobDetailsSchema);
  }

  /** The job's failure history (newest first). */
  jobExceptions(jobId: string): Promise<JobExceptions> {
    return this.request('GET', `/jobs/${encodeURIComponent(jobId)}/exceptions`, jobExceptionsSchema);
  }

  /** Checkpoint counts and the latest completed checkpoint / savepoint. */
  checkpoints(jobId: string): Promise<CheckpointStats> {
    return this.request('GET', `/jobs/${encodeURIComponent(jobId)}/checkpoints`, checkpointStatsSchema);
  }

  /**
   * Sum over a vertex's subtasks 0..parallelism-1 of the named task metrics (a metric no subtask reports
   * is absent from the result). Read per subtask because, on Flink 2.2.1 with a running job, the
   * aggregated /subtasks/metrics sums and the job details' read-records / write-records give 0 for the
   * record counters while each subtask's own numRecordsIn / numRecordsOut is right.
   */
  async vertexMetricSums(
    jobId: string,
    vertexId: string,
    parallelism: number,
    metrics: string[],
  ): Promise<Map<string, number>> {
    const names = Array.from({ length: parallelism }, (_, i) => metrics.map((m) => `${i}.${m}`)).flat();
    const path = `/jobs/${encodeURIComponent(jobId)}/vertices/${encodeURIComponent(vertexId)}/metrics?get=${names.map(encodeURIComponent).join(',')}`;
    const rows = await this.request('GET', path, vertexMetricValuesSchema);
    const sums = new Map<string, number>();
    for (const row of rows) {
      const metric = row.id.slice(row.id.indexOf('.') + 1);
      const value = Number(row.value);
      if (Number.isFinite(value)) sums.set(metric, (sums.get(metric) ?? 0) + value);
    }
    return sums;
  }

  /** Jars already uploaded to the cluster. */
  async listJars(): Promise<{ id: string; name: string }[]> {
    return (await this.request('GET', '/jars', jarListSchema)).files;
  }

  /** Uploads a jar (multipart field `jarfile`) and returns its id on the cluster. */
  async uploadJar(jarPath: string): Promise<string> {
    const bytes = await readFile(jarPath);
    const form = new FormData();
    form.append('jarfile', new Blob([bytes], { type: 'application/java-archive' }), basename(jarPath));
    const uploaded = await this.request('POST', '/jars/upload', jarUploadSchema, form, this.timeoutMs * 10);
    if (uploaded.status !== 'success') {
      throw new FlinkApiError('POST', '/jars/upload', 200, `upload status ${uploaded.status}`);
    }
    // Flink answers with the stored file path; the jar id is its file name.
    return basename(uploaded.filename);
  }

  /** Removes an uploaded jar. */
  async deleteJar(jarId: string): Promise<void> {
    await this.requestRaw('DELETE', `/jars/${encodeURIComponent(jarId)}`);
  }

  /** Runs an uploaded jar's main class; returns the new job id. */
  async runJar(jarId: string, request: RunJarRequest): Promise<string> {
    const body = JSON.stringify(request);
    // Running a jar executes its main() on the JobManager, which can take a while.
    const run = await this.request(
      'POST',
      `/jars/${encodeURIComponent(jarId)}/run`,
      jarRunSchema,
      body,
      this.timeoutMs * 6,
    );
    return run.jobid;
  }

  /** Triggers stop-with-savepoint; returns the trigger id to poll with savepointStatus(). */
  async stopWithSavepoint(jobId: string, targetDirectory?: string): Promise<string> {
    const body = JSON.stringify({ drain: false, ...(targetDirectory ? { targetDirectory } : {}) });
    const trigger = await this.request('POST', `/jobs/${encodeURIComponent(jobId)}/stop`, triggerSchema, body);
    return trigger['request-id'];
  }

  /** Status of a savepoint / stop-with-savepoint operation. */
  savepointStatus(jobId: string, triggerId: string): Promise<SavepointStatus> {
    return this.request(
      'GET',
      `/jobs/${encodeURIComponent(jobId)}/savepoints/${encodeURIComponent(triggerId)}`,
      savepointStatusSchema,
    );
  }

  /** Cancels a job without a savepoint. */
  async cancelJob(jobId: string): Promise<void> {
    await this.requestRaw('PATCH', `/jobs/${encodeURIComponent(jobId)}?mode=cancel`);
  }

  private async request<S extends z.ZodType>(
    method: string,
    path: string,
    schema: S,
    body?: string | FormData,
    timeoutMs?: number,
  ): Promise<z.infer<S>> {
    const text = await this.requestRaw(method, path, body, timeoutMs);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new FlinkApiError(method, path, 200, `response is not JSON: ${text.slice(0, 200)}`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      throw new FlinkApiError(method, path, 200, `unexpected response shape (${problems})`);
    }
    return parsed.data;
  }

  private async requestRaw(
    method: string,
    path: string,
    body?: string | FormData,
    timeoutMs?: number,
  ): Promise<string> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (typeof body === 'string') headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, {
        method,
        headers,
        body,
        signal: AbortSignal.timeout(timeoutMs ?? this.timeoutMs),
      });
    } catch (error) {
      throw new FlinkUnreachableError(this.url, describeFetchError(error));
    }
    const text = await response.text();
    if (!response.ok) {
      throw new FlinkApiError(method, path, response.status, flinkErrorText(text));
    }
    return text;
  }
}

/** Flink's `{"errors": [...]}` joined, or the raw body when it is something else. */
export function flinkErrorText(body: string): string {
  try {
    const parsed = errorBodySchema.safeParse(JSON.parse(body));
    if (parsed.success && parsed.data.errors.length > 0) return parsed.data.errors.join('\n');
  } catch {
    // not JSON: fall through to the raw text
  }
  return body.trim().slice(0, 2000) || '(empty body)';
}

function describeFetchError(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError') return 'no answer before the timeout';
    const cause = (error as Error & { cause?: unknown }).cause;
    if (cause instanceof Error) {
      const code = (cause as Error & { code?: string }).code;
      return code ? `${code}: ${cause.message}` : cause.message;
    }
    return error.message;
  }
  return String(error);
}
