/**
 * `npm run demo`: the whole demo without Docker, in one command (Linux). It runs the steps the
 * README lists — the local stack, the bridge jar, the worker, the deploy (resuming from the
 * latest savepoint), a producer at a demo rate with 1 % malformed ticks, the dashboard — shows
 * progress, then a short live status line, and prints the URLs. Ctrl-C stops what it started:
 * the job with a savepoint (the next run resumes from it), the Node processes, and the stack if
 * it was not already up. A stack or job that was already running is left running.
 *
 *   npm run demo [-- --rate 50] [--bad-ratio 0.01] [--status-every 10]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '@clickhouse/client';
import { type Config, ConfigError, loadConfig } from '@ticker/common';
import { Command } from 'commander';
import { z } from 'zod';
import { activeJobsOf } from '../flink/src/jobs';
import { FlinkRestClient } from '../flink/src/rest/client';
import { defaultSavepointStorePath, SavepointStore } from '../flink/src/savepoint-store';
import { createWorkerClient } from '../pipeline/src/worker/client';
import type { Progress } from './stack/component';
import { PrerequisiteError, requireCommand, requireJava17 } from './stack/prerequisites';
import { downStack, fetchStack, loadStack, portInUse, selectComponents, stackStatus, upStack } from './stack/stack';
import { waitUntil } from './stack/wait';

const SETUP_HINT = 'run `bash scripts/setup.sh` once on this machine';

const optionsSchema = z.object({
  rate: z.coerce.number().positive('--rate must be > 0'),
  badRatio: z.coerce.number().min(0, '--bad-ratio must be within 0..1').max(1, '--bad-ratio must be within 0..1'),
  statusEvery: z.coerce.number().int().min(1, '--status-every must be at least 1 second'),
});

const startedAt = Date.now();
const elapsed = () => `${((Date.now() - startedAt) / 1000).toFixed(1)}s`;
const progress: Progress = {
  step: (message) => console.log(`[${elapsed()}] ${message}`),
  detail: (message) => console.log(`[${elapsed()}]   ${message}`),
};

/** A Node process the demo started, with its log file. */
interface Child {
  name: string;
  process: ChildProcess;
  log: string;
}

/** Starts `node --import tsx <script> ...args` with its output in a log file. */
function startNode(logsDir: string, name: string, args: string[], env: NodeJS.ProcessEnv): Child {
  const log = join(logsDir, `demo-${name}.log`);
  const out = openSync(log, 'a');
  // detached: a process group of its own, so a terminal's Ctrl-C reaches only the demo, which then
  // stops the children in order (producer, job with savepoint, then the worker it still needs).
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    env,
    stdio: ['ignore', out, out],
    detached: true,
  });
  closeSync(out);
  return { name, process: child, log };
}

/** Runs a Node script to completion; rejects with its exit code and log file. */
async function runNode(logsDir: string, name: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const child = startNode(logsDir, name, args, env);
  const code = await new Promise<number | null>((resolve) => child.process.once('exit', resolve));
  if (code !== 0) throw new Error(`${name} failed (exit ${code}); see ${child.log}`);
}

