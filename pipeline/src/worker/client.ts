/** A promise-based worker client (tests, benchmark, tooling); the bridge has its own in Java. */
import { type Client, credentials, type GrpcObject, type ServiceClientConstructor } from '@grpc/grpc-js';
import type { BatchResult, WireRecord } from '../runtime/wire';
import { loadWorkerProto, MAX_MESSAGE_BYTES } from './server';

export interface WorkerClient {
  process(chain: string, records: WireRecord[], deadlineMs?: number): Promise<BatchResult>;
  aggregate(
    request: { window: string; key: string; windowStart: number; windowEnd: number; records: WireRecord[] },
    deadlineMs?: number,
  ): Promise<BatchResult>;
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
  const v1 = ((pkg.ticker as GrpcObject).worker as GrpcObject).v1 as GrpcObject;
  const Ctor = v1.Worker as ServiceClientConstructor;
  const client = new Ctor(address, credentials.createInsecure(), {
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
    ...(options.ownConnection ? { 'grpc.use_local_subchannel_pool': 1 } : {}),
  });
  const methods = client as unknown as Record<'Process' | 'Aggregate' | 'Describe', UnaryMethod<unknown, unknown>>;
  const call = <Res>(name: 'Process' | 'Aggregate' | 'Describe', request: unknown, deadlineMs: number) =>
    new Promise<Res>((resolve, reject) => {
      methods[name].call(client, request, { deadline: new Date(Date.now() + deadlineMs) }, (err, value) =>
        err ? reject(err) : resolve(value as Res),
      );
    });
  return {
    process: (chain, records, deadlineMs = 10_000) => call<BatchResult>('Process', { chain, records }, deadlineMs),
    aggregate: (request, deadlineMs = 10_000) => call<BatchResult>('Aggregate', request, deadlineMs),
    describe: () => call('Describe', {}, 10_000),
    raw: client,
    close: () => client.close(),
  };
}
