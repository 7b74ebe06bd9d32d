/**
 * `npm run soak -- --minutes 30 --rate 5000`: the whole pipeline on the local
 * stack (producer process → Kafka → the Flink bridge job + the TypeScript
 * worker → ClickHouse) for a given time at a given rate, sampling every
 * component's memory, the JVMs' heap and metaspace, checkpoints, consumer
 * lag, disk and end-to-end latency; then every tick is checked exactly once.
 * Exits 1 when a limit of analyse.ts is crossed after warm-up or a tick is
 * missing or doubled. Writes the samples as JSON and (with --plots) SVG charts.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { Kafka, logLevel } from 'kafkajs';
import { z } from 'zod';
import { DEDUPE_HORIZON_MS } from '../../pipeline/src/stock/stockPipeline';
import { fetchWorkerStatus } from '../../pipeline/src/worker/reload';
import { E2ERun } from '../../test/e2e/harness';
import { repoRoot } from '../stack/layout';
import { runningPid } from '../stack/processes';
import { waitUntil } from '../stack/wait';
import { type Check, DEFAULT_LIMITS, judge, type Limits, type Point } from './analyse';
import { checkExactlyOnce, type ExactlyOnce } from './exactly-once';
import { lineChart, type Series } from './plot';
import {
  consumerLag,
  directoryBytes,
  type JvmMemory,
  jvmMemory,
  newestTickMs,
  storedTicks,
  treeRssBytes,
} from './sample';

const execFileAsync = promisify(execFile);

const optionsSchema = z.object({
  minutes: z.coerce.number().positive('--minutes must be > 0'),
  rate: z.coerce.number().int().min(1, '--rate must be an integer >= 1'),
  warmup: z.coerce.number().min(0, '--warmup must be >= 0 minutes').optional(),
  interval: z.coerce.number().min(1, '--interval must be >= 1 second'),
  seed: z.coerce.number().int().min(0).max(0xffffffff, '--seed must fit 32 bits'),
  checkpointMs: z.coerce.number().int().min(100, '--checkpoint-ms must be >= 100'),
  drainMinutes: z.coerce.number().positive('--drain-minutes must be > 0'),
  out: z.string().optional(),
  plots: z.string().optional(),
});
type Options = z.infer<typeof optionsSchema>;

/** One reading of everything, `t` seconds after production started. */
export interface Sample {
  t: number;
  /** Records in the topic (end offsets). */
  produced: number;
  /** Rows in ClickHouse's ticks (every copy). */
  stored: number;
  /** Resident memory per component, bytes. */
  rss: Record<string, number>;
  jvm: Record<string, JvmMemory>;
  /** Records not yet committed by the job's consumer group (committed on checkpoint). */
  lag: number | null;
  /** Now minus the event time of the newest tick visible in ClickHouse (event time = the producer's clock). */
  latencyMs: number | null;
  disk: { clickhouse: number; kafka: number; checkpoints: number };
  /** The machine's 1-, 5- and 15-minute load averages (a shared machine slows the pipeline down). */
  loadAverage?: number[];
  /** The worker process's V8 heap right after a full GC (its Status service; the soak exposes gc). */
  workerHeapAfterGc?: number | null;
}

export interface CheckpointReading {
  id: number;
  /** Seconds after production started at which it was triggered. */
  t: number;
  stateBytes: number;
  durationMs: number;
}

/** The JSON the run writes. */
export interface SoakResult {
  options: Options & { warmupMinutes: number };
  startedAt: string;
  machine: { cores: number; loadAverageStart: number[]; loadAverageEnd: number[] };
  producer: { status: string; sent: number; failed: number; ticksPerSecond: number };
  samples: Sample[];
  checkpoints: CheckpointReading[];
  /** Heap after a forced full GC (jcmd GC.run) at the end of warm-up and at the end, bytes. */
  liveHeap: Record<string, Point[]>;
  /** Other Flink jobs that ran on the cluster during the judged time. */
  otherJobs: number;
  /** Stack processes replaced during the run (another user's fault test), with when. */
  restarts: { t: number; name: string }[];
  drainSeconds: number;
  /** Whether ClickHouse reached every produced tick within the drain limit. */
  drained: boolean;
  latency: { p50: number; p99: number; max: number } | null;
  limits: Limits;
  checks: Check[];
  exactlyOnce: ExactlyOnce | null;
  ok: boolean;
}

