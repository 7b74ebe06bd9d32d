/** A promise-based worker client (tests, benchmark, tooling); the bridge has its own in Java. */
import { type Client, credentials, type GrpcObject, type ServiceClientConstructor } from '@grpc/grpc-js';
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
  describe(): Promise<{ descriptorJson: string; descriptorSha256: string }>;
  /** The underlying grpc-js client (for waitForReady, getChannel). */
  raw: Client;
  close(): void;
}

type Callback<T> = (err: Error | null, value: T) => void;
type UnaryMethod<Req, Res> = (request: Req, options: { deadline: Date }, callback: Callback<Res>) => void;

/**
 * Connects (lazily) to a worker at host:port. grpc-js shares one connection between clients of the
 * same address unless `ownConnection` is set; a cluster of worker processes balances per connection.
 */
export function createWorkerClient(address: string, options: { ownConnection?: boolean } = {}): WorkerClient {
  const { pkg } = loadWorkerProto();
  const v2 = ((pkg.ticker as GrpcObject).worker as GrpcObject).v2 as GrpcObject;
  const Ctor = v2.Worker as ServiceClientConstructor;
  const client = new Ctor(address, credentials.createInsecure(), {
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
    ...(options.ownConnection ? { 'grpc.use_local_subchannel_pool': 1 } : {}),
  });
  const methods = client as unknown as Record<'Process' | 'Describe', UnaryMethod<unknown, unknown>>;
  const call = <Res>(name: 'Process' | 'Describe', request: unknown, deadlineMs: number) =>
    new Promise<Res>((resolve, reject) => {
      methods[name].call(client, request, { deadline: new Date(Date.now() + deadlineMs) }, (err, value) =>
        err ? reject(err) : resolve(value as Res),
      );
    });
  return {
    process: (chain, records, deadlineMs = 10_000) =>
      call<BatchResult>('Process', { node: chain, kind: 'CHAIN', records }, deadlineMs),
    finish: (window, records, deadlineMs = 10_000) =>
      call<BatchResult>('Process', { node: window, kind: 'FINISH', records }, deadlineMs),
    late: (window, records, deadlineMs = 10_000) =>
      call<BatchResult>('Process', { node: window, kind: 'LATE', records }, deadlineMs),
    call: (node, kind, records, deadlineMs = 10_000) =>
      call<BatchResult>('Process', { node, kind, records }, deadlineMs),
    describe: () => call('Describe', {}, 10_000),
    raw: client,
    close: () => client.close(),
  };
}
