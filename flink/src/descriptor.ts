/**
 * Gets the pipeline descriptor the bridge runs: by running the pipeline package's
 * `describe` command (the same code the worker loads), or from a JSON file.
 * The text is passed to the bridge unchanged, so its hash matches the worker's.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DESCRIPTOR_VERSION, type Descriptor, descriptorSchema } from '@ticker/pipeline/descriptor';
import { REPO_ROOT } from './paths';

/** The pipeline CLI whose `describe <file>` prints the descriptor JSON. */
export const PIPELINE_CLI = resolve(REPO_ROOT, 'pipeline', 'src', 'cli', 'main.ts');

/** The stock pipeline definition, deployed when no --pipeline is given. */
export const DEFAULT_PIPELINE = resolve(REPO_ROOT, 'pipeline', 'src', 'stock', 'stockPipeline.ts');

/** The descriptor could not be produced or is not valid. */
export class DescriptorError extends Error {
  override readonly name = 'DescriptorError';
}

export interface LoadedDescriptor {
  /** Exact JSON text handed to the bridge. */
  json: string;
  descriptor: Descriptor;
}

/** Validates descriptor JSON text; `source` names where it came from in errors. */
export function parseDescriptor(json: string, source: string): LoadedDescriptor {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new DescriptorError(`${source} did not produce JSON: ${(error as Error).message}`);
  }
  // The version first, as the bridge does: a descriptor of another version fails on that alone.
  const version = typeof value === 'object' && value !== null && 'version' in value ? value.version : undefined;
  if (version !== DESCRIPTOR_VERSION) {
    throw new DescriptorError(
      `${source} has descriptor version ${JSON.stringify(version)}; this tooling and the bridge support ${DESCRIPTOR_VERSION}`,
    );
  }
  const parsed = descriptorSchema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
    throw new DescriptorError(`${source} is not a valid pipeline descriptor:\n${problems}`);
  }
  return { json: json.trim(), descriptor: parsed.data };
}

/** Reads a descriptor JSON file (as written by `pipeline describe > file`). */
export async function readDescriptorFile(file: string): Promise<LoadedDescriptor> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new DescriptorError(`cannot read descriptor file ${file}: ${(error as Error).message}`);
  }
  return parseDescriptor(text, `descriptor file ${file}`);
}

/**
 * Runs `pipeline describe <file>` (default: the stock pipeline) with the current environment,
 * so topic names come from TICKS_TOPIC / DLQ_TOPIC exactly as the worker sees them.
 */
export async function describePipeline(
  pipelineFile: string = DEFAULT_PIPELINE,
  env: NodeJS.ProcessEnv = process.env,
): Promise<LoadedDescriptor> {
  const args = ['--import', import.meta.resolve('tsx'), PIPELINE_CLI, 'describe', resolve(pipelineFile)];
  const command = `pipeline describe ${pipelineFile}`;
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>(
    (resolvePromise, reject) => {
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        err += chunk.toString();
      });
      child.on('error', reject);
      child.on('close', (exitCode) => resolvePromise({ code: exitCode ?? 1, stdout: out, stderr: err }));
    },
  );
  if (code !== 0) {
    throw new DescriptorError(`\`${command}\` failed (exit ${code}):\n${stderr.trim() || stdout.trim()}`);
  }
  return parseDescriptor(stdout, `\`${command}\``);
}
