import { tickSchema } from '@ticker/common';
import { describe, expect, it } from 'vitest';
import {
  BadParameterError,
  candlesQuery,
  historyQuery,
  parseQuery,
  recentQuery,
  statsQuery,
  symbolParam,
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