/** SIGTERM, then SIGKILL after a grace period; resolves once the process has exited. */
async function stopChild(child: Child, graceMs = 15_000): Promise<void> {
  const proc = child.process;
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Fails with a message naming the port, its user and the variable that moves it. */
async function requireFreePort(port: number, what: string, variable: string): Promise<void> {
  if (await portInUse(port)) {
    throw new PrerequisiteError(`port ${port} (${what}) is already in use: stop that process or set ${variable}`);
  }
}

/** One line of live status: rows in ClickHouse and the job's state. */
async function statusLine(config: Config, flink: FlinkRestClient): Promise<string> {
  const clickhouse = createClient({
    url: config.clickhouse.url,
    username: config.clickhouse.user,
    password: config.clickhouse.password,
    database: config.clickhouse.database,
  });
  try {
    const count = async (table: string) => {
      const result = await clickhouse.query({
        query: `SELECT count() AS n FROM ${table} FINAL`,
        format: 'JSONEachRow',
      });
      return Number(((await result.json()) as { n: string }[])[0]?.n ?? 0);
    };
    const job = activeJobsOf(await flink.listJobs(), config.pipeline.name)[0];
    return `ticks ${await count('ticks')} · candles ${await count('candles_1m')} · rejected ${await count('rejected')} · job ${job?.state ?? 'not running'}`;
  } catch (error) {
    return `status unavailable: ${(error as Error).message}`;
  } finally {
    await clickhouse.close();
  }
}

const program = new Command('demo')
  .description('Run the whole demo on the local stack (no Docker); Ctrl-C stops what it started')
  .option('--rate <n>', 'ticks per second', '50')
  .option('--bad-ratio <r>', 'share of deliberately malformed ticks', '0.01')
  .option('--status-every <seconds>', 'seconds between status lines', '10')
  .showHelpAfterError()
  .action(async (raw: unknown) => {
    const options = optionsSchema.parse(raw);
    if (process.platform !== 'linux') {
      throw new PrerequisiteError(
        'npm run demo runs the local stack, which is Linux only; use `docker compose up --build`',
      );
    }
    const config = loadConfig();
    const stack = loadStack();
    const logsDir = stack.layout.logs;
    mkdirSync(logsDir, { recursive: true });

    progress.step('checking prerequisites');
    requireJava17();
    requireCommand(
      '/usr/sbin/clickhouse-server',
      `ClickHouse (the local stack's database) is not installed: ${SETUP_HINT}`,
    );
    await requireFreePort(config.dashboard.port, 'dashboard', 'DASHBOARD_PORT');
    await requireFreePort(config.worker.port, 'worker gRPC', 'WORKER_PORT and WORKER_ADDRESS');

    const components = selectComponents(stack, []);
    const wasUp = (await stackStatus(stack, components)).every((c) => c.healthy);
    progress.step(wasUp ? 'the local stack is already up: using it, and leaving it up' : 'starting the local stack');
    await fetchStack(components, progress);
    await upStack(stack, components, progress, { reuseHealthy: true });

    const children: Child[] = [];
    const flink = new FlinkRestClient({ url: config.flink.url });
    const env = { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' };
    let deployedByUs = false;
    let stopping: Promise<void> | undefined;
    const stopProblems: string[] = [];

    const stopAll = async (reason: string) => {
      progress.step(`${reason}: stopping what the demo started`);
      const producer = children.find((c) => c.name === 'producer');
      if (producer) await stopChild(producer);
      if (deployedByUs) {
        progress.detail('stopping the job with a savepoint (the next run resumes from it)');
        // A failed stop is not hidden: the demo exits non-zero and says the job still runs.
        await runNode(logsDir, 'stop', ['flink/src/cli.ts', 'stop', '--name', config.pipeline.name], env).catch(
          (error: unknown) => {
            stopProblems.push(
              `the job still runs (stop with savepoint failed: ${(error as Error).message}); stop it with: npm run stop -- --name ${config.pipeline.name}`,
            );
          },
        );
      }
      for (const child of [...children].reverse()) await stopChild(child);
      if (!wasUp) await downStack(stack, components, progress);
    };
    const onSignal = (signal: string) => {
      stopping ??= stopAll(signal).then(
        () => {
          if (stopProblems.length > 0) {
            for (const problem of stopProblems) console.error(`demo: ${problem}`);
            process.exit(1);
          }
          progress.step('stopped; nothing the demo started is left running');
          process.exit(0);
        },
        (error: unknown) => {
          console.error(`error while stopping: ${(error as Error).message}`);
          process.exit(1);
        },
      );
    };
    process.on('SIGINT', () => onSignal('Ctrl-C'));
    process.on('SIGTERM', () => onSignal('SIGTERM'));

    try {
      progress.step(`starting the worker on port ${config.worker.port}`);
      const worker = startNode(
        logsDir,
        'worker',
        ['pipeline/src/cli/main.ts', 'worker', 'pipeline/src/stock/stockPipeline.ts'],
        env,
      );
      children.push(worker);
      const client = createWorkerClient(config.worker.address);
      const workerUp = await waitUntil(
        async () => {
          if (worker.process.exitCode !== null) return true;
          return client.describe().then(
            () => true,
            () => false,
          );
        },
        { timeoutMs: 90_000, intervalMs: 500 },
      );
      client.close();
      if (!workerUp || worker.process.exitCode !== null) throw new Error(`the worker did not start; see ${worker.log}`);

      const alreadyRunning = activeJobsOf(await flink.listJobs(), config.pipeline.name).length > 0;
      progress.step(
        alreadyRunning
          ? 'the pipeline already runs on Flink: leaving it as it is'
          : 'deploying the pipeline (builds the bridge jar if missing; resumes from the latest savepoint)',
      );
      if (!alreadyRunning) {
        const savepoint = await new SavepointStore(defaultSavepointStorePath(config.stack.dir)).latest(
          config.pipeline.name,
        );
        progress.detail(
          savepoint
            ? `resuming from savepoint ${savepoint.path}`
            : 'no savepoint recorded yet: starting from the topic',
        );
        await runNode(
          logsDir,
          'deploy',
          ['flink/src/cli.ts', 'deploy', '--from-latest-savepoint', '--if-not-running'],
          env,
        );
        deployedByUs = true;
      }

      progress.step(`producing ${options.rate} ticks/s (${options.badRatio * 100} % malformed)`);
      children.push(
        startNode(
          logsDir,
          'producer',
          ['producer/src/cli.ts', '--rate', String(options.rate), '--bad-ratio', String(options.badRatio)],
          env,
        ),
      );

      progress.step(`starting the dashboard on port ${config.dashboard.port}`);
      const dashboard = startNode(logsDir, 'dashboard', ['dashboard/src/main.ts'], env);
      children.push(dashboard);
      const dashboardUrl = `http://localhost:${config.dashboard.port}`;
      const dashboardUp = await waitUntil(
        async () =>
          dashboard.process.exitCode === null &&
          (await fetch(`${dashboardUrl}/healthz`).then(
            (r) => r.ok,
            () => false,
          )),
        { timeoutMs: 60_000, intervalMs: 500 },
      );
      if (!dashboardUp) throw new Error(`the dashboard did not start; see ${dashboard.log}`);
    } catch (error) {
      stopping ??= stopAll('start-up failed');
      await stopping;
      throw error;
    }

    console.log(
      [
        '',
        'The demo is running:',
        `  dashboard   http://localhost:${config.dashboard.port}`,
        `  Flink UI    ${config.flink.url}`,
        `  ClickHouse  ${config.clickhouse.url} (database ${config.clickhouse.database})`,
        `  logs        ${logsDir}/demo-*.log`,
        'Candles appear as each minute closes. Ctrl-C stops it.',
        '',
      ].join('\n'),
    );
    const tick = async () => {
      if (stopping) return;
      for (const child of children) {
        if (child.process.exitCode !== null && !stopping) {
          onSignal(`${child.name} exited (see ${child.log})`);
          return;
        }
      }
      progress.step(await statusLine(config, flink));
    };
    await tick();
    setInterval(() => void tick(), options.statusEvery * 1000);
  });

program.parseAsync().catch((error: unknown) => {
  const known = error instanceof PrerequisiteError || error instanceof ConfigError || error instanceof z.ZodError;
  console.error(`demo: ${known || error instanceof Error ? (error as Error).message : String(error)}`);
  process.exit(1);
});