const JVMS = ['kafka', 'flink-jobmanager', 'flink-taskmanager'] as const;

function progress(line: string): void {
  process.stderr.write(`[soak] ${line}\n`);
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
const clock = (seconds: number) =>
  `${String(Math.floor(seconds / 60)).padStart(2, '0')}:${String(Math.floor(seconds % 60)).padStart(2, '0')}`;

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/** Forces a full GC in each JVM (twice per run) and reads the heap it leaves. */
async function liveHeapNow(pids: Record<string, number>): Promise<Record<string, number>> {
  const found: Record<string, number> = {};
  for (const [name, pid] of Object.entries(pids)) {
    await execFileAsync('jcmd', [String(pid), 'GC.run'], { timeout: 60_000 });
    found[name] = (await jvmMemory(pid)).heapUsed;
  }
  return found;
}

function startProducer(run: E2ERun, options: Options, log: string): { child: ChildProcess; output: Promise<string> } {
  const out = openSync(log, 'a');
  const child = spawn(
    process.execPath,
    [
      '--import',
      import.meta.resolve('tsx'),
      join(repoRoot, 'producer/src/cli.ts'),
      '--topic',
      run.config.kafka.ticksTopic,
      '--rate',
      String(options.rate),
      '--duration',
      `${Math.round(options.minutes * 60)}s`,
      '--seed',
      String(options.seed),
    ],
    { env: { ...run.env, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', out] },
  );
  closeSync(out);
  const output = new Promise<string>((resolveOutput, reject) => {
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    child.once('error', reject);
    child.once('exit', () => resolveOutput(text));
  });
  return { child, output };
}

const summarySchema = z.object({
  status: z.string(),
  sent: z.number(),
  failed: z.number(),
  ticksPerSecond: z.number(),
});

/** Runs the soak; resolves with the result (never exits the process itself). */
export async function soak(options: Options): Promise<SoakResult> {
  const warmupMinutes = options.warmup ?? Math.min(5, options.minutes * 0.4);
  const warmupSeconds = warmupMinutes * 60;
  // The pipeline's pino logs (worker, producer) only say something when it matters.
  process.env.LOG_LEVEL ??= 'warn';
  const startedAt = new Date().toISOString();
  const loadAverageStart = (await import('node:os')).loadavg();
  progress(`starting: worker, Flink job and topics (rate ${options.rate}/s for ${options.minutes} min)`);
  const run = await E2ERun.start('soak', {
    tuning: { checkpointIntervalMs: options.checkpointMs },
    // The worker's Status then reads its heap after a full GC: the live heap, which a leak grows.
    env: { NODE_OPTIONS: [process.env.NODE_OPTIONS, '--expose-gc'].filter(Boolean).join(' ') },
  });
  const kafka = new Kafka({ clientId: 'soak', brokers: run.config.kafka.brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  let passed = false;
  try {
    const jobId = run.deployedJobId;
    const workerPid = run.workerPid;
    if (jobId === undefined || workerPid === undefined) throw new Error('the run has no job or no worker');
    const groupId = `e2e-${run.name}`;
    const processes = run.stack.components.flatMap((c) => c.processes);
    const stackPids: Record<string, number> = {};
    const restarts: { t: number; name: string }[] = [];
    // Another user's fault test may replace a stack process mid-run: re-read the pid files each time.
    const refreshPids = (t: number) => {
      for (const proc of processes) {
        const pid = runningPid(proc, run.stack.layout.root);
        if (pid === undefined) continue;
        if (stackPids[proc.name] !== undefined && stackPids[proc.name] !== pid) restarts.push({ t, name: proc.name });
        stackPids[proc.name] = pid;
      }
    };
    refreshPids(0);
    const jvmPids = () => Object.fromEntries(JVMS.map((name) => [name, stackPids[name] as number]));
    const stateSettleSeconds = DEDUPE_HORIZON_MS / 1000 + 60;
    const heapFrom =
      options.minutes * 60 >= Math.max(warmupSeconds, stateSettleSeconds) + 120
        ? Math.max(warmupSeconds, stateSettleSeconds)
        : warmupSeconds;
    const layout = run.stack.layout;
    const topicDirs = [
      ...Array.from({ length: 6 }, (_, p) => `${run.config.kafka.ticksTopic}-${p}`),
      `${run.config.kafka.dlqTopic}-0`,
    ];

    const producerLog = join(layout.logs, `soak-${run.name}-producer.log`);
    const producer = startProducer(run, options, producerLog);
    const t0 = Date.now();
    const samples: Sample[] = [];
    const checkpoints = new Map<number, CheckpointReading>();
    const liveHeap: Record<string, Point[]> = Object.fromEntries(JVMS.map((name) => [name, [] as Point[]]));
    let producerDone = false;
    void producer.output.finally(() => {
      producerDone = true;
    });
    const interrupt = () => {
      progress('interrupted: stopping the producer, then checking what was sent');
      producer.child.kill('SIGINT');
    };
    process.once('SIGINT', interrupt);
    let warmupHeapTaken = false;

    while (!producerDone) {
      const next = samples.length === 0 ? t0 : t0 + samples.length * options.interval * 1000;
      await waitUntil(async () => producerDone || Date.now() >= next, {
        timeoutMs: options.interval * 1000 + 1000,
        intervalMs: 200,
      });
      if (producerDone) break;
      const t = (Date.now() - t0) / 1000;
      refreshPids(t);
      const rss: Record<string, number> = {};
      for (const [name, pid] of Object.entries(stackPids)) rss[name] = treeRssBytes(pid) ?? Number.NaN;
      rss.worker = treeRssBytes(workerPid) ?? Number.NaN;
      rss.producer = producer.child.pid !== undefined ? (treeRssBytes(producer.child.pid) ?? Number.NaN) : Number.NaN;
      const jvm: Record<string, JvmMemory> = {};
      for (const [name, pid] of Object.entries(jvmPids())) {
        const memory = await jvmMemory(pid).catch(() => undefined);
        if (memory) jvm[name] = memory;
      }
      const offsets = await admin.fetchTopicOffsets(run.config.kafka.ticksTopic);
      const produced = offsets.reduce((sum, o) => sum + Number(o.high), 0);
      const lag = await consumerLag(admin, run.config.kafka.ticksTopic, groupId).catch(() => null);
      const newest = await newestTickMs(run.clickhouse).catch(() => undefined);
      const stored = await storedTicks(run.clickhouse).catch(() => Number.NaN);
      const stats = await run.flink.checkpoints(jobId).catch(() => undefined);
      const workerMemory = await fetchWorkerStatus(run.config.worker.address)
        .then((status) => status.process.memory)
        .catch(() => undefined);
      const latest = stats?.latest?.completed;
      if (latest && !checkpoints.has(latest.id) && latest.state_size !== undefined) {
        checkpoints.set(latest.id, {
          id: latest.id,
          t: (latest.trigger_timestamp - t0) / 1000,
          stateBytes: latest.state_size,
          durationMs: latest.end_to_end_duration ?? Number.NaN,
        });
      }
      const sample: Sample = {
        t,
        produced,
        stored,
        rss,
        jvm,
        lag,
        latencyMs: newest === undefined ? null : Date.now() - newest,
        disk: {
          clickhouse: directoryBytes(join(layout.clickhouse.data, 'data', run.config.clickhouse.database)),
          kafka: topicDirs.reduce((sum, dir) => sum + directoryBytes(join(layout.kafka.data, dir)), 0),
          checkpoints: directoryBytes(join(layout.flink.checkpoints, jobId)),
        },
        loadAverage: loadavg(),
        workerHeapAfterGc: workerMemory?.afterGc ? workerMemory.heapUsedBytes : null,
      };
      samples.push(sample);
      // The samples so far survive an interrupted or killed run.
      if (options.out)
        writeFileSync(
          `${options.out}.partial`,
          `${JSON.stringify({ samples, checkpoints: [...checkpoints.values()] })}\n`,
        );
      if (!warmupHeapTaken && t >= heapFrom) {
        warmupHeapTaken = true;
        const heap = await liveHeapNow(jvmPids());
        for (const [name, bytes] of Object.entries(heap)) liveHeap[name]?.push({ t, v: bytes });
      }
      progress(
        `${clock(t)}/${clock(options.minutes * 60)} produced ${produced.toLocaleString('en-US')} ` +
          `stored ${stored.toLocaleString('en-US')} lag ${lag ?? '?'} latency ${sample.latencyMs === null ? '?' : `${(sample.latencyMs / 1000).toFixed(1)} s`} ` +
          `rss TM ${mib(rss['flink-taskmanager'] ?? 0)} worker ${mib(rss.worker ?? 0)} (heap ${mib(sample.workerHeapAfterGc ?? 0)}) ` +
          `heap TM ${mib(jvm['flink-taskmanager']?.heapAfterGc ?? 0)} load ${loadavg()[0]?.toFixed(1)} ckpt ${latest ? `${(latest.state_size ?? 0).toLocaleString('en-US')} B/${latest.end_to_end_duration ?? '?'} ms` : '-'}`,
      );
    }
    process.off('SIGINT', interrupt);
    const endT = (Date.now() - t0) / 1000;
    refreshPids(endT);
    const heapEnd = await liveHeapNow(jvmPids());
    for (const [name, bytes] of Object.entries(heapEnd)) liveHeap[name]?.push({ t: endT, v: bytes });

    const summary = summarySchema.parse(JSON.parse(await producer.output));
    progress(
      `producer ${summary.status}: ${summary.sent.toLocaleString('en-US')} ticks at ${summary.ticksPerSecond}/s; waiting for ClickHouse`,
    );
    const drainStart = Date.now();
    let lastStored = -1;
    let lastProgressAt = Date.now();
    let lastLine = 0;
    // Waits while rows keep arriving (a run that fell behind drains its backlog), up to a limit.
    await waitUntil(
      async () => {
        const stored = await storedTicks(run.clickhouse).catch(() => lastStored);
        if (stored > lastStored) {
          lastStored = stored;
          lastProgressAt = Date.now();
        }
        if (Date.now() - lastLine >= 10_000) {
          lastLine = Date.now();
          progress(
            `draining: ${stored.toLocaleString('en-US')} of ${summary.sent.toLocaleString('en-US')} ticks in ClickHouse`,
          );
        }
        if (stored >= summary.sent) return true;
        // No new row for a minute: stalled, stop waiting.
        return Date.now() - lastProgressAt > 60_000;
      },
      { timeoutMs: options.drainMinutes * 60_000, intervalMs: 1000 },
    );
    const drainSeconds = (Date.now() - drainStart) / 1000;
    const drained = lastStored >= summary.sent;
    if (!drained)
      progress(`ClickHouse has ${lastStored} of ${summary.sent} ticks after ${Math.round(drainSeconds)} s of draining`);
    progress(
      `checking ${summary.sent.toLocaleString('en-US')} ticks exactly once (regenerating them from seed ${options.seed})`,
    );
    const exactlyOnce = await checkExactlyOnce(run.clickhouse, options.seed, summary.sent);

    const series = (pick: (s: Sample) => number | null): Point[] =>
      samples.map((s) => ({ t: s.t, v: pick(s) ?? Number.NaN }));
    const rssNames = Object.keys(samples[0]?.rss ?? {});
    const limits = DEFAULT_LIMITS;
    // Other jobs on the shared cluster during the judged time load the same JobManager and TaskManager.
    const judgedFrom = t0 + warmupSeconds * 1000;
    const others = (await run.flink.listJobs().catch(() => [])).filter(
      (j) => j.jid !== jobId && j['start-time'] <= Date.now() && (j['end-time'] < 0 || j['end-time'] >= judgedFrom),
    ).length;
    const sharedReason = `${others} other Flink jobs ran on the shared cluster during the run`;
    const shared: Record<string, string> =
      others > 0 ? { 'flink-jobmanager': sharedReason, 'flink-taskmanager': sharedReason } : {};
    const workerHeap = series((s) => s.workerHeapAfterGc ?? null);
    const workerHeapRead = workerHeap.some((p) => p.t >= warmupSeconds && Number.isFinite(p.v));
    const checks = judge({
      warmupSeconds,
      stateSettleSeconds,
      endSeconds: samples.at(-1)?.t ?? 0,
      restarted: restarts.map((r) => r.name),
      shared,
      // RSS follows V8's heap sizing and the allocator (3.66 MiB/min in a 5-minute CI run): the live heap is the signal.
      rssShownOnly: workerHeapRead ? { worker: 'judged by its V8 heap after GC' } : {},
      rss: Object.fromEntries(rssNames.map((name) => [name, series((s) => s.rss[name] ?? null)])),
      heapAfterGc: workerHeapRead ? { ...liveHeap, worker: workerHeap } : liveHeap,
      checkpointBytes: [...checkpoints.values()].map((c) => ({ t: c.t, v: c.stateBytes })),
      lagRecords: series((s) => s.lag),
      rate: options.rate,
      limits,
    });
    const latencies = samples
      .filter((s) => s.t >= warmupSeconds && s.latencyMs !== null)
      .map((s) => s.latencyMs as number)
      .sort((a, b) => a - b);
    const producerOk = summary.status === 'completed' || summary.status === 'interrupted';
    const ok = producerOk && summary.failed === 0 && drained && exactlyOnce.ok && checks.every((c) => c.ok);
    passed = true;
    return {
      options: { ...options, warmupMinutes },
      startedAt,
      machine: {
        cores: (await import('node:os')).availableParallelism(),
        loadAverageStart,
        loadAverageEnd: (await import('node:os')).loadavg(),
      },
      producer: summary,
      samples,
      checkpoints: [...checkpoints.values()],
      liveHeap,
      otherJobs: others,
      restarts,
      drainSeconds,
      drained,
      latency:
        latencies.length > 0
          ? { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1) as number }
          : null,
      limits,
      checks,
      exactlyOnce,
      ok,
    };
  } finally {
    await admin.disconnect().catch(() => {});
    if (!passed) progress(run.logHint());
    // A busy ClickHouse may time out the DROP: the figures are worth more than the tidy-up.
    await run.cleanup(!passed).catch((error: unknown) => progress(`cleanup failed: ${String(error)}`));
  }
}

/** The charts of a result, as { file name: SVG }. */
export function charts(result: SoakResult): Record<string, string> {
  const warmupSeconds = result.options.warmupMinutes * 60;
  const { samples } = result;
  const line = (name: string, pick: (s: Sample) => number | null | undefined): Series => ({
    name,
    points: samples.map((s) => ({ t: s.t, v: pick(s) ?? Number.NaN })),
  });
  const rssNames = Object.keys(samples[0]?.rss ?? {});
  const MiB = 1024 * 1024;
  return {
    'soak-rss.svg': lineChart({
      title: `Resident memory per component (${result.options.rate}/s)`,
      yLabel: 'RSS, MiB',
      scale: MiB,
      warmupSeconds,
      series: rssNames.map((name) => line(name, (s) => s.rss[name])),
    }),
    'soak-heap.svg': lineChart({
      title:
        'Heap after GC: JVMs (survivor + old after the last young GC) and metaspace; the worker (V8, after a full GC)',
      yLabel: 'MiB',
      scale: MiB,
      warmupSeconds,
      series: [
        ...JVMS.map((name) => line(`${name} heap`, (s) => s.jvm[name]?.heapAfterGc)),
        ...JVMS.map((name) => line(`${name} metaspace`, (s) => s.jvm[name]?.metaspaceUsed)),
        line('worker V8 heap after full GC', (s) => s.workerHeapAfterGc),
        // A run from before the worker reported its heap has no such line.
      ].filter((s) => s.points.some((p) => Number.isFinite(p.v))),
    }),
    'soak-checkpoints.svg': lineChart({
      title: 'Checkpoints: state size (KiB) and end-to-end duration (ms)',
      yLabel: 'KiB / ms',
      warmupSeconds,
      series: [
        { name: 'state size, KiB', points: result.checkpoints.map((c) => ({ t: c.t, v: c.stateBytes / 1024 })) },
        { name: 'duration, ms', points: result.checkpoints.map((c) => ({ t: c.t, v: c.durationMs })) },
      ],
    }),
    'soak-lag-latency.svg': lineChart({
      title: 'Consumer lag (records) and newest-tick age in ClickHouse (ms)',
      yLabel: 'records / ms',
      warmupSeconds,
      series: [line('lag, records', (s) => s.lag), line('latency, ms', (s) => s.latencyMs)],
    }),
    'soak-disk.svg': lineChart({
      title: 'Disk: ClickHouse database, Kafka topic, Flink checkpoints',
      yLabel: 'MiB',
      scale: MiB,
      warmupSeconds,
      series: [
        line('ClickHouse', (s) => s.disk.clickhouse),
        line('Kafka', (s) => s.disk.kafka),
        line('checkpoints', (s) => s.disk.checkpoints),
      ],
    }),
  };
}

async function main(argv: string[]): Promise<number> {
  const command = new Command('soak')
    .description('run the whole pipeline for a while at a fixed rate and check memory, lag, checkpoints and every tick')
    .option('--minutes <n>', 'how long to produce', '30')
    .option('--rate <n>', 'ticks per second', '5000')
    .option('--warmup <minutes>', 'left out of the growth fits (default: 40 % of the run, at most 5)')
    .option('--interval <seconds>', 'seconds between samples', '10')
    .option('--seed <n>', 'generator seed (ids are <seed>-<sequence>)', '20261202')
    .option('--checkpoint-ms <n>', "the job's checkpoint interval (the bridge's default)", '5000')
    .option('--drain-minutes <n>', 'longest wait for ClickHouse to catch up after producing', '10')
    .option('--out <file>', 'where to write the JSON (default: <stack>/soak/soak-<time>.json)')
    .option('--plots <dir>', 'write SVG charts there')
    .option('--replot <json>', 'only draw the charts of an earlier run (with --plots)')
    .parse(argv, { from: 'user' });
  const replot = command.opts<{ replot?: string; plots?: string }>();
  if (replot.replot) {
    const earlier = JSON.parse(readFileSync(replot.replot, 'utf8')) as SoakResult;
    const dir = replot.plots ?? dirname(replot.replot);
    mkdirSync(dir, { recursive: true });
    for (const [file, svg] of Object.entries(charts(earlier))) writeFileSync(join(dir, file), svg);
    return 0;
  }
  const parsed = optionsSchema.safeParse(command.opts());
  if (!parsed.success) {
    process.stderr.write(`${parsed.error.issues.map((i) => i.message).join('\n')}\n`);
    return 2;
  }
  const result = await soak(parsed.data);
  const out =
    parsed.data.out ??
    join(repoRoot, process.env.STACK_DIR ?? '.stack', 'soak', `soak-${result.startedAt.replace(/[:.]/g, '-')}.json`);
  mkdirSync(dirname(resolve(out)), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 1)}\n`);
  if (parsed.data.plots) {
    mkdirSync(parsed.data.plots, { recursive: true });
    for (const [file, svg] of Object.entries(charts(result))) writeFileSync(join(parsed.data.plots, file), svg);
  }
  for (const c of result.checks) {
    const verdict = c.notJudged
      ? `not judged (${c.notJudged})`
      : `${Number(c.measured.toPrecision(3))} ${c.unit} (limit ${c.limit})`;
    progress(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${verdict}`);
  }
  const eo = result.exactlyOnce;
  if (eo)
    progress(
      `${eo.ok ? 'ok  ' : 'FAIL'} exactly once: ${eo.stored} of ${eo.produced} ticks${eo.problems.length ? `; ${eo.problems.join('; ')}` : ''}`,
    );
  progress(`results in ${out}`);
  return result.ok ? 0 : 1;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`soak failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
