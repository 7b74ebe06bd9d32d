/**
 * Runs one fused chain of stateless steps over a batch. Each input record is atomic: if any step
 * rejects it (or anything derived from it by a flatMap), its outputs are dropped and one Rejection
 * with a dead-letter row is returned instead. Nothing here throws for bad input.
 */

import { deadLetterRow, describeThrown, isUtf8 } from '../contract/deadLetter';
import type { SourceRecord } from '../contract/records';
import { isRejected } from '../contract/reject';
import type { StepKind } from '../descriptor/schema';
import { AccumulatorError, type AccumulatorRuntime, oneRecordAccumulator } from './accumulator';
import { JsonProblem, jsonOutput } from './jsonSafety';
import { stampedJson, withoutStamp } from './logicVersion';
import {
  type BatchResult,
  bytesToText,
  type WireAccumulator,
  type WireOutput,
  type WireRecord,
  type WireRejection,
} from './wire';

export interface RuntimeStep {
  name: string;
  kind: StepKind;
  fn: (value: unknown) => unknown;
}

/** What the worker executes for one chain node of the descriptor. */
export interface ChainRuntime {
  name: string;
  steps: readonly RuntimeStep[];
  /** The chain reads the source: its first step gets a SourceRecord with the raw text, not parsed JSON. */
  fromSource: boolean;
  /** Set when the chain feeds a sink: every object output gets `logic_version` (see stampedJson). */
  logicVersion?: string;
  /** Set when the chain reads stamped outputs: the steps get them without `logic_version`. */
  stampedInput?: boolean;
  /**
   * A keyed chain: the accumulator specs of the windows that read it, in descriptor order; each output
   * carries one one-record accumulator per window. Empty otherwise.
   */
  accumulators: readonly AccumulatorRuntime[];
}

interface Failure {
  step: string;
  reason: string;
  /**
   * The refused value as JSON when it is not the chain's input (a fused step's input, or a keyed
   * chain's output): what the same step would have received as its input without fusion.
   */
  raw?: string;
}

/** Where one input's outputs go while its steps run. */
interface Emitter {
  outputs: WireOutput[];
  inputIndex: number;
  timestamp: number;
  origin: string;
  logicVersion: string | undefined;
  accumulators: readonly AccumulatorRuntime[];
}

/** Why a source value that is not UTF-8 is refused before any step sees it (JSON text is UTF-8, RFC 8259). */
export const NOT_UTF8 = 'not UTF-8: the value is not valid UTF-8 text';

/** Runs the chain over every record of the batch. */
export function runChain(chain: ChainRuntime, records: readonly WireRecord[]): BatchResult {
  const outputs: WireOutput[] = [];
  const rejections: WireRejection[] = [];
  const firstStep = chain.steps[0]!.name;
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    const timestamp = Number(record.timestamp);
    const raw = bytesToText(record.value);
    let input: unknown;
    let failure: Failure | undefined;
    if (chain.fromSource && !isUtf8(record.value)) {
      // Decoding would turn the bad bytes into U+FFFD and could make a valid-looking tick of them.
      failure = { step: firstStep, reason: NOT_UTF8 };
    } else if (chain.fromSource) {
      const source: SourceRecord = { value: raw, key: record.key, timestamp, origin: record.origin };
      input = source;
    } else {
      try {
        input = chain.stampedInput ? withoutStamp(JSON.parse(raw)) : JSON.parse(raw);
      } catch (err) {
        failure = { step: firstStep, reason: `input is not valid JSON: ${(err as Error).message}` };
      }
    }
    const mark = outputs.length;
    if (!failure) {
      failure = runFrom(
        chain.steps,
        0,
        input,
        record.key,
        {
          outputs,
          inputIndex: i,
          timestamp,
          origin: record.origin,
          logicVersion: chain.logicVersion,
          accumulators: chain.accumulators,
        },
        // Without its stamp the input is no longer the bytes received: a dead letter gets its JSON.
        chain.stampedInput === true,
      );
    }
    if (failure) {
      outputs.length = mark;
      // The bytes as received: a value that is not UTF-8 is kept exactly (as base64), not as U+FFFD.
      rejections.push(rejection(i, failure, record.origin, failure.raw ?? record.value, timestamp));
    }
  }
  return { outputs, rejections };
}

