/**
 * The soak's verdict from its samples: pure functions, so the rules can be
 * unit-tested apart from a 30-minute run. A series "grows" when the
 * least-squares line through its post-warm-up points rises faster than its
 * limit; checkpoint size "drifts" when that line moves more than a fraction of
 * its start value; lag "grows without bound" when it both trends up and ends
 * above a bound.
 */
import { z } from 'zod';

/** The limits a soak run is judged by (all stated in docs/reliability.md). */
export const limitsSchema = z.object({
  /** Largest post-warm-up growth of any component's resident memory, MiB per minute. */
  rssMiBPerMin: z.number().positive(),
  /** Largest post-warm-up growth of any JVM's heap after GC (and the worker's V8 heap after GC), MiB per minute. */
  heapMiBPerMin: z.number().positive(),
  /** Largest drift of the checkpoint size over the post-warm-up part, as a fraction of its start. */
  checkpointDrift: z.number().positive(),
  /** Lag that trends up faster than this fraction of the input rate is falling behind. */
  lagGrowthOfRate: z.number().positive(),
  /** ... and only fails once it ends above this many seconds of input. */
  lagBoundSeconds: z.number().positive(),
});
export type Limits = z.infer<typeof limitsSchema>;

export const DEFAULT_LIMITS: Limits = {
  rssMiBPerMin: 4,
  heapMiBPerMin: 2,
  checkpointDrift: 0.1,
  lagGrowthOfRate: 0.01,
  lagBoundSeconds: 15,
};

export interface Point {
  /** Seconds since the run started. */
  t: number;
  v: number;
}

export interface Line {
  /** Units of v per second. */
  slope: number;
  intercept: number;
}

/** Least-squares line through the points (slope 0 through the mean when there are fewer than two distinct times). */
export function linearFit(points: readonly Point[]): Line {
  const n = points.length;
  if (n === 0) return { slope: 0, intercept: 0 };
  const meanT = points.reduce((s, p) => s + p.t, 0) / n;
  const meanV = points.reduce((s, p) => s + p.v, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.t - meanT) * (p.v - meanV);
    den += (p.t - meanT) ** 2;
  }
  const slope = den === 0 ? 0 : num / den;
  return { slope, intercept: meanV - slope * meanT };
}

/** One check of the verdict, with the measured figure beside its limit. */
export interface Check {
  name: string;
  measured: number;
  limit: number;
  unit: string;
  ok: boolean;
  /** Why the check was not judged (the run too short for it, or its process restarted); it then passes. */
  notJudged?: string;
}

const MiB = 1024 * 1024;

/** Series after warm-up, ready to judge. Memory in bytes, lag in records, rate in records/s. */
export interface JudgeInput {
  warmupSeconds: number;
  /**
   * Series that carry the job's keyed state (the dedupe ids of the last horizon) fill for this long:
   * checkpoint size and the TaskManager's memory are judged only after it.
   */
  stateSettleSeconds: number;
  /** Seconds of the last sample. */
  endSeconds: number;
  /** Components whose process was replaced during the run (by someone else): their memory is not judged. */
  restarted: readonly string[];
  /**
   * Components shared with other users' work during the judged time, with why (the Flink JVMs when
   * other jobs ran on the cluster): their memory measures that work too, so it is shown, not judged.
   */
  shared?: Readonly<Record<string, string>>;
  /**
   * Components whose RSS is shown but not judged, with why: the worker's RSS moves with V8's heap
   * sizing and the allocator, so it is judged by its V8 heap after GC (in `heapAfterGc`) instead.
   */
  rssShownOnly?: Readonly<Record<string, string>>;
  rss: Record<string, Point[]>;
  heapAfterGc: Record<string, Point[]>;
  checkpointBytes: Point[];
  lagRecords: Point[];
  rate: number;
  limits: Limits;
}

function afterWarmup(points: readonly Point[], warmupSeconds: number): Point[] {
  return points.filter((p) => p.t >= warmupSeconds && Number.isFinite(p.v));
}

/** Growth per minute of the fitted line, in MiB. */
function mibPerMinute(points: readonly Point[]): number {
  return (linearFit(points).slope * 60) / MiB;
}

