/**
 * The worker's per-record shortcuts give exactly what the plain versions they replace give
 * (docs/benchmarks.md, "Worker"): checked over many generated inputs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { textBytes } from '../src/runtime/accumulator';
import { isUtf8 } from '../src/runtime/deadLetter';

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

describe('textBytes', () => {
  it('gives the bytes Buffer.from gives, for ASCII, non-ASCII, lone surrogates, short and long texts', () => {
    const texts = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.string({ unit: 'grapheme-ascii', maxLength: 40 }),
      fc.double().map((n) => JSON.stringify(n)),
    );
    fc.assert(
      fc.property(texts, (text) => Buffer.from(textBytes(text)).equals(Buffer.from(text))),
      { numRuns: 50_000 },
    );
  });

  it('copies a JSON number and a JSON string to their UTF-8 bytes', () => {
    expect([...textBytes('187.25')]).toEqual([0x31, 0x38, 0x37, 0x2e, 0x32, 0x35]);
    expect([...textBytes('"é"')]).toEqual([0x22, 0xc3, 0xa9, 0x22]);
  });
});
