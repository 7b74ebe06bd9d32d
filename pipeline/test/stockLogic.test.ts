import { loadConfig } from '@ticker/common';
import { describe, expect, it } from 'vitest';
import { compile } from '../src/compiler/compile';
import { isRejected } from '../src/dsl';
import { runChain } from '../src/runtime/chain';
import { runFinish } from '../src/runtime/window';
import {
  buildStockPipeline,
  computeCandle,
  parseTickRecord,
  priceMoveAlerts,
  type TickRow,
  tickToRow,
} from '../src/stock';
import { fire, forward, readable } from './helpers';

const WINDOW_START = Date.UTC(2026, 10, 21, 9, 30, 0);
const window = { key: 'AAPL', start: WINDOW_START, end: WINDOW_START + 60_000 };

function row(id: string, price: number, volume: number, ts: string, ts_ms: number): TickRow {
  return { id, symbol: 'AAPL', price, volume, ts, ts_ms };
}

describe('tick -> row', () => {
  it('splits the ISO timestamp into DateTime text and milliseconds', () => {
    expect(tickToRow({ id: 't1', symbol: 'MSFT', price: 412.5, volume: 300, ts: '2026-11-21T09:30:07.045Z' })).toEqual({
      id: 't1',
      symbol: 'MSFT',
      price: 412.5,
      volume: 300,
      ts: '2026-11-21 09:30:07',
      ts_ms: 45,
    });
  });

  it('parses valid raw values and rejects invalid ones with the schema reason', () => {
    const meta = { key: 'AAPL', timestamp: 0, origin: 'stock-ticks/0/0' };
    const ok = parseTickRecord({
      ...meta,
      value: '{"id":"a","symbol":"AAPL","price":1,"volume":0,"ts":"2026-11-21T09:30:00.000Z"}',
    });
    expect(ok).toEqual({ id: 'a', symbol: 'AAPL', price: 1, volume: 0, ts: '2026-11-21T09:30:00.000Z' });
    const bad = parseTickRecord({
      ...meta,
      value: '{"id":"a","symbol":"AAPL","price":0,"volume":0,"ts":"2026-11-21T09:30:00.000Z"}',
    });
    expect(isRejected(bad) && bad.reason).toBe('price: price must be > 0');
  });
});

describe('candle', () => {
  // Hand-computed: event-time order is a (100), b (102), c (99), d (101); b and c share a timestamp,
  // so the id decides. open 100, close 101, high 102, low 99, volume 20,
  // VWAP = (100*10 + 102*5 + 99*5 + 101*0) / 20 = 2005 / 20 = 100.25.
  const a = row('a', 100, 10, '2026-11-21 09:30:05', 0);
  const b = row('b', 102, 5, '2026-11-21 09:30:10', 500);
  const c = row('c', 99, 5, '2026-11-21 09:30:10', 500);
  const d = row('d', 101, 0, '2026-11-21 09:30:59', 999);
  const expected = {
    symbol: 'AAPL',
    window_start: '2026-11-21 09:30:00',
    open: 100,
    high: 102,
    low: 99,
    close: 101,
    volume: 20,
    vwap: 100.25,
    ticks: 4,
  };

  it('computes open/high/low/close/volume/VWAP/ticks in event-time order', () => {
    expect(computeCandle([a, b, c, d], window)).toEqual(expected);
  });

  it('gives the same candle whatever the record order (ties broken by id)', () => {
    for (const order of [
      [d, c, b, a],
      [c, a, d, b],
      [b, d, a, c],
    ]) {
      expect(computeCandle(order, window)).toEqual(expected);
    }
    // Same timestamp for every tick: the lowest id opens, the highest closes.
    const x = row('x', 7, 1, '2026-11-21 09:30:01', 1);
    const y = row('y', 9, 1, '2026-11-21 09:30:01', 1);
    expect(computeCandle([y, x], window)).toMatchObject({ open: 7, close: 9 });
  });

  it('orders by milliseconds within a second', () => {
    const early = row('z', 50, 1, '2026-11-21 09:30:01', 5);
    const late = row('a', 60, 1, '2026-11-21 09:30:01', 40);
    expect(computeCandle([late, early], window)).toMatchObject({ open: 50, close: 60 });
  });

  it('falls back to the mean price when the window has no volume', () => {
    const candle = computeCandle(
      [row('p', 10, 0, '2026-11-21 09:30:01', 0), row('q', 20, 0, '2026-11-21 09:30:02', 0)],
      window,
    );
    expect(candle).toMatchObject({ volume: 0, vwap: 15, ticks: 2 });
  });

  it('refuses an empty window', () => {
    expect(() => computeCandle([], window)).toThrow('a candle needs at least one tick');
  });
});

