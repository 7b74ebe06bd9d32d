/**
 * The side-by-side benchmark: the stock pipeline (parse + validate -> ticks; 1-minute OHLC/VWAP
 * candles; bad input -> rejected) run three ways on the same local stack over the same pre-loaded
 * Kafka topic: ours (TS worker through the bridge), native Java, PyFlink. Measures throughput,
 * CPU per 100k ticks, peak RSS and end-to-end latency at a fixed rate; optionally sweeps the
 * bridge's knobs; writes JSON results, a Markdown report and PNG plots.
 *
 *   npm run bench:compare -- [--ticks 1000000] [--runs 3] [--engines bridge,java,pyflink]
 *       [--latency-rate 2000] [--latency-seconds 30] [--sweep] [--out docs/benchmarks]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError, loadConfig } from '@ticker/common';
import { Command } from 'commander';
import { z } from 'zod';
import { FlinkRestClient } from '../../flink/src/rest/client';
import { repoRoot, stackLayout } from '../stack/layout';
import { ENGINES, type EngineContext, type EngineName, type EngineRun, ensurePyflinkVenv } from './compare-engines';
import {
  createTopics,
  deleteTopics,
  type Expected,
  measureLatency,
  measureThroughput,
  PARTITIONS,
  preloadTopic,
} from './compare-measure';
import { type CompareResults, markdownReport } from './compare-report';

const list = (what: string) =>
  z
    .string()
    .transform((s) => s.split(',').map((v) => Number(v.trim())))
    .pipe(z.array(z.number().int().positive(`${what} must list positive integers`)).min(1));

const argsSchema = z.object({
  ticks: z.coerce.number().int().min(100, '--ticks must be >= 100'),
  runs: z.coerce.number().int().min(1, '--runs must be >= 1'),
  engines: z
    .string()
    .transform((s) => s.split(',').map((e) => e.trim()))
    .pipe(z.array(z.enum(ENGINES, { error: '--engines must list bridge, java, pyflink' })).min(1)),
  throughput: z.boolean(),
  latency: z.boolean(),
  latencyRuns: z.coerce.number().int().min(1).optional(),
  latencyRate: z.coerce.number().int().positive('--latency-rate must be > 0'),
  latencySeconds: z.coerce.number().positive('--latency-seconds must be > 0'),
  warmupSeconds: z.coerce.number().min(0),
  latencySinkFlushMs: z.coerce.number().int().positive(),
  workerProcesses: z.coerce.number().int().min(1, '--worker-processes must be >= 1'),
  parallelism: z.coerce.number().int().min(1),
  sweep: z.boolean(),
  sweepTicks: z.coerce.number().int().min(100),
  sweepBatchSizes: list('--sweep-batch-sizes'),
  sweepInFlight: list('--sweep-in-flight'),
  sweepProcesses: list('--sweep-processes'),
  batchSize: z.coerce.number().int().positive().optional(),
  maxInFlight: z.coerce.number().int().positive().optional(),
  batchTimeoutMs: z.coerce.number().int().positive().optional(),
  cpuProfileDir: z.string().optional(),
  timeoutSeconds: z.coerce.number().positive(),
  out: z.string().min(1),
  plot: z.boolean(),
  reportOnly: z.boolean(),
});

const program = new Command('bench-compare')
  .description('Bridge vs native Java vs PyFlink on the local stack (see docs/benchmarks.md)')
  .option('--ticks <n>', 'ticks in the pre-loaded topic', '1000000')
  .option('--runs <n>', 'throughput runs per engine (engines alternate)', '3')
  .option('--engines <list>', 'bridge,java,pyflink', 'bridge,java,pyflink')
  .option('--no-throughput', 'skip the throughput runs')
  .option('--no-latency', 'skip the latency runs')
  .option('--latency-runs <n>', 'latency runs per engine (default: --runs)')
  .option('--latency-rate <n>', 'ticks per second produced in the latency runs', '2000')
  .option('--latency-seconds <n>', 'measured seconds per latency run', '30')
  .option('--warmup-seconds <n>', 'seconds produced before latency markers count', '10')
  .option('--latency-sink-flush-ms <n>', 'ClickHouse sink flush interval in the latency runs (all engines)', '100')
  .option('--worker-processes <n>', 'TS worker processes for "ours"', '2')
  .option('--parallelism <n>', 'job parallelism (all engines)', '2')
  .option('--sweep', 'also sweep the bridge knobs (batch size, max in flight, worker processes)', false)
  .option('--sweep-ticks <n>', 'ticks in the sweep topic', '300000')
  .option('--sweep-batch-sizes <list>', 'batch sizes of the sweep', '25,100,250,500,1000,2000')
  .option('--sweep-in-flight <list>', 'max in flight values of the sweep', '1,2,4,8')
  .option('--sweep-processes <list>', 'worker process counts of the sweep', '1,2')
  .option('--batch-size <n>', 'bridge --batch-size for "ours" (default: the bridge default)')
  .option('--max-in-flight <n>', 'bridge --max-in-flight for "ours"')
  .option('--batch-timeout-ms <n>', 'bridge --batch-timeout-ms for "ours"')
  .option('--cpu-profile-dir <dir>', 'write V8 CPU profiles of the worker processes here')
  .option('--timeout-seconds <n>', 'give up on a throughput run after this long', '900')
  .option('--out <dir>', 'where results JSON and plots go (relative to the repository)', 'docs/benchmarks')
  .option('--no-plot', 'do not draw the PNG plots')
  .option('--report-only', 'only rewrite the report and plots from the results JSON in --out', false)
  .parse();

const parsed = argsSchema.safeParse(program.opts());
if (!parsed.success) {
  console.error(`bench-compare: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  process.exit(2);
}
const args = parsed.data;

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`bench-compare: ${error.message}`);
    process.exit(2);
  }
  throw error;
}
const layout = stackLayout(config);
const flink = new FlinkRestClient({ url: config.flink.url });
const log = (line: string) =>
  process.stderr.write(`[bench-compare ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const ctx: EngineContext = { config, flink, layout, log };
const outDir = resolve(repoRoot, args.out);
const resultsFile = join(outDir, 'compare-results.json');
const session = Date.now().toString(36);
/** A run disturbed by another job's fault injection on the shared cluster is repeated this often. */
const MAX_ATTEMPTS = 3;

