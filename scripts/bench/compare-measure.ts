/**
 * One measured run of one engine: throughput over a pre-loaded topic (first record read -> last
 * row visible in ClickHouse, CPU seconds and peak RSS from /proc) or end-to-end latency at a fixed
 * rate (produce time -> visible in ClickHouse, sampled by polling for marker ticks).
 */
import { loadavg } from 'node:os';
import { createLogger } from '@ticker/common';
import { Kafka, logLevel } from 'kafkajs';
import { computeCandle, priceMoveAlerts, tickToRow } from '../../pipeline/src/stock/logic';
import type { TickRow } from '../../pipeline/src/stock/rows';
import { ALERT_THRESHOLD_PCT } from '../../pipeline/src/stock/stockPipeline';
import { type GeneratedRecord, generateTicks } from '../../producer/src/generator';
import { type OutgoingMessage, TickPublisher } from '../../producer/src/publisher';
import { migrate } from '../db/migrate-lib';
import { managedProcess, runningPid } from '../stack/processes';
import { repairFlink } from '../stack/repair';
import {
  type EngineContext,
  type EngineName,
  type EngineRun,
  startEngine,
  waitAllTasksRunning,
} from './compare-engines';
import { cpuBetween, cpuSnapshot, PeakRss, type ProcessGroup } from './compare-proc';

export const PARTITIONS = 6;

/** What a pre-loaded topic must produce, computed from the generator independently of any engine. */
export interface Expected {
  /** Records in the topic (valid + malformed + the per-partition flush ticks). */
  inputs: number;
  ticks: number;
  candles: number;
  rejected: number;
  alerts: number;
}

export interface Counts {
  ticks: number;
  candles: number;
  rejected: number;
  alerts: number;
}

export interface ThroughputResult {
  engine: EngineName;
  label: string;
  inputs: number;
  /** Seconds from the last task RUNNING (first record read) to every expected row visible. */
  seconds: number;
  ticksPerSecond: number;
  /** Rate between 10 % and 90 % of the ticks being visible (start-up and tail excluded). */
  steadyTicksPerSecond: number;
  cpuSeconds: Record<string, number>;
  cpuSecondsPer100k: number;
  peakRssMiB: Record<string, number>;
  peakRssTotalMiB: number;
  /** FINAL counts at the end, and whether they equal the expectation exactly. */
  counts: Counts;
  correct: boolean;
  load: [number, number];
  otherJobs: string[];
  knobs: Record<string, number | undefined>;
  /** The bridge's worker-call metrics per operator (e.g. "parse-tick.workerCallLatencyMs_p50"), averaged over subtasks. */
  bridgeMetrics?: Record<string, number>;
  /** The job restarted or the TaskManager was replaced during the run (another job's fault test): not comparable. */
  disturbed: boolean;
}

export interface LatencyResult {
  engine: EngineName;
  label: string;
  rate: number;
  seconds: number;
  markers: number;
  missing: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  load: [number, number];
  otherJobs: string[];
  bridgeMetrics?: Record<string, number>;
  disturbed: boolean;
}

function kafka(ctx: EngineContext): Kafka {
  return new Kafka({ clientId: 'bench-compare', brokers: ctx.config.kafka.brokers, logLevel: logLevel.NOTHING });
}

/** Creates topics; time-based retention off, because pre-loaded event times may lie in the past. */
export async function createTopics(ctx: EngineContext, topics: { name: string; partitions: number }[]): Promise<void> {
  const admin = kafka(ctx).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: topics.map((t) => ({
        topic: t.name,
        numPartitions: t.partitions,
        replicationFactor: 1,
        configEntries: [{ name: 'retention.ms', value: '-1' }],
      })),
    });
  } finally {
    await admin.disconnect();
  }
}

export async function deleteTopics(ctx: EngineContext, topics: string[]): Promise<void> {
  const admin = kafka(ctx).admin();
  await admin.connect();
  await admin.deleteTopics({ topics }).catch(() => undefined);
  await admin.disconnect();
}

async function publisherFor(ctx: EngineContext, topic: string): Promise<TickPublisher> {
  return TickPublisher.connect({
    brokers: ctx.config.kafka.brokers,
    topic,
    compression: 'none',
    retries: 8,
    logger: createLogger('bench-compare', 'warn'),
  });
}