/** A Rejection with its dead-letter row. */
export function rejection(
  inputIndex: number,
  failure: Failure,
  origin: string,
  raw: Uint8Array | string,
  timestamp: number,
): WireRejection {
  const row = deadLetterRow(origin, failure.step, failure.reason, raw, timestamp);
  return {
    inputIndex,
    step: failure.step,
    reason: failure.reason,
    deadLetter: Buffer.from(JSON.stringify(row)),
  };
}

/** A failure of `step` on `value`; `derived` = value is not the chain's input (see Failure.raw). */
function failed(step: string, reason: string, value: unknown, derived: boolean): Failure {
  if (!derived) return { step, reason };
  let raw: string | undefined;
  try {
    raw = JSON.stringify(value);
  } catch {
    // A step mutated its input into something JSON cannot hold; the reason still says what happened.
  }
  return raw === undefined ? { step, reason } : { step, reason, raw };
}

function runFrom(
  steps: readonly RuntimeStep[],
  from: number,
  start: unknown,
  startKey: string,
  emit: Emitter,
  derived = false,
): Failure | undefined {
  let value = start;
  let key = startKey;
  for (let s = from; s < steps.length; s++) {
    const step = steps[s]!;
    let result: unknown;
    try {
      result = step.fn(value);
    } catch (err) {
      return failed(step.name, describeThrown(err), value, derived);
    }
    if (isRejected(result)) return failed(step.name, result.reason, value, derived);
    switch (step.kind) {
      case 'map': {
        const output = jsonOutput(result);
        if (output instanceof JsonProblem) return failed(step.name, output.reason(step.name), value, derived);
        value = output;
        derived = true;
        break;
      }
      case 'filter':
        if (typeof result !== 'boolean')
          return failed(step.name, `filter returned ${typeof result}, not boolean`, value, derived);
        if (!result) return undefined;
        break;
      case 'keyBy':
        if (typeof result !== 'string')
          return failed(step.name, `keyBy returned ${typeof result}, not string`, value, derived);
        key = result;
        break;
      case 'flatMap': {
        if (!Array.isArray(result))
          return failed(step.name, `flatMap returned ${typeof result}, not an array`, value, derived);
        // Every item is checked before any runs on, as if the items crossed the wire together.
        const items: unknown[] = new Array(result.length);
        for (let i = 0; i < result.length; i++) {
          const item = jsonOutput(result[i], i);
          if (item instanceof JsonProblem) return failed(step.name, item.reason(step.name), value, derived);
          items[i] = item;
        }
        for (const item of items) {
          const failure = runFrom(steps, s + 1, item, key, emit, true);
          if (failure) return failure;
        }
        return undefined;
      }
    }
  }
  let text: string | undefined;
  try {
    text = stampedJson(value, emit.logicVersion);
  } catch (err) {
    return failed(steps[steps.length - 1]!.name, `output is not JSON: ${describeThrown(err)}`, value, derived);
  }
  if (text === undefined) {
    return failed(steps[steps.length - 1]!.name, 'output is not JSON (undefined or a function)', value, derived);
  }
  const output: WireRecord = { value: Buffer.from(text), key, timestamp: emit.timestamp, origin: emit.origin };
  if (emit.accumulators.length > 0) {
    const accumulators: WireAccumulator[] = [];
    for (const acc of emit.accumulators) {
      try {
        accumulators.push(oneRecordAccumulator(acc, value));
      } catch (err) {
        if (err instanceof AccumulatorError) return failed(acc.window, err.message, value, derived);
        throw err;
      }
    }
    output.accumulators = accumulators;
  }
  emit.outputs.push({ inputIndex: emit.inputIndex, record: output });
  return undefined;
}
