import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { StatusRequest as _ticker_workerstatus_v1_StatusRequest, StatusRequest__Output as _ticker_workerstatus_v1_StatusRequest__Output } from './ticker/workerstatus/v1/StatusRequest';
import type { StatusResponse as _ticker_workerstatus_v1_StatusResponse, StatusResponse__Output as _ticker_workerstatus_v1_StatusResponse__Output } from './ticker/workerstatus/v1/StatusResponse';
import type { WorkerStatusClient as _ticker_workerstatus_v1_WorkerStatusClient, WorkerStatusDefinition as _ticker_workerstatus_v1_WorkerStatusDefinition } from './ticker/workerstatus/v1/WorkerStatus';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  ticker: {
    workerstatus: {
      v1: {
        StatusRequest: MessageTypeDefinition<_ticker_workerstatus_v1_StatusRequest, _ticker_workerstatus_v1_StatusRequest__Output>
        StatusResponse: MessageTypeDefinition<_ticker_workerstatus_v1_StatusResponse, _ticker_workerstatus_v1_StatusResponse__Output>
        WorkerStatus: SubtypeConstructor<typeof grpc.Client, _ticker_workerstatus_v1_WorkerStatusClient> & { service: _ticker_workerstatus_v1_WorkerStatusDefinition }
      }
    }
  }
}

