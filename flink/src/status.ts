/** status and list: what runs on the cluster, how far checkpoints are, how many records flow. */
import { formatCount, formatDuration, formatTable } from './format';
import { isActive } from './jobs';
import type { FlinkRestClient } from './rest/client';
import type { CompletedCheckpoint, JobOverview } from './rest/schemas';

export interface VertexStatus {
  name: string;
  parallelism: number;
  status: string;
  recordsIn: number;
  recordsOut: number;
  /** Sum over subtasks of numRecordsInPerSecond / numRecordsOutPerSecond (undefined when not reported). */
  recordsInPerSecond?: number;
  recordsOutPerSecond?: number;
}

export interface JobStatus {
  jobId: string;
  name: string;
  state: string;
  uptimeMs: number;
  lastCheckpoint?: { id: number; ageMs: number; durationMs?: number; path?: string };
  checkpointsCompleted?: number;
  checkpointsFailed?: number;
  restoredFrom?: string;
  vertices: VertexStatus[];
}

/** Everything `status` prints about one job. */
export async function jobStatus(client: FlinkRestClient, jobId: string, now = Date.now()): Promise<JobStatus> {
  const [job, checkpoints] = await Promise.all([client.job(jobId), client.checkpoints(jobId).catch(() => undefined)]);
  const vertices = await Promise.all(
    job.vertices.map(async (v): Promise<VertexStatus> => {
      // The subtasks' own counters (see vertexMetricSums); a job that is no longer running has none,
      // and then the job details' counters are the final ones.
      const sums = await client
        .vertexMetricSums(jobId, v.id, v.parallelism, [
          'numRecordsIn',
          'numRecordsOut',
          'numRecordsInPerSecond',
          'numRecordsOutPerSecond',
        ])
        .catch(() => new Map<string, number>());
      return {
        name: v.name,
        parallelism: v.parallelism,
        status: v.status,
        recordsIn: sums.get('numRecordsIn') ?? v.metrics?.['read-records'] ?? 0,
        recordsOut: sums.get('numRecordsOut') ?? v.metrics?.['write-records'] ?? 0,
        recordsInPerSecond: sums.get('numRecordsInPerSecond'),
        recordsOutPerSecond: sums.get('numRecordsOutPerSecond'),
      };
    }),
  );
  const completed: CompletedCheckpoint | null | undefined = checkpoints?.latest?.completed;
  const serverNow = job.now ?? now;
  return {
    jobId: job.jid,
    name: job.name,
    state: job.state,
    uptimeMs: isActive(job) ? serverNow - job['start-time'] : (job.duration ?? 0),
    lastCheckpoint: completed
      ? {
          id: completed.id,
          ageMs: serverNow - (completed.latest_ack_timestamp ?? completed.trigger_timestamp),
          durationMs: completed.end_to_end_duration,
          path: completed.external_path,
        }
      : undefined,
    checkpointsCompleted: checkpoints?.counts?.completed,
    checkpointsFailed: checkpoints?.counts?.failed,
    restoredFrom: checkpoints?.latest?.restored?.external_path,
    vertices,
  };
}

/** Text block for one job. */
export function formatJobStatus(s: JobStatus): string {
  const checkpoint = s.lastCheckpoint
    ? `#${s.lastCheckpoint.id}, ${formatDuration(s.lastCheckpoint.ageMs)} ago, took ${formatDuration(s.lastCheckpoint.durationMs ?? Number.NaN)}`
    : 'none yet';
  const counts =
    s.checkpointsCompleted !== undefined
      ? ` (${s.checkpointsCompleted} completed, ${s.checkpointsFailed ?? 0} failed)`
      : '';
  const rate = (n: number | undefined) => (n === undefined ? '-' : formatCount(n));
  const table = formatTable(
    ['operator', 'par', 'status', 'records in', 'records out', 'in/s', 'out/s'],
    s.vertices.map((v) => [
      // Chained operator names get long; the full names are in --json and the Flink UI.
      v.name.length > 64 ? `${v.name.slice(0, 63)}…` : v.name,
      String(v.parallelism),
      v.status,
      formatCount(v.recordsIn),
      formatCount(v.recordsOut),
      rate(v.recordsInPerSecond),
      rate(v.recordsOutPerSecond),
    ]),
  );
  return [
    `job ${s.jobId}  ${s.name}`,
    `  state:           ${s.state}`,
    `  uptime:          ${formatDuration(s.uptimeMs)}`,
    `  last checkpoint: ${checkpoint}${counts}`,
    ...(s.restoredFrom ? [`  restored from:   ${s.restoredFrom}`] : []),
    '',
    table
      .split('\n')
      .map((l) => `  ${l}`)
      .join('\n'),
  ].join('\n');
}

/** Table of jobs (newest first) for `list`. */
export function formatJobList(jobs: JobOverview[], now = Date.now()): string {
  if (jobs.length === 0) return 'no jobs';
  const sorted = [...jobs].sort((a, b) => b['start-time'] - a['start-time']);
  return formatTable(
    ['job id', 'state', 'started', 'duration', 'name'],
    sorted.map((j) => [
      j.jid,
      j.state,
      new Date(j['start-time']).toISOString().replace('T', ' ').slice(0, 19),
      formatDuration(isActive(j) ? now - j['start-time'] : j.duration),
      j.name,
    ]),
  );
}
