/**
 * Values are JSON, whatever the fusion: the stock pipeline, the workshop pipeline (solutions and
 * exercises) and a pipeline of awkward values each run twice over one seeded set of ticks, once as
 * compiled and once with every step in a chain of its own (`fusion: 'none'`), through the real
 * runtime and an in-process stand-in for the bridge (bridgeSim.ts). Every sink row and every dead
 * letter must be the same bytes. The ticks are made here, not by the producer under test, and the
 * counts they should give are worked out here from how they were made.
 */
import { loadConfig } from '@ticker/common';
import { describe, expect, it } from 'vitest';
import * as exercises from '../../workshop/exercises';
import { workshopPipeline } from '../../workshop/pipeline';
import * as solutions from '../../workshop/solutions';
import { type CompiledPipeline, compile } from '../src/compiler/compile';
import {
  clickhouseTable,
  kafkaSource,
  kafkaTime,
  kafkaTopic,
  type Pipeline,
  pipeline,
  reject,
  tumbling,
} from '../src/dsl';
import type { WireRecord } from '../src/runtime/wire';
import { buildStockPipeline } from '../src/stock';
import { type SimulatedRun, simulate } from './bridgeSim';

const T0 = Date.UTC(2026, 0, 5, 14, 29, 40, 0);
const SYMBOLS = ['AAPL', 'MSFT', 'NVDA', 'TSLA', 'BRK.B'];
const BATCH = 64;

/** mulberry32: a small seeded generator, so the ticks are the same on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Tick {
  id: string;
  symbol: string;
  price: number;
  volume: number;
  ts: number;
  late: boolean;
}

interface Input {
  records: WireRecord[];
  /** Valid ticks in arrival order. */
  ticks: Tick[];
  malformed: number;
}

/**
 * About 2,400 records over 5.5 minutes of event time: ticks a few hundred ms apart with up to 400 ms
 * of disorder (always inside the 2 s watermark delay), 3 % of valid ticks 150 s behind (always late:
 * their minute closed long before), 6 % malformed in seven ways, 15 % odd lots.
 */
function makeInput(seed: number): Input {
  const rnd = random(seed);
  const records: WireRecord[] = [];
  const ticks: Tick[] = [];
  const prices = new Map(SYMBOLS.map((s, i) => [s, 50 + 100 * i]));
  let clock = T0;
  let malformed = 0;
  const iso = (ms: number) => new Date(ms).toISOString();
  for (let n = 0; clock < T0 + 330_000; n++) {
    clock += Math.floor(rnd() * 250) + 1;
    const symbol = SYMBOLS[Math.floor(rnd() * SYMBOLS.length)]!;
    const partition = SYMBOLS.indexOf(symbol) % 3;
    const origin = `stock-ticks/${partition}/${n}`;
    const roll = rnd();
    if (roll < 0.06) {
      malformed++;
      const kind = Math.floor(rnd() * 7);
      const bad = [
        `{"id":"m${n}","symbol":"${symbol}"`,
        JSON.stringify({ id: `m${n}`, symbol, price: -1, volume: 100, ts: iso(clock) }),
        JSON.stringify({ id: `m${n}`, symbol, price: 10, ts: iso(clock) }),
        JSON.stringify({ id: `m${n}`, symbol: symbol.toLowerCase(), price: 10, volume: 100, ts: iso(clock) }),
        JSON.stringify({ id: `m${n}`, symbol, price: 10, volume: 100, ts: '2026-13-05T14:30:00.000Z' }),
        JSON.stringify({ id: `m${n}`, symbol, price: '10', volume: 100, ts: iso(clock) }),
        null,
      ][kind];
      const value = bad === null ? Buffer.from([0x7b, 0xff, 0x7d]) : Buffer.from(bad!);
      records.push({ value, key: symbol, timestamp: clock, origin });
      continue;
    }
    const late = clock > T0 + 200_000 && roll > 0.97;
    const ts = late ? clock - 150_000 : clock - Math.floor(rnd() * 400);
    const price = Math.max(1, Math.round(prices.get(symbol)! * (1 + (rnd() - 0.5) * 0.01) * 100) / 100);
    prices.set(symbol, price);
    const volume = rnd() < 0.15 ? 1 + Math.floor(rnd() * 99) : 100 * Math.floor(rnd() * 20);
    const tick = { id: `t${n}`, symbol, price, volume, ts: iso(ts) };
    ticks.push({ ...tick, ts, late });
    records.push({ value: Buffer.from(JSON.stringify(tick)), key: symbol, timestamp: ts, origin });
  }
  return { records, ticks, malformed };
}

