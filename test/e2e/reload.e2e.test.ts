/**
 * Live reload end to end: the worker (a cluster of 2 processes) serves a pipeline module whose alert
 * threshold is 0.2 %; halfway through the seeded input, while ticks flow, the module is rewritten to
 * 0.05 % and the worker reloaded (`requestReload`, what `npm run worker:reload` runs). The Flink job
 * must never restart, every tick must land exactly once, and every output must carry the version of
 * the logic that made it: windows that fired before the reload hold 0.2 % alerts, windows that fired
 * after it 0.05 % alerts, each exactly as the oracle below computes them from the ticks.
 *
 * Event time makes the switch exact: the ticks of minutes 0 and 1 (and half of minute 2) go first and
 * their windows fire under the old logic; the reload happens while the rest of minute 2 is sent (no
 * window can fire: the watermark stays inside minute 2); minutes 2 to 4 fire under the new logic.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';
import { ALERT_THRESHOLD_PCT } from '../../pipeline/src/stock/stockPipeline';
import { fetchWorkerStatus } from '../../pipeline/src/worker/reload';
import { requestReload } from '../../pipeline/src/worker/reloadCommand';
import { generateTicks } from '../../producer/src/generator';
import { repoRoot } from '../../scripts/stack/layout';
import { byCandleKey, clickhouseTime, expectedResults } from './expected';
import { E2ERun } from './harness';
import { assertSameRows } from './invariants';
import { recordReport } from './report';
import { INPUT, sentinelsAfter, stockSourceRules } from './scenario';

const MINUTE_MS = 60_000;
const OLD_THRESHOLD = ALERT_THRESHOLD_PCT; // 0.2
const NEW_THRESHOLD = 0.05;

/** The worker's pipeline module: the stock pipeline with an alert threshold (no declared logicVersion: a content hash). */
function moduleText(thresholdPct: number): string {
  const stock = JSON.stringify(resolve(repoRoot, 'pipeline/src/stock/stockPipeline.ts'));
  return [
    `import { buildStockPipeline } from ${stock};`,
    `export default (config) => buildStockPipeline(config, { alertThresholdPct: ${thresholdPct} });`,
    '',
  ].join('\n');
}

interface VersionedAlert {
  symbol: string;
  window_start: string;
  direction: string;
  move_pct: number;
  open: number;
  close: number;
  threshold_pct: number;
  logic_version: string;
}

