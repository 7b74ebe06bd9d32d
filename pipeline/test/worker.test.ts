import { createHash } from 'node:crypto';
import {
  credentials,
  type GrpcObject,
  loadPackageDefinition,
  type ServiceClientConstructor,
  status,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { createLogger, loadConfig } from '@ticker/common';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CompiledPipeline, compile } from '../src/compiler/compile';
import { boundedRaw } from '../src/contract/deadLetter';
import { buildStockPipeline } from '../src/stock';
import { createWorkerClient, type WorkerClient } from '../src/worker/client';
import { startWorkerServer, type WorkerServer } from '../src/worker/server';
import { fire, forward, readable, rec } from './helpers';

const logger = createLogger('worker-test', 'silent');
const T0 = Date.UTC(2026, 10, 21, 9, 30, 0);

function tick(id: string, symbol: string, price: number, volume: number, offsetMs: number): string {
  return JSON.stringify({ id, symbol, price, volume, ts: new Date(T0 + offsetMs).toISOString() });
}

describe('worker over gRPC (stock pipeline)', () => {
  let compiled: CompiledPipeline;
  let server: WorkerServer;
  let client: WorkerClient;

  beforeAll(async () => {
    compiled = compile(buildStockPipeline(loadConfig({})));
    server = await startWorkerServer({ compiled, port: 0, host: '127.0.0.1', logger, statsIntervalMs: 0 });
    client = createWorkerClient(`127.0.0.1:${server.port}`);
  });

  afterAll(async () => {
    client?.close();
    await server?.shutdown();
  });

  it('describes the pipeline it serves, with the sha256 of the exact text', async () => {
    const described = await client.describe();
    expect(described.descriptorJson).toBe(compiled.descriptorJson);
    expect(described.descriptorSha256).toBe(createHash('sha256').update(compiled.descriptorJson).digest('hex'));
  });

  it('answers grpc.health.v1 SERVING for "" and the worker service', async () => {
    const health = loadPackageDefinition(loadSync(healthProtoPath, { keepCase: true, enums: String }));
    const Ctor = (((health.grpc as GrpcObject).health as GrpcObject).v1 as GrpcObject)
      .Health as ServiceClientConstructor;
    const healthClient = new Ctor(`127.0.0.1:${server.port}`, credentials.createInsecure());
    type Check = (req: { service: string }, cb: (err: Error | null, res: { status: string }) => void) => void;
    const check = (healthClient as unknown as { Check: Check }).Check.bind(healthClient);
    try {
      for (const service of ['', 'ticker.worker.v2.Worker']) {
        const answer = await new Promise<{ status: string }>((resolve, reject) =>
          check({ service }, (err, res) => (err ? reject(err) : resolve(res))),
        );
        expect(answer.status).toBe('SERVING');
      }
    } finally {
      healthClient.close();
    }
  });

  it('parses a batch: valid ticks become rows, malformed ones come back as rejections with reasons', async () => {
    const batch = [
      rec(tick('t1', 'AAPL', 101.25, 300, 7_045), 'AAPL', T0 + 7_045, 'stock-ticks/0/10'),
      rec('{"id":"t2","symbol":"AAPL"', 'AAPL', T0 + 8_000, 'stock-ticks/0/11'),
      rec(
        '{"id":"t3","symbol":"aapl","price":-1,"volume":1.5,"ts":"2026-11-21T09:30:09.000Z"}',
        'AAPL',
        T0 + 9_000,
        'stock-ticks/0/12',
      ),
      rec('[]', '', T0 + 9_500, 'stock-ticks/1/3'),
      rec(tick('t5', 'MSFT', 412, 0, 59_999), 'MSFT', T0 + 59_999, 'stock-ticks/1/4'),
    ];
    const result = readable(await client.process('parse-tick', batch));
    expect(result.outputs).toEqual([
      {
        inputIndex: 0,
        value: { id: 't1', symbol: 'AAPL', price: 101.25, volume: 300, ts: '2026-11-21 09:30:07', ts_ms: 45 },
        key: 'AAPL',
        timestamp: T0 + 7_045,
        origin: 'stock-ticks/0/10',
      },
      {
        inputIndex: 4,
        value: { id: 't5', symbol: 'MSFT', price: 412, volume: 0, ts: '2026-11-21 09:30:59', ts_ms: 999 },
        key: 'MSFT',
        timestamp: T0 + 59_999,
        origin: 'stock-ticks/1/4',
      },
    ]);
    expect(result.rejections.map((r) => [r.inputIndex, r.step])).toEqual([
      [1, 'parse-tick'],
      [2, 'parse-tick'],
      [3, 'parse-tick'],
    ]);
    // JSON.parse's wording differs between Node versions; the prefix is ours.
    expect(result.rejections[0]!.reason).toMatch(/^invalid JSON: /);
    expect(result.rejections[1]!.reason).toBe(
      'symbol: symbol must be an upper-case ticker (A-Z, 0-9, ".", max 10); price: price must be > 0; volume: volume must be an integer',
    );
    expect(result.rejections[2]!.reason).toBe('value: Invalid input: expected object, received array');
    expect(result.rejections[1]!.deadLetter).toEqual({
      origin: 'stock-ticks/0/12',
      step: 'parse-tick',
      reason: result.rejections[1]!.reason,
      ...boundedRaw('{"id":"t3","symbol":"aapl","price":-1,"volume":1.5,"ts":"2026-11-21T09:30:09.000Z"}'),
      ts: '2026-11-21 09:30:09',
    });
    expect(result.rejections[0]!.deadLetter).toEqual({
      origin: 'stock-ticks/0/11',
      step: 'parse-tick',
      reason: result.rejections[0]!.reason,
      ...boundedRaw('{"id":"t2","symbol":"AAPL"'),
      ts: '2026-11-21 09:30:08',
    });
  });

  it('keys, accumulates a window into an exact candle, and raises the alert (the bridge path, call by call)', async () => {
    // Hand-computed candle for AAPL 09:30: event-time order a(100,10) b(102,5) c(99,5) d(101,0), b and c tie on
    // time and are ordered by id. open 100 high 102 low 99 close 101 volume 20 VWAP 2005/20 = 100.25, 4 ticks.
    // Move (101 - 100) / 100 * 100 = 1% >= 0.2% (the stock threshold) -> an 'up' alert.
    // Unkeyed Kafka records (key ''): the key the window sees must come from the by-symbol step.
    const raws = [
      rec(tick('d', 'AAPL', 101, 0, 59_999), '', T0 + 59_999, 'stock-ticks/0/4'),
      rec(tick('c', 'AAPL', 99, 5, 10_500), '', T0 + 10_500, 'stock-ticks/0/3'),
      rec(tick('a', 'AAPL', 100, 10, 5_000), '', T0 + 5_000, 'stock-ticks/0/1'),
      rec(tick('b', 'AAPL', 102, 5, 10_500), '', T0 + 10_500, 'stock-ticks/0/2'),
    ];
    // One call: parse-tick, to-tick-row and the by-symbol keyBy are one chain; the key comes from the row.
    const keyed = await client.process('parse-tick', raws);
    expect(keyed.rejections).toEqual([]);
    expect(keyed.outputs.map((o) => o.record.key)).toEqual(['AAPL', 'AAPL', 'AAPL', 'AAPL']);

    // What Flink does in between: merge the one-record accumulators the chain made (spec from the descriptor).
    const node = compiled.descriptor.nodes.find((n) => n.name === 'candles-1m');
    if (node?.kind !== 'window') throw new Error('no candles-1m window');
    const window = { key: 'AAPL', start: T0, end: T0 + 60_000 };
    const fired = await client.finish('candles-1m', [fire(forward(keyed), 0, node.accumulator, window)]);
    const candle = {
      symbol: 'AAPL',
      window_start: '2026-11-21 09:30:00',
      open: 100,
      high: 102,
      low: 99,
      close: 101,
      volume: 20,
      vwap: 100.25,
      ticks: 4,
    };
    expect(readable(fired)).toEqual({
      outputs: [{ inputIndex: 0, value: candle, key: 'AAPL', timestamp: T0 + 59_999, origin: `candles-1m/AAPL/${T0}` }],
      rejections: [],
    });

    // Same window, merged in another order: the same candle.
    const reversed = await client.finish('candles-1m', [fire(forward(keyed).reverse(), 0, node.accumulator, window)]);
    expect(readable(reversed).outputs[0]!.value).toEqual(candle);

    const alerts = readable(await client.process('price-move-alerts', forward(fired)));
    expect(alerts).toEqual({
      outputs: [
        {
          inputIndex: 0,
          value: {
            symbol: 'AAPL',
            window_start: '2026-11-21 09:30:00',
            direction: 'up',
            move_pct: 1,
            open: 100,
            close: 101,
            threshold_pct: 0.2,
          },
          key: 'AAPL',
          timestamp: T0 + 59_999,
          origin: `candles-1m/AAPL/${T0}`,
        },
      ],
      rejections: [],
    });
  });

  it("finishes several fired windows in one call and builds late records' dead letters", async () => {
    const node = compiled.descriptor.nodes.find((n) => n.name === 'candles-1m');
    if (node?.kind !== 'window') throw new Error('no candles-1m window');
    const keyed = await client.process('parse-tick', [
      rec(tick('x', 'IBM', 10, 0, 1_000), '', T0 + 1_000, 'stock-ticks/2/8'),
      rec(tick('y', 'MSFT', 20, 3, 61_000), '', T0 + 61_000, 'stock-ticks/2/9'),
    ]);
    const [ibm, msft] = forward(keyed);
    const fired = readable(
      await client.finish('candles-1m', [
        fire([ibm!], 0, node.accumulator, { key: 'IBM', start: T0, end: T0 + 60_000 }),
        fire([msft!], 0, node.accumulator, { key: 'MSFT', start: T0 + 60_000, end: T0 + 120_000 }),
      ]),
    );
    expect(fired.rejections).toEqual([]);
    expect(fired.outputs.map((o) => [o.inputIndex, o.value])).toEqual([
      [
        0,
        {
          symbol: 'IBM',
          window_start: '2026-11-21 09:30:00',
          open: 10,
          high: 10,
          low: 10,
          close: 10,
          volume: 0,
          vwap: 10,
          ticks: 1,
        },
      ],
      [
        1,
        {
          symbol: 'MSFT',
          window_start: '2026-11-21 09:31:00',
          open: 20,
          high: 20,
          low: 20,
          close: 20,
          volume: 3,
          vwap: 20,
          ticks: 1,
        },
      ],
    ]);
    const late = readable(await client.late('candles-1m', [ibm!]));
    expect(late).toEqual({
      outputs: [],
      rejections: [
        {
          inputIndex: 0,
          step: 'candles-1m',
          reason: 'late: event time 2026-11-21T09:30:01Z is behind watermark for window node candles-1m',
          deadLetter: {
            origin: 'stock-ticks/2/8',
            step: 'candles-1m',
            reason: 'late: event time 2026-11-21T09:30:01Z is behind watermark for window node candles-1m',
            ...boundedRaw(Buffer.from(ibm!.value).toString('utf8')),
            ts: '2026-11-21 09:30:01',
          },
        },
      ],
    });
  });

  it('answers NOT_FOUND for an unknown chain or window', async () => {
    await expect(client.process('no-such-chain', [])).rejects.toMatchObject({
      code: status.NOT_FOUND,
      details: 'unknown chain "no-such-chain"; this worker has: parse-tick, price-move-alerts',
    });
    await expect(client.finish('candles-5m', [])).rejects.toMatchObject({
      code: status.NOT_FOUND,
      details: 'unknown window "candles-5m"; this worker has: candles-1m',
    });
  });

  it('counts records, calls and rejections', async () => {
    const before = server.stats.snapshot().process;
    await client.process('parse-tick', [
      rec(tick('s1', 'AAPL', 1, 1, 0), 'AAPL', T0, 'o/0/1'),
      rec('x', 'AAPL', T0, 'o/0/2'),
    ]);
    const after = server.stats.snapshot().process;
    expect(after.calls - before.calls).toBe(1);
    expect(after.records - before.records).toBe(2);
    expect(after.outputs - before.outputs).toBe(1);
    expect(after.rejections - before.rejections).toBe(1);
  });

  it('says which port is taken when it cannot listen', async () => {
    await expect(startWorkerServer({ compiled, port: server.port, host: '127.0.0.1', logger })).rejects.toThrow(
      `worker port ${server.port} on 127.0.0.1 is already in use (WORKER_PORT); stop the other process or choose another port`,
    );
  });
});

