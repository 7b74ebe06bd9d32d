/**
 * Remembers the savepoints `stop` took, per pipeline, in a small JSON file, so that
 * `deploy --from-latest-savepoint` can resume where the last run stopped.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { isJobOfPipeline } from './jobs';

const recordSchema = z.object({
  pipeline: z.string(),
  jobId: z.string(),
  path: z.string(),
  takenAt: z.string(),
});
export type SavepointRecord = z.infer<typeof recordSchema>;

const deploymentSchema = z.object({ pipeline: z.string(), jobId: z.string(), deployedAt: z.string() });
export type DeploymentRecord = z.infer<typeof deploymentSchema>;

const fileSchema = z.object({
  savepoints: z.array(recordSchema),
  /** Jobs `deploy` started, so their retained checkpoints can be found after a crash or `down`. */
  deployments: z.array(deploymentSchema).default([]),
});
type StoreFile = z.infer<typeof fileSchema>;

/** Default location: <STACK_DIR>/savepoints.json. */
export function defaultSavepointStorePath(stackDir: string): string {
  return join(stackDir, 'savepoints.json');
}

/** A JSON file of savepoint records, newest last. */
export class SavepointStore {
  constructor(readonly file: string) {}

  /** Every savepoint record; an absent file is an empty store, a corrupt one is an error naming the file. */
  async all(): Promise<SavepointRecord[]> {
    return (await this.read()).savepoints;
  }

  private async read(): Promise<StoreFile> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { savepoints: [], deployments: [] };
      throw error;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error(`savepoint record file ${this.file} is not valid JSON; fix or delete it`);
    }
    const parsed = fileSchema.safeParse(json);
    if (!parsed.success) {
      throw new Error(`savepoint record file ${this.file} has an unexpected shape; fix or delete it`);
    }
    return parsed.data;
  }

  private async write(content: StoreFile): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    await writeFile(temp, `${JSON.stringify(content, null, 2)}\n`);
    await rename(temp, this.file);
  }

  /** The newest savepoint taken of this pipeline (records hold the Flink job name), if any. */
  async latest(pipeline: string): Promise<SavepointRecord | undefined> {
    return (await this.all()).filter((r) => isJobOfPipeline(r.pipeline, pipeline)).at(-1);
  }

  /** Appends a savepoint record (written atomically: temp file + rename). */
  async add(record: SavepointRecord): Promise<void> {
    const content = await this.read();
    await this.write({ ...content, savepoints: [...content.savepoints, record] });
  }

  /** Remembers a job `deploy` started. */
  async addDeployment(record: DeploymentRecord): Promise<void> {
    const content = await this.read();
    await this.write({ ...content, deployments: [...content.deployments, record] });
  }

  /** The newest job deployed for this pipeline, if any. */
  async latestDeployment(pipeline: string): Promise<DeploymentRecord | undefined> {
    return (await this.read()).deployments.filter((r) => isJobOfPipeline(r.pipeline, pipeline)).at(-1);
  }
}
