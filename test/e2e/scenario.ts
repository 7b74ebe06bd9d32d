/**
 * A scenario: deploy the stock pipeline on its own topics and database,
 * produce a seeded set of ticks in two halves (a fault may strike between
 * them), then check every table, the dead-letter topic and (optionally) the
 * dashboard API against results computed independently from the same ticks.
 */

import { ALERT_THRESHOLD_PCT, MAX_AHEAD_MS } from '../../pipeline/src/stock/stockPipeline';
import { generateTicks } from '../../producer/src/generator';
import { type Expected, expectedResults, type SentRecord, type SourceRules } from './expected';
import { E2ERun } from './harness';
import { assertSameRows, InvariantError } from './invariants';

/** The seeded input: 5 symbols, 6,000 records over 5 minutes of event time, 2% malformed. */
export const INPUT = {
  seed: 20261121,
  symbols: ['AAPL', 'MSFT', 'GOOG', 'AMZN', 'TSLA'],
  count: 6000,
  badRatio: 0.02,
  startTimeMs: Date.UTC(2026, 0, 5, 14, 30, 0, 0),
  eventRate: 20,
} as const;

const MINUTE_MS = 60_000;

/** The stock pipeline's source-side rules, for the oracle (the clock is read when the check runs). */
export function stockSourceRules(): SourceRules {
  return { sourceStep: 'read-ticks', parseStep: 'parse-tick', maxAheadMs: MAX_AHEAD_MS, nowMs: Date.now() };
}

/** One tick per partition two minutes of event time after `lastMs`: every data window closes, its own stays open. */
export function sentinelsAfter(lastMs: number): { windowStartMs: number; make: (p: number) => SentRecord } {
  const windowStartMs = (Math.floor(lastMs / MINUTE_MS) + 2) * MINUTE_MS;
  const sentinelMs = windowStartMs + 30_000;
  return {
    windowStartMs,
    make: (p) => ({
      key: 'ZZZZ',
      value: JSON.stringify({
        id: `sentinel-${p}`,
        symbol: 'ZZZZ',
        price: 1,
        volume: 1,
        ts: new Date(sentinelMs).toISOString(),
      }),
      timestampMs: sentinelMs,
    }),
  };
}

/** What a fault does between the two halves; it must publish the second half itself (`publishRest`). */
export type Fault = (run: E2ERun, publishRest: () => Promise<void>) => Promise<void>;

export interface ScenarioReport {
  scenario: string;
  durationMs: number;
  /** From the end of producing to every row visible in ClickHouse. */
  produceToVisibleMs: number;
  /** From the fault to the first new row visible after it. */
  recoveryMs?: number;
  expected: { ticks: number; candles: number; alerts: number; rejected: number };
}

/** Runs one scenario end to end and returns its timings; throws InvariantError naming what broke. */
export async function runScenario(
  scenario: string,
  options: { fault?: Fault; extraChecks?: (run: E2ERun, expected: Expected) => Promise<void> } = {},
): Promise<ScenarioReport> {
  const started = Date.now();
  const records = [...generateTicks({ ...INPUT, symbols: [...INPUT.symbols] })];
  const half = Math.floor(records.length / 2);
  const run = await E2ERun.start(scenario);
  let passed = false;
  try {
    await run.publish(records.slice(0, half));
    let recoveryMs: number | undefined;
    if (options.fault) {
      // Strike mid-stream: the job has committed some of the first half and is working on the rest.
      await run.waitForProgressBeyond(500, 180_000);
      const faultAt = Date.now();
      const before = (await run.counts()).ticks;
      await options.fault(run, () => run.publish(records.slice(half)));
      recoveryMs = (await run.waitForProgressBeyond(before, 240_000)) - faultAt;
    } else {
      await run.publish(records.slice(half));
    }

    const sentinel = sentinelsAfter(records[records.length - 1]!.timestampMs);
    const sentinels = await run.publishToEveryPartition(sentinel.make);
    const producedAt = Date.now();

    const { expected, counts, produceToVisibleMs } = await checkExact(
      run,
      [...records, ...sentinels],
      sentinel.windowStartMs,
      producedAt,
    );
    if (options.extraChecks) await options.extraChecks(run, expected);
    passed = true;
    return { scenario, durationMs: Date.now() - started, produceToVisibleMs, recoveryMs, expected: counts };
  } finally {
    await run.cleanup(!passed);
  }
}

/**
 * Waits for the tables to hold what `sent` must produce (windows ending by `closedBeforeMs` fired), then
 * checks ticks, candles, alerts, rejected and the dead-letter topic exactly; throws InvariantError.
 */
export async function checkExact(
  run: E2ERun,
  sent: readonly SentRecord[],
  closedBeforeMs: number,
  producedAt: number,
): Promise<{ expected: Expected; counts: ScenarioReport['expected']; produceToVisibleMs: number }> {
  const expected = expectedResults(sent, ALERT_THRESHOLD_PCT, closedBeforeMs, stockSourceRules());
  const counts = {
    ticks: expected.ticks.length,
    candles: expected.candles.length,
    alerts: expected.alerts.length,
    rejected: expected.rejected.length,
  };
  await run.waitForCounts(counts, 300_000);
  const produceToVisibleMs = Date.now() - producedAt;

  const actual = await run.results();
  const hint = run.logHint();
  assertSameRows('every valid tick appears exactly once in ticks', expected.ticks, actual.ticks, hint);
  assertSameRows('candles_1m equals the independently computed OHLC/VWAP', expected.candles, actual.candles, hint);
  assertSameRows('alerts equal the independently computed price moves', expected.alerts, actual.alerts, hint);
  assertSameRows(
    'every malformed record is in rejected with the schema reason',
    expected.rejected.map((r) => ({ raw: r.raw, reason: r.reason, step: r.step })),
    actual.rejected,
    hint,
  );
  const origins = new Set(actual.rejected.map((r) => r.origin));
  const originPattern = new RegExp(`^${run.config.kafka.ticksTopic}/\\d+/\\d+$`);
  if (origins.size !== actual.rejected.length || !actual.rejected.every((r) => originPattern.test(r.origin))) {
    throw new InvariantError(`rejected.origin must be a unique topic/partition/offset per record\n${hint}`);
  }
  const deadLetters = await run.readDeadLetters(expected.rejected.length, 60_000);
  assertSameRows(
    'every malformed record is on the dead-letter topic exactly once',
    actual.rejected.map((r) => ({ origin: r.origin, step: r.step, reason: r.reason, raw: r.raw })),
    deadLetters,
    hint,
  );
  return { expected, counts, produceToVisibleMs };
}
