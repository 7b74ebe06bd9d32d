/** Which Flink jobs belong to which pipeline, and how to explain a job's failure. */
import type { JobExceptions, JobOverview } from './rest/schemas';
import { TERMINAL_JOB_STATES } from './rest/schemas';

/**
 * True when a Flink job name is the bridge job of `pipeline`. The bridge names its job
 * after the descriptor's `name`; a prefix/suffix around it (e.g. "ticker-bridge: stocks") also matches.
 */
export function isJobOfPipeline(jobName: string, pipeline: string): boolean {
  if (jobName === pipeline) return true;
  return jobName.split(/[\s:/()[\]]+/).includes(pipeline);
}

/** True for a job that is not finished, failed or cancelled. */
export function isActive(job: { state: string }): boolean {
  return !(TERMINAL_JOB_STATES as readonly string[]).includes(job.state);
}

/** Active jobs of a pipeline. */
export function activeJobsOf(jobs: JobOverview[], pipeline: string): JobOverview[] {
  return jobs.filter((j) => isActive(j) && isJobOfPipeline(j.name, pipeline));
}

/**
 * The newest failure in a job's exception history, as text: the deepest "Caused by:"
 * line first (usually the real reason), then the top of the stack trace.
 */
export function rootExceptionText(exceptions: JobExceptions, maxLines = 25): string | undefined {
  const newest = exceptions.exceptionHistory?.entries[0];
  const trace = newest?.stacktrace ?? exceptions['root-exception'] ?? undefined;
  if (!trace) return newest?.exceptionName;
  const lines = trace.split('\n');
  const causes = lines.filter((l) => l.startsWith('Caused by: '));
  const deepest = causes.at(-1)?.slice('Caused by: '.length) ?? lines[0] ?? '';
  const where = newest?.taskName ? ` (in ${newest.taskName})` : '';
  return `${deepest}${where}\n--- Flink's exception (newest, first ${maxLines} lines) ---\n${lines.slice(0, maxLines).join('\n')}`;
}
