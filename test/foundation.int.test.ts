/**
 * The local stack's foundation: Kafka round-trips a record, Flink has its
 * TaskManager and slots and serves /jars, ClickHouse has the stocks tables, and
 * the migration is idempotent. Uses its own topic and database (other helpers
 * share the stack), and only reads the shared `stocks` database and topics.
 */
import { randomUUID } from 'node:crypto';
import { createClient } from '@clickhouse/client';
import { loadConfig } from '@ticker/common';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate } from '../scripts/db/migrate-lib';

const config = loadConfig();
const suffix = randomUUID().slice(0, 8);
const kafka = new Kafka({
  clientId: `foundation-${suffix}`,
  brokers: config.kafka.brokers,
  logLevel: logLevel.NOTHING,
});
const admin = kafka.admin();
const clickhouse = createClient({
  url: config.clickhouse.url,
  username: config.clickhouse.user,
  password: config.clickhouse.password,
});
const testDatabase = `test_stack_${suffix}`;
const roundTripTopic = `foundation-${suffix}`;

afterAll(async () => {
  await admin.deleteTopics({ topics: [roundTripTopic] }).catch(() => undefined);
  await admin.disconnect();
  await clickhouse.command({ query: `DROP DATABASE IF EXISTS ${testDatabase}` });
  await clickhouse.close();
});

async function tablesOf(database: string): Promise<string[]> {
  // ClickHouse 18.16 has no query parameters; the names here are our own identifiers.
  const result = await clickhouse.query({
    query: `SELECT name FROM system.tables WHERE database = '${database}' ORDER BY name`,
    format: 'JSONEachRow',
  });
  return (await result.json<{ name: string }>()).map((r) => r.name);
}

describe('Kafka', () => {
  it('has the ticks topic with 6 partitions and the dead-letter topic', async () => {
    await admin.connect();
    const metadata = await admin.fetchTopicMetadata({ topics: [config.kafka.ticksTopic, config.kafka.dlqTopic] });
    const partitions = Object.fromEntries(metadata.topics.map((t) => [t.name, t.partitions.length]));
    expect(partitions[config.kafka.ticksTopic]).toBe(6);
    expect(partitions[config.kafka.dlqTopic]).toBeGreaterThanOrEqual(1);
  });

  it('round-trips a record with its exact key and value', async () => {
    // A topic of its own: a record in stock-ticks would reach the running pipeline and the stocks tables.
    await admin.createTopics({ topics: [{ topic: roundTripTopic, numPartitions: 6 }], waitForLeaders: true });
    const value = JSON.stringify({
      id: `foundation-${suffix}`,
      symbol: 'ACME',
      price: 12.5,
      volume: 3,
      ts: '2026-01-02T03:04:05.678Z',
    });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic: roundTripTopic, acks: -1, messages: [{ key: 'ACME', value }] });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: `foundation-${suffix}` });
    await consumer.connect();
    await consumer.subscribe({ topic: roundTripTopic, fromBeginning: true });
    const received = await new Promise<{ key: string | undefined; value: string | undefined }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no record on ${roundTripTopic} within 60s`)), 60_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          clearTimeout(timer);
          resolve({ key: message.key?.toString(), value: message.value?.toString() });
        },
      });
    });
    await consumer.disconnect();
    expect(received).toEqual({ key: 'ACME', value });
  });
});

describe('Flink', () => {
  it('reports one TaskManager with the configured slots', async () => {
    const res = await fetch(`${config.flink.url}/overview`);
    expect(res.status).toBe(200);
    const overview = (await res.json()) as { taskmanagers: number; 'slots-total': number; 'flink-version': string };
    expect(overview.taskmanagers).toBe(1);
    expect(overview['slots-total']).toBe(config.stack.flinkTaskSlots);
    expect(overview['flink-version']).toBe('2.2.1');
  });

  it('serves /jars (flink-runtime-web is on the JobManager classpath)', async () => {
    const res = await fetch(`${config.flink.url}/jars`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { files: unknown[] };
    expect(Array.isArray(body.files)).toBe(true);
  });
});

describe('ClickHouse', () => {
  it('answers SELECT 1', async () => {
    const result = await clickhouse.query({ query: 'SELECT 1 AS one', format: 'JSONEachRow' });
    expect(await result.json()).toEqual([{ one: 1 }]);
  });

  it('has the stocks tables', async () => {
    expect(await tablesOf(config.clickhouse.database)).toEqual(
      expect.arrayContaining(['alerts', 'candles_1m', 'rejected', 'ticks']),
    );
  });

  it('migrates a fresh database, and a second migration changes nothing', async () => {
    const credentials = {
      url: config.clickhouse.url,
      user: config.clickhouse.user,
      password: config.clickhouse.password,
      database: testDatabase,
    };
    const first = await migrate(credentials);
    expect(first.database).toBe(testDatabase);
    const tables = await tablesOf(testDatabase);
    expect(tables).toEqual(expect.arrayContaining(['alerts', 'candles_1m', 'rejected', 'ticks']));
    const showCreate = async () =>
      Promise.all(
        tables.map(async (t) => {
          const r = await clickhouse.query({
            query: `SHOW CREATE TABLE ${testDatabase}.${t}`,
            format: 'TabSeparatedRaw',
          });
          return r.text();
        }),
      );
    const before = await showCreate();
    await clickhouse.insert({
      table: `${testDatabase}.ticks`,
      values: [{ id: 'a', symbol: 'ACME', price: 1.5, volume: 2, ts: '2026-01-02 03:04:05', ts_ms: 678 }],
      format: 'JSONEachRow',
    });

    const second = await migrate(credentials);
    expect(second.statements).toBe(first.statements);
    expect(await tablesOf(testDatabase)).toEqual(tables);
    expect(await showCreate()).toEqual(before);
    const count = await clickhouse.query({
      query: `SELECT count() AS n FROM ${testDatabase}.ticks`,
      format: 'JSONEachRow',
    });
    expect(await count.json()).toEqual([{ n: '1' }]);
  });
});
