/** Stop-with-savepoint: the graceful way to end a bridge job and keep its state. */
import { activeJobsOf, isActive, rootExceptionText } from './jobs';
import type { Reporter } from './report';
import { FlinkApiError, type FlinkRestClient } from './rest/client';
import type { JobOverview } from './rest/schemas';
import type { SavepointStore } from './savepoint-store';
import { pollUntil } from './wait';

/** No job matches what the user asked to stop. */
export class JobNotFoundError extends Error {
  override readonly name = 'JobNotFoundError';
}

/** Flink could not take the savepoint. */
export class SavepointFailedError extends Error {
  override readonly name = 'SavepointFailedError';
}

export interface StopOptions {
  jobId?: string;
  /** Pipeline (descriptor) name whose running job to stop. */
  name?: string;
  /** Savepoint directory; default: the cluster's execution.checkpointing.savepoint-dir. */
  targetDirectory?: string;
  timeoutMs?: number;
}

export interface StopResult {
  jobId: string;
  jobName: string;
  savepointPath: string;
}

/** Picks the one active job to stop (by id, by pipeline name, or the only one running). */
export async function findJobToStop(client: FlinkRestClient, options: StopOptions): Promise<JobOverview> {
  const jobs = await client.listJobs();
  if (options.jobId !== undefined) {
    const job = jobs.find((j) => j.jid === options.jobId);
    if (!job) throw new JobNotFoundError(`no job ${options.jobId} on ${client.url}`);
    if (!isActive(job)) throw new JobNotFoundError(`job ${options.jobId} (${job.name}) is already ${job.state}`);
    return job;
  }
  const candidates = options.name !== undefined ? activeJobsOf(jobs, options.name) : jobs.filter(isActive);
  const what = options.name !== undefined ? `of pipeline "${options.name}"` : '';
  if (candidates.length === 0) throw new JobNotFoundError(`no running job ${what} on ${client.url}`.replace('  ', ' '));
  if (candidates.length > 1) {
    const list = candidates.map((j) => `  ${j.jid}  ${j.state}  ${j.name}`).join('\n');
    throw new JobNotFoundError(`${candidates.length} running jobs ${what}; choose one with --job <id>:\n${list}`);
  }
  return candidates[0]!;
}

/** Stops a job with a savepoint, waits for it, records the savepoint and returns its path. */
export async function stopJob(
  client: FlinkRestClient,
  store: SavepointStore,
  reporter: Reporter,
  options: StopOptions,
): Promise<StopResult> {
  const job = await findJobToStop(client, options);
  reporter.step(`Stopping job ${job.jid} (${job.name}) with a savepoint`);
  let triggerId: string;
  try {
    triggerId = await client.stopWithSavepoint(job.jid, options.targetDirectory);
  } catch (error) {
    if (error instanceof FlinkApiError) {
      throw new SavepointFailedError(`Flink refused stop-with-savepoint for ${job.jid}: ${error.details}`);
    }
    throw error;
  }
  const status = await pollUntil(
    async () => {
      const s = await client.savepointStatus(job.jid, triggerId);
      return s.status.id === 'COMPLETED' ? s : undefined;
    },
    { timeoutMs: options.timeoutMs ?? 120_000, describe: () => `savepoint of job ${job.jid} still in progress` },
  );
  const location = status.operation?.location;
  if (!location) {
    const cause = status.operation?.['failure-cause'];
    const trace = cause?.['stack-trace'] ?? cause?.class ?? 'no reason given';
    let detail = trace.split('\n').slice(0, 20).join('\n');
    if (/savepoint.*(dir|directory)/i.test(trace) && !options.targetDirectory) {
      detail += '\nHint: the cluster has no default savepoint directory; pass --savepoint-dir <dir>.';
    }
    const exceptions = await client.jobExceptions(job.jid).catch(() => undefined);
    const jobError = exceptions ? rootExceptionText(exceptions, 10) : undefined;
    throw new SavepointFailedError(
      `savepoint of job ${job.jid} failed; the job keeps running.\n${detail}${jobError ? `\nJob exception: ${jobError}` : ''}`,
    );
  }
  reporter.detail(`savepoint: ${location}`);
  await store.add({ pipeline: job.name, jobId: job.jid, path: location, takenAt: new Date().toISOString() });
  reporter.detail(`recorded in ${store.file}`);
  return { jobId: job.jid, jobName: job.name, savepointPath: location };
}
