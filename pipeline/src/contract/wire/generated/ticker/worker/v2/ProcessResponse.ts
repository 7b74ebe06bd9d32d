// Original file: pipeline/proto/worker.proto

import type { Output as _ticker_worker_v2_Output, Output__Output as _ticker_worker_v2_Output__Output } from '../../../ticker/worker/v2/Output';
import type { Rejection as _ticker_worker_v2_Rejection, Rejection__Output as _ticker_worker_v2_Rejection__Output } from '../../../ticker/worker/v2/Rejection';

export interface ProcessResponse {
  'outputs'?: (_ticker_worker_v2_Output)[];
  'rejections'?: (_ticker_worker_v2_Rejection)[];
}

export interface ProcessResponse__Output {
  'outputs': (_ticker_worker_v2_Output__Output)[];
  'rejections': (_ticker_worker_v2_Rejection__Output)[];
}
