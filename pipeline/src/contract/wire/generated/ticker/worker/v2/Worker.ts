// Original file: pipeline/proto/worker.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { DescribeRequest as _ticker_worker_v2_DescribeRequest, DescribeRequest__Output as _ticker_worker_v2_DescribeRequest__Output } from '../../../ticker/worker/v2/DescribeRequest';
import type { DescribeResponse as _ticker_worker_v2_DescribeResponse, DescribeResponse__Output as _ticker_worker_v2_DescribeResponse__Output } from '../../../ticker/worker/v2/DescribeResponse';
import type { ProcessRequest as _ticker_worker_v2_ProcessRequest, ProcessRequest__Output as _ticker_worker_v2_ProcessRequest__Output } from '../../../ticker/worker/v2/ProcessRequest';
import type { ProcessResponse as _ticker_worker_v2_ProcessResponse, ProcessResponse__Output as _ticker_worker_v2_ProcessResponse__Output } from '../../../ticker/worker/v2/ProcessResponse';

export interface WorkerClient extends grpc.Client {
  /**
   * The descriptor the worker was started with, so the bridge can check it runs the same pipeline.
   */
  Describe(argument: _ticker_worker_v2_DescribeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ticker_worker_v2_DescribeResponse__Output>): grpc.ClientUnaryCall;
  Describe(argument: _ticker_worker_v2_DescribeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_ticker_worker_v2_DescribeResponse__Output>): grpc.ClientUnaryCall;
  Describe(argument: _ticker_worker_v2_DescribeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_ticker_worker_v2_DescribeResponse__Output>): grpc.ClientUnaryCall;
  Describe(argument: _ticker_worker_v2_DescribeRequest, callback: grpc.requestCallback<_ticker_worker_v2_DescribeResponse__Output>): grpc.ClientUnaryCall;
  /**
   * The descriptor the worker was started with, so the bridge can check it runs the same pipeline.
   */
  describe(argument: _ticker_worker_v2_DescribeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ticker_worker_v2_DescribeResponse__Output>): grpc.ClientUnaryCall;
  describe(argument: _ticker_worker_v2_DescribeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_ticker_worker_v2_DescribeResponse__Output>): grpc.ClientUnaryCall;
  describe(argument: _ticker_worker_v2_DescribeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_ticker_worker_v2_DescribeResponse__Output>): grpc.ClientUnaryCall;
  describe(argument: _ticker_worker_v2_DescribeRequest, callback: grpc.requestCallback<_ticker_worker_v2_DescribeResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Runs one node of the descriptor over a batch: a chain, a window's finish, a window's late
   * records, or the dead letters of records the bridge refused for a node.
   */
  Process(argument: _ticker_worker_v2_ProcessRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ticker_worker_v2_ProcessResponse__Output>): grpc.ClientUnaryCall;
  Process(argument: _ticker_worker_v2_ProcessRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_ticker_worker_v2_ProcessResponse__Output>): grpc.ClientUnaryCall;
  Process(argument: _ticker_worker_v2_ProcessRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_ticker_worker_v2_ProcessResponse__Output>): grpc.ClientUnaryCall;
  Process(argument: _ticker_worker_v2_ProcessRequest, callback: grpc.requestCallback<_ticker_worker_v2_ProcessResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Runs one node of the descriptor over a batch: a chain, a window's finish, a window's late
   * records, or the dead letters of records the bridge refused for a node.
   */
  process(argument: _ticker_worker_v2_ProcessRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_ticker_worker_v2_ProcessResponse__Output>): grpc.ClientUnaryCall;
  process(argument: _ticker_worker_v2_ProcessRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_ticker_worker_v2_ProcessResponse__Output>): grpc.ClientUnaryCall;
  process(argument: _ticker_worker_v2_ProcessRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_ticker_worker_v2_ProcessResponse__Output>): grpc.ClientUnaryCall;
  process(argument: _ticker_worker_v2_ProcessRequest, callback: grpc.requestCallback<_ticker_worker_v2_ProcessResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface WorkerHandlers extends grpc.UntypedServiceImplementation {
  /**
   * The descriptor the worker was started with, so the bridge can check it runs the same pipeline.
   */
  Describe: grpc.handleUnaryCall<_ticker_worker_v2_DescribeRequest__Output, _ticker_worker_v2_DescribeResponse>;
  
  /**
   * Runs one node of the descriptor over a batch: a chain, a window's finish, a window's late
   * records, or the dead letters of records the bridge refused for a node.
   */
  Process: grpc.handleUnaryCall<_ticker_worker_v2_ProcessRequest__Output, _ticker_worker_v2_ProcessResponse>;
  
}

export interface WorkerDefinition extends grpc.ServiceDefinition {
  Describe: MethodDefinition<_ticker_worker_v2_DescribeRequest, _ticker_worker_v2_DescribeResponse, _ticker_worker_v2_DescribeRequest__Output, _ticker_worker_v2_DescribeResponse__Output>
  Process: MethodDefinition<_ticker_worker_v2_ProcessRequest, _ticker_worker_v2_ProcessResponse, _ticker_worker_v2_ProcessRequest__Output, _ticker_worker_v2_ProcessResponse__Output>
}
