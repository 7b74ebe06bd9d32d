/**
 * runtime/jsonSafety.ts: what a step may hand on. The expected values are what JSON.stringify and
 * JSON.parse do (ECMA-262), written out here, and the reasons the dead-letter rows carry.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../src/compiler/compile';
import { kafkaSource, kafkaTime, kafkaTopic, pipeline, tumbling } from '../src/dsl';
import { runChain } from '../src/runtime/chain';
import { JsonProblem, jsonOutput } from '../src/runtime/jsonSafety';
import { runFinish } from '../src/runtime/window';
import { fire, readable, rec } from './helpers';

const T = Date.UTC(2026, 10, 21, 12, 0, 0);

/** The problem's reason for a step called `s`, or the value when there is none. */
function check(value: unknown, index?: number): unknown {
  const out = jsonOutput(value, index);
  return out instanceof JsonProblem ? out.reason('s') : out;
}

describe('jsonOutput', () => {
  it('hands a plain JSON value on as the same object (no copy on the common path)', () => {
    const row = { id: 't1', symbol: 'AAPL', price: 190.25, volume: 300, ts: '2026-01-05 14:30:00', ts_ms: 0 };
    expect(jsonOutput(row)).toBe(row);
    const nested = { a: [1, 'x', true, null, { b: [] }], c: {} };
    expect(jsonOutput(nested)).toBe(nested);
    expect([check('x'), check(0), check(false), check(null)]).toEqual(['x', 0, false, null]);
  });

  it('refuses numbers JSON writes as null, naming the path', () => {
    expect(check({ price: Number.NaN })).toBe('step s output $.price is NaN');
    expect(check({ legs: [{ px: 1 }, { px: Number.POSITIVE_INFINITY }] })).toBe(
      'step s output $.legs[1].px is Infinity',
    );
    expect(check(Number.NEGATIVE_INFINITY)).toBe('step s output $ is -Infinity');
    expect(check({ 'odd key': { 'x-1': [Number.NaN] } })).toBe('step s output $["odd key"]["x-1"][0] is NaN');
    expect(check({ p: Number.NaN }, 3)).toBe('step s output $[3].p is NaN');
  });

  it('refuses what JSON would turn into something else or cannot write', () => {
    expect(check({ at: new Date(0) })).toBe('step s output $.at is a Date, not a plain object or array');
    expect(check(new Map())).toBe('step s output $ is a Map, not a plain object or array');
    expect(check([new Set([1])])).toBe('step s output $[0] is a Set, not a plain object or array');
    class Quote {
      price = 1;
    }
    expect(check({ q: new Quote() })).toBe('step s output $.q is a Quote, not a plain object or array');
    expect(check({ f: () => 1 })).toBe('step s output $.f is a function, not JSON');
    expect(check({ n: 1n })).toBe('step s output $.n is a bigint, not JSON');
    expect(check({ s: Symbol('x') })).toBe('step s output $.s is a symbol, not JSON');
    expect(check(undefined)).toBe('step s output $ is undefined, not JSON');
    expect(check(undefined, 2)).toBe('step s output $[2] is undefined, not JSON');
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = cycle;
    expect(check(cycle)).toMatch(/^step s output \$(\.self)+ is nested more than 512 levels deep \(a cycle\?\)$/);
  });

  it('changes what JSON changes, exactly as a round trip would, and leaves the input alone', () => {
    const input = { a: 1, gone: undefined, z: -0, list: [1, undefined, 3], deep: { x: undefined, y: [-0] } };
    const out = jsonOutput(input);
    expect(out).not.toBe(input);
    expect(JSON.stringify(Object.keys(out as object))).toBe('["a","z","list","deep"]');
    expect(out).toEqual({ a: 1, z: 0, list: [1, null, 3], deep: { y: [0] } });
    expect(Object.is((out as { z: number }).z, 0)).toBe(true);
    expect(Object.keys(input)).toContain('gone');
    // A hole reads as undefined and JSON writes null for it.
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point
    expect(jsonOutput([1, , 3])).toEqual([1, null, 3]);
    const bare = Object.assign(Object.create(null) as object, { a: 1 });
    expect(Object.getPrototypeOf(jsonOutput(bare))).toBe(Object.prototype);
  });
});

describe('the chain and the finish step refuse at the step that produced the value', () => {
  function build() {
    const p = pipeline('json-safety');
    const rows = p
      .source(
        kafkaSource({
          name: 'src',
          topic: 'in',
          watermark: { maxOutOfOrdernessMs: 0, idlenessMs: 1 },
          eventTime: kafkaTime(),
        }),
      )
      .map('tick-to-row', (r) => ({ symbol: r.key, price: Number(r.value) }))
      .map('double', (row) => ({ ...row, price: row.price * 2 }));
    rows.sink('out', kafkaTopic('out'));
    rows
      .keyBy('by-symbol', (row) => row.symbol)
      .window('avg', tumbling(1000))
      .accumulate({ fields: (f) => ({ n: f.count(), total: f.sum((row) => row.price) }) })
      .finish((acc, w) => ({ symbol: w.key, zeroRate: acc.total / (acc.total - acc.total) }))
      .sink('avgs', kafkaTopic('avgs'));
    p.deadLetter('dlq', [kafkaTopic('dead')]);
    return compile(p);
  }

  it('names the step and the path, and keeps the raw Kafka value of the chain input', () => {
    const compiled = build();
    const chain = compiled.chains.get('tick-to-row')!;
    expect(chain.steps.map((s) => s.name)).toEqual(['tick-to-row', 'double']);
    const result = readable(runChain(chain, [rec('12.5', 'AAPL', T, 'in/0/1'), rec('oops', 'AAPL', T, 'in/0/2')]));
    expect(result.outputs.map((o) => o.value)).toEqual([{ symbol: 'AAPL', price: 25 }]);
    expect(result.rejections.map((r) => [r.inputIndex, r.step, r.reason])).toEqual([
      [1, 'tick-to-row', 'step tick-to-row output $.price is NaN'],
    ]);
    expect((result.rejections[0]!.deadLetter as { raw: string }).raw).toBe('oops');
  });

  it('refuses a finish output holding Infinity, naming the window', () => {
    const compiled = build();
    const chained = runChain(compiled.chains.get('by-symbol')!, [
      rec('{"symbol":"AAPL","price":2}', 'AAPL', T, 'x/0/1'),
    ]);
    const fired = fire(
      chained.outputs.map((o) => o.record),
      0,
      compiled.descriptor.nodes.find((n) => n.kind === 'window')!.accumulator,
      { key: 'AAPL', start: T, end: T + 1000 },
    );
    const result = readable(runFinish(compiled.windows.get('avg')!, [fired]));
    expect(result.outputs).toEqual([]);
    expect(result.rejections.map((r) => [r.step, r.reason])).toEqual([
      ['avg', 'step avg output $.zeroRate is Infinity'],
    ]);
  });
});
