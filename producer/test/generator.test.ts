import { parseTick, tickSchema } from '@ticker/common';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_START_TIME_MS,
  type GeneratedRecord,
  generateTicks,
  SECONDS_PER_TRADING_YEAR,
  type TickRecord,
} from '../src/generator';
import { DEFECTS } from '../src/malformed';
import { DEFAULT_SYMBOLS, type SymbolSpec } from '../src/symbols';

const wire = (records: Iterable<GeneratedRecord>): string =>
  [...records].map((r) => `${r.key}\t${r.timestampMs}\t${r.value}`).join('\n');

const ticksOf = (records: Iterable<GeneratedRecord>): TickRecord[] =>
  [...records].filter((r): r is TickRecord => r.kind === 'tick');

describe('generateTicks determinism', () => {
  it('produces identical bytes for the same seed and options', () => {
    const options = { seed: 42, count: 5000, badRatio: 0.1 };
    const first = wire(generateTicks(options));
    expect(first.length).toBeGreaterThan(400_000);
    expect(wire(generateTicks(options))).toBe(first);
  });

  it('produces different ticks for a different seed, with disjoint ids', () => {
    const a = [...generateTicks({ seed: 1, count: 1000 })];
    const b = [...generateTicks({ seed: 2, count: 1000 })];
    expect(wire(a)).not.toBe(wire(b));
    const ids = new Set([...ticksOf(a), ...ticksOf(b)].map((r) => r.tick.id));
    expect(ids.size).toBe(2000);
  });

  it('pins the first ticks of seed 7 (the e2e suite relies on them not changing silently)', () => {
    const values = [...generateTicks({ seed: 7, count: 3 })].map((r) => r.value);
    expect(values).toEqual([
      '{"id":"7-0","symbol":"MSFT","price":420,"volume":300,"ts":"2026-01-05T14:30:00.000Z"}',
      '{"id":"7-1","symbol":"META","price":500,"volume":700,"ts":"2026-01-05T14:30:00.001Z"}',
      '{"id":"7-2","symbol":"MSFT","price":420,"volume":100,"ts":"2026-01-05T14:30:00.002Z"}',
    ]);
  });
});

describe('generated ticks', () => {
  it('all validate against tickSchema, with key = symbol, timestamp = ts and id = <seed>-<sequence>', () => {
    const records = [...generateTicks({ seed: 3, count: 20_000 })];
    expect(records).toHaveLength(20_000);
    records.forEach((record, i) => {
      if (record.kind !== 'tick') throw new Error(`record ${i} is ${record.kind}`);
      expect(tickSchema.parse(JSON.parse(record.value))).toEqual(record.tick);
      expect(record.key).toBe(record.tick.symbol);
      expect(record.timestampMs).toBe(Date.parse(record.tick.ts));
      expect(record.tick.id).toBe(`3-${i}`);
      expect(record.sequence).toBe(i);
    });
    expect(new Set(records.map((r) => r.key))).toEqual(new Set(DEFAULT_SYMBOLS));
  });

  it('spaces event time by the event rate from the start time', () => {
    const times = [...generateTicks({ seed: 1, count: 5, startTimeMs: 1_000_000, eventRate: 3 })].map(
      (r) => r.timestampMs,
    );
    expect(times).toEqual([1_000_000, 1_000_333, 1_000_666, 1_001_000, 1_001_333]);
    const [first] = generateTicks({ seed: 1, count: 1 });
    expect(first?.timestampMs).toBe(DEFAULT_START_TIME_MS);
  });

  it('uses the clock when given one, never going backwards', () => {
    const clockValues = [5000, 5003, 5001, 5010];
    let call = 0;
    const times = [...generateTicks({ seed: 1, count: 4, clock: () => clockValues[call++]! })].map(
      (r) => r.timestampMs,
    );
    expect(times).toEqual([5000, 5003, 5003, 5010]);
  });

  it('draws realistic volumes: ~92% round lots of 100, a heavy tail, all integers >= 1', () => {
    const volumes = ticksOf(generateTicks({ seed: 11, count: 20_000 })).map((r) => r.tick.volume);
    const n = volumes.length;
    expect(volumes.every((v) => Number.isInteger(v) && v >= 1)).toBe(true);
    // Odd lots with p = 0.08: round-lot share 0.92 +- 5 standard deviations.
    const roundShare = volumes.filter((v) => v % 100 === 0).length / n;
    const sdRound = Math.sqrt((0.92 * 0.08) / n);
    expect(Math.abs(roundShare - 0.92)).toBeLessThan(5 * sdRound);
    // Pareto(alpha 1.6) lots: P(lots >= 10) = 10^-1.6 among round lots.
    const bigShare = volumes.filter((v) => v >= 1000).length / n;
    const pBig = 0.92 * 10 ** -1.6;
    expect(Math.abs(bigShare - pBig)).toBeLessThan(5 * Math.sqrt((pBig * (1 - pBig)) / n));
    // Expected ~12 ticks of >= 100 lots in 20k; a thin-tailed model would give none.
    expect(Math.max(...volumes)).toBeGreaterThanOrEqual(10_000);
  });
});