const input = makeInput(19);
const config = loadConfig({});

/** Runs the pipeline fused and unfused and checks both wrote the same bytes; returns the fused run. */
function runBoth(build: () => Pipeline): SimulatedRun {
  const fused = compile(build(), { logicVersion: 'fusion-test' });
  const unfused = compile(build(), { logicVersion: 'fusion-test', fusion: 'none' });
  const chainsOf = (c: CompiledPipeline) => c.descriptor.nodes.filter((n) => n.kind === 'chain');
  expect(chainsOf(unfused).every((n) => n.steps.length === 1)).toBe(true);
  expect(chainsOf(unfused).length).toBeGreaterThan(chainsOf(fused).length);
  const a = simulate(fused, input.records, BATCH);
  const b = simulate(unfused, input.records, BATCH);
  // Order across nodes is Flink's to choose; the bytes of every row and dead letter are not.
  const sorted = (rows: readonly string[] | undefined) => [...(rows ?? [])].sort();
  expect([...b.sinks.keys()].sort()).toEqual([...a.sinks.keys()].sort());
  for (const [sink, rows] of a.sinks) expect(sorted(b.sinks.get(sink)), sink).toEqual(sorted(rows));
  expect(sorted(b.deadLetters)).toEqual(sorted(a.deadLetters));
  return a;
}

const stepsOf = (run: SimulatedRun) => {
  const counts: Record<string, number> = {};
  for (const d of run.deadLetters) {
    const step = (JSON.parse(d) as { step: string }).step;
    counts[step] = (counts[step] ?? 0) + 1;
  }
  return counts;
};

/** Distinct (symbol, window start) of the ticks, the number of windows that fire. */
const windowCount = (ticks: readonly Tick[], sizeMs: number) =>
  new Set(ticks.map((t) => `${t.symbol}/${t.ts - (t.ts % sizeMs)}`)).size;

