// Original file: pipeline/proto/worker.proto

import type { Long } from '@grpc/proto-loader';

/**
 * Partial aggregate of a window node's accumulator spec (descriptor `accumulator.fields`).
 */
export interface Accumulator {
  /**
   * Byte-comparable ordering key of the record (one-record accumulators of a spec with first/last).
   */
  'order'?: (Buffer | Uint8Array | string);
  /**
   * One value per numeric field (sum, count, min, max), in spec order.
   */
  'numbers'?: (number | string)[];
  /**
   * One JSON value per first/last field, in spec order.
   */
  'values'?: (Buffer | Uint8Array | string)[];
  /**
   * FINISH inputs: the window's bounds, epoch milliseconds, start inclusive, end exclusive.
   */
  'windowStart'?: (number | string | Long);
  'windowEnd'?: (number | string | Long);
}

/**
 * Partial aggregate of a window node's accumulator spec (descriptor `accumulator.fields`).
 */
export interface Accumulator__Output {
  /**
   * Byte-comparable ordering key of the record (one-record accumulators of a spec with first/last).
   */
  'order': (Buffer);
  /**
   * One value per numeric field (sum, count, min, max), in spec order.
   */
  'numbers': (number)[];
  /**
   * One JSON value per first/last field, in spec order.
   */
  'values': (Buffer)[];
  /**
   * FINISH inputs: the window's bounds, epoch milliseconds, start inclusive, end exclusive.
   */
  'windowStart': (number);
  'windowEnd': (number);
}