/** Runs `measure` until a run is not disturbed (job restart / TaskManager replaced), at most MAX_ATTEMPTS times. */
async function undisturbed<T extends { disturbed: boolean }>(
  label: string,
  measure: (attempt: number) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const result = await measure(attempt);
    if (!result.disturbed || attempt >= MAX_ATTEMPTS) return result;
    log(`  ${label} was disturbed (the job restarted or the TaskManager was replaced by someone else); repeating it`);
  }
}

async function checkStack(): Promise<void> {
  try {
    await flink.overview();
  } catch (error) {
    throw new Error(`Flink is not reachable at ${config.flink.url} (npm run stack:up): ${(error as Error).message}`);
  }
  const ping = await fetch(`${config.clickhouse.url}/ping`).catch(() => undefined);
  if (!ping?.ok) throw new Error(`ClickHouse is not reachable at ${config.clickhouse.url} (npm run stack:up)`);
}

function engineRun(id: string, topic: string, overrides: Partial<EngineRun> = {}): EngineRun {
  return {
    id,
    topic,
    dlqTopic: `bench-cmp-dlq-${id}`,
    database: `bench_cmp_${id.replace(/-/g, '_')}`,
    parallelism: args.parallelism,
    checkpointIntervalMs: 5000,
    sinkFlushMs: 1000,
    sinkBatchSize: 5000,
    bridge: {
      batchSize: args.batchSize,
      maxInFlight: args.maxInFlight,
      batchTimeoutMs: args.batchTimeoutMs,
      workerProcesses: args.workerProcesses,
      cpuProfileDir: args.cpuProfileDir,
    },
    ...overrides,
  };
}

/** The engine order of round `i`: rotated, so no engine always runs first (or right after another). */
function rotated(engines: readonly EngineName[], i: number): EngineName[] {
  return engines.map((_, k) => engines[(k + i) % engines.length] as EngineName);
}

function previousResults(): CompareResults | undefined {
  if (!existsSync(resultsFile)) return undefined;
  try {
    return JSON.parse(readFileSync(resultsFile, 'utf8')) as CompareResults;
  } catch {
    return undefined;
  }
}

const BIOME = resolve(repoRoot, 'node_modules/@biomejs/biome/bin/biome');

/** Writes compare-report.md next to the results and draws the plots (Python venv with matplotlib). */
function writeReport(results: CompareResults): void {
  // The results JSON is committed: give it the layout `npm run lint` expects.
  spawnSync(process.execPath, [BIOME, 'format', '--write', resultsFile], { stdio: 'ignore' });
  const report = markdownReport(results);
  writeFileSync(join(outDir, 'compare-report.md'), `${report}\n`);
  process.stdout.write(`${report}\n\nresults: ${resultsFile}\n`);
  if (args.plot) {
    const python = join(ensurePyflinkVenv(layout, log), 'bin', 'python');
    const plotted = spawnSync(python, [resolve(repoRoot, 'bench/plot_compare.py'), resultsFile, outDir], {
      encoding: 'utf8',
    });
    if (plotted.status !== 0) throw new Error(`plotting failed:\n${plotted.stdout}${plotted.stderr}`);
    process.stdout.write(plotted.stdout);
  }
}

