/**
 * Raw Kafka values fuzzed into the real pipeline (issue 20): a seeded generator's records
 * (fuzz-input.ts), sent with Kafka's own Java client, each come out as exactly one row of `ticks` or
 * exactly one dead letter, counted and matched against the oracle's verdicts (by tick id and by the
 * SHA-256 of each refused value), with no restart of the job. The records' event times all fall in
 * one past minute, so the per-symbol candles count the valid ticks too.
 */
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { expect, it } from 'vitest';
import { sendWithForeignClient } from '../support/foreign-producer';
import { expectFrom, FUZZ_T0, type FuzzRecord, fuzzInput } from './fuzz-input';
import { E2ERun, eventually } from './harness';

const PARTITIONS = 6;

/** The topic's max.message.bytes (the broker's message.max.bytes unless the topic overrides it). */
async function maxMessageBytes(run: E2ERun): Promise<number> {
  const admin = new Kafka({ brokers: run.config.kafka.brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        { type: ConfigResourceTypes.TOPIC, name: run.config.kafka.ticksTopic, configNames: ['max.message.bytes'] },
      ],
    });
    const value = described.resources[0]?.configEntries.find((e) => e.configName === 'max.message.bytes')?.configValue;
    if (value === undefined) throw new Error(`no max.message.bytes for ${run.config.kafka.ticksTopic}`);
    return Number(value);
  } finally {
    await admin.disconnect();
  }
}

it('fuzzed Kafka values: every record is exactly one tick row or one dead letter, as the oracle says', async () => {
  const run = await E2ERun.start('fuzz');
  let passed = false;
  try {
    const messageBytes = await maxMessageBytes(run);
    const records: FuzzRecord[] = fuzzInput(messageBytes, Date.now());
    // One valid tick per partition two minutes later closes the fuzz minute's windows.
    const sentinelTs = new Date(FUZZ_T0 + 150_000).toISOString();
    const sentinels = Array.from({ length: PARTITIONS }, (_, p) => ({
      category: 'sentinel',
      partition: p,
      key: 'ZZZZ',
      value: JSON.stringify({ id: `sentinel-${p}`, symbol: 'ZZZZ', price: 1, volume: 1, ts: sentinelTs }),
    }));
    await sendWithForeignClient({
      kafkaLibs: run.stack.layout.kafka.libs,
      brokers: run.config.kafka.brokers,
      topic: run.config.kafka.ticksTopic,
      records: [...records, ...sentinels],
      timeoutMs: 300_000,
    });
    const expected = expectFrom(records, Date.now());
    const wantTicks = expected.tickIds.length + PARTITIONS;
    const wantDead = expected.deadLetterSha256.length;

    const query = async <T>(sql: string) =>
      (await (await run.clickhouse.query({ query: sql, format: 'JSONEachRow' })).json()) as T[];
    const count = async (table: string) =>
      Number((await query<{ n: string }>(`SELECT count() AS n FROM ${table} FINAL`))[0]?.n);
    await eventually(
      `${wantTicks} ticks, ${wantDead} dead letters and ${expected.ticksPerSymbol.size} candles are visible`,
      async () =>
        (await count('ticks')) >= wantTicks &&
        (await count('dead_letters')) >= wantDead &&
        (await count('candles_1m')) >= expected.ticksPerSymbol.size,
      300_000,
    ).catch(async (error: unknown) => {
      const have = { ticks: await count('ticks'), deadLetters: await count('dead_letters') };
      throw new Error(`${(error as Error).message}; have ${JSON.stringify(have)}\n${run.logHint()}`);
    });

    // Every valid tick once, by id (sentinels aside).
    const ids = (await query<{ id: string }>("SELECT id FROM ticks FINAL WHERE symbol != 'ZZZZ'"))
      .map((r) => r.id)
      .sort();
    expect(ids.length).toBe(expected.tickIds.length);
    expect(ids).toEqual(expected.tickIds);

    // Every refused value once, by the SHA-256 of its whole input, refused by the source or the parse step.
    const dead = await query<{ step: string; raw_sha256: string; reason: string }>(
      'SELECT step, raw_sha256, reason FROM dead_letters FINAL',
    );
    expect(dead.map((d) => d.raw_sha256).sort()).toEqual(expected.deadLetterSha256);
    const bySteps = new Map<string, number>();
    for (const d of dead) bySteps.set(d.step, (bySteps.get(d.step) ?? 0) + 1);
    expect(Object.fromEntries(bySteps)).toEqual({
      'read-ticks': expected.future,
      'parse-tick': wantDead - expected.future,
    });
    expect(dead.every((d) => d.reason.length > 0)).toBe(true);
    expect(await count('rejected')).toBe(wantDead);

    // The candles count the valid ticks of each symbol; nothing was late, nothing restarted.
    const candles = await query<{ symbol: string; ticks: number }>(
      "SELECT symbol, ticks FROM candles_1m FINAL WHERE symbol != 'ZZZZ' ORDER BY symbol",
    );
    expect(candles.map((c) => [c.symbol, Number(c.ticks)])).toEqual(
      [...expected.ticksPerSymbol.entries()].sort(([a], [b]) => (a < b ? -1 : 1)),
    );
    expect(await run.restarts()).toBe(0);

    const categories = new Map<string, number>();
    for (const r of records) categories.set(r.category, (categories.get(r.category) ?? 0) + 1);
    console.log(
      `[e2e] fuzz: ${records.length} records (max.message.bytes ${messageBytes}), ${expected.tickIds.length} ticks, ` +
        `${wantDead} dead letters (${expected.future} from the future); by category ${JSON.stringify(Object.fromEntries(categories))}`,
    );
    passed = true;
  } finally {
    await run.cleanup(!passed);
  }
});