/**
 * Fills `topic` with `count` generated records (1 % malformed) whose event times end six minutes
 * ago, then one tick per partition five minutes later so that every partition's watermark passes
 * every real window (the stock pipeline never fires the last window otherwise). Those flush ticks
 * stay a minute in the past: the stock pipeline refuses a tick more than 60 s ahead of the clock.
 */
export async function preloadTopic(ctx: EngineContext, topic: string, count: number, seed: number): Promise<Expected> {
  const eventRate = 1000;
  const startTimeMs = Date.now() - 6 * 60_000 - Math.ceil((count * 1000) / eventRate);
  const windows = new Map<string, TickRow[]>();
  let valid = 0;
  let malformed = 0;
  let lastMs = startTimeMs;
  const publisher = await publisherFor(ctx, topic);
  try {
    let batch: GeneratedRecord[] = [];
    for (const record of generateTicks({ seed, count, badRatio: 0.01, startTimeMs, eventRate })) {
      if (record.kind === 'tick') {
        valid++;
        const row = tickToRow(record.tick);
        const key = `${row.symbol}|${Math.floor(record.timestampMs / 60_000)}`;
        const rows = windows.get(key);
        if (rows) rows.push(row);
        else windows.set(key, [row]);
      } else {
        malformed++;
      }
      lastMs = Math.max(lastMs, record.timestampMs);
      batch.push(record);
      if (batch.length === 5000) {
        await publisher.send(batch);
        batch = [];
      }
    }
    await publisher.send(batch);
  } finally {
    await publisher.disconnect();
  }
  const producer = kafka(ctx).producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const flushMs = lastMs + 5 * 60_000;
  await producer.send({
    topic,
    acks: -1,
    messages: Array.from({ length: PARTITIONS }, (_, partition) => ({
      partition,
      key: 'FLUSH',
      timestamp: String(flushMs),
      value: JSON.stringify({
        id: `flush-${partition}`,
        symbol: 'FLUSH',
        price: 1,
        volume: 0,
        ts: new Date(flushMs).toISOString(),
      }),
    })),
  });
  await producer.disconnect();
  let alerts = 0;
  for (const [key, rows] of windows) {
    const [symbol, minute] = key.split('|') as [string, string];
    const start = Number(minute) * 60_000;
    alerts += priceMoveAlerts(
      computeCandle(rows, { key: symbol, start, end: start + 60_000 }),
      ALERT_THRESHOLD_PCT,
    ).length;
  }
  return { inputs: count + PARTITIONS, ticks: valid + PARTITIONS, candles: windows.size, rejected: malformed, alerts };
}