describe('geometric Brownian motion', () => {
  /** Many independent symbols, `years` of market time each, one tick per event second. */
  function simulate(seed: number, drift: number, volatility: number, years: number) {
    const symbols: SymbolSpec[] = Array.from({ length: 50 }, (_, i) => ({
      symbol: `S${i}`,
      initialPrice: 100,
      drift,
      volatility,
    }));
    const count = 126_000;
    // Each symbol gets ~count/50 ticks one event second apart on average: scale so that totals `years`.
    const timeScale = (years * SECONDS_PER_TRADING_YEAR) / count;
    const perSymbol = new Map<string, { price: number; ms: number }[]>();
    for (const r of ticksOf(generateTicks({ seed, count, symbols, eventRate: 1, timeScale }))) {
      const path = perSymbol.get(r.key) ?? [];
      path.push({ price: r.tick.price, ms: r.timestampMs });
      perSymbol.set(r.key, path);
    }
    const yearsPerMs = timeScale / 1000 / SECONDS_PER_TRADING_YEAR;
    let logReturn = 0;
    let totalYears = 0;
    let squaredIncrements = 0;
    let steps = 0;
    for (const path of perSymbol.values()) {
      logReturn += Math.log(path.at(-1)!.price / path[0]!.price);
      totalYears += (path.at(-1)!.ms - path[0]!.ms) * yearsPerMs;
      for (let i = 1; i < path.length; i++) {
        squaredIncrements += Math.log(path[i]!.price / path[i - 1]!.price) ** 2;
        steps++;
      }
    }
    return { logReturn, totalYears, squaredIncrements, steps };
  }

  it.each([
    [0.3, 0.2, 101],
    [-0.1, 0.2, 102],
  ])('shows drift %d (volatility %d) over many steps', (drift, volatility, seed) => {
    const { logReturn, totalYears, squaredIncrements, steps } = simulate(seed, drift, volatility, 10);
    expect(totalYears).toBeGreaterThan(499);
    // log(S_T / S_0) ~ N((mu - sigma^2/2) T, sigma^2 T); summed over paths the estimator of
    // mu - sigma^2/2 has standard deviation sigma / sqrt(total T). Allow 4 of them.
    const estimate = logReturn / totalYears;
    const expected = drift - volatility ** 2 / 2;
    expect(Math.abs(estimate - expected)).toBeLessThan((4 * volatility) / Math.sqrt(totalYears));
    // Realised variance (sum of squared log increments / T) estimates sigma^2 with relative sd sqrt(2 / steps).
    const varianceEstimate = squaredIncrements / totalYears;
    expect(Math.abs(varianceEstimate / volatility ** 2 - 1)).toBeLessThan(5 * Math.sqrt(2 / steps));
  });

  it('keeps prices > 0 even for a collapsing stock (rounded prices floor at one cent)', () => {
    const crash: SymbolSpec = { symbol: 'CRSH', initialPrice: 1, drift: -2, volatility: 3 };
    const prices = ticksOf(
      generateTicks({ seed: 5, count: 20_000, symbols: [crash], eventRate: 1, timeScale: 2000 }),
    ).map((r) => r.tick.price);
    expect(prices.every((p) => p > 0)).toBe(true);
    expect(prices.filter((p) => p === 0.01).length).toBeGreaterThan(1000);
    expect(prices.every((p) => Math.round(p * 100) / 100 === p)).toBe(true);
  });
});

describe('malformed records', () => {
  it.each([0.05, 0.1, 0.33, 0.5])('match a bad ratio of %d to within one record at every prefix', (ratio) => {
    let bad = 0;
    let n = 0;
    for (const r of generateTicks({ seed: 9, count: 10_000, badRatio: ratio })) {
      n++;
      if (r.kind === 'malformed') bad++;
      if (n % 500 === 0) expect(Math.abs(bad - n * ratio)).toBeLessThanOrEqual(1);
    }
    expect(n).toBe(10_000);
  });

  it('are all rejected by parseTick, cover every defect, and still carry key and timestamp', () => {
    const records = [...generateTicks({ seed: 4, count: 5000, badRatio: 0.2, startTimeMs: 0, eventRate: 1000 })];
    const malformed = records.filter((r) => r.kind === 'malformed');
    expect(malformed).toHaveLength(1000);
    for (const r of malformed) {
      expect(parseTick(r.value).ok).toBe(false);
      expect(DEFAULT_SYMBOLS).toContain(r.key);
      expect(r.timestampMs).toBe(r.sequence);
      expect(r.id).toBe(`4-${r.sequence}`);
    }
    expect(new Set(malformed.map((r) => r.defect))).toEqual(new Set(DEFECTS));
  });

  it('makes nothing malformed at ratio 0 and everything at ratio 1', () => {
    expect([...generateTicks({ seed: 1, count: 300, badRatio: 0 })].every((r) => r.kind === 'tick')).toBe(true);
    expect([...generateTicks({ seed: 1, count: 300, badRatio: 1 })].every((r) => r.kind === 'malformed')).toBe(true);
  });
});

describe('generateTicks options', () => {
  it.each([
    [{ seed: -1 }, 'seed must be an integer between 0 and 4294967295, got -1'],
    [{ seed: 1, badRatio: 1.5 }, 'badRatio must be between 0 and 1, got 1.5'],
    [{ seed: 1, eventRate: 0 }, 'eventRate must be > 0, got 0'],
    [{ seed: 1, symbols: ['aapl'] }, 'symbol "aapl" is not an upper-case ticker (A-Z, 0-9, ".", max 10)'],
    [{ seed: 1, symbols: [] }, 'symbols must list at least one symbol'],
  ])('rejects %j at the call', (options, message) => {
    expect(() => generateTicks(options)).toThrow(message);
  });
});
