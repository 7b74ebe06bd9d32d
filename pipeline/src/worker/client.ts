/** A promise-based worker client (tests, benchmark, tooling); the bridge has its own in Java. */
import { type Client, credentials, type requestCallback } from '@grpc/grpc-js';
import type { DescribeResponse__Output } from '../contract/wire/generated/ticker/worker/v2/DescribeResponse';
import type { ProcessResponse__Output } from '../contract/wire/generated/ticker/worker/v2/ProcessResponse';
import type { ProtoGrpcType } from '../contract/wire/generated/worker';
import type { BatchResult, CallKind, WireRecord } from '../runtime/wire';
import { loadWorkerProto, MAX_MESSAGE_BYTES } from './server';

export interface WorkerClient {
  /** Runs chain `chain` over the records. */
  process(chain: string, records: WireRecord[], deadlineMs?: number): Promise<BatchResult>;
  /** Finishes fired windows of `window` (each record: key + its merged accumulator with the bounds). */
  finish(window: string, records: WireRecord[], deadlineMs?: number): Promise<BatchResult>;
  /** Dead letters for records too late for `window`. */
  late(window: string, records: WireRecord[], deadlineMs?: number): Promise<BatchResult>;
  /** Any Process call, as the bridge makes it. */
  call(node: string, kind: CallKind, records: WireRecord[], deadlineMs?: number): Promise<BatchResult>;
  describe(): Promise<DescribeResponse__Output>;
  /** The underlying grpc-js client (for waitForReady, getChannel). */
  raw: Client;
  close(): void;
}

/** A decoded response as the runtime's BatchResult; every output must carry its record. */
function batchResult(response: ProcessResponse__Output): BatchResult {
  const outputs = response.outputs.map((o) => {
    if (!o.record) throw new Error(`worker answered output ${o.inputIndex} without a record`);
    return { ...o, record: o.record };
  });
  return { ...response, outputs };
}

/**
 * Connects (lazily) to a worker at host:port. grpc-js shares one connection between clients of the
 * same address unless `ownConnection` is set; a cluster of worker processes balances per connection.
 */
export function createWorkerClient(address: string, options: { ownConnection?: boolean } = {}): WorkerClient {
  const pkg = loadWorkerProto().pkg as unknown as ProtoGrpcType;
  const client = new pkg.ticker.worker.v2.Worker(address, credentials.createInsecure(), {
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
    ...(options.ownConnection ? { 'grpc.use_local_subchannel_pool': 1 } : {}),
  });
  const deadline = (ms: number) => ({ deadline: new Date(Date.now() + ms) });
  /** Settles a promise from a grpc-js callback. */
  const settle =
    <T>(resolve: (value: T) => void, reject: (err: Error) => void): requestCallback<T> =>
    (err, value) =>
      err || value === undefined ? reject(err ?? new Error('the worker answered nothing')) : resolve(value);
  const call = (node: string, kind: CallKind, records: WireRecord[], deadlineMs: number) =>
    new Promise<ProcessResponse__Output>((resolve, reject) =>
      client.Process({ node, kind, records }, deadline(deadlineMs), settle(resolve, reject)),
    ).then(batchResult);
  return {
    process: (chain, records, deadlineMs = 10_000) => call(chain, 'CHAIN', records, deadlineMs),
    finish: (window, records, deadlineMs = 10_000) => call(window, 'FINISH', records, deadlineMs),
    late: (window, records, deadlineMs = 10_000) => call(window, 'LATE', records, deadlineMs),
    call: (node, kind, records, deadlineMs = 10_000) => call(node, kind, records, deadlineMs),
    describe: () =>
      new Promise<DescribeResponse__Output>((resolve, reject) =>
        client.Describe({}, deadline(10_000), settle(resolve, reject)),
      ),
    raw: client,
    close: () => client.close(),
  };
}