describe('worker restart while a client is connected', () => {
  it('the client sees an error, reconnects, and the retried batch gives exactly the same outputs', async () => {
    const compiled = compile(buildStockPipeline(loadConfig({})));
    const first = await startWorkerServer({ compiled, port: 0, host: '127.0.0.1', logger, statsIntervalMs: 0 });
    const port = first.port;
    const client = createWorkerClient(`127.0.0.1:${port}`);
    const batch = Array.from({ length: 200 }, (_, i) =>
      i % 10 === 7
        ? rec(`broken ${i}`, 'AAPL', T0 + i, `stock-ticks/0/${i}`)
        : rec(
            tick(`r${i}`, i % 2 ? 'AAPL' : 'MSFT', 100 + i / 100, i, i),
            i % 2 ? 'AAPL' : 'MSFT',
            T0 + i,
            `stock-ticks/0/${i}`,
          ),
    );
    let second: Awaited<ReturnType<typeof startWorkerServer>> | undefined;
    try {
      const before = readable(await client.process('parse-tick', batch));
      expect(before.outputs).toHaveLength(180);
      expect(before.rejections).toHaveLength(20);

      first.forceShutdown();
      const failure = await client.process('parse-tick', batch, 2_000).then(
        () => undefined,
        (err: { code: number }) => err,
      );
      expect(failure?.code).toBe(status.UNAVAILABLE);

      second = await startWorkerServer({ compiled, port, host: '127.0.0.1', logger, statsIntervalMs: 0 });
      // Retry like the bridge does (bounded, with a deadline), until the channel has reconnected.
      const deadline = Date.now() + 15_000;
      let retried: ReturnType<typeof readable> | undefined;
      while (!retried) {
        try {
          retried = readable(await client.process('parse-tick', batch, 2_000));
        } catch (err) {
          if (Date.now() > deadline) throw err;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      expect(retried).toEqual(before);
      expect(second.stats.snapshot().process.records).toBe(200);
    } finally {
      client.close();
      await second?.shutdown();
    }
  }, 30_000);
});
