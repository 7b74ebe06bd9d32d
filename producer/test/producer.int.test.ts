/**
 * The producer against the real local Kafka: 10,000 generated ticks over 5
 * symbols into a fresh 6-partition topic, consumed back and checked exactly.
 * Also drives the CLI end to end (with malformed records mixed in).
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createLogger, loadConfig } from '@ticker/common';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/command';
import { type GeneratedRecord, generateTicks } from '../src/generator';
import { LanedPublisher } from '../src/lanes';
import { TickPublisher } from '../src/publisher';
import { runProducer } from '../src/run';

const config = loadConfig();
const suffix = randomUUID().slice(0, 8);
const kafka = new Kafka({
  clientId: `producer-it-${suffix}`,
  brokers: config.kafka.brokers,
  logLevel: logLevel.NOTHING,
});
const admin = kafka.admin();
const topics = {
  library: `producer-it-${suffix}`,
  lanes: `producer-it-lanes-${suffix}`,
  cli: `producer-it-cli-${suffix}`,
  signal: `producer-it-signal-${suffix}`,
};
const symbols = ['AAPL', 'MSFT', 'GOOG', 'TSLA', 'NVDA'];
const startTimeMs = Date.UTC(2026, 2, 2, 14, 30, 0, 0);

interface Consumed {
  partition: number;
  key: string;
  value: string;
  timestamp: string;
}

beforeAll(async () => {
  await admin.connect();
  await admin.createTopics({
    topics: Object.values(topics).map((topic) => ({ topic, numPartitions: 6 })),
    waitForLeaders: true,
  });
});

afterAll(async () => {
  await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
  await admin.disconnect();
});

/** Reads the whole topic (from the beginning) until `expected` records arrived or the deadline passes. */
async function consumeAll(topic: string, expected: number, deadlineMs = 60_000): Promise<Consumed[]> {
  const consumer = kafka.consumer({ groupId: `producer-it-${randomUUID()}` });
  const received: Consumed[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        received.push({
          partition,
          key: message.key?.toString() ?? '',
          value: message.value?.toString() ?? '',
          timestamp: message.timestamp,
        });
      },
    });
    const deadline = Date.now() + deadlineMs;
    while (received.length < expected && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await consumer.disconnect();
  }
  return received;
}

async function topicRecordCount(topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
}

describe('producer -> Kafka', () => {
  it.each([
    ['one producer', 1, 'library'],
    ['two worker-thread lanes', 2, 'lanes'],
  ] as const)(
    'delivers 10,000 ticks exactly once, in per-symbol order, keyed by symbol, stamped with the tick time (%s)',
    async (_name, lanes, topicKey) => {
      const topic = topics[topicKey];
      const options = { seed: 20260302, count: 10_000, symbols, startTimeMs, eventRate: 500 };
      const publisherOptions = { brokers: config.kafka.brokers, topic, compression: 'none', retries: 3 } as const;
      const publisher =
        lanes > 1
          ? await LanedPublisher.connect(publisherOptions, lanes, 'silent')
          : await TickPublisher.connect({ ...publisherOptions, logger: createLogger('producer-it', 'silent') });
      const summary = await runProducer({
        records: generateTicks(options),
        sender: publisher,
        rate: Number.POSITIVE_INFINITY,
        batchSize: 1000,
      });
      await publisher.disconnect();
      expect(summary).toMatchObject({
        status: 'completed',
        generated: 10_000,
        sent: 10_000,
        sentValid: 10_000,
        failed: 0,
      });

      const expected: GeneratedRecord[] = [...generateTicks(options)];
      const received = await consumeAll(topic, expected.length);
      expect(received).toHaveLength(10_000);
      expect(await topicRecordCount(topic)).toBe(10_000);

      const byValue = new Map(expected.map((r) => [r.value, r]));
      expect(new Set(received.map((r) => r.value)).size).toBe(10_000);
      for (const message of received) {
        const record = byValue.get(message.value);
        if (!record) throw new Error(`unexpected value ${message.value}`);
        expect(message.key).toBe(record.key);
        expect(message.timestamp).toBe(String(record.timestampMs));
      }
      for (const symbol of symbols) {
        const sent = expected.filter((r) => r.key === symbol).map((r) => r.value);
        const got = received.filter((r) => r.key === symbol);
        expect(new Set(got.map((r) => r.partition)).size).toBe(1);
        expect(got.map((r) => r.value)).toEqual(sent);
        expect(sent.length).toBeGreaterThan(1500);
      }
    },
  );

  it('runs the CLI with malformed records mixed in and reports what Kafka acknowledged', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const argv = [
      ...['--topic', topics.cli, '--count', '2000', '--rate', 'max', '--seed', '77', '--bad-ratio', '0.1'],
      ...['--start-time', '2026-03-02T14:30:00.000Z', '--symbols', 'AAPL,MSFT', '--batch-size', '500'],
    ];
    const code = await main(argv, {
      stdout: (t) => out.push(t),
      stderr: (t) => err.push(t),
      env: { ...process.env, LOG_LEVEL: 'silent' },
      isTty: false,
      signals: new EventEmitter(),
    });
    expect(err.join('')).toBe('');
    expect(code).toBe(0);
    const summary = JSON.parse(out.join(''));
    expect(summary).toMatchObject({
      status: 'completed',
      topic: topics.cli,
      seed: 77,
      sent: 2000,
      sentValid: 1800,
      sentMalformed: 200,
      failed: 0,
      firstTs: '2026-03-02T14:30:00.000Z',
      lastTs: '2026-03-02T14:30:01.999Z',
    });

    const expected = [
      ...generateTicks({
        seed: 77,
        count: 2000,
        badRatio: 0.1,
        symbols: ['AAPL', 'MSFT'],
        startTimeMs,
        eventRate: 1000,
      }),
    ];
    const received = await consumeAll(topics.cli, 2000);
    expect(received.map((r) => r.value).sort()).toEqual(expected.map((r) => r.value).sort());
  });

  it('on SIGINT stops, flushes what it built, and reports exactly what Kafka holds', async () => {
    const out: string[] = [];
    const signals = new EventEmitter();
    const run = main(['--topic', topics.signal, '--rate', '2000', '--seed', '78', '--batch-size', '100'], {
      stdout: (t) => out.push(t),
      stderr: () => {},
      env: { ...process.env, LOG_LEVEL: 'silent' },
      isTty: false,
      signals,
    });
    // Poll until some ticks are in Kafka, then interrupt.
    const deadline = Date.now() + 30_000;
    while ((await topicRecordCount(topics.signal).catch(() => 0)) < 500 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    signals.emit('SIGINT', 'SIGINT');
    expect(await run).toBe(0);
    const summary = JSON.parse(out.join(''));
    expect(summary.status).toBe('interrupted');
    expect(summary.failed).toBe(0);
    expect(summary.sent).toBe(summary.generated);
    expect(summary.sent).toBeGreaterThanOrEqual(500);
    expect(await topicRecordCount(topics.signal)).toBe(summary.sent);
  });
});
