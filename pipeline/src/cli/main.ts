/**
 * The pipeline command:
 *   pipeline describe <file>   prints the JSON descriptor (validated) of a definition
 *   pipeline schema [--check]  writes (or checks) pipeline/descriptor.schema.json
 *   pipeline worker <file>     serves the definition over gRPC on WORKER_PORT
 *   pipeline reload            live-reloads a running worker's logic (SIGHUP to its primary) and waits
 */
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { ConfigError, loadConfig } from '@ticker/common';
import { Command, InvalidArgumentError } from 'commander';
import { descriptorJsonSchemaText } from '../descriptor/jsonSchema';
import { PipelineDefinitionError } from '../dsl/builder';
import { DefinitionLoadError, loadPipeline } from '../loader/load';
import { runWorker } from '../worker/cluster';
import { ReloadRequestError, requestReload } from '../worker/reloadCommand';

/** Where the generated JSON Schema is committed. */
export const SCHEMA_PATH = resolve(dirname(fileURLToPath(import.meta.url)), '../../descriptor.schema.json');

const BIOME = resolve(dirname(fileURLToPath(import.meta.url)), '../../../node_modules/@biomejs/biome/bin/biome');

/** Same JSON value, whatever the layout. */
function sameJson(a: string, b: string): boolean {
  try {
    return isDeepStrictEqual(JSON.parse(a), JSON.parse(b));
  } catch {
    return false;
  }
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be an integer >= 0');
  return n;
}

const program = new Command('pipeline').description('Typed stream pipelines: descriptor and gRPC worker');

program
  .command('describe')
  .description('print the JSON descriptor of a pipeline definition')
  .argument('<file>', 'pipeline definition module (default export: a pipeline)')
  .option('--base64', 'print the descriptor base64-encoded (for --descriptor-base64 of the bridge)')
  .option('--sha256', 'print only the descriptor SHA-256 (what the worker reports)')
  .action(async (file: string, opts: { base64?: boolean; sha256?: boolean }) => {
    const compiled = await loadPipeline(file);
    if (opts.sha256) process.stdout.write(`${compiled.descriptorSha256}\n`);
    else if (opts.base64) process.stdout.write(`${Buffer.from(compiled.descriptorJson).toString('base64')}\n`);
    else process.stdout.write(compiled.descriptorJson);
  });

program
  .command('schema')
  .description(`write the descriptor JSON Schema to ${SCHEMA_PATH}`)
  .option('--check', 'fail if the committed file differs from the generated one')
  .action(async (opts: { check?: boolean }) => {
    const text = descriptorJsonSchemaText();
    if (opts.check) {
      const committed = await readFile(SCHEMA_PATH, 'utf8').catch(() => 'null');
      if (!sameJson(committed, text)) {
        process.stderr.write(`${SCHEMA_PATH} is out of date: run npm run -w pipeline descriptor:schema\n`);
        process.exitCode = 1;
      }
      return;
    }
    await writeFile(SCHEMA_PATH, text);
    // Keep `npm run lint` clean: biome owns the layout of committed JSON (tests compare parsed JSON).
    execFileSync(process.execPath, [BIOME, 'format', '--write', SCHEMA_PATH], { stdio: 'ignore' });
    process.stderr.write(`wrote ${SCHEMA_PATH}\n`);
  });

program
  .command('worker')
  .description('serve a pipeline definition over gRPC (Process, Describe, grpc.health.v1)')
  .argument('<file>', 'pipeline definition module')
  .option('--port <port>', 'listen port (default WORKER_PORT, 50051)', positiveInt)
  .option('--processes <n>', 'worker processes, 0 = one per core (default WORKER_PROCESSES)', positiveInt)
  .action(async (file: string, opts: { port?: number; processes?: number }) => {
    const config = loadConfig();
    await runWorker({
      file,
      port: opts.port ?? config.worker.port,
      processes: opts.processes ?? config.worker.processes,
      logLevel: config.logLevel,
    });
  });

program
  .command('reload')
  .description(
    'live-reload the logic of the worker at WORKER_ADDRESS: SIGHUP to its primary, then wait for the outcome',
  )
  .option('--address <host:port>', 'the worker (default WORKER_ADDRESS)')
  .option('--timeout <seconds>', 'how long to wait for the reload to end', positiveInt, 180)
  .action(async (opts: { address?: string; timeout: number }) => {
    const config = loadConfig();
    const outcome = await requestReload(opts.address ?? config.worker.address, opts.timeout * 1000);
    process.stdout.write(`${outcome.message}\n`);
    if (outcome.state !== 'done') process.exitCode = 1;
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  if (
    err instanceof ConfigError ||
    err instanceof PipelineDefinitionError ||
    err instanceof DefinitionLoadError ||
    err instanceof ReloadRequestError
  ) {
    process.stderr.write(`pipeline: ${err.message}\n`);
  } else {
    process.stderr.write(`pipeline: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
  process.exit(1);
});
