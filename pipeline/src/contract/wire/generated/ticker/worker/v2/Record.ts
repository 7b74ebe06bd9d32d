// Original file: pipeline/proto/worker.proto

import type { Accumulator as _ticker_worker_v2_Accumulator, Accumulator__Output as _ticker_worker_v2_Accumulator__Output } from '../../../ticker/worker/v2/Accumulator';
import type { Refusal as _ticker_worker_v2_Refusal, Refusal__Output as _ticker_worker_v2_Refusal__Output } from '../../../ticker/worker/v2/Refusal';
import type { Long } from '@grpc/proto-loader';

/**
 * One record as it travels through the bridge. value is UTF-8 JSON except at the
 * source, where it is the raw Kafka value (which may be malformed).
 */
export interface Record {
  'value'?: (Buffer | Uint8Array | string);
  /**
   * Partitioning key: the Kafka key at the source, the keyBy result after a keyBy step, the
   * window's key for a fired window.
   */
  'key'?: (string);
  /**
   * Event time, epoch milliseconds.
   */
  'timestamp'?: (number | string | Long);
  /**
   * Where the record came from, e.g. "stock-ticks/3/1042" (topic/partition/offset); kept on
   * every derived record so a dead letter can say what it was.
   */
  'origin'?: (string);
  /**
   * Outputs of a keyed chain: one one-record accumulator per window node that reads the chain, in
   * descriptor order. FINISH inputs: exactly one, the fired window's merged accumulator.
   */
  'accumulators'?: (_ticker_worker_v2_Accumulator)[];
  /**
   * REJECT inputs (required there, unset elsewhere): why the bridge refused the record.
   */
  'refusal'?: (_ticker_worker_v2_Refusal | null);
}

/**
 * One record as it travels through the bridge. value is UTF-8 JSON except at the
 * source, where it is the raw Kafka value (which may be malformed).
 */
export interface Record__Output {
  'value': (Buffer);
  /**
   * Partitioning key: the Kafka key at the source, the keyBy result after a keyBy step, the
   * window's key for a fired window.
   */
  'key': (string);
  /**
   * Event time, epoch milliseconds.
   */
  'timestamp': (number);
  /**
   * Where the record came from, e.g. "stock-ticks/3/1042" (topic/partition/offset); kept on
   * every derived record so a dead letter can say what it was.
   */
  'origin': (string);
  /**
   * Outputs of a keyed chain: one one-record accumulator per window node that reads the chain, in
   * descriptor order. FINISH inputs: exactly one, the fired window's merged accumulator.
   */
  'accumulators': (_ticker_worker_v2_Accumulator__Output)[];
  /**
   * REJECT inputs (required there, unset elsewhere): why the bridge refused the record.
   */
  'refusal': (_ticker_worker_v2_Refusal__Output | null);
}
