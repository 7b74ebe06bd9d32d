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
import { stampedJson } from './logicVersion';
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
  /**
   * A keyed chain: the accumulator specs of the windows that read it, in descriptor order; each output
   * carries one one-record accumulator per window. Empty otherwise.
   */
  accumulators: readonly AccumulatorRuntime[];
}

interface Failure {
  step: string;
  reason: string;
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
        input = JSON.parse(raw);
      } catch (err) {
        failure = { step: firstStep, reason: `input is not valid JSON: ${(err as Error).message}` };
      }
    }
    const mark = outputs.length;
    if (!failure) {
      failure = runFrom(chain.steps, 0, input, record.key, {
        outputs,
        inputIndex: i,
        timestamp,
        origin: record.origin,
        logicVersion: chain.logicVersion,
        accumulators: chain.accumulators,
      });
    }
    if (failure) {
      outputs.length = mark;
      // The bytes as received: a value that is not UTF-8 is kept exactly (as base64), not as U+FFFD.
      rejections.push(rejection(i, failure, record.origin, record.value, timestamp));
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

function runFrom(
  steps: readonly RuntimeStep[],
  from: number,
  start: unknown,
  startKey: string,
  emit: Emitter,
): Failure | undefined {
  let value = start;
  let key = startKey;
  for (let s = from; s < steps.length; s++) {
    const step = steps[s]!;
    let result: unknown;
    try {
      result = step.fn(value);
    } catch (err) {
      return { step: step.name, reason: describeThrown(err) };
    }
    if (isRejected(result)) return { step: step.name, reason: result.reason };
    switch (step.kind) {
      case 'map':
        value = result;
        break;
      case 'filter':
        if (typeof result !== 'boolean')
          return { step: step.name, reason: `filter returned ${typeof result}, not boolean` };
        if (!result) return undefined;
        break;
      case 'keyBy':
        if (typeof result !== 'string')
          return { step: step.name, reason: `keyBy returned ${typeof result}, not string` };
        key = result;
        break;
      case 'flatMap': {
        if (!Array.isArray(result))
          return { step: step.name, reason: `flatMap returned ${typeof result}, not an array` };
        for (const item of result) {
          const failure = runFrom(steps, s + 1, item, key, emit);
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
    return { step: steps[steps.length - 1]!.name, reason: `output is not JSON: ${describeThrown(err)}` };
  }
  if (text === undefined) {
    return { step: steps[steps.length - 1]!.name, reason: 'output is not JSON (undefined or a function)' };
  }
  const output: WireRecord = { value: Buffer.from(text), key, timestamp: emit.timestamp, origin: emit.origin };
  if (emit.accumulators.length > 0) {
    const accumulators: WireAccumulator[] = [];
    for (const acc of emit.accumulators) {
      try {
        accumulators.push(oneRecordAccumulator(acc, value));
      } catch (err) {
        if (err instanceof AccumulatorError) return { step: acc.window, reason: err.message };
        throw err;
      }
    }
    output.accumulators = accumulators;
  }
  emit.outputs.push({ inputIndex: emit.inputIndex, record: output });
  return undefined;
}