describe('price-move alert', () => {
  const candle = {
    symbol: 'AAPL',
    window_start: '2026-11-21 09:30:00',
    open: 200,
    high: 203,
    low: 199,
    close: 201,
    volume: 1,
    vwap: 200,
    ticks: 3,
  };

  it('fires when |close - open| / open * 100 reaches the threshold, with direction', () => {
    expect(priceMoveAlerts(candle, 0.5)).toEqual([
      {
        symbol: 'AAPL',
        window_start: '2026-11-21 09:30:00',
        direction: 'up',
        move_pct: 0.5,
        open: 200,
        close: 201,
        threshold_pct: 0.5,
      },
    ]);
    expect(priceMoveAlerts({ ...candle, close: 198 }, 0.5)).toEqual([
      expect.objectContaining({ direction: 'down', move_pct: -1, threshold_pct: 0.5 }),
    ]);
  });

  it('stays quiet below the threshold', () => {
    expect(priceMoveAlerts({ ...candle, close: 200.9 }, 0.5)).toEqual([]);
    expect(priceMoveAlerts({ ...candle, close: 201 }, 0.6)).toEqual([]);
  });
});

describe('candle accumulator (what the window runs: chain -> Flink merge -> finish)', () => {
  const compiled = compile(buildStockPipeline(loadConfig({})));
  const node = compiled.descriptor.nodes.find((n) => n.name === 'candles-1m');
  const toRecord = (r: TickRow) => ({
    value: Buffer.from(JSON.stringify({ id: r.id, symbol: r.symbol, price: r.price, volume: r.volume, ts: isoOf(r) })),
    key: '',
    timestamp: 0,
    origin: `o/${r.id}`,
  });
  const isoOf = (r: TickRow) => `${r.ts.replace(' ', 'T')}.${String(r.ts_ms).padStart(3, '0')}Z`;
  const viaAccumulators = (rows: TickRow[]) => {
    if (node?.kind !== 'window') throw new Error('no candles-1m window');
    const keyed = runChain(compiled.chains.get('parse-tick')!, rows.map(toRecord));
    const fired = fire(forward(keyed), 0, node.accumulator, window);
    return readable(runFinish(compiled.windows.get('candles-1m')!, [fired])).outputs[0]!.value;
  };

  it("gives exactly computeCandle's candle, whatever order Flink merges in (ties broken by id, then ms)", () => {
    const ticks = [
      row('b', 102, 5, '2026-11-21 09:30:10', 500),
      row('a', 100, 10, '2026-11-21 09:30:05', 0),
      row('d', 101, 0, '2026-11-21 09:30:59', 999),
      row('c', 99, 5, '2026-11-21 09:30:10', 500),
      row('z', 50, 1, '2026-11-21 09:30:01', 5),
      row('y', 60, 1, '2026-11-21 09:30:01', 40),
    ];
    for (const order of [
      ticks,
      [...ticks].reverse(),
      [ticks[3]!, ticks[0]!, ticks[5]!, ticks[1]!, ticks[4]!, ticks[2]!],
    ]) {
      expect(viaAccumulators(order)).toEqual(computeCandle(ticks, window));
    }
    expect(
      viaAccumulators([row('q', 3, 0, '2026-11-21 09:30:02', 0), row('r', 5, 0, '2026-11-21 09:30:03', 0)]),
    ).toMatchObject({
      vwap: 4,
      volume: 0,
    });
  });
});
