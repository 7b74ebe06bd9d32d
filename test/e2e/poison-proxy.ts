/**
 * A gRPC stand-in between the bridge and the real worker that answers INTERNAL for any Process
 * chain call holding a chosen record — a worker bug on one input, the same on every attempt — and
 * forwards everything else. Used by the poison scenario (bounded.e2e.test.ts).
 */
import {
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type ServiceError,
  type sendUnaryData,
  status,
} from '@grpc/grpc-js';
import type { BatchResult, WireRecord } from '../../pipeline/src/runtime/wire';
import { createWorkerClient } from '../../pipeline/src/worker/client';
import { loadWorkerProto, MAX_MESSAGE_BYTES, type ProcessRequest } from '../../pipeline/src/worker/server';

export interface PoisonProxy {
  address: string;
  /** Process calls answered INTERNAL, by how many records they held. */
  refused: number[];
  close(): Promise<void>;
}

/** Starts the proxy on a free port in front of the worker at `target`. */
export async function startPoisonProxy(
  target: string,
  isPoison: (record: WireRecord) => boolean,
): Promise<PoisonProxy> {
  const worker = createWorkerClient(target);
  const refused: number[] = [];
  const server = new Server({
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  });
  const forward = <T>(promise: Promise<T>, callback: sendUnaryData<T>) =>
    promise.then(
      (value) => callback(null, value),
      (error: ServiceError) => callback(error),
    );
  server.addService(loadWorkerProto().service, {
    Process(call: ServerUnaryCall<ProcessRequest, BatchResult>, callback: sendUnaryData<BatchResult>) {
      const { node, kind, records } = call.request;
      if (kind === 'CHAIN' && records.some(isPoison)) {
        refused.push(records.length);
        callback({ code: status.INTERNAL, details: 'injected: a worker bug on this record' });
        return;
      }
      forward(worker.call(node, kind, records), callback);
    },
    Describe(_call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) {
      forward(worker.describe(), callback);
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    ),
  );
  return {
    address: `127.0.0.1:${port}`,
    refused,
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => {
          worker.close();
          resolve();
        });
      }),
  };
}
