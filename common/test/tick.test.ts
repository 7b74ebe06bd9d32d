import { describe, expect, it } from 'vitest';
import { formatTickTs, parseTick, tickSchema } from '../src/tick';

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
