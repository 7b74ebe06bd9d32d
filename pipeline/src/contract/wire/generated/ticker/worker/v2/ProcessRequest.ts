// Original file: pipeline/proto/worker.proto

import type { CallKind as _ticker_worker_v2_CallKind, CallKind__Output as _ticker_worker_v2_CallKind__Output } from '../../../ticker/worker/v2/CallKind';
import type { Record as _ticker_worker_v2_Record, Record__Output as _ticker_worker_v2_Record__Output } from '../../../ticker/worker/v2/Record';

export interface ProcessRequest {
  /**
   * Name of the chain or window node in the descriptor.
   */
  'node'?: (string);
  'kind'?: (_ticker_worker_v2_CallKind);
  'records'?: (_ticker_worker_v2_Record)[];
}

export interface ProcessRequest__Output {
  /**
   * Name of the chain or window node in the descriptor.
   */
  'node': (string);
  'kind': (_ticker_worker_v2_CallKind__Output);
  'records': (_ticker_worker_v2_Record__Output)[];
}
