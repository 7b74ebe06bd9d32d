/**
 * The send loop: takes records from a source, paces them at a wall-clock rate,
 * groups them into batches and keeps exactly one batch in flight (so per-key
 * order holds even across retries) while the next one is being built.
 */
import type { GeneratedRecord } from './generator';

/** Anything that can deliver a batch; resolves only when the whole batch is acknowledged. */
export interface BatchSender {
  send(records: readonly GeneratedRecord[]): Promise<void>;
}

/** A batch that was only partly acknowledged (several lanes, one failed): says which records made it. */
export class PartialBatchError extends Error {
  override readonly name = 'PartialBatchError';
  constructor(
    message: string,
    readonly acknowledged: readonly GeneratedRecord[],
  ) {
    super(message);
  }
}

export interface RunOptions {
  records: Iterable<GeneratedRecord>;
  sender: BatchSender;
  /** Records per second of wall clock; Infinity = as fast as possible. Ignored when pacing by event time. */
  rate: number;
  /**
   * 'rate' (default): `rate` records per wall-clock second. 'event-time': each
   * record when the wall clock reaches its event time (a replay shifted to now).
   */
  pacing?: 'rate' | 'event-time';
  /** Epoch-ms wall clock for event-time pacing (tests pass a fake). */
  wallClock?: () => number;
  /** Most records per send. */
  batchSize: number;
  /** Stop after this much wall-clock time. */
  durationMs?: number;
  /** Abort = stop generating, flush what was generated, finish. */
  signal?: AbortSignal;
  /** Called after each acknowledged batch. */
  onProgress?: (stats: RunStats) => void;
  /** Wall clock, ms (tests pass a fake). */
  now?: () => number;
}

export interface RunStats {
  /** Records taken from the source. */
  generated: number;
  /** Records acknowledged by Kafka. */
  sent: number;
  sentValid: number;
  sentMalformed: number;
  /** Value bytes acknowledged. */
  sentBytes: number;
  /** Records in a batch Kafka did not acknowledge. */
  failed: number;
  elapsedMs: number;
  firstTimestampMs: number | undefined;
  lastTimestampMs: number | undefined;
}

export interface RunSummary extends RunStats {
  status: 'completed' | 'interrupted' | 'failed';
  /** Sent records per second of wall clock. */
  ticksPerSecond: number;
  error?: string;
}

/** Runs until the source ends, the duration passes, the signal aborts, or a batch fails. Never throws for send errors. */
export async function runProducer(options: RunOptions): Promise<RunSummary> {
  const { sender, rate, batchSize, durationMs, signal } = options;
  const now = options.now ?? (() => performance.now());
  const wallClock = options.wallClock ?? (() => Date.now());
  const iterator = options.records[Symbol.iterator]();
  const start = now();
  const stats: RunStats = {
    generated: 0,
    sent: 0,
    sentValid: 0,
    sentMalformed: 0,
    sentBytes: 0,
    failed: 0,
    elapsedMs: 0,
    firstTimestampMs: undefined,
    lastTimestampMs: undefined,
  };
  let inFlight: Promise<void> | undefined;
  let error: string | undefined;
  let exhausted = false;

  const deliver = async (batch: GeneratedRecord[]): Promise<void> => {
    let acknowledged: readonly GeneratedRecord[] = batch;
    try {
      await sender.send(batch);
    } catch (err) {
      acknowledged = err instanceof PartialBatchError ? err.acknowledged : [];
      stats.failed += batch.length - acknowledged.length;
      error ??= err instanceof Error ? err.message : String(err);
    }
    countSent(acknowledged);
  };

  const countSent = (acknowledged: readonly GeneratedRecord[]): void => {
    if (acknowledged.length === 0) return;
    for (const record of acknowledged) {
      if (record.kind === 'tick') stats.sentValid++;
      else stats.sentMalformed++;
      stats.sentBytes += record.value.length;
      if (stats.firstTimestampMs === undefined) stats.firstTimestampMs = record.timestampMs;
      stats.lastTimestampMs = record.timestampMs;
    }
    stats.sent += acknowledged.length;
    stats.elapsedMs = now() - start;
    options.onProgress?.(stats);
  };

  // One record of lookahead, for pacing by event time.
  let peeked: GeneratedRecord | undefined;
  const pull = (): GeneratedRecord | undefined => {
    if (peeked) {
      const record = peeked;
      peeked = undefined;
      return record;
    }
    const next = iterator.next();
    if (next.done) {
      exhausted = true;
      return undefined;
    }
    return next.value;
  };

  /** Records due now (at most batchSize), or how long to wait for the next one. */
  const takeDue = (elapsed: number): GeneratedRecord[] | { waitMs: number } => {
    const batch: GeneratedRecord[] = [];
    if (options.pacing === 'event-time') {
      const wallNow = wallClock();
      while (batch.length < batchSize && !exhausted) {
        const record = pull();
        if (!record) break;
        if (record.timestampMs > wallNow) {
          peeked = record;
          break;
        }
        batch.push(record);
      }
      return batch.length > 0 || exhausted || !peeked ? batch : { waitMs: peeked.timestampMs - wallNow };
    }
    const due =
      rate === Number.POSITIVE_INFINITY ? batchSize : Math.floor((elapsed * rate) / 1000) + 1 - stats.generated;
    if (due <= 0) return { waitMs: (stats.generated * 1000) / rate - elapsed };
    while (batch.length < Math.min(due, batchSize)) {
      const record = pull();
      if (!record) break;
      batch.push(record);
    }
    return batch;
  };

  while (!exhausted && error === undefined && !signal?.aborted) {
    const elapsed = now() - start;
    if (durationMs !== undefined && elapsed >= durationMs) break;
    const batch = takeDue(elapsed);
    if (!Array.isArray(batch)) {
      // Nothing due yet: wait for the in-flight batch if there is one, else until the next record is due.
      if (inFlight) {
        await inFlight;
        inFlight = undefined;
      } else {
        await sleep(Math.max(1, Math.min(batch.waitMs, 250)), signal);
      }
      continue;
    }
    stats.generated += batch.length;
    if (inFlight) await inFlight;
    // A batch already built is sent even after an abort: that is the flush.
    inFlight = error === undefined && batch.length > 0 ? deliver(batch) : undefined;
  }
  if (inFlight) await inFlight;
  stats.elapsedMs = Math.round(now() - start);
  const status = error !== undefined ? 'failed' : signal?.aborted ? 'interrupted' : 'completed';
  return {
    status,
    ...stats,
    ticksPerSecond: stats.elapsedMs > 0 ? Math.round((stats.sent * 1000) / stats.elapsedMs) : 0,
    ...(error !== undefined ? { error } : {}),
  };
}

/** Sleeps, waking early if the signal aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
