/**
 * Accumulator specs: how a window aggregates without keeping its records. The keyed chain turns each
 * record into a one-record accumulator (in the same worker call, nothing combined across records);
 * Flink merges accumulators field by field in Java (O(1) state per window and key); a finish step turns
 * the fired window's accumulator into the output. Every field is one of six merges, enough for OHLC,
 * VWAP and counts: sum, count, min, max, and first/last by the spec's ordering key.
 */
import type { AccumulatorOp } from '../descriptor/schema';
import type { JsonSafe } from './json';

/** One component of an ordering key: compared numerically (numbers) or by UTF-16 code units (strings). */
export type OrderPart = number | string;
/** An ordering key, compared component by component (numbers sort before strings at one position). */
export type OrderKey = readonly OrderPart[];

/** One field of an accumulator spec over records of type T, finishing as a value of type V. */
export interface AccumulatorField<T, V> {
  readonly op: AccumulatorOp;
  /** The record's contribution (absent for count). */
  readonly of: ((record: T) => unknown) | undefined;
  /** Type-level only: what the field holds when the window fires. */
  readonly __finished?: V;
}

/** The six field kinds, typed by the record type T. */
export interface AccumulatorKit<T> {
  /** Sum of fn over the window's records. */
  sum(fn: (record: T) => number): AccumulatorField<T, number>;
  /** Number of records in the window. */
  count(): AccumulatorField<T, number>;
  /** Smallest fn over the window's records. */
  min(fn: (record: T) => number): AccumulatorField<T, number>;
  /** Largest fn over the window's records. */
  max(fn: (record: T) => number): AccumulatorField<T, number>;
  /** fn of the record that is first by the ordering key (JSON value). */
  first<V extends JsonSafe<V>>(fn: (record: T) => V): AccumulatorField<T, V>;
  /** fn of the record that is last by the ordering key (JSON value). */
  last<V extends JsonSafe<V>>(fn: (record: T) => V): AccumulatorField<T, V>;
}

/** The fields a finish step reads: each field's finished value. */
export type Accumulated<F> = { [K in keyof F]: F[K] extends AccumulatorField<never, infer V> ? V : never };

/** What `.accumulate()` takes: the fields, and the ordering key when first/last are used. */
export interface AccumulatorSpecInput<T, F> {
  /** Ordering key of a record, for first/last (e.g. event time, then id, so arrival order never decides). */
  order?: (record: T) => OrderKey;
  fields: (kit: AccumulatorKit<T>) => F;
}

/** One accumulator field, erased to unknown records. */
export interface AccumulatorFieldDefinition {
  name: string;
  op: AccumulatorOp;
  of: ((record: unknown) => unknown) | undefined;
}

/** A window's accumulator spec, erased to unknown records (the typed API guarantees the shapes). */
export interface AccumulatorDefinition {
  order: ((record: unknown) => OrderKey) | undefined;
  /** In definition order (the descriptor's `accumulator.fields`). */
  fields: AccumulatorFieldDefinition[];
}

/** The kit's implementation: the record type only matters to the compiler. */
export function accumulatorKit<T>(): AccumulatorKit<T> {
  const field = <V>(op: AccumulatorOp, of?: (record: T) => unknown): AccumulatorField<T, V> => ({ op, of });
  return {
    sum: (fn) => field('sum', fn),
    count: () => field('count'),
    min: (fn) => field('min', fn),
    max: (fn) => field('max', fn),
    first: (fn) => field('first', fn),
    last: (fn) => field('last', fn),
  };
}

/** True for ops whose accumulated value is a number (sent as numbers, not JSON). */
export function isNumericOp(op: AccumulatorOp): boolean {
  return op === 'sum' || op === 'count' || op === 'min' || op === 'max';
}

const NUMBER_TAG = 0x01;
const STRING_TAG = 0x02;

/**
 * Encodes an ordering key into bytes whose unsigned lexicographic order is the key's order, so Flink
 * compares keys without knowing their shape. A number: tag, then its IEEE-754 bits big-endian with the
 * sign bit flipped (all bits for negatives). A string: tag, then each UTF-16 code unit u, below 0x7F
 * as the one byte u + 1, else as [0x80, high, low], then 0x00. The code is prefix-free and keeps the
 * units' order, so a prefix sorts first and the order is JavaScript's `<` on strings; ASCII text
 * takes one byte a character.
 * Throws for NaN and for anything that is not a number or a string.
 */
export function encodeOrderKey(key: OrderKey): Buffer {
  if (!Array.isArray(key)) throw new TypeError(`ordering key is ${typeof key}, not an array`);
  let size = 0;
  for (const part of key) {
    if (typeof part !== 'string') {
      size += 9;
      continue;
    }
    size += 2;
    for (let i = 0; i < part.length; i++) size += part.charCodeAt(i) < 0x7f ? 1 : 3;
  }
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const part of key) {
    if (typeof part === 'number') {
      if (Number.isNaN(part)) throw new TypeError('ordering key has NaN, which has no order');
      out[at] = NUMBER_TAG;
      out.writeDoubleBE(part === 0 ? 0 : part, at + 1); // -0 and 0 are one key
      if (out[at + 1]! & 0x80) {
        for (let i = at + 1; i < at + 9; i++) out[i] = ~out[i]! & 0xff;
      } else {
        out[at + 1] = out[at + 1]! | 0x80;
      }
      at += 9;
    } else if (typeof part === 'string') {
      out[at++] = STRING_TAG;
      for (let i = 0; i < part.length; i++) {
        const unit = part.charCodeAt(i);
        if (unit < 0x7f) {
          out[at++] = unit + 1;
        } else {
          out[at] = 0x80;
          out[at + 1] = unit >> 8;
          out[at + 2] = unit & 0xff;
          at += 3;
        }
      }
      out[at++] = 0x00;
    } else {
      throw new TypeError(`ordering key part is ${typeof part}; use numbers and strings`);
    }
  }
  return out;
}
