/**
 * A producer that is not ours: Kafka's Java client stamps every record with its send time, so only the
 * tick's own `ts` can be event time. The ticks cover five minutes of a fixed past day, arrive out of
 * order within the watermark bound, include repeated ids (a retrying producer), one tick dated a day
 * ahead, and the generator's malformed records (foreign-input.ts). The same exact invariants as every
 * other scenario (checkExact).
 */
import { expect, it } from 'vitest';
import type { SentRecord } from './expected';
import { foreignInput } from './foreign-input';
import { E2ERun } from './harness';
import { recordReport } from './report';
import { checkExact } from './scenario';

/** Every 40th of the 6,000 generated records is sent twice. */
const REPEATS = 150;
/**
 * What the oracle computes for this input: 5,880 valid ticks + 6 sentinels (each repeat once); five
 * symbols over five minutes = 25 candles, 2 of them alerts; 120 malformed records + 1 repeat of a
 * malformed record with no readable id (never deduplicated) + the tick a day ahead = 122 dead letters.
 */
const COUNTS = { ticks: 5886, candles: 25, alerts: 2, rejected: 122 };

it('foreign producer: event time is the tick ts, repeated ids count once, a tick a day ahead is a dead letter', async () => {
  const started = Date.now();
  const input = foreignInput(Date.now());
  const run = await E2ERun.start('foreign');
  let passed = false;
  try {
    await run.sendForeign(input.records);
    const producedAt = Date.now();
    // The records' Kafka timestamps are their send time; the oracle never looks at them.
    const sent: SentRecord[] = input.records.map((r) => ({ key: r.key, value: r.value, timestampMs: producedAt }));
    const { expected, counts, produceToVisibleMs } = await checkExact(run, sent, input.closedBeforeMs, producedAt);
    recordReport({
      scenario: 'foreign producer',
      durationMs: Date.now() - started,
      produceToVisibleMs,
      expected: counts,
    });

    expect(input.repeats).toBe(REPEATS);
    expect(counts).toEqual(COUNTS);
    const futureTs = (JSON.parse(input.future.value) as { ts: string }).ts;
    expect(expected.rejected.filter((r) => r.step === 'read-ticks')).toEqual([
      {
        raw: input.future.value,
        reason: `event time ${futureTs} is more than 60000 ms ahead of the clock (maxAheadMs)`,
        step: 'read-ticks',
      },
    ]);
    passed = true;
  } finally {
    await run.cleanup(!passed);
  }
});
