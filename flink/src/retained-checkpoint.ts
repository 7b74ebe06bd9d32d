/**
 * Finds the newest retained checkpoint of a job on a shared filesystem
 * (<checkpoints dir>/<job id>/chk-<n>/_metadata), so a pipeline whose cluster went away
 * without a savepoint (a crash, `docker compose down`) resumes from its last checkpoint.
 */
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export interface RetainedCheckpoint {
  /** Restore path for Flink (file: URI of the chk-<n> directory). */
  path: string;
  id: number;
  /** When its _metadata was written, i.e. when the checkpoint completed. */
  completedAt: Date;
}

/** The highest-numbered complete checkpoint of `jobId` under `checkpointsDir`, if any. */
export async function newestRetainedCheckpoint(
  checkpointsDir: string,
  jobId: string,
): Promise<RetainedCheckpoint | undefined> {
  const jobDir = resolve(checkpointsDir, jobId);
  const entries = await readdir(jobDir).catch(() => [] as string[]);
  const ids = entries
    .map((name) => /^chk-(\d+)$/.exec(name)?.[1])
    .filter((id): id is string => id !== undefined)
    .map(Number)
    .sort((a, b) => b - a);
  for (const id of ids) {
    const dir = join(jobDir, `chk-${id}`);
    // A checkpoint without _metadata was still being written (or failed): not restorable.
    const metadata = await stat(join(dir, '_metadata')).catch(() => undefined);
    if (metadata?.isFile()) return { path: `file:${dir}`, id, completedAt: metadata.mtime };
  }
  return undefined;
}
