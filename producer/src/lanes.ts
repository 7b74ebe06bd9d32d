/**
 * Several producer lanes on worker threads, so encoding (kafkajs spends ~15 µs
 * of CPU per message) uses more than one core. Each key always goes to the
 * same lane and each lane has one batch in flight, so per-key order holds.
 */
import { Worker } from 'node:worker_threads';
import type { GeneratedRecord } from './generator';
import { KafkaUnavailableError, type PublisherOptions } from './publisher';
import { type BatchSender, PartialBatchError } from './run';

/** What a lane worker is started with (plain data: it crosses the thread boundary). */
export interface LaneSettings {
  lane: number;
  logLevel: string;
  publisher: Omit<PublisherOptions, 'logger'>;
}

export type LaneRequest =
  | { type: 'send'; id: number; keys: string[]; values: string[]; timestamps: number[] }
  | { type: 'close' };

export type LaneReply =
  | { type: 'ready' }
  | { type: 'connect-failed'; message: string }
  | { type: 'sent'; id: number }
  | { type: 'failed'; id: number; message: string }
  | { type: 'closed' };

class Lane {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  private closed: (() => void) | undefined;

  constructor(readonly worker: Worker) {
    worker.on('message', (reply: LaneReply) => {
      if (reply.type === 'sent' || reply.type === 'failed') {
        const waiter = this.pending.get(reply.id);
        this.pending.delete(reply.id);
        if (reply.type === 'sent') waiter?.resolve();
        else waiter?.reject(new Error(reply.message));
      } else if (reply.type === 'closed') {
        this.closed?.();
      }
    });
    worker.on('error', (err) => this.failAll(err));
    worker.on('exit', () => this.failAll(new Error('producer lane exited')));
  }

  send(records: readonly GeneratedRecord[]): Promise<void> {
    const id = this.nextId++;
    const request: LaneRequest = {
      type: 'send',
      id,
      keys: records.map((r) => r.key),
      values: records.map((r) => r.value),
      timestamps: records.map((r) => r.timestampMs),
    };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage(request);
    });
  }

  async close(): Promise<void> {
    const done = new Promise<void>((resolve) => {
      this.closed = resolve;
    });
    this.worker.postMessage({ type: 'close' } satisfies LaneRequest);
    await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    await this.worker.terminate();
  }

  private failAll(err: Error): void {
    for (const waiter of this.pending.values()) waiter.reject(err);
    this.pending.clear();
  }
}

/** A BatchSender over N lanes; a batch resolves when every lane acknowledged its share. */
export class LanedPublisher implements BatchSender {
  private readonly laneByKey = new Map<string, number>();

  private constructor(private readonly lanes: Lane[]) {}

  /** Starts the lanes and connects each. Throws KafkaUnavailableError (naming the brokers) if any cannot. */
  static async connect(
    options: Omit<PublisherOptions, 'logger'>,
    count: number,
    logLevel: string,
  ): Promise<LanedPublisher> {
    const workers = Array.from(
      { length: count },
      (_, lane) =>
        new Worker(new URL('./lane-worker-boot.mjs', import.meta.url), {
          workerData: { lane, logLevel, publisher: options } satisfies LaneSettings,
        }),
    );
    const readiness = workers.map(
      (worker) =>
        new Promise<string | undefined>((resolve) => {
          worker.once('message', (reply: LaneReply) =>
            resolve(reply.type === 'connect-failed' ? reply.message : undefined),
          );
          worker.once('error', (err) => resolve(`producer lane failed to start: ${err.message}`));
        }),
    );
    const failures = (await Promise.all(readiness)).filter((m): m is string => m !== undefined);
    if (failures.length > 0) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw new KafkaUnavailableError(failures[0]!);
    }
    return new LanedPublisher(workers.map((w) => new Lane(w)));
  }

  async send(records: readonly GeneratedRecord[]): Promise<void> {
    const shares: GeneratedRecord[][] = this.lanes.map(() => []);
    for (const record of records) {
      let lane = this.laneByKey.get(record.key);
      if (lane === undefined) {
        // Round-robin by first appearance: balanced, and fixed for the rest of the run (per-key order).
        lane = this.laneByKey.size % this.lanes.length;
        this.laneByKey.set(record.key, lane);
      }
      shares[lane]!.push(record);
    }
    const results = await Promise.allSettled(
      shares.map((share, i) => (share.length > 0 ? this.lanes[i]!.send(share) : Promise.resolve())),
    );
    const failed = results.findIndex((r) => r.status === 'rejected');
    if (failed < 0) return;
    const reason = (results[failed] as PromiseRejectedResult).reason;
    const acknowledged = shares.filter((_, i) => results[i]!.status === 'fulfilled').flat();
    throw new PartialBatchError(reason instanceof Error ? reason.message : String(reason), acknowledged);
  }

  /** Flushes nothing (sends are awaited), disconnects every lane and stops the threads. */
  async disconnect(): Promise<void> {
    await Promise.all(this.lanes.map((lane) => lane.close()));
  }
}
