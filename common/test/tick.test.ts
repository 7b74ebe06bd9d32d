import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatTickTs, isCalendarTime, parseTick, tickSchema } from '../src/tick';

const good = { id: 'AAPL-1', symbol: 'AAPL', price: 187.25, volume: 300, ts: '2026-11-21T09:30:00.125Z' };

describe('tickSchema', () => {
  it('accepts ids with any well-formed Unicode: emoji, NUL, BOM, right-to-left marks', () => {
    for (const id of ['😀👩‍👩‍👧', 'a\u0000b', '\uFEFFx', '\u202Eevil', 'שלום']) {
      expect(parseTick(JSON.stringify({ ...good, id }))).toEqual({ ok: true, tick: { ...good, id } });
    }
  });

  it('accepts a valid tick unchanged', () => {
    expect(tickSchema.parse(good)).toEqual(good);
  });

  it.each([
    [{ ...good, price: -1 }, 'price: price must be > 0'],
    [{ ...good, price: 0 }, 'price: price must be > 0'],
    [{ ...good, volume: 1.5 }, 'volume: volume must be an integer'],
    [{ ...good, volume: -3 }, 'volume: volume must be >= 0'],
    [{ ...good, symbol: 'aapl' }, 'symbol: symbol must be an upper-case ticker'],
    [{ ...good, ts: '2026-11-21T09:30:00Z' }, 'ts: ts must be ISO-8601 UTC with milliseconds'],
    [{ ...good, ts: '2026-02-30T09:30:00.000Z' }, 'ts: ts must be a real calendar time'],
    [{ ...good, ts: '2026-13-21T09:30:00.000Z' }, 'ts: ts must be a real calendar time'],
    [{ ...good, id: '' }, 'id: id must be a non-empty string'],
    [{ ...good, id: 'a\uD800' }, 'id: id must be well-formed Unicode (no lone surrogate)'],
    [{ ...good, id: '\uDC00b' }, 'id: id must be well-formed Unicode (no lone surrogate)'],
  ])('rejects %j with "%s"', (value, reason) => {
    const result = parseTick(JSON.stringify(value));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
  });

  it('names a missing field and a wrong type', () => {
    const { price: _price, ...noPrice } = good;
    const missing = parseTick(JSON.stringify(noPrice));
    expect(missing).toEqual({ ok: false, reason: 'price: Invalid input: expected number, received undefined' });
    const wrongType = parseTick(JSON.stringify({ ...good, volume: '300' }));
    expect(wrongType).toEqual({ ok: false, reason: 'volume: Invalid input: expected number, received string' });
  });

  it('reports broken JSON without throwing', () => {
    const result = parseTick('{"id": "x", ');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/^invalid JSON: /);
  });

  it('formats epoch milliseconds as a tick timestamp', () => {
    expect(formatTickTs(Date.UTC(2026, 10, 21, 9, 30, 0, 5))).toBe('2026-11-21T09:30:00.005Z');
  });
});

/** The reference: how JavaScript itself decides that s is a real UTC time. */
function dateRoundTrips(s: string): boolean {
  const date = new Date(s);
  return !Number.isNaN(date.getTime()) && date.toISOString() === s;
}

describe('isCalendarTime', () => {
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  /** Strings of the tick ts shape with every digit field over (and beyond) its range. */
  const shaped = fc
    .tuple(
      fc.integer({ min: 0, max: 9999 }),
      fc.integer({ min: 0, max: 99 }),
      fc.integer({ min: 0, max: 99 }),
      fc.integer({ min: 0, max: 99 }),
      fc.integer({ min: 0, max: 99 }),
      fc.integer({ min: 0, max: 99 }),
      fc.integer({ min: 0, max: 999 }),
    )
    .map(
      ([y, mo, d, h, mi, s, ms]) =>
        `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}.${pad(ms, 3)}Z`,
    );
  /** Real times, from year 0 to 9999, written the way Date writes them. */
  const real = fc
    .integer({ min: Date.parse('0000-01-01T00:00:00.000Z'), max: Date.parse('9999-12-31T23:59:59.999Z') })
    .map((ms) => new Date(ms).toISOString());
  /** Near-misses: a real time with one character changed. */
  const mutated = fc
    .tuple(real, fc.nat({ max: 23 }), fc.constantFrom(...'0123456789-:.TZ+ '))
    .map(([s, at, c]) => s.slice(0, at) + c + s.slice(at + 1));

  it('agrees with the Date round trip on strings of the tick ts shape (all field ranges)', () => {
    fc.assert(
      fc.property(shaped, (s) => isCalendarTime(s) === dateRoundTrips(s)),
      { numRuns: 200_000 },
    );
  });

  it('agrees with the Date round trip on real times, near-misses and arbitrary strings', () => {
    fc.assert(
      fc.property(fc.oneof(real, mutated, fc.string()), (s) => isCalendarTime(s) === dateRoundTrips(s)),
      { numRuns: 100_000 },
    );
  });

  it('knows leap days, month ends, and the edges of a day', () => {
    const cases: [string, boolean][] = [
      ['2024-02-29T00:00:00.000Z', true],
      ['2026-02-29T00:00:00.000Z', false],
      ['2000-02-29T12:00:00.000Z', true],
      ['1900-02-29T12:00:00.000Z', false],
      ['0000-02-29T00:00:00.000Z', true],
      ['2026-04-31T00:00:00.000Z', false],
      ['2026-12-31T23:59:59.999Z', true],
      ['2026-11-21T24:00:00.000Z', false],
      ['2026-11-21T09:60:00.000Z', false],
      ['2026-11-21T09:30:60.000Z', false],
      ['2026-00-10T09:30:00.000Z', false],
      ['2026-11-00T09:30:00.000Z', false],
      ['+010000-01-01T00:00:00.000Z', true],
    ];
    for (const [s, expected] of cases) {
      expect([s, isCalendarTime(s)]).toEqual([s, expected]);
      expect([s, dateRoundTrips(s)]).toEqual([s, expected]);
    }
  });
});