describe('fusion invariance: every step its own chain writes the same bytes as the fused pipeline', () => {
  const onTime = input.ticks.filter((t) => !t.late);
  const round = (t: Tick) => t.volume % 100 === 0;

  it('holds enough of every kind of input to mean something', () => {
    expect(input.records.length).toBeGreaterThan(2000);
    expect(input.malformed).toBeGreaterThan(80);
    expect(input.ticks.filter((t) => t.late).length).toBeGreaterThan(15);
    expect(input.ticks.filter((t) => !round(t)).length).toBeGreaterThan(200);
  });

  it('the stock pipeline', () => {
    const run = runBoth(() => buildStockPipeline(config));
    expect(run.sinks.get('write-ticks')?.length).toBe(input.ticks.length);
    expect(run.sinks.get('write-candles')?.length).toBe(windowCount(onTime, 60_000));
    expect(stepsOf(run)).toEqual({
      'parse-tick': input.malformed,
      'candles-1m': input.ticks.filter((t) => t.late).length,
    });
  });

  it('the workshop pipeline with the solutions (round lots, 30-second volume)', () => {
    const run = runBoth(() => workshopPipeline(solutions.steps)(config));
    const rounds = input.ticks.filter(round);
    expect(run.sinks.get('write-ticks')?.length).toBe(rounds.length);
    expect(run.sinks.get('write-volume-30s')?.length).toBe(
      windowCount(
        rounds.filter((t) => !t.late),
        30_000,
      ),
    );
    const lateRounds = rounds.filter((t) => t.late).length;
    expect(stepsOf(run)).toEqual({
      'parse-tick': input.malformed,
      'round-lots-only': input.ticks.length - rounds.length,
      'candles-1m': lateRounds,
      'volume-30s': lateRounds,
    });
  });

  it('the workshop pipeline with the exercises untouched', () => {
    const run = runBoth(() => workshopPipeline(exercises.steps)(config));
    expect(run.sinks.get('write-ticks')?.length).toBe(input.ticks.length);
  });

  it('a pipeline of values JSON changes or cannot carry (undefined, -0, NaN, Infinity, Date, holes)', () => {
    const build = () => {
      const p = pipeline('awkward');
      const parsed = p
        .source(
          kafkaSource({
            name: 'src',
            topic: 't',
            watermark: { maxOutOfOrdernessMs: 2000, idlenessMs: 1 },
            eventTime: kafkaTime(),
          }),
        )
        .map('parse', (r) => {
          try {
            const t = JSON.parse(r.value) as { id: string; symbol: string; price: number; volume: number };
            return typeof t.volume === 'number'
              ? { id: t.id, symbol: t.symbol, price: t.price, volume: t.volume }
              : reject('no volume');
          } catch {
            return reject('not JSON');
          }
        });
      const awkward = parsed.map(
        'awkward',
        (t): { id: string; symbol: string; v: number; note?: string; per: number; list: (number | null)[] } => ({
          id: t.id,
          symbol: t.symbol,
          note: t.volume > 1000 ? 'block' : undefined,
          v: t.volume === 0 ? -0 : t.volume,
          // Infinity for some: refused at this step whatever follows it.
          per: t.volume % 7 === 3 ? t.price / 0 : t.price / (t.volume + 1),
          list: t.volume % 3 === 0 ? ([t.price, undefined] as unknown as number[]) : [t.price],
        }),
      );
      const keyed = awkward.map('keys', (a) => ({
        ...a,
        keys: Object.keys(a).join(','),
        negativeZero: Object.is(a.v, -0),
        second: a.list[1] ?? 'none',
      }));
      // A ClickHouse sink beside the keyBy: the keyBy joins the `keys` chain (one crossing), so the
      // window reads an unstamped value fused and a stamped one unfused, unless the stamp is removed.
      keyed.sink('out', clickhouseTable('out'));
      awkward
        .flatMap('when', (a) =>
          a.v % 5 === 1 ? [{ id: a.id, at: new Date(0) as unknown as string }] : [{ id: a.id, at: 'x' }],
        )
        .sink('whens', kafkaTopic('whens'));
      keyed
        .keyBy('by-symbol', (a) => a.symbol)
        .window('w', tumbling(60_000))
        .accumulate({
          order: (a) => [a.id],
          fields: (f) => ({ n: f.count(), v: f.sum((a) => a.v), keys: f.last((a) => Object.keys(a).join(',')) }),
        })
        .finish((acc, w) => ({ symbol: w.key, keys: acc.keys, mean: acc.v / (acc.n % 4 === 0 ? 0 : acc.n) }))
        .sink('means', kafkaTopic('means'));
      p.deadLetter('dlq', [kafkaTopic('dead')]);
      return p;
    };
    const run = runBoth(build);
    const reasons = new Set(run.deadLetters.map((d) => (JSON.parse(d) as { reason: string }).reason));
    expect(reasons).toContain('step awkward output $.per is Infinity');
    expect(reasons).toContain('step when output $[0].at is a Date, not a plain object or array');
    expect([...reasons].filter((r) => r.startsWith('step w output $.mean is ')).length).toBeGreaterThan(0);
    const means = (run.sinks.get('means') ?? []).map((r) => JSON.parse(r) as { keys: string });
    expect(means.length).toBeGreaterThan(5);
    expect(means.every((m) => !m.keys.includes('logic_version'))).toBe(true);
    const out = (run.sinks.get('out') ?? []).map((r) => JSON.parse(r) as Record<string, unknown>);
    expect(out.length).toBeGreaterThan(100);
    // Fused or not, the next step saw what JSON gives: no `note` key when undefined, 0 for -0, null for a hole.
    expect(out.filter((o) => o.note === undefined).every((o) => !(o.keys as string).split(',').includes('note'))).toBe(
      true,
    );
    expect(out.some((o) => o.v === 0)).toBe(true);
    expect(out.every((o) => o.negativeZero === false)).toBe(true);
    expect(
      out.some((o) => o.second === 'none' && (o.list as unknown[]).length === 2 && (o.list as unknown[])[1] === null),
    ).toBe(true);
  });
});
