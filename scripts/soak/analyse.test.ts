import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, type JudgeInput, judge, linearFit, type Point } from './analyse';
import { parseJstatGc } from './sample';

const MiB = 1024 * 1024;

/** One point every 10 s for `minutes`, value = f(t). */
function series(minutes: number, f: (t: number) => number): Point[] {
  return Array.from({ length: minutes * 6 + 1 }, (_, i) => ({ t: i * 10, v: f(i * 10) }));
}

function input(overrides: Partial<JudgeInput>): JudgeInput {
  return {
    warmupSeconds: 300,
    stateSettleSeconds: 660,
    endSeconds: 1800,
    restarted: [],
    rss: {},
    heapAfterGc: {},
    checkpointBytes: series(30, () => 1_000_000),
    lagRecords: series(30, () => 20_000),
    rate: 5000,
    limits: DEFAULT_LIMITS,
    ...overrides,
  };
}

const byName = (checks: ReturnType<typeof judge>, prefix: string) => checks.find((c) => c.name.startsWith(prefix));

describe('linearFit', () => {
  it('recovers the slope and intercept of exact points', () => {
    const line = linearFit([
      { t: 0, v: 3 },
      { t: 10, v: 23 },
      { t: 20, v: 43 },
    ]);
    expect(line.slope).toBe(2);
    expect(line.intercept).toBe(3);
  });

  it('gives slope 0 for a single point', () => {
    expect(linearFit([{ t: 5, v: 7 }])).toEqual({ slope: 0, intercept: 7 });
  });
});

describe('judge', () => {
  it("judges a JVM's RSS only after the state settles, its heap after GC from warm-up (a 5-minute CI run)", () => {
    const short = { warmupSeconds: 120, endSeconds: 300 };
    const checks = judge(
      input({
        ...short,
        rss: { 'flink-jobmanager': series(5, (t) => 300 * MiB + (t / 60) * 6 * MiB) },
        heapAfterGc: { 'flink-jobmanager': series(5, (t) => 60 * MiB + (t / 60) * 3 * MiB) },
      }),
    );
    expect(byName(checks, 'RSS growth of flink-jobmanager')).toMatchObject({
      ok: true,
      notJudged: 'the run ends 300 s in; this needs 120 s after 660 s',
    });
    const heap = byName(checks, 'heap-after-GC growth of flink-jobmanager');
    expect(heap?.ok).toBe(false);
    expect(heap?.measured).toBeCloseTo(3, 9);
  });

  it('passes flat memory and fails memory growing 6 MiB/min after warm-up, whatever it did before', () => {
    const checks = judge(
      input({
        rss: {
          // Grows fast during warm-up, then flat.
          kafka: series(30, (t) => (t < 300 ? t * MiB : 300 * MiB)),
          worker: series(30, (t) => 100 * MiB + (t / 60) * 6 * MiB),
        },
      }),
    );
    expect(byName(checks, 'RSS growth of kafka')).toMatchObject({ ok: true, measured: 0 });
    const worker = byName(checks, 'RSS growth of worker');
    expect(worker?.ok).toBe(false);
    expect(worker?.measured).toBeCloseTo(6, 9);
  });

  it("judges the TaskManager's memory only after the dedupe state has settled", () => {
    // Grows 20 MiB/min while the horizon fills (until 600 s), then flat.
    const tm = series(30, (t) => 400 * MiB + Math.min(t, 600) * (20 / 60) * MiB);
    const settled = judge(input({ rss: { 'flink-taskmanager': tm } }));
    expect(byName(settled, 'RSS growth of flink-taskmanager')).toMatchObject({ ok: true, measured: 0 });
    // The same series judged from the start: 20 MiB/min for a third of the run fits as 5.2 MiB/min.
    const unsettled = judge(input({ warmupSeconds: 0, stateSettleSeconds: 0, rss: { 'flink-taskmanager': tm } }));
    expect(byName(unsettled, 'RSS growth of flink-taskmanager')?.ok).toBe(false);
  });

  it('does not judge state-bearing series in a run shorter than the settle time, and says why', () => {
    const checks = judge(
      input({
        endSeconds: 300,
        warmupSeconds: 120,
        checkpointBytes: series(5, (t) => 1000 + t * 100),
        rss: { 'flink-taskmanager': series(5, (t) => t * MiB), clickhouse: series(5, (t) => t * MiB) },
      }),
    );
    expect(byName(checks, 'checkpoint size drift')).toMatchObject({ ok: true });
    expect(byName(checks, 'checkpoint size drift')?.notJudged).toMatch(/needs 120 s after 660 s/);
    expect(byName(checks, 'RSS growth of flink-taskmanager')?.notJudged).toMatch(/needs 120 s after 660 s/);
    expect(byName(checks, 'RSS growth of clickhouse')?.notJudged).toMatch(/needs 120 s after 660 s/);
  });

  it('fails a checkpoint size drifting 20 % and passes one drifting 5 %', () => {
    const drifting = (fraction: number) =>
      series(30, (t) => (t < 660 ? 10 : 1_000_000 * (1 + (fraction * (t - 660)) / (1800 - 660))));
    const bad = byName(judge(input({ checkpointBytes: drifting(0.2) })), 'checkpoint size drift');
    expect(bad?.ok).toBe(false);
    expect(bad?.measured).toBeCloseTo(0.2, 9);
    expect(byName(judge(input({ checkpointBytes: drifting(0.05) })), 'checkpoint size drift')?.ok).toBe(true);
  });

  it('fails lag that keeps growing past the bound, passes lag that is high but steady', () => {
    const growing = series(30, (t) => t * 200);
    expect(byName(judge(input({ lagRecords: growing })), 'consumer lag')?.ok).toBe(false);
    const steady = series(30, () => 100_000);
    expect(byName(judge(input({ lagRecords: steady })), 'consumer lag')?.ok).toBe(true);
  });

  it('judges the worker by its V8 heap after GC and only shows its RSS (the 3.66 MiB/min CI case)', () => {
    const reason = 'judged by its V8 heap after GC';
    const checks = judge(
      input({
        warmupSeconds: 120,
        endSeconds: 300,
        rssShownOnly: { worker: reason },
        // RSS creeping up 3.66 MiB/min while the live heap holds at 40 MiB, then one that leaks 3 MiB/min.
        rss: { worker: series(5, (t) => 100 * MiB + (t / 60) * 3.66 * MiB) },
        heapAfterGc: { worker: series(5, (t) => 40 * MiB + (t / 60) * 3 * MiB) },
      }),
    );
    expect(byName(checks, 'RSS growth of worker')).toMatchObject({ ok: true, notJudged: reason });
    expect(byName(checks, 'RSS growth of worker')?.measured).toBeCloseTo(3.66, 9);
    const heap = byName(checks, 'heap-after-GC growth of worker');
    expect(heap?.notJudged).toBeUndefined();
    expect(heap?.measured).toBeCloseTo(3, 9);
    expect(heap?.ok).toBe(false);
    const flat = judge(
      input({ warmupSeconds: 120, endSeconds: 300, heapAfterGc: { worker: series(5, () => 40 * MiB) } }),
    );
    expect(byName(flat, 'heap-after-GC growth of worker')).toMatchObject({ ok: true, measured: 0 });
  });

  it('does not judge the memory of a process that was replaced during the run', () => {
    const checks = judge(input({ restarted: ['kafka'], rss: { kafka: series(30, (t) => t * MiB) } }));
    expect(byName(checks, 'RSS growth of kafka')).toMatchObject({
      ok: true,
      notJudged: 'kafka was restarted during the run',
    });
  });
});

