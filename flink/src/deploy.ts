/**
 * deploy: descriptor -> bridge jar upload -> run -> wait until every task runs.
 * Refuses a second copy of a running pipeline unless asked to replace it (with a savepoint).
 */
import { BRIDGE_ENTRY_CLASS, type BridgeTuning, bridgeProgramArgs, redactProgramArgs } from './bridge-args';
import type { LoadedDescriptor } from './descriptor';
import { activeJobsOf, rootExceptionText } from './jobs';
import type { Reporter } from './report';
import { FlinkApiError, type FlinkRestClient } from './rest/client';
import type { JobDetails } from './rest/schemas';
import { newestRetainedCheckpoint } from './retained-checkpoint';
import type { SavepointStore } from './savepoint-store';
import { stopJob } from './stop';
import { DeadlineError, pollUntil } from './wait';
import { checkWindowState } from './window-state-check';

/** The pipeline already runs and the user did not ask to replace it. */
export class AlreadyRunningError extends Error {
  override readonly name = 'AlreadyRunningError';
}

/** Flink refused or failed the job while starting it; the message carries Flink's exception. */
export class JobStartError extends Error {
  override readonly name = 'JobStartError';
  constructor(
    message: string,
    readonly jobId?: string,
  ) {
    super(message);
  }
}

export interface DeployTarget {
  workerAddress: string;
  kafkaBrokers: string[];
  clickhouse: { url: string; database: string; user: string; password: string };
}

export interface DeployOptions {
  descriptor: LoadedDescriptor;
  /** Returns the jar to upload (located or built). */
  jar: () => Promise<string>;
  target: DeployTarget;
  tuning?: BridgeTuning;
  parallelism?: number;
  savepointPath?: string;
  fromLatestSavepoint?: boolean;
  /**
   * With fromLatestSavepoint: also consider the retained checkpoints of the pipeline's last
   * deployed job under this directory, and restore from whichever is newer.
   */
  checkpointsDir?: string;
  allowNonRestoredState?: boolean;
  /**
   * Resume even from state whose windows are of the kind kept before accumulators (their open windows
   * are lost); implies allowNonRestoredState. Without it deploy refuses such state.
   */
  dropOldWindowState?: boolean;
  /** Stop a running copy with a savepoint and start from it. */
  replace?: boolean;
  /** Succeed without deploying when the pipeline already runs (for one-shot deployers). */
  ifNotRunning?: boolean;
  savepointDir?: string;
  /** How long to wait for every task to be RUNNING. */
  timeoutMs?: number;
  /** Keep a job that failed to start (default: cancel it so nothing restarts in a loop). */
  keepOnFailure?: boolean;
}

export interface DeployResult {
  jobId: string;
  /** The savepoint the job was restored from, if any. */
  restoredFrom?: string;
  /** True when an already running copy was kept (ifNotRunning). */
  alreadyRunning: boolean;
}

/** Deploys the bridge job for a descriptor; see DeployOptions. */
export async function deploy(
  client: FlinkRestClient,
  store: SavepointStore,
  reporter: Reporter,
  options: DeployOptions,
): Promise<DeployResult> {
  const pipeline = options.descriptor.descriptor.name;

  reporter.step(`Checking Flink at ${client.url}`);
  const overview = await client.overview();
  reporter.detail(
    `Flink ${overview['flink-version']}: ${overview.taskmanagers} TaskManager(s), ${overview['slots-available']}/${overview['slots-total']} slots free`,
  );
  if (overview.taskmanagers === 0) reporter.warn('no TaskManager registered yet; the job waits for one');

  const running = activeJobsOf(await client.listJobs(), pipeline);
  let savepointPath = options.savepointPath;
  if (running.length > 0) {
    const list = running.map((j) => `${j.jid} (${j.state})`).join(', ');
    if (options.ifNotRunning) {
      reporter.step(`Pipeline "${pipeline}" already runs as ${list}; nothing to do`);
      return { jobId: running[0]!.jid, alreadyRunning: true };
    }
    if (!options.replace) {
      throw new AlreadyRunningError(
        `pipeline "${pipeline}" is already running as job ${list}. ` +
          'Use --replace to stop it with a savepoint and deploy from that savepoint, or stop it first.',
      );
    }
    for (const job of running) {
      const stopped = await stopJob(client, store, reporter, { jobId: job.jid, targetDirectory: options.savepointDir });
      savepointPath ??= stopped.savepointPath;
    }
  }

  if (savepointPath === undefined && options.fromLatestSavepoint) {
    savepointPath = await latestRestorePoint(store, reporter, pipeline, options.checkpointsDir);
  }

  let allowNonRestoredState = options.allowNonRestoredState ?? false;
  if (savepointPath !== undefined) {
    const check = await checkWindowState(
      savepointPath,
      options.descriptor.descriptor,
      options.dropOldWindowState ?? false,
    );
    if (check.warning) reporter.warn(check.warning);
    if (check.dropped.length > 0) {
      reporter.warn(
        `dropping the old-kind state of window(s) ${check.dropped.join(', ')} (--drop-old-window-state): their open windows are lost`,
      );
      allowNonRestoredState = true;
    }
  }

  reporter.step('Locating the bridge jar');
  const jarPath = await options.jar();
  reporter.detail(jarPath);

  reporter.step('Uploading the bridge jar');
  const jarId = await client.uploadJar(jarPath);
  reporter.detail(`jar id ${jarId}`);

  const programArgsList = bridgeProgramArgs({
    descriptorJson: options.descriptor.json,
    workerAddress: options.target.workerAddress,
    kafkaBrokers: options.target.kafkaBrokers,
    clickhouse: options.target.clickhouse,
    parallelism: options.parallelism,
    ...options.tuning,
  });
  reporter.step(`Starting pipeline "${pipeline}"${savepointPath ? ` from savepoint ${savepointPath}` : ''}`);
  reporter.detail(`${BRIDGE_ENTRY_CLASS} ${redactProgramArgs(programArgsList).join(' ')}`);
  let jobId: string;
  try {
    jobId = await client.runJar(jarId, {
      entryClass: BRIDGE_ENTRY_CLASS,
      programArgsList,
      ...(options.parallelism !== undefined ? { parallelism: options.parallelism } : {}),
      ...(savepointPath !== undefined ? { savepointPath } : {}),
      ...(allowNonRestoredState ? { allowNonRestoredState: true } : {}),
    });
  } catch (error) {
    if (error instanceof FlinkApiError) {
      throw new JobStartError(`Flink refused to start the job: ${refusalHeadline(error.details)}\n${error.details}`);
    }
    throw error;
  } finally {
    // The submitted job no longer needs the uploaded copy (Flink keeps its own in the blob store).
    await client.deleteJar(jarId).catch(() => undefined);
  }
  reporter.detail(`job id ${jobId}`);
  await store.addDeployment({ pipeline, jobId, deployedAt: new Date().toISOString() });

  reporter.step('Waiting until every task is RUNNING');
  try {
    const job = await waitUntilRunning(client, jobId, options.timeoutMs ?? 120_000);
    const tasks = job.vertices.reduce((n, v) => n + v.parallelism, 0);
    reporter.detail(`RUNNING: ${job.vertices.length} operators, ${tasks} tasks`);
  } catch (error) {
    if (!options.keepOnFailure) await client.cancelJob(jobId).catch(() => undefined);
    const what = options.keepOnFailure ? 'left as is (--keep-on-failure)' : 'cancelled';
    if (error instanceof JobStartError) throw new JobStartError(`${error.message}\nThe job was ${what}.`, jobId);
    if (error instanceof DeadlineError) {
      const exceptions = await client.jobExceptions(jobId).catch(() => undefined);
      const text = exceptions ? rootExceptionText(exceptions) : undefined;
      throw new JobStartError(
        `job ${jobId} did not reach RUNNING: ${error.message}${text ? `\nFlink's exception: ${text}` : ''}\nThe job was ${what}.`,
        jobId,
      );
    }
    throw error;
  }
  return { jobId, restoredFrom: savepointPath, alreadyRunning: false };
}

