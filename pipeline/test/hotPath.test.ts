/**
 * The worker's per-record shortcuts give exactly what the plain versions they replace give
 * (docs/benchmarks.md, "Worker"): checked over many generated inputs.
 */

import { loadConfig } from '@ticker/common';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateTicks } from '../../producer/src/generator';
import { compile } from '../src/compiler/compile';
import { isUtf8 } from '../src/contract/deadLetter';
import { runChain } from '../src/runtime/chain';
import { buildStockPipeline } from '../src/stock';
import { loadWorkerProto, processResponseSerializer } from '../src/worker/server';

/** The reference: a fatal TextDecoder throws on anything that is not well-formed UTF-8. */
function decodes(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Byte patterns near the edges of UTF-8: overlongs, surrogates, beyond U+10FFFF, cut sequences. */
const edgy = fc
  .array(
    fc.constantFrom(
      0x00,
      0x41,
      0x7f,
      0x80,
      0xbf,
      0xc0,
      0xc1,
      0xc2,
      0xdf,
      0xe0,
      0xed,
      0xef,
      0xf0,
      0xf4,
      0xf5,
      0xff,
      0xa0,
      0x9f,
      0x90,
      0x8f,
    ),
    { maxLength: 12 },
  )
  .map((a) => Uint8Array.from(a));

describe('isUtf8', () => {
  it('agrees with a fatal TextDecoder on random bytes, edge patterns and encoded text', () => {
    const encoded = fc.string({ unit: 'binary', maxLength: 40 }).map((s) => new Uint8Array(Buffer.from(s)));
    fc.assert(
      fc.property(
        fc.oneof(fc.uint8Array({ maxLength: 40 }), edgy, encoded),
        (bytes) => isUtf8(bytes) === decodes(bytes),
      ),
      { numRuns: 100_000 },
    );
  });

  it('refuses an overlong, a surrogate and a code point beyond U+10FFFF, accepts a BOM and an emoji', () => {
    const cases: [number[], boolean][] = [
      [[0xc0, 0xaf], false],
      [[0xed, 0xa0, 0x80], false],
      [[0xf4, 0x90, 0x80, 0x80], false],
      [[0xe2, 0x82], false],
      [[0xef, 0xbb, 0xbf, 0x41], true],
      [[0xf0, 0x9f, 0x98, 0x80], true],
    ];
    for (const [bytes, expected] of cases) expect([bytes, isUtf8(Uint8Array.from(bytes))]).toEqual([bytes, expected]);
  });
});

describe('processResponseSerializer', () => {
  const reference = loadWorkerProto().service.Process!.responseSerialize;
  const encode = processResponseSerializer();
  const bytes = fc.uint8Array({ maxLength: 24 }).map((b) => Buffer.from(b));
  const text = fc.string({ unit: 'binary', maxLength: 60 });
  const int64 = fc.oneof(fc.integer(), fc.constantFrom(-1, 0, Date.UTC(2026, 10, 21), Number.MAX_SAFE_INTEGER));
  const accumulator = fc.record({
    order: bytes,
    numbers: fc.array(fc.double(), { maxLength: 6 }),
    values: fc.array(bytes, { maxLength: 3 }),
    windowStart: int64,
    windowEnd: int64,
  });
  const record = fc.record(
    { value: bytes, key: text, timestamp: int64, origin: text, accumulators: fc.array(accumulator, { maxLength: 2 }) },
    { requiredKeys: ['value', 'key', 'timestamp', 'origin'] },
  );
  const index = fc.integer({ min: -1, max: 100_000 });
  const result = fc.record({
    outputs: fc.array(fc.record({ inputIndex: index, record }), { maxLength: 5 }),
    rejections: fc.array(fc.record({ inputIndex: index, step: text, reason: text, deadLetter: bytes }), {
      maxLength: 3,
    }),
  });

  it("gives proto-loader's bytes for any batch result", () => {
    fc.assert(
      fc.property(result, (r) => encode(r).equals(reference(r))),
      { numRuns: 20_000 },
    );
  });

  it("gives proto-loader's bytes for the stock chain's real outputs and rejections", () => {
    const chain = compile(buildStockPipeline(loadConfig({})), { logicVersion: 'v1' }).chains.get('parse-tick')!;
    const records = [...generateTicks({ seed: 3, count: 500, badRatio: 0.05 })].map((r) => ({
      value: Buffer.from(r.value),
      key: r.key,
      timestamp: r.timestampMs,
      origin: `stock-ticks/0/${r.sequence}`,
    }));
    const batch = runChain(chain, records);
    expect([batch.outputs.length > 400, batch.rejections.length > 5]).toEqual([true, true]);
    expect(encode(batch).equals(reference(batch))).toBe(true);
  });
});