async function clickhouse(ctx: EngineContext, database: string, query: string): Promise<string> {
  const url = new URL(ctx.config.clickhouse.url);
  url.searchParams.set('database', database);
  url.searchParams.set('user', ctx.config.clickhouse.user);
  if (ctx.config.clickhouse.password) url.searchParams.set('password', ctx.config.clickhouse.password);
  const res = await fetch(url, { method: 'POST', body: query, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  if (!res.ok) throw new Error(`ClickHouse at ${ctx.config.clickhouse.url} answered ${res.status}: ${text.trim()}`);
  return text;
}

async function counts(ctx: EngineContext, database: string, final: boolean): Promise<Counts> {
  const f = final ? ' FINAL' : '';
  const text = await clickhouse(
    ctx,
    database,
    `SELECT (SELECT count() FROM ticks${f}), (SELECT count() FROM candles_1m${f}), (SELECT count() FROM rejected${f}), (SELECT count() FROM alerts${f}) FORMAT TSV`,
  );
  const [ticks, candles, rejected, alerts] = text.trim().split('\t').map(Number) as [number, number, number, number];
  return { ticks, candles, rejected, alerts };
}

function flinkGroups(ctx: EngineContext): ProcessGroup[] {
  const pid = (name: string) => {
    const found = runningPid(managedProcess(ctx.layout.pids, ctx.layout.logs, name), ctx.layout.root);
    if (found === undefined) throw new Error(`the local stack's ${name} is not running (npm run stack:up)`);
    return found;
  };
  return [
    { label: 'taskmanager', roots: [pid('flink-taskmanager')] },
    { label: 'jobmanager', roots: [pid('flink-jobmanager')] },
  ];
}

/** True when the job failed over (restarted) or the TaskManager process changed since `groups` was taken. */
async function disturbed(ctx: EngineContext, jobId: string, groups: ProcessGroup[]): Promise<boolean> {
  const res = await fetch(`${ctx.flink.url}/jobs/${jobId}/exceptions`);
  const body = (await res.json()) as { exceptionHistory?: { entries?: unknown[] } };
  const restarts = body.exceptionHistory?.entries?.length ?? 0;
  const tm = flinkGroups(ctx)[0]?.roots[0];
  return restarts > 0 || tm !== groups[0]?.roots[0];
}

/**
 * The bridge's own metrics (call latency, batch size, calls) from Flink's REST API, averaged over
 * the subtasks; the REST metric cache refreshes every ~10 s, so these lag the run's end a little.
 */
async function bridgeMetrics(ctx: EngineContext, jobId: string): Promise<Record<string, number>> {
  const wanted =
    /(workerCallLatencyMs_median|workerCallLatencyMs_p99|workerCallLatencyMs_mean|workerBatchSize_mean|workerCalls|backPressuredTimeMsPerSecond)$/;
  const out: Record<string, number> = {};
  const job = await ctx.flink.job(jobId);
  for (const vertex of job.vertices) {
    const base = `${ctx.flink.url}/jobs/${jobId}/vertices/${vertex.id}/subtasks/metrics`;
    const ids = ((await (await fetch(base)).json()) as { id: string }[])
      .map((m) => m.id)
      .filter((id) => wanted.test(id));
    if (ids.length === 0) continue;
    const values = (await (await fetch(`${base}?get=${ids.map(encodeURIComponent).join(',')}`)).json()) as {
      id: string;
      avg: number;
      sum: number;
    }[];
    for (const v of values) {
      out[v.id.replace(/_\[worker_[a-z_]+\]/, '')] = v.id.endsWith('workerCalls') ? v.sum : Math.round(v.avg * 10) / 10;
    }
  }
  return out;
}

async function otherJobs(ctx: EngineContext, ours: string): Promise<string[]> {
  const jobs = await ctx.flink.listJobs();
  return jobs
    .filter((j) => j.jid !== ours && ['RUNNING', 'RESTARTING', 'CREATED'].includes(j.state))
    .map((j) => j.name);
}

/**
 * Starts a new TaskManager when the cluster has none left. PyFlink 2.2.1 can take the TaskManager
 * down while a job is cancelled (seen in CI: Beam's `DefaultJobBundleFactory.close` threw
 * "Reference count must not be negative", or its vendored gRPC failed to load a class, in a task's
 * cleanup, which Flink treats as fatal); the measurement of that run was complete, so the next run
 * only needs a TaskManager again. The dying JVM deregisters before it exits, so it is stopped
 * first: otherwise `upStack` sees it still running, starts nothing, and then sees it exit.
 */
async function replaceLostTaskManager(ctx: EngineContext): Promise<void> {
  ctx.log('the TaskManager is gone (see .stack/logs/flink-taskmanager.log); starting a new one');
  await repairFlink(ctx.log);
}
/** Waits until the cluster has `slots` free slots (other jobs on the shared cluster come and go). */
export async function waitForSlots(ctx: EngineContext, slots: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let warned = false;
  for (;;) {
    const overview = await ctx.flink.overview();
    if (overview['slots-available'] >= slots) return;
    if (overview.taskmanagers === 0) {
      await replaceLostTaskManager(ctx);
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Flink at ${ctx.flink.url} has ${overview['slots-available']} free slots; the benchmark needs ${slots}`,
      );
    }
    if (!warned) ctx.log(`waiting for ${slots} free Flink slots (other jobs run on the shared cluster)`);
    warned = true;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function withDatabase<T>(ctx: EngineContext, database: string, body: () => Promise<T>): Promise<T> {
  await migrate({
    url: ctx.config.clickhouse.url,
    user: ctx.config.clickhouse.user,
    password: ctx.config.clickhouse.password,
    database,
  });
  try {
    return await body();
  } finally {
    await clickhouse(ctx, 'default', `DROP DATABASE IF EXISTS ${database}`).catch(() => undefined);
  }
}

function loadNow(): number {
  return Math.round((loadavg()[0] ?? 0) * 100) / 100;
}

const MiB = 1024 * 1024;

/** Throughput of one engine over the pre-loaded `run.topic`. */
export async function measureThroughput(
  ctx: EngineContext,
  engine: EngineName,
  run: EngineRun,
  expected: Expected,
  label: string,
  timeoutMs: number,
): Promise<ThroughputResult> {
  return withDatabase(ctx, run.database, async () => {
    await createTopics(ctx, [{ name: run.dlqTopic, partitions: 1 }]);
    await waitForSlots(ctx, run.parallelism, 600_000);
    const loadStart = loadNow();
    const started = await startEngine(engine, ctx, run);
    try {
      const groups = [...flinkGroups(ctx), ...started.groups];
      let cpuStart = cpuSnapshot(groups);
      const runningAt = await waitAllTasksRunning(ctx, started.jobId, 300_000, () => {
        cpuStart = cpuSnapshot(groups);
      });
      const others = await otherJobs(ctx, started.jobId);
      const rss = new PeakRss(groups);
      const series: [number, number][] = [];
      let last: Counts = { ticks: 0, candles: 0, rejected: 0, alerts: 0 };
      let doneAt = 0;
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const polledAt = Date.now();
        rss.sample();
        last = await counts(ctx, run.database, false).catch(() => last);
        series.push([polledAt, last.ticks]);
        if (last.ticks >= expected.ticks && last.candles >= expected.candles && last.rejected >= expected.rejected) {
          doneAt = polledAt;
          break;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      const cpuEnd = cpuSnapshot(groups);
      if (doneAt === 0) {
        throw new Error(
          `${label}: not all rows visible after ${timeoutMs / 1000} s: have ${JSON.stringify(last)}, expected ${JSON.stringify(expected)}`,
        );
      }
      const cpu = cpuBetween(cpuStart, cpuEnd);
      const seconds = (doneAt - runningAt) / 1000;
      const at = (fraction: number) => series.find(([, n]) => n >= expected.ticks * fraction)?.[0] ?? doneAt;
      const steadySeconds = (at(0.9) - at(0.1)) / 1000;
      // Alerts are rare and written with the candles; give their sink a moment to flush too.
      let final = await counts(ctx, run.database, true);
      const settle = Date.now() + 15_000;
      while (final.alerts < expected.alerts && Date.now() < settle) {
        await new Promise((r) => setTimeout(r, 500));
        final = await counts(ctx, run.database, true);
      }
      const correct =
        final.ticks === expected.ticks &&
        final.candles === expected.candles &&
        final.rejected === expected.rejected &&
        final.alerts === expected.alerts;
      const cpuTotal = Object.values(cpu).reduce((a, b) => a + b, 0);
      const wasDisturbed = await disturbed(ctx, started.jobId, groups).catch(() => true);
      const metrics = engine === 'bridge' ? await bridgeMetrics(ctx, started.jobId).catch(() => undefined) : undefined;
      return {
        engine,
        label,
        inputs: expected.inputs,
        seconds,
        ticksPerSecond: expected.inputs / seconds,
        steadyTicksPerSecond: steadySeconds > 0 ? (expected.ticks * 0.8) / steadySeconds : 0,
        cpuSeconds: cpu,
        cpuSecondsPer100k: (cpuTotal / expected.inputs) * 100_000,
        peakRssMiB: Object.fromEntries(Object.entries(rss.peak).map(([k, v]) => [k, Math.round(v / MiB)])),
        peakRssTotalMiB: Math.round(rss.peakTotal / MiB),
        counts: final,
        correct,
        load: [loadStart, loadNow()],
        otherJobs: others,
        knobs: {
          batchSize: run.bridge.batchSize,
          maxInFlight: run.bridge.maxInFlight,
          workerProcesses: engine === 'bridge' ? run.bridge.workerProcesses : undefined,
          parallelism: run.parallelism,
        },
        ...(metrics ? { bridgeMetrics: metrics } : {}),
        disturbed: wasDisturbed,
      };
    } finally {
      await started.stop();
      await deleteTopics(ctx, [run.dlqTopic]);
    }
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/**
 * End-to-end latency at a fixed rate: ticks are produced with wall-clock event time (ts = the
 * moment they are generated); every `markerEvery`-th tick is a marker, and ClickHouse is polled
 * every `pollMs` for markers that became visible. A marker's latency = the time of the first poll
 * that saw it - its ts (so it over-states by up to one poll interval). Ticks of the first
 * `warmupSeconds` x rate are not markers.
 */
export async function measureLatency(
  ctx: EngineContext,
  engine: EngineName,
  run: EngineRun,
  options: { rate: number; seconds: number; warmupSeconds: number; markerEvery: number; pollMs: number },
  label: string,
): Promise<LatencyResult> {
  return withDatabase(ctx, run.database, async () => {
    await createTopics(ctx, [
      { name: run.topic, partitions: PARTITIONS },
      { name: run.dlqTopic, partitions: 1 },
    ]);
    await waitForSlots(ctx, run.parallelism, 600_000);
    const loadStart = loadNow();
    const started = await startEngine(engine, ctx, run);
    const publisher = await publisherFor(ctx, run.topic);
    try {
      const groups = flinkGroups(ctx);
      await waitAllTasksRunning(ctx, started.jobId, 300_000);
      const others = await otherJobs(ctx, started.jobId);
      const pending = new Map<string, number>();
      const latencies: number[] = [];
      const seed = 4242;
      const ticks = generateTicks({ seed, clock: () => Date.now() });
      // Paced by the clock, counted by sequence: the first warmupSeconds x rate ticks warm up, the
      // next seconds x rate are measured, so a run always has the same number of markers.
      const warmupCount = Math.round(options.warmupSeconds * options.rate);
      const total = warmupCount + Math.round(options.seconds * options.rate);
      const startedAt = Date.now();
      let sent = 0;
      let producing = true;

      const produce = async () => {
        while (sent < total) {
          const due = Math.min(total, Math.floor(((Date.now() - startedAt) * options.rate) / 1000)) - sent;
          const batch: OutgoingMessage[] = [];
          for (let i = 0; i < due; i++) {
            const record = ticks.next().value as GeneratedRecord;
            if (
              record.kind === 'tick' &&
              record.sequence >= warmupCount &&
              record.sequence % options.markerEvery === 0
            ) {
              pending.set(record.tick.id, record.timestampMs);
            }
            batch.push(record);
          }
          sent += batch.length;
          await publisher.send(batch);
          await new Promise((r) => setTimeout(r, 10));
        }
        producing = false;
      };

      const poll = async () => {
        let giveUpAt = Number.POSITIVE_INFINITY;
        while (producing || (pending.size > 0 && Date.now() < giveUpAt)) {
          if (!producing && giveUpAt === Number.POSITIVE_INFINITY) giveUpAt = Date.now() + 60_000;
          const polledAt = Date.now();
          const oldest = pending.values().next().value;
          if (oldest !== undefined) {
            const sinceSec = Math.floor(oldest / 1000) - 1;
            const text = await clickhouse(
              ctx,
              run.database,
              `SELECT id FROM ticks WHERE ts >= toDateTime(${sinceSec}) AND toUInt64OrZero(splitByChar('-', id)[2]) % ${options.markerEvery} = 0 FORMAT TSV`,
            ).catch(() => '');
            for (const id of text.split('\n')) {
              const producedAt = pending.get(id);
              if (producedAt !== undefined) {
                latencies.push(polledAt - producedAt);
                pending.delete(id);
              }
            }
          }
          await new Promise((r) => setTimeout(r, Math.max(0, options.pollMs - (Date.now() - polledAt))));
        }
      };

      await Promise.all([produce(), poll()]);
      const sorted = [...latencies].sort((a, b) => a - b);
      return {
        engine,
        label,
        rate: options.rate,
        seconds: options.seconds,
        markers: latencies.length,
        missing: pending.size,
        p50: percentile(sorted, 50),
        p90: percentile(sorted, 90),
        p99: percentile(sorted, 99),
        max: sorted[sorted.length - 1] ?? Number.NaN,
        load: [loadStart, loadNow()],
        otherJobs: others,
        ...(engine === 'bridge' ? { bridgeMetrics: await bridgeMetrics(ctx, started.jobId).catch(() => ({})) } : {}),
        disturbed: await disturbed(ctx, started.jobId, groups).catch(() => true),
      };
    } finally {
      await publisher.disconnect();
      await started.stop();
      await deleteTopics(ctx, [run.topic, run.dlqTopic]);
    }
  });
}