/**
 * The newest state to resume `pipeline` from: the latest savepoint `stop` recorded, or the
 * newest retained checkpoint of the last deployed job when that is more recent.
 */
async function latestRestorePoint(
  store: SavepointStore,
  reporter: Reporter,
  pipeline: string,
  checkpointsDir: string | undefined,
): Promise<string | undefined> {
  const savepoint = await store.latest(pipeline);
  const deployment = checkpointsDir !== undefined ? await store.latestDeployment(pipeline) : undefined;
  const checkpoint =
    checkpointsDir !== undefined && deployment !== undefined
      ? await newestRetainedCheckpoint(checkpointsDir, deployment.jobId)
      : undefined;
  if (checkpoint && (!savepoint || checkpoint.completedAt.getTime() > Date.parse(savepoint.takenAt))) {
    reporter.step(
      `Restoring from the newest retained checkpoint of job ${deployment?.jobId} (chk-${checkpoint.id}, ${checkpoint.completedAt.toISOString()})`,
    );
    return checkpoint.path;
  }
  if (savepoint) {
    reporter.step(`Restoring from the latest recorded savepoint (${savepoint.takenAt}, job ${savepoint.jobId})`);
    return savepoint.path;
  }
  reporter.step(`No savepoint recorded for "${pipeline}" in ${store.file}; starting fresh`);
  return undefined;
}

/**
 * The line of a run refusal that says why: what the bridge's main() threw (the bridge checks
 * the descriptor and the worker before it builds the job), else the deepest cause.
 */
export function refusalHeadline(details: string): string {
  const lines = details.split('\n');
  const mainError = lines
    .map((l) => /The main method caused an error: (.+)$/.exec(l)?.[1])
    .find((m) => m !== undefined);
  if (mainError) return mainError;
  const causes = lines.filter((l) => l.startsWith('Caused by: '));
  return (causes.at(-1)?.slice('Caused by: '.length) ?? lines[0] ?? '').trim();
}

/** True when the job and every subtask of every vertex is RUNNING. */
export function allTasksRunning(job: JobDetails): boolean {
  return (
    job.state === 'RUNNING' &&
    job.vertices.length > 0 &&
    job.vertices.every((v) => (v.tasks.RUNNING ?? 0) === v.parallelism)
  );
}

/** Polls the job until all its tasks run; a failure or restart ends the wait with Flink's exception. */
export async function waitUntilRunning(client: FlinkRestClient, jobId: string, timeoutMs: number): Promise<JobDetails> {
  let last = 'not yet seen';
  return pollUntil(
    async () => {
      const job = await client.job(jobId);
      const counts = job.vertices.map((v) => `${v.name}: ${v.tasks.RUNNING ?? 0}/${v.parallelism} running`);
      last = `job ${job.state}; ${counts.join('; ')}`;
      if (allTasksRunning(job)) return job;
      if (['FAILED', 'FAILING', 'RESTARTING', 'CANCELED', 'CANCELLING', 'FINISHED'].includes(job.state)) {
        const exceptions = await client.jobExceptions(jobId).catch(() => undefined);
        const text = (exceptions && rootExceptionText(exceptions)) ?? 'Flink recorded no exception';
        throw new JobStartError(`job ${jobId} ${job.state} while starting: ${text}`, jobId);
      }
      return undefined;
    },
    { timeoutMs, describe: () => last },
  );
}