it('shows but does not judge the memory of a JVM other jobs shared', () => {
  const reason = '3 other Flink jobs ran on the shared cluster during the run';
  const checks = judge(
    input({ shared: { 'flink-jobmanager': reason }, heapAfterGc: { 'flink-jobmanager': series(30, (t) => t * MiB) } }),
  );
  expect(byName(checks, 'heap-after-GC growth of flink-jobmanager')).toMatchObject({
    ok: true,
    notJudged: reason,
    measured: 60,
  });
});

describe('parseJstatGc', () => {
  it('reads heap after GC as survivor + old, and metaspace, in bytes', () => {
    const text = [
      '    S0C         S1C         S0U         S1U          EC           EU           OC           OU          MC         MU       CCSC      CCSU     YGC     YGCT     FGC    FGCT     CGC    CGCT       GCT   ',
      '        0.0      2048.0         0.0      1390.4      67584.0      10240.0     847872.0      20249.0    36288.0    35984.9    5184.0    5023.8      4     0.134     0     0.000     4     0.023     0.157',
    ].join('\n');
    const memory = parseJstatGc(text);
    expect(memory.heapAfterGc).toBeCloseTo((1390.4 + 20249.0) * 1024, 6);
    expect(memory.heapUsed).toBeCloseTo((1390.4 + 10240.0 + 20249.0) * 1024, 6);
    expect(memory.metaspaceUsed).toBeCloseTo(35984.9 * 1024, 6);
    expect(memory.youngGcs).toBe(4);
    expect(memory.gcSeconds).toBe(0.157);
  });
});
