import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeFlink, WorkerProbe } from './health';

/** A stand-in for Flink's REST API answering the two routes the probe reads; it runs two pipelines. */
let flink: http.Server;

/** A /jobs/overview entry as Flink 2.2 sends it (end-time is -1 while a job runs). */
function job(jid: string, name: string, state: string, start: number) {
  const end = state === 'RUNNING' ? -1 : start + 1000;
  return { jid, name, state, 'start-time': start, 'end-time': end, duration: 1000 };
}
let flinkUrl: string;
const NOW = 1_800_000_000_000;

beforeAll(async () => {
  flink = http.createServer((req, res) => {
    res.setHeader('Content-Type', 'application/json');
    if (req.url === '/jobs/overview') {
      res.end(
        JSON.stringify({
          jobs: [
            job('old', 'ticker-bridge: stocks', 'CANCELED', NOW - 60_000),
            job('run', 'ticker-bridge: stocks', 'RUNNING', NOW - 30_000),
            // Another pipeline sharing the cluster, started later: never reported for `stocks`.
            job('other', 'ticker-bridge: stocks-copy', 'RUNNING', NOW - 10_000),
            job('gone', 'ticker-bridge: replay', 'FAILED', NOW - 5_000),
          ],
        }),
      );
    } else if (req.url === '/jobs/run/checkpoints') {
      res.end(
        JSON.stringify({
          latest: { completed: { id: 7, trigger_timestamp: NOW - 4_500, latest_ack_timestamp: NOW - 4_200 } },
        }),
      );
    } else if (req.url === '/jobs/gone/checkpoints') {
      res.end(JSON.stringify({ latest: { completed: null } }));
    } else {
      res.statusCode = 404;
      res.end('{"errors":["Not found"]}');
    }
  });
  await new Promise<void>((resolve) => flink.listen(0, '127.0.0.1', resolve));
  flinkUrl = `http://127.0.0.1:${(flink.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => flink.close(() => resolve()));
});

describe('probeFlink', () => {
  it('reports the running job of the pipeline and the age of its last completed checkpoint', async () => {
    expect(await probeFlink(flinkUrl, 'stocks', 2000, NOW)).toEqual({
      status: 'up',
      url: flinkUrl,
      job: { id: 'run', name: 'ticker-bridge: stocks', state: 'RUNNING' },
      lastCheckpointAgeMs: 4_200,
    });
  });

  it('reports the newest job of a pipeline that has none running, and none for a pipeline without a job', async () => {
    expect(await probeFlink(flinkUrl, 'replay', 2000, NOW)).toEqual({
      status: 'up',
      url: flinkUrl,
      job: { id: 'gone', name: 'ticker-bridge: replay', state: 'FAILED' },
      lastCheckpointAgeMs: null,
    });
    expect(await probeFlink(flinkUrl, 'stock-ticks', 2000, NOW)).toEqual({
      status: 'up',
      url: flinkUrl,
      job: null,
      lastCheckpointAgeMs: null,
    });
  });

  it('names Flink and its URL when it cannot be reached', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const health = await probeFlink(`http://127.0.0.1:${port}`, 'stocks', 2000, NOW);
    expect(health.status).toBe('down');
    expect(health.job).toBeNull();
    expect(health.error).toBe(`Flink REST API at http://127.0.0.1:${port}: fetch failed (ECONNREFUSED)`);
  });
});

describe('WorkerProbe', () => {
  it('reads the worker’s gRPC health status, and names the address when it is gone', async () => {
    const server = new Server();
    const health = new HealthImplementation({ '': 'SERVING' });
    health.addToServer(server);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    const probe = new WorkerProbe(`127.0.0.1:${port}`);
    try {
      expect(await probe.check()).toEqual({ status: 'SERVING', address: `127.0.0.1:${port}` });
      health.setStatus('', 'NOT_SERVING');
      expect(await probe.check()).toEqual({ status: 'NOT_SERVING', address: `127.0.0.1:${port}` });
      server.forceShutdown();
      const down = await probe.check(1000);
      expect(down.status).toBe('down');
      expect(down.error).toMatch(new RegExp(`^worker gRPC at 127\\.0\\.0\\.1:${port}: `));
    } finally {
      probe.close();
      server.forceShutdown();
    }
  });
});
