import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { Accumulator as _ticker_worker_v2_Accumulator, Accumulator__Output as _ticker_worker_v2_Accumulator__Output } from './ticker/worker/v2/Accumulator';
import type { DescribeRequest as _ticker_worker_v2_DescribeRequest, DescribeRequest__Output as _ticker_worker_v2_DescribeRequest__Output } from './ticker/worker/v2/DescribeRequest';
import type { DescribeResponse as _ticker_worker_v2_DescribeResponse, DescribeResponse__Output as _ticker_worker_v2_DescribeResponse__Output } from './ticker/worker/v2/DescribeResponse';
import type { Output as _ticker_worker_v2_Output, Output__Output as _ticker_worker_v2_Output__Output } from './ticker/worker/v2/Output';
import type { Prefix as _ticker_worker_v2_Prefix, Prefix__Output as _ticker_worker_v2_Prefix__Output } from './ticker/worker/v2/Prefix';
import type { ProcessRequest as _ticker_worker_v2_ProcessRequest, ProcessRequest__Output as _ticker_worker_v2_ProcessRequest__Output } from './ticker/worker/v2/ProcessRequest';
import type { ProcessResponse as _ticker_worker_v2_ProcessResponse, ProcessResponse__Output as _ticker_worker_v2_ProcessResponse__Output } from './ticker/worker/v2/ProcessResponse';
import type { Record as _ticker_worker_v2_Record, Record__Output as _ticker_worker_v2_Record__Output } from './ticker/worker/v2/Record';
import type { Refusal as _ticker_worker_v2_Refusal, Refusal__Output as _ticker_worker_v2_Refusal__Output } from './ticker/worker/v2/Refusal';
import type { Rejection as _ticker_worker_v2_Rejection, Rejection__Output as _ticker_worker_v2_Rejection__Output } from './ticker/worker/v2/Rejection';
import type { WorkerClient as _ticker_worker_v2_WorkerClient, WorkerDefinition as _ticker_worker_v2_WorkerDefinition } from './ticker/worker/v2/Worker';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  ticker: {
    worker: {
      v2: {
        Accumulator: MessageTypeDefinition<_ticker_worker_v2_Accumulator, _ticker_worker_v2_Accumulator__Output>
        CallKind: EnumTypeDefinition
        DescribeRequest: MessageTypeDefinition<_ticker_worker_v2_DescribeRequest, _ticker_worker_v2_DescribeRequest__Output>
        DescribeResponse: MessageTypeDefinition<_ticker_worker_v2_DescribeResponse, _ticker_worker_v2_DescribeResponse__Output>
        Output: MessageTypeDefinition<_ticker_worker_v2_Output, _ticker_worker_v2_Output__Output>
        Prefix: MessageTypeDefinition<_ticker_worker_v2_Prefix, _ticker_worker_v2_Prefix__Output>
        ProcessRequest: MessageTypeDefinition<_ticker_worker_v2_ProcessRequest, _ticker_worker_v2_ProcessRequest__Output>
        ProcessResponse: MessageTypeDefinition<_ticker_worker_v2_ProcessResponse, _ticker_worker_v2_ProcessResponse__Output>
        Record: MessageTypeDefinition<_ticker_worker_v2_Record, _ticker_worker_v2_Record__Output>
        Refusal: MessageTypeDefinition<_ticker_worker_v2_Refusal, _ticker_worker_v2_Refusal__Output>
        Rejection: MessageTypeDefinition<_ticker_worker_v2_Rejection, _ticker_worker_v2_Rejection__Output>
        Worker: SubtypeConstructor<typeof grpc.Client, _ticker_worker_v2_WorkerClient> & { service: _ticker_worker_v2_WorkerDefinition }
      }
    }
  }
}

