import { tickSchema } from '@ticker/common';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BadParameterError,
  candlesQuery,
  historyQuery,
  parseQuery,
  recentQuery,
  statsQuery,
  symbolParam,
  UNTIL_PATTERN,
} from './params';
import { sqlInt, sqlString } from './sql';

describe('query parameters', () => {
  it('applies defaults', () => {
    expect(parseQuery(historyQuery, { symbol: 'AAPL' })).toEqual({ symbol: 'AAPL', minutes: 15, limit: 5000 });
    expect(parseQuery(candlesQuery, { symbol: 'BRK.B' })).toEqual({ symbol: 'BRK.B', minutes: 60 });
    expect(parseQuery(recentQuery, {})).toEqual({ limit: 25 });
    expect(parseQuery(statsQuery, undefined)).toEqual({ minutes: 5 });
  });

  it('reads `until` as ISO-8601 UTC or epoch milliseconds', () => {
    expect(parseQuery(statsQuery, { until: '2026-01-05T09:30:00.000Z' }).until).toBe(Date.UTC(2026, 0, 5, 9, 30));
    expect(parseQuery(statsQuery, { until: '1767605400000' }).until).toBe(1767605400000);
    expect(parseQuery(statsQuery, { until: '2024-02-29T23:59Z' }).until).toBe(Date.UTC(2024, 1, 29, 23, 59));
    expect(parseQuery(statsQuery, { until: '2000-02-29T00:00:00.5Z' }).until).toBe(Date.UTC(2000, 1, 29, 0, 0, 0, 500));
  });

  it.each([
    '2025-02-29T00:00:00Z', // not a leap year
    '1900-02-29T00:00:00Z', // a century not divisible by 400
    '2026-02-30T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-00-10T00:00:00Z',
    '2026-01-00T00:00:00Z',
    '2026-01-05T24:00:00Z',
    '2026-01-05T14:60Z',
    '2026-01-05T14:30:60Z',
    '2026-01-05T14:30:00.1234Z',
    '2026-01-05T14:30:00.Z',
    '2026-01-05T14Z',
    '2026-01-05T14:30:00+00:00',
    '2026-01-05',
    '0000-00-00T0Z',
    '1234567890123456',
    '-1',
  ])('refuses `until` %s with a 400 naming it', (until) => {
    expect(() => parseQuery(statsQuery, { until })).toThrow(`until: must be an ISO-8601 UTC time`);
  });

  it('reads every `until` its pattern admits as the time it names (never rolled over)', () => {
    fc.assert(
      fc.property(fc.stringMatching(UNTIL_PATTERN), (until) => {
        const ms = parseQuery(statsQuery, { until }).until;
        if (/^\d+$/.test(until)) return ms === Number(until);
        // The oracle: the same fields, written the way toISOString writes them.
        const [, date, hm, seconds = '00', fraction = ''] =
          /^(.{10})T(\d\d:\d\d)(?::(\d\d)(?:\.(\d+))?)?Z$/.exec(until) ?? [];
        return new Date(ms as number).toISOString() === `${date}T${hm}:${seconds}.${fraction.padEnd(3, '0')}Z`;
      }),
      { seed: 20, numRuns: 5000 },
    );
  });

  it('admits every real time from year 0 to 9999, written as toISOString writes it', () => {
    const times = fc.date({
      min: new Date('0000-01-01T00:00:00.000Z'),
      max: new Date('9999-12-31T23:59:59.999Z'),
      noInvalidDate: true,
    });
    fc.assert(
      fc.property(times, (time) => parseQuery(statsQuery, { until: time.toISOString() }).until === time.getTime()),
      { seed: 20, numRuns: 5000 },
    );
  });

  it('names the bad parameter', () => {
    const attempt = () => parseQuery(historyQuery, { symbol: 'AAPL', minutes: '99999' });
    expect(attempt).toThrow(BadParameterError);
    expect(attempt).toThrow('minutes: must be an integer from 1 to 10080');
    try {
      attempt();
    } catch (error) {
      expect((error as BadParameterError).parameter).toBe('minutes');
    }
  });

  it('accepts exactly the symbols the tick schema accepts', () => {
    const tick = { id: '1', price: 1, volume: 1, ts: '2026-01-05T09:30:00.000Z' };
    for (const symbol of ['AAPL', 'BRK.B', 'A', 'X1234567.9', 'aapl', 'A B', "A'", 'ABCDEFGHIJK', '', '1A', 'A-B']) {
      expect(symbolParam.safeParse(symbol).success).toBe(tickSchema.safeParse({ ...tick, symbol }).success);
    }
  });
});

describe('SQL literals', () => {
  it('escapes quotes and backslashes in strings', () => {
    expect(sqlString("it's")).toBe("'it\\'s'");
    expect(sqlString('a\\')).toBe("'a\\\\'");
  });

  it('refuses anything but a safe integer', () => {
    expect(sqlInt(42)).toBe('42');
    expect(() => sqlInt(1.5)).toThrow(RangeError);
    expect(() => sqlInt(Number.NaN)).toThrow(RangeError);
    expect(() => sqlInt(2 ** 60)).toThrow(RangeError);
  });
});
