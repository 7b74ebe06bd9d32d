import { describe, expect, it } from 'vitest';
import { type GeneratedRecord, generateTicks } from '../src/generator';
import { type BatchSender, runProducer } from '../src/run';

/** Records every batch; `onSend` may throw or act (e.g. abort) on the n-th call (1-based). */
function recordingSender(onSend?: (call: number) => void): BatchSender & { batches: GeneratedRecord[][] } {
  const batches: GeneratedRecord[][] = [];
  let calls = 0;
  return {
    batches,
    async send(records) {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 1));
      onSend?.(calls);
      batches.push([...records]);
    },
  };
}

describe('runProducer', () => {
  it('sends everything in order, in batches of at most batchSize, and counts valid and malformed', async () => {
    const sender = recordingSender();
    const summary = await runProducer({
      records: generateTicks({ seed: 1, count: 1050, badRatio: 0.2 }),
      sender,
      rate: Number.POSITIVE_INFINITY,
      batchSize: 100,
    });
    expect(sender.batches.map((b) => b.length)).toEqual([...Array(10).fill(100), 50]);
    const sentValues = sender.batches.flat().map((r) => r.value);
    expect(sentValues).toEqual([...generateTicks({ seed: 1, count: 1050, badRatio: 0.2 })].map((r) => r.value));
    expect(summary).toMatchObject({
      status: 'completed',
      generated: 1050,
      sent: 1050,
      sentValid: 840,
      sentMalformed: 210,
      failed: 0,
      sentBytes: sentValues.reduce((n, v) => n + v.length, 0),
    });
  });

  it('paces at the wall-clock rate: record n is not sent before n / rate seconds', async () => {
    const sender = recordingSender();
    const started = performance.now();
    const summary = await runProducer({
      records: generateTicks({ seed: 1, count: 50 }),
      sender,
      rate: 500,
      batchSize: 1000,
    });
    const elapsed = performance.now() - started;
    expect(summary.sent).toBe(50);
    // The 50th record is due at 49 / 500 s = 98 ms.
    expect(elapsed).toBeGreaterThanOrEqual(98);
    expect(elapsed).toBeLessThan(2000);
    // Paced, so it went out in several small batches rather than one.
    expect(sender.batches.length).toBeGreaterThan(5);
  });

  it('paces by event time: each record goes out once the wall clock reaches its timestamp', async () => {
    const t0 = performance.now();
    const base = 1_700_000_000_000;
    const wallClock = () => base + (performance.now() - t0);
    const records = [0, 40, 80, 120].map((offset, i) => ({
      kind: 'tick' as const,
      sequence: i,
      key: 'AAPL',
      value: `v${i}`,
      timestampMs: base + offset,
      tick: { id: `x-${i}`, symbol: 'AAPL', price: 1, volume: 1, ts: new Date(base + offset).toISOString() },
    }));
    const sendTimes: number[] = [];
    const summary = await runProducer({
      records,
      sender: {
        async send(batch) {
          for (const r of batch) sendTimes.push(wallClock() - r.timestampMs);
        },
      },
      rate: Number.POSITIVE_INFINITY,
      pacing: 'event-time',
      wallClock,
      batchSize: 100,
    });
    expect(summary.sent).toBe(4);
    // Never early; the last one cannot go before 120 ms.
    expect(sendTimes.every((late) => late >= 0)).toBe(true);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(120);
  });

  it('stops at the first unacknowledged batch and never counts it as sent', async () => {
    const sender = recordingSender((call) => {
      if (call === 3) throw new Error('broker gone');
    });
    const summary = await runProducer({
      records: generateTicks({ seed: 1, count: 100 }),
      sender,
      rate: Number.POSITIVE_INFINITY,
      batchSize: 2,
    });
    expect(summary).toMatchObject({ status: 'failed', generated: 8, sent: 4, failed: 2, error: 'broker gone' });
    expect(sender.batches.flat()).toHaveLength(4);
  });

  it('on abort, flushes the batch already built and reports interrupted', async () => {
    const stop = new AbortController();
    const sender = recordingSender((call) => {
      if (call === 2) stop.abort();
    });
    const summary = await runProducer({
      records: generateTicks({ seed: 1 }),
      sender,
      rate: Number.POSITIVE_INFINITY,
      batchSize: 10,
      signal: stop.signal,
    });
    expect(summary).toMatchObject({ status: 'interrupted', generated: 30, sent: 30, failed: 0 });
  });

  it('stops after the duration on an endless source', async () => {
    const sender = recordingSender();
    const summary = await runProducer({
      records: generateTicks({ seed: 1 }),
      sender,
      rate: 1000,
      batchSize: 100,
      durationMs: 150,
    });
    expect(summary.status).toBe('completed');
    expect(summary.sent).toBe(summary.generated);
    // At most what is due by the end (151 records), and at least half of it on a busy machine.
    expect(summary.sent).toBeLessThanOrEqual(151);
    expect(summary.sent).toBeGreaterThan(70);
  });
});