it('reload: a new alert threshold goes live halfway, without a job restart, each output by its version', async () => {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'e2e-reload-'));
  const file = join(dir, 'pipeline.ts');
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  writeFileSync(file, moduleText(OLD_THRESHOLD));

  const records = [...generateTicks({ ...INPUT, symbols: [...INPUT.symbols] })];
  const switchMs = INPUT.startTimeMs + 2 * MINUTE_MS; // windows before it fire under the old logic
  const first = records.filter((r) => r.timestampMs < switchMs + 30_000);
  const during = records.filter((r) => r.timestampMs >= switchMs + 30_000 && r.timestampMs < switchMs + 58_000);
  const rest = records.filter((r) => r.timestampMs >= switchMs + 58_000);

  const run = await E2ERun.start('reload', { workerFile: file, env: { WORKER_PROCESSES: '2' } });
  let passed = false;
  try {
    const address = run.config.worker.address;
    const oldVersion = (await fetchWorkerStatus(address)).cluster?.logicVersion;
    expect(oldVersion).toMatch(/^sha256:[0-9a-f]{16}$/);

    // 1. The first part, until its closed windows (minutes 0 and 1) and all its ticks are visible.
    await run.publish(first);
    const firstExpected = expectedResults(first, OLD_THRESHOLD, switchMs, stockSourceRules());
    await run.waitForCounts(
      {
        ticks: firstExpected.ticks.length,
        candles: firstExpected.candles.length,
        alerts: firstExpected.alerts.length,
        rejected: firstExpected.rejected.length,
      },
      300_000,
    );

    // 2. The reload, while the rest of minute 2 flows in small batches.
    writeFileSync(file, moduleText(NEW_THRESHOLD));
    const reloadStarted = Date.now();
    let reloadEnded = false;
    const reload = requestReload(address, 240_000).finally(() => {
      reloadEnded = true;
    });
    let sent = 0;
    let sentDuringReload = 0;
    while (sent < during.length) {
      const batch = during.slice(sent, sent + 10);
      await run.publish(batch);
      sent += batch.length;
      if (!reloadEnded) {
        sentDuringReload += batch.length;
        await new Promise((r) => setTimeout(r, 250)); // pacing the flow, not waiting for a condition
      }
    }
    const outcome = await reload;
    const reloadMs = Date.now() - reloadStarted;
    expect(outcome.state, outcome.message).toBe('done');
    const newVersion = outcome.toVersion;
    expect(outcome.fromVersion).toBe(oldVersion);
    expect(newVersion).toMatch(/^sha256:[0-9a-f]{16}$/);
    expect(newVersion).not.toBe(oldVersion);
    expect(sentDuringReload).toBeGreaterThan(0);

    // 3. The rest, and a sentinel per partition so every data window closes.
    await run.publish(rest);
    const sentinel = sentinelsAfter(records[records.length - 1]!.timestampMs);
    const sentinels = await run.publishToEveryPartition(sentinel.make);
    const producedAt = Date.now();
    const all = [...records, ...sentinels];

    // The oracle: ticks, candles and rejections do not depend on the threshold; alerts of windows
    // before the switch under the old threshold, from the switch on under the new one.
    const rules = stockSourceRules();
    const underOld = expectedResults(all, OLD_THRESHOLD, sentinel.windowStartMs, rules);
    const underNew = expectedResults(all, NEW_THRESHOLD, sentinel.windowStartMs, rules);
    const switchText = clickhouseTime(switchMs);
    const expectedAlerts: VersionedAlert[] = [
      ...underOld.alerts
        .filter((a) => a.window_start < switchText)
        .map((a) => ({ ...a, threshold_pct: OLD_THRESHOLD, logic_version: oldVersion! })),
      ...underNew.alerts
        .filter((a) => a.window_start >= switchText)
        .map((a) => ({ ...a, threshold_pct: NEW_THRESHOLD, logic_version: newVersion! })),
    ].sort(byCandleKey);
    const oldAlerts = expectedAlerts.filter((a) => a.logic_version === oldVersion).length;
    // The seeded input gives both versions alerts, and the new ones are alerts the old logic would not make.
    expect([oldAlerts, expectedAlerts.length - oldAlerts]).toEqual([2, 11]);
    expect(underOld.alerts.filter((a) => a.window_start >= switchText)).toEqual([]);

    await run.waitForCounts(
      {
        ticks: underOld.ticks.length,
        candles: underOld.candles.length,
        alerts: expectedAlerts.length,
        rejected: underOld.rejected.length,
      },
      300_000,
    );
    const produceToVisibleMs = Date.now() - producedAt;
    const hint = run.logHint();
    const actual = await run.results();
    assertSameRows('every valid tick appears exactly once in ticks', underOld.ticks, actual.ticks, hint);
    assertSameRows('candles_1m equals the independently computed OHLC/VWAP', underOld.candles, actual.candles, hint);
    assertSameRows(
      'every malformed record is in rejected with the schema reason',
      underOld.rejected.map((r) => ({ raw: r.raw, reason: r.reason, step: r.step })),
      actual.rejected,
      hint,
    );
    const query = async <T>(q: string) =>
      (await (await run.clickhouse.query({ query: q, format: 'JSONEachRow' })).json()) as T[];
    const alerts = await query<VersionedAlert>(
      'SELECT symbol, toString(window_start) AS window_start, direction, move_pct, open, close, threshold_pct, logic_version FROM alerts FINAL ORDER BY symbol, window_start',
    );
    assertSameRows('each alert is exactly what the version that made it computes', expectedAlerts, alerts, hint);

    // Candles carry the version of the window call that made them: the switch is at minute 2.
    const candleVersions = await query<{ before: number | string; logic_version: string; n: number | string }>(
      `SELECT window_start < toDateTime('${switchText}', 'UTC') AS before, logic_version, count() AS n FROM candles_1m FINAL GROUP BY before, logic_version ORDER BY before, logic_version`,
    );
    expect(candleVersions.map((r) => [Number(r.before), r.logic_version, Number(r.n)])).toEqual([
      [0, newVersion, underOld.candles.filter((c) => c.window_start >= switchText).length],
      [1, oldVersion, underOld.candles.filter((c) => c.window_start < switchText).length],
    ]);
    // Ticks: the first part by the old logic, the last by the new, the ones sent during the reload by either.
    const tickVersions = await query<{ part: string; logic_version: string; n: number | string }>(
      `SELECT multiIf(ts < toDateTime('${clickhouseTime(switchMs + 30_000)}', 'UTC'), 'first', ts >= toDateTime('${clickhouseTime(switchMs + 58_000)}', 'UTC'), 'rest', 'during') AS part, logic_version, count() AS n FROM ticks FINAL GROUP BY part, logic_version ORDER BY part, logic_version`,
    );
    const byPart = (part: string) =>
      tickVersions.filter((r) => r.part === part).map((r) => [r.logic_version, Number(r.n)] as const);
    expect(byPart('first').map(([v]) => v)).toEqual([oldVersion]);
    expect(byPart('rest').map(([v]) => v)).toEqual([newVersion]);
    expect(byPart('during').every(([v]) => v === oldVersion || v === newVersion)).toBe(true);
    expect(tickVersions.reduce((n, r) => n + Number(r.n), 0)).toBe(underOld.ticks.length);

    // Zero job restarts: the reload never failed a call beyond the bridge's retries.
    expect(await run.restarts()).toBe(0);
    passed = true;
    recordReport({
      scenario: 'reload',
      durationMs: Date.now() - started,
      produceToVisibleMs,
      // For this scenario: from the reload request to its end (new processes serve, old ones gone).
      recoveryMs: reloadMs,
      expected: {
        ticks: underOld.ticks.length,
        candles: underOld.candles.length,
        alerts: expectedAlerts.length,
        rejected: underOld.rejected.length,
      },
    });
  } finally {
    await run.cleanup(!passed);
    rmSync(dir, { recursive: true, force: true });
  }
});
