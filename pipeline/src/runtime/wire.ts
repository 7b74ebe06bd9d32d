/**
 * worker.proto's messages as the runtime reads and builds them. Field names and types come from the
 * types generated from the .proto (../contract/wire/generated, `npm run proto:types`); the runtime only narrows
 * or widens them where it knows more than the wire: bytes may be any Uint8Array (tests build them),
 * a record may leave out its accumulators and refusal (most calls have neither), an output always has
 * its record. A field added to a message shows up here, or fails the typecheck where it is not filled.
 */
import type { Accumulator__Output } from '../contract/wire/generated/ticker/worker/v2/Accumulator';
import type { CallKind__Output } from '../contract/wire/generated/ticker/worker/v2/CallKind';
import type { Output__Output } from '../contract/wire/generated/ticker/worker/v2/Output';
import type { Prefix__Output } from '../contract/wire/generated/ticker/worker/v2/Prefix';
import type { ProcessResponse__Output } from '../contract/wire/generated/ticker/worker/v2/ProcessResponse';
import type { Record__Output } from '../contract/wire/generated/ticker/worker/v2/Record';
import type { Refusal__Output } from '../contract/wire/generated/ticker/worker/v2/Refusal';
import type { Rejection__Output } from '../contract/wire/generated/ticker/worker/v2/Rejection';

/** A decoded message with its bytes fields (Buffer from proto-loader) accepted as any Uint8Array. */
type AnyBytes<T> = {
  [K in keyof T]: T[K] extends Buffer ? Uint8Array : T[K] extends Buffer[] ? Uint8Array[] : T[K];
};

/** worker.proto Accumulator: one window's partial aggregate (ordering key, numbers, JSON values, bounds). */
export type WireAccumulator = AnyBytes<Accumulator__Output>;

/** worker.proto Prefix: the whole input behind a refused value cut short (length, SHA-256, UTF-8 or not). */
export type WirePrefix = AnyBytes<Prefix__Output>;

/** worker.proto Refusal: why the bridge refused a record before any worker step. */
export type WireRefusal = Omit<Refusal__Output, 'prefix'> & { prefix?: WirePrefix | null };

/**
 * worker.proto Record; `timestamp` is event time in epoch ms, `accumulators` one per window a keyed
 * chain feeds (a FINISH input's merged one), `refusal` set on REJECT inputs only.
 */
export type WireRecord = Omit<AnyBytes<Record__Output>, 'accumulators' | 'refusal'> & {
  accumulators?: WireAccumulator[];
  refusal?: WireRefusal | null;
};

/** worker.proto CallKind. */
export type CallKind = CallKind__Output;

/** worker.proto Output: a record made from input `inputIndex`. */
export type WireOutput = Omit<Output__Output, 'record'> & { record: WireRecord };

/** worker.proto Rejection: an input refused, with its dead-letter row JSON (see DeadLetterRow in dsl/types.ts). */
export type WireRejection = AnyBytes<Rejection__Output>;

/** What Process answers (worker.proto ProcessResponse). */
export type BatchResult = Omit<ProcessResponse__Output, 'outputs' | 'rejections'> & {
  outputs: WireOutput[];
  rejections: WireRejection[];
};

/** UTF-8 text of a bytes field (proto-loader gives Buffers; plain Uint8Arrays are accepted too). */
export function bytesToText(bytes: Uint8Array): string {
  if (Buffer.isBuffer(bytes)) return bytes.toString('utf8');
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}
