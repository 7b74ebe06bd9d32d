// Original file: pipeline/proto/worker_status.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { StatusRequest as _ticker_workerstatus_v1_StatusRequest, StatusRequest__Output as _ticker_workerstatus_v1_StatusRequest__Output } from '../../../ticker/workerstatus/v1/StatusRequest';
import type { StatusResponse as _ticker_workerstatus_v1_StatusResponse, StatusResponse__Output as _ticker_workerstatus_v1_StatusResponse__Output } from '../../../ticker/workerstatus/v1/StatusResponse';

export interface WorkerStatusClient extends grpc.Client {
  Status(argument: _ticker_workerstatus_v1_StatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ticker_workerstatus_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  Status(argument: _ticker_workerstatus_v1_StatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_ticker_workerstatus_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  Status(argument: _ticker_workerstatus_v1_StatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_ticker_workerstatus_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  Status(argument: _ticker_workerstatus_v1_StatusRequest, callback: grpc.requestCallback<_ticker_workerstatus_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _ticker_workerstatus_v1_StatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ticker_workerstatus_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _ticker_workerstatus_v1_StatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_ticker_workerstatus_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _ticker_workerstatus_v1_StatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_ticker_workerstatus_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _ticker_workerstatus_v1_StatusRequest, callback: grpc.requestCallback<_ticker_workerstatus_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface WorkerStatusHandlers extends grpc.UntypedServiceImplementation {
  Status: grpc.handleUnaryCall<_ticker_workerstatus_v1_StatusRequest__Output, _ticker_workerstatus_v1_StatusResponse>;
  
}

export interface WorkerStatusDefinition extends grpc.ServiceDefinition {
  Status: MethodDefinition<_ticker_workerstatus_v1_StatusRequest, _ticker_workerstatus_v1_StatusResponse, _ticker_workerstatus_v1_StatusRequest__Output, _ticker_workerstatus_v1_StatusResponse__Output>
}
