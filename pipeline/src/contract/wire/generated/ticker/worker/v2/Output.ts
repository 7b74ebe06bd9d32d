// Original file: pipeline/proto/worker.proto

import type { Record as _ticker_worker_v2_Record, Record__Output as _ticker_worker_v2_Record__Output } from '../../../ticker/worker/v2/Record';

/**
 * A record produced from input record `input_index` of the request. A flatMap may
 * produce several outputs per input, a filter none. Outputs are in input order.
 */
export interface Output {
  'inputIndex'?: (number);
  'record'?: (_ticker_worker_v2_Record | null);
}

/**
 * A record produced from input record `input_index` of the request. A flatMap may
 * produce several outputs per input, a filter none. Outputs are in input order.
 */
export interface Output__Output {
  'inputIndex': (number);
  'record': (_ticker_worker_v2_Record__Output | null);
}
