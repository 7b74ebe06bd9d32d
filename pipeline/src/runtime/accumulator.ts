/**
 * The worker's side of accumulating windows: a keyed chain's output becomes one one-record
 * accumulator per window it feeds (no combining across records: Flink merges them), and a fired
 * window's merged accumulator becomes the fields object its finish step reads.
 */

import {
  type AccumulatorDefinition,
  type AccumulatorFieldDefinition,
  encodeOrderKey,
  isNumericOp,
} from '../contract/accumulator';
import { describeThrown } from '../contract/deadLetter';
import { bytesToText, type WireAccumulator } from './wire';

/** One window's accumulator spec, split the way the wire carries it. */
export interface AccumulatorRuntime {
  /** The window node the accumulator is for (named in reasons). */
  window: string;
  order: AccumulatorDefinition['order'];
  /** sum, count, min, max fields in spec order: Accumulator.numbers. */
  numeric: readonly AccumulatorFieldDefinition[];
  /** first, last fields in spec order: Accumulator.values (JSON). */
  valued: readonly AccumulatorFieldDefinition[];
}

/** Splits a window's spec into its numeric and JSON-valued fields. */
export function accumulatorRuntime(window: string, definition: AccumulatorDefinition): AccumulatorRuntime {
  return {
    window,
    order: definition.order,
    numeric: definition.fields.filter((f) => isNumericOp(f.op)),
    valued: definition.fields.filter((f) => !isNumericOp(f.op)),
  };
}

/** Why a record cannot become an accumulator (the chain rejects it with this reason). */
export class AccumulatorError extends Error {
  override readonly name = 'AccumulatorError';
}

/** The one-record accumulator of `value`; throws AccumulatorError naming the field that failed. */
export function oneRecordAccumulator(acc: AccumulatorRuntime, value: unknown): WireAccumulator {
  let order: Uint8Array = EMPTY;
  if (acc.order) {
    try {
      order = encodeOrderKey(acc.order(value));
    } catch (err) {
      throw new AccumulatorError(`ordering key of window ${acc.window}: ${describeThrown(err)}`);
    }
  }
  const numbers: number[] = new Array(acc.numeric.length);
  for (let i = 0; i < acc.numeric.length; i++) {
    const field = acc.numeric[i]!;
    if (field.op === 'count') {
      numbers[i] = 1;
      continue;
    }
    let n: unknown;
    try {
      n = field.of!(value);
    } catch (err) {
      throw new AccumulatorError(`${field.op} field "${field.name}" of window ${acc.window}: ${describeThrown(err)}`);
    }
    if (typeof n !== 'number' || !Number.isFinite(n)) {
      throw new AccumulatorError(
        `${field.op} field "${field.name}" of window ${acc.window} is ${String(n)}, not a finite number`,
      );
    }
    numbers[i] = n;
  }
  const values: Uint8Array[] = new Array(acc.valued.length);
  for (let i = 0; i < acc.valued.length; i++) {
    const field = acc.valued[i]!;
    let text: string | undefined;
    try {
      text = JSON.stringify(field.of!(value));
    } catch (err) {
      throw new AccumulatorError(`${field.op} field "${field.name}" of window ${acc.window}: ${describeThrown(err)}`);
    }
    if (text === undefined) {
      throw new AccumulatorError(`${field.op} field "${field.name}" of window ${acc.window} is not JSON (undefined)`);
    }
    values[i] = Buffer.from(text);
  }
  return { order, numbers, values, windowStart: 0, windowEnd: 0 };
}

/** The fields object a finish step reads, from a fired window's merged accumulator. */
export function accumulatedFields(acc: AccumulatorRuntime, wire: WireAccumulator): Record<string, unknown> {
  if (wire.numbers.length !== acc.numeric.length || wire.values.length !== acc.valued.length) {
    throw new AccumulatorError(
      `accumulator of window ${acc.window} has ${wire.numbers.length} numbers and ${wire.values.length} values, ` +
        `the spec ${acc.numeric.length} and ${acc.valued.length}`,
    );
  }
  const fields: Record<string, unknown> = {};
  for (let i = 0; i < acc.numeric.length; i++) fields[acc.numeric[i]!.name] = wire.numbers[i];
  for (let i = 0; i < acc.valued.length; i++) fields[acc.valued[i]!.name] = JSON.parse(bytesToText(wire.values[i]!));
  return fields;
}

const EMPTY = new Uint8Array(0);