async function main(): Promise<void> {
  if (args.reportOnly) {
    const previous = previousResults();
    if (!previous) throw new Error(`no results to report: ${resultsFile} is missing or not JSON`);
    writeReport(previous);
    return;
  }
  await checkStack();
  if (args.engines.includes('pyflink')) ensurePyflinkVenv(layout, log);
  const previous = previousResults();
  const results: CompareResults = {
    meta: {
      date: new Date().toISOString(),
      command: `npm run bench:compare -- ${process.argv.slice(2).join(' ')}`.trim(),
      ticks: args.ticks,
      cpus: `${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}`,
      node: process.version,
      notes: [],
    },
    // Sections this invocation does not run keep their previous results.
    throughput: args.throughput ? [] : (previous?.throughput ?? []),
    latency: args.latency ? [] : (previous?.latency ?? []),
    sweep: args.sweep ? [] : (previous?.sweep ?? []),
  };
  const save = () => {
    mkdirSync(outDir, { recursive: true });
    writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
  };
  const timeoutMs = args.timeoutSeconds * 1000;

  if (args.throughput) {
    const topic = `bench-cmp-ticks-${session}`;
    await createTopics(ctx, [{ name: topic, partitions: PARTITIONS }]);
    try {
      log(`pre-loading ${args.ticks} ticks into ${topic}`);
      const expected: Expected = await preloadTopic(ctx, topic, args.ticks, 7);
      log(`expected: ${JSON.stringify(expected)}`);
      for (let round = 0; round < args.runs; round++) {
        for (const engine of rotated(args.engines, round)) {
          const id = `${session}-t${round + 1}-${engine}`;
          const label = `${engine} #${round + 1}`;
          log(`throughput ${label}`);
          const result = await undisturbed(label, (attempt) =>
            measureThroughput(
              ctx,
              engine,
              engineRun(`${id}${attempt > 1 ? `-r${attempt}` : ''}`, topic),
              expected,
              label,
              timeoutMs,
            ),
          );
          log(
            `  ${Math.round(result.ticksPerSecond)} ticks/s, ${result.cpuSecondsPer100k.toFixed(2)} CPU s/100k, peak RSS ${result.peakRssTotalMiB} MiB, exact ${result.correct} ${JSON.stringify(result.counts)}, load ${result.load.join(' -> ')}`,
          );
          results.throughput.push(result);
          save();
        }
      }
    } finally {
      await deleteTopics(ctx, [topic]);
    }
  }

  if (args.latency) {
    const runs = args.latencyRuns ?? args.runs;
    for (let round = 0; round < runs; round++) {
      for (const engine of rotated(args.engines, round)) {
        const id = `${session}-l${round + 1}-${engine}`;
        const label = `${engine} #${round + 1}`;
        log(`latency ${label} at ${args.latencyRate} ticks/s`);
        const result = await undisturbed(label, (attempt) => {
          const runId = `${id}${attempt > 1 ? `-r${attempt}` : ''}`;
          return measureLatency(
            ctx,
            engine,
            engineRun(runId, `bench-cmp-lat-${runId}`, { sinkFlushMs: args.latencySinkFlushMs }),
            {
              rate: args.latencyRate,
              seconds: args.latencySeconds,
              warmupSeconds: args.warmupSeconds,
              markerEvery: 10,
              pollMs: 100,
            },
            label,
          );
        });
        log(
          `  p50 ${result.p50} ms, p99 ${result.p99} ms, max ${result.max} ms over ${result.markers} markers (${result.missing} missing), load ${result.load.join(' -> ')}`,
        );
        results.latency.push(result);
        save();
      }
    }
  }

  if (args.sweep) {
    const topic = `bench-cmp-sweep-${session}`;
    await createTopics(ctx, [{ name: topic, partitions: PARTITIONS }]);
    try {
      log(`pre-loading ${args.sweepTicks} ticks into ${topic} for the sweep`);
      const expected = await preloadTopic(ctx, topic, args.sweepTicks, 11);
      const points: { batchSize?: number; maxInFlight?: number; workerProcesses: number }[] = [
        ...args.sweepBatchSizes.map((batchSize) => ({ batchSize, workerProcesses: args.workerProcesses })),
        ...args.sweepInFlight.map((maxInFlight) => ({ maxInFlight, workerProcesses: args.workerProcesses })),
        ...args.sweepProcesses
          .filter((p) => p !== args.workerProcesses)
          .map((workerProcesses) => ({ workerProcesses })),
      ];
      for (const [i, point] of points.entries()) {
        const id = `${session}-s${i + 1}`;
        const label = `sweep batch ${point.batchSize ?? 'default'} in-flight ${point.maxInFlight ?? 'default'} processes ${point.workerProcesses}`;
        log(label);
        const result = await undisturbed(label, (attempt) => {
          const run = engineRun(`${id}${attempt > 1 ? `-r${attempt}` : ''}`, topic);
          run.bridge = {
            ...run.bridge,
            batchSize: point.batchSize,
            maxInFlight: point.maxInFlight,
            workerProcesses: point.workerProcesses,
          };
          return measureThroughput(ctx, 'bridge', run, expected, label, timeoutMs);
        });
        log(`  ${Math.round(result.ticksPerSecond)} ticks/s, ${result.cpuSecondsPer100k.toFixed(2)} CPU s/100k`);
        results.sweep.push(result);
        save();
      }
    } finally {
      await deleteTopics(ctx, [topic]);
    }
  }

  save();
  writeReport(results);
}

main().catch((error: unknown) => {
  console.error(`bench-compare: ${error instanceof Error ? error.message : String(error)}`);
  if (process.env.LOG_LEVEL === 'debug' && error instanceof Error) console.error(error.stack);
  process.exit(1);
});
