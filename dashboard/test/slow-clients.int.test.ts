/**
 * /api/stream with 200 clients, 5 of which send the request and then never
 * read (raw TCP sockets, paused): the 195 readers receive every tick, in
 * order, while the stalled ones fill their buffers; the stalled ones are
 * dropped with a log line naming their address, and the readers keep
 * receiving after that. Readers are raw sockets too (ids checked without
 * parsing JSON, so 195 of them stay cheap); one SSE reader parses whole events.
 */
import type { AddressInfo } from 'node:net';
import { createLogger } from '@ticker/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardServer } from '../src/server';
import { createTestDatabase, insertTicks, type TestDatabase, type TickInput } from './fixtures';
import { dashboardFor, RawStreamClient, SseReader } from './server-helpers';

const READERS = 195;
const STALLED = 5;
/** Small bound so the test reaches it sooner (the default is 1 MiB). */
const MAX_BUFFERED = 64 * 1024;
const dropLine = 'SSE client not reading: disconnected';

let db: TestDatabase;
let app: DashboardServer;
let port: number;
const logLines: Record<string, unknown>[] = [];

beforeAll(async () => {
  db = await createTestDatabase('test_slow_clients');
  await insertTicks(db.admin, [
    { id: 'seed', symbol: 'AAPL', price: 100, volume: 1, ms: Date.parse('2026-01-05T09:30:00Z') },
  ]);
  const log = createLogger('dashboard-test', 'info', { write: (line: string) => void logLines.push(JSON.parse(line)) });
  app = await dashboardFor(db, {
    log,
    stream: {
      pollIntervalMs: 100,
      heartbeatMs: 60_000,
      healthIntervalMs: 60_000,
      slowClients: { maxBufferedBytes: MAX_BUFFERED, strikes: 3 },
    },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await app?.close();
  await db?.drop();
});

const tickId = (n: number) => `t${String(n).padStart(6, '0')}`;

/** Ticks `from`..`to` - 1, ~100 bytes each on the stream, one millisecond apart. */
function batch(from: number, to: number): TickInput[] {
  const start = Date.parse('2026-01-05T09:31:00Z');
  return Array.from({ length: to - from }, (_, i) => ({
    id: tickId(from + i),
    symbol: ['AAPL', 'MSFT', 'GOOG'][(from + i) % 3] as string,
    price: 100 + ((from + i) % 100) / 100,
    volume: from + i,
    ms: start + from + i,
  }));
}

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('slow SSE clients', () => {
  it('drops the clients that never read, with a log line each; every reader gets every tick', {
    timeout: 300_000,
  }, async () => {
    const readers = Array.from({ length: READERS - 1 }, () => new RawStreamClient(port, { expectId: tickId }));
    const stalled = Array.from({ length: STALLED }, () => new RawStreamClient(port, { stalled: true }));
    const parsing = await SseReader.open(`http://127.0.0.1:${port}/api/stream`);
    try {
      await until('every reader has its "ready" event', () => readers.every((r) => r.ready), 60_000);
      await parsing.next('ready', 60_000);
      // A stalled socket's kernel buffers take ~4 MB on loopback before the server's own buffer
      // grows: 60 batches of 1,000 ticks (~100 KB each, ~6 MB in all) fill them and then the bound.
      const ticks = batch(0, 60_000);
      for (let b = 0; b < ticks.length; b += 1000) await insertTicks(db.admin, ticks.slice(b, b + 1000));
      await until(
        `every reader has ${ticks.length} ticks`,
        () => readers.every((r) => r.ticks >= ticks.length || r.closed),
        120_000,
      );
      expect(readers.map((r) => [r.ticks, r.mismatch, r.closed])).toEqual(
        readers.map(() => [ticks.length, undefined, false]),
      );
      // One reader parses every event: the fields are exact, not just the ids.
      const parsed: unknown[] = [];
      while (parsed.length < ticks.length) parsed.push(...(await parsing.next<unknown[]>('ticks', 60_000)));
      expect(parsed).toEqual(
        ticks.map((t) => ({
          id: t.id,
          symbol: t.symbol,
          price: t.price,
          volume: t.volume,
          ts: new Date(t.ms).toISOString(),
        })),
      );

      // A drop needs `strikes` writes in a row above the bound, and how much a stalled socket's kernel
      // buffers absorb first depends on the host: more ticks until every stalled client is dropped.
      let sent = ticks.length;
      const dropLines = () => logLines.filter((l) => l.msg === dropLine);
      const moreDeadline = Date.now() + 120_000;
      while (dropLines().length < STALLED && Date.now() < moreDeadline) {
        await insertTicks(db.admin, batch(sent, sent + 1000));
        sent += 1000;
        await until(`every reader has ${sent} ticks`, () => readers.every((r) => r.ticks >= sent || r.closed), 60_000);
      }

      // Each stalled client was dropped once its unsent output stayed above the bound: the log names its port.
      const drops = dropLines();
      expect(drops.map((l) => l.client).sort()).toEqual(stalled.map((s) => s.address).sort());
      for (const line of drops) {
        expect(line.level).toBe(40);
        expect(line.strikes).toBe(3);
        expect(line.bufferedBytes as number).toBeGreaterThan(MAX_BUFFERED);
      }
      expect(drops.map((l) => l.clientsLeft)).toEqual([READERS + 4, READERS + 3, READERS + 2, READERS + 1, READERS]);

      // The readers keep going after the drops: one more batch, received by all of them exactly.
      await insertTicks(db.admin, batch(sent, sent + 100));
      await until(
        `every reader has ${sent + 100} ticks`,
        () => readers.every((r) => r.ticks >= sent + 100 || r.closed),
        60_000,
      );
      expect(readers.map((r) => [r.ticks, r.mismatch, r.closed])).toEqual(
        readers.map(() => [sent + 100, undefined, false]),
      );
    } finally {
      for (const client of [...readers, ...stalled]) client.close();
      parsing.close();
    }
  });
});