/**
 * Components whose memory keeps filling for about the dedupe horizon: the TaskManager (the job's
 * keyed state) and ClickHouse (caches and part metadata; its RSS rose for 11 minutes and then fell
 * in the published 30-minute run). They are judged from the state settle time on.
 */
const SLOW_TO_SETTLE = new Set(['flink-taskmanager', 'clickhouse']);

/**
 * JVMs whose RSS grows while the heap touches pages it has committed (the JobManager's rose 6 MiB/min
 * in a 5-minute CI run while its heap after GC fell 4 MiB/min): their leak signal is the heap after
 * GC, judged from warm-up; their RSS only from the state settle time on.
 */
const RSS_SLOW_TO_SETTLE = new Set(['flink-jobmanager', 'kafka']);

/** Least post-warm-up time a series needs to be judged. */
const MIN_JUDGED_SECONDS = 120;

/** Judges every series; the run passes when every check is ok. */
export function judge(input: JudgeInput): Check[] {
  const checks: Check[] = [];
  const { limits } = input;
  const stateful = Math.max(input.warmupSeconds, input.stateSettleSeconds);
  const tooShort = (from: number) =>
    input.endSeconds - from < MIN_JUDGED_SECONDS
      ? `the run ends ${Math.round(input.endSeconds)} s in; this needs ${MIN_JUDGED_SECONDS} s after ${Math.round(from)} s`
      : undefined;
  const memory = (kind: string, name: string, series: readonly Point[], limit: number) => {
    const settles = SLOW_TO_SETTLE.has(name) || (kind === 'RSS' && RSS_SLOW_TO_SETTLE.has(name));
    const from = settles ? stateful : input.warmupSeconds;
    const growth = mibPerMinute(afterWarmup(series, from));
    const notJudged = input.restarted.includes(name)
      ? `${name} was restarted during the run`
      : ((kind === 'RSS' ? input.rssShownOnly?.[name] : undefined) ?? input.shared?.[name] ?? tooShort(from));
    checks.push({
      name: `${kind} growth of ${name}`,
      measured: growth,
      limit,
      unit: 'MiB/min',
      ok: notJudged !== undefined || growth <= limit,
      ...(notJudged ? { notJudged } : {}),
    });
  };
  for (const [name, series] of Object.entries(input.rss)) memory('RSS', name, series, limits.rssMiBPerMin);
  for (const [name, series] of Object.entries(input.heapAfterGc))
    memory('heap-after-GC', name, series, limits.heapMiBPerMin);

  const sizes = afterWarmup(input.checkpointBytes, stateful);
  const shortForState = tooShort(stateful);
  const line = linearFit(sizes);
  const first = sizes[0];
  const last = sizes.at(-1);
  const start = first ? line.intercept + line.slope * first.t : 0;
  const end = last ? line.intercept + line.slope * last.t : 0;
  const drift = start > 0 ? Math.abs(end - start) / start : Number.POSITIVE_INFINITY;
  const notJudged =
    shortForState ?? (sizes.length < 2 ? `only ${sizes.length} checkpoints after ${stateful} s` : undefined);
  checks.push({
    name: 'checkpoint size drift',
    measured: drift,
    limit: limits.checkpointDrift,
    unit: 'fraction',
    ok: shortForState !== undefined || (sizes.length >= 2 && drift <= limits.checkpointDrift),
    ...(notJudged ? { notJudged } : {}),
  });

  const lag = afterWarmup(input.lagRecords, input.warmupSeconds);
  const lagSlope = linearFit(lag).slope;
  const finalLag = lag.at(-1)?.v ?? Number.POSITIVE_INFINITY;
  const bound = input.rate * limits.lagBoundSeconds;
  const growing = lagSlope > input.rate * limits.lagGrowthOfRate;
  // Falling behind = trending up by more than a fraction of the input AND ending above the bound.
  checks.push({
    name: `consumer lag trend (ends at ${Math.round(finalLag)} records, bound ${Math.round(bound)})`,
    measured: lagSlope,
    limit: input.rate * limits.lagGrowthOfRate,
    unit: 'records/s',
    ok: !(growing && finalLag > bound),
  });
  return checks;
}
