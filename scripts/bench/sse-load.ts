/**
 * SSE load: the dashboard (its own process, shipped slow-client policy) with
 * many /api/stream clients, some of which send the request and never read.
 * Ticks are inserted at a steady rate; the script samples the dashboard's RSS,
 * counts the ticks every reader receives (each must get every tick) and the
 * "not reading" drops in the dashboard's log. Prints a markdown summary and
 * writes the figures as JSON.
 *
 *   npx tsx scripts/bench/sse-load.ts [--clients 1000] [--stalled 50] [--seconds 75] [--rate 1000]
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { createClient } from '@clickhouse/client';
import { loadConfig } from '@ticker/common';
import { Command } from 'commander';
import pRetry from 'p-retry';
import { z } from 'zod';
import { insertTicks, type TickInput } from '../../dashboard/test/fixtures';
import { RawStreamClient } from '../../dashboard/test/server-helpers';
import { migrate } from '../db/migrate-lib';
import { treeRssBytes } from '../soak/sample';
import { freePort } from '../stack/stack';
import { waitUntil } from '../stack/wait';
import { startDashboardProcess } from './dashboard-process';

const optionsSchema = z.object({
  clients: z.coerce.number().int().min(2, '--clients must be >= 2'),
  stalled: z.coerce.number().int().min(0, '--stalled must be >= 0'),
  seconds: z.coerce.number().int().min(5, '--seconds must be >= 5'),
  rate: z.coerce.number().int().min(10, '--rate must be >= 10 ticks/s'),
  out: z.string().optional(),
});
type Options = z.infer<typeof optionsSchema>;

const MiB = 1024 * 1024;
/** The dashboard's log message for a dropped client (dashboard/src/stream.ts). */
const DROP_LINE = 'SSE client not reading: disconnected';

async function main(argv: string[]): Promise<void> {
  const command = new Command('sse-load')
    .option('--clients <n>', 'stream clients in all', '1000')
    .option('--stalled <n>', 'of which never read', '50')
    .option('--seconds <n>', 'how long ticks are inserted', '75')
    .option('--rate <n>', 'ticks inserted per second', '1000')
    .option('--out <file>', 'write the figures as JSON')
    .parse(argv, { from: 'user' });
  const parsed = optionsSchema.safeParse(command.opts());
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join('\n'));
  const options: Options = parsed.data;
  if (options.stalled >= options.clients) throw new Error('--stalled must be below --clients');

  const config = loadConfig();
  const { url, user, password } = config.clickhouse;
  const database = `bench_sse_${Date.now().toString(36)}`;
  await migrate({ url, user, password, database });
  // The bench process is busy reading 1,000 streams: an idle keep-alive socket can outlive the
  // server's timeout between inserts, so stale ones are dropped and a reset insert is retried.
  const db = createClient({
    url,
    username: user,
    password,
    database,
    keep_alive: { eagerly_destroy_stale_sockets: true },
  });
  const insert = (ticks: TickInput[]) => pRetry(() => insertTicks(db, ticks), { retries: 3 });
  const port = await freePort();
  const logLines: string[] = [];
  const dashboard = await startDashboardProcess(database, port, { logLevel: 'info', logLines });
  const pid = dashboard.pid as number;
  const rss: { t: number; bytes: number }[] = [];
  const t0 = Date.now();
  const sampler = setInterval(() => rss.push({ t: (Date.now() - t0) / 1000, bytes: treeRssBytes(pid) ?? 0 }), 1000);
  const step = (text: string) => process.stderr.write(`[sse-load] ${text}\n`);
  const clients: RawStreamClient[] = [];
  const tickId = (n: number) => `l${String(n).padStart(8, '0')}`;
  try {
    await insertTicks(db, [{ id: 'seed', symbol: 'AAPL', price: 100, volume: 1, ms: Date.now() - 1000 }]);
    const rssIdle = treeRssBytes(pid) ?? 0;
    step(
      `dashboard up (RSS ${(rssIdle / MiB).toFixed(0)} MiB); connecting ${options.clients} clients, ${options.stalled} of them never reading`,
    );
    for (let i = 0; i < options.clients; i += 1) {
      // Stalled clients spread among the readers.
      const stalled =
        i % Math.floor(options.clients / Math.max(1, options.stalled)) === 0 &&
        clients.filter((c) => c.options.stalled).length < options.stalled;
      clients.push(new RawStreamClient(port, stalled ? { stalled } : { expectId: tickId }));
      if (i % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
    }
    const allReady = await waitUntil(() => clients.every((c) => c.ready || c.options.stalled), {
      timeoutMs: 120_000,
      intervalMs: 200,
    });
    if (!allReady) throw new Error(`only ${clients.filter((c) => c.ready).length} clients got "ready" within 120 s`);
    const rssConnected = treeRssBytes(pid) ?? 0;
    step(
      `all readers ready (RSS ${(rssConnected / MiB).toFixed(0)} MiB); inserting ${options.rate} ticks/s for ${options.seconds} s`,
    );

    // Inserts every 100 ms, wall-clock times one tick per 1/rate s, ids in order.
    let inserted = 0;
    let lastReport = 0;
    const insertStart = Date.now();
    const perTick = 1000 / options.rate;
    const base = Date.now();
    while (Date.now() - insertStart < options.seconds * 1000) {
      const due = Math.floor(((Date.now() - insertStart) / 1000) * options.rate);
      const ticks: TickInput[] = [];
      for (; inserted < due; inserted += 1) {
        ticks.push({
          id: tickId(inserted),
          symbol: ['AAPL', 'MSFT', 'GOOG', 'AMZN', 'NVDA'][inserted % 5] as string,
          price: 100 + (inserted % 1000) / 100,
          volume: 1 + (inserted % 500),
          ms: base + Math.floor(inserted * perTick),
        });
      }
      if (ticks.length > 0) await insert(ticks);
      const second = Math.floor((Date.now() - insertStart) / 1000);
      if (second >= lastReport + 10) {
        lastReport = second;
        step(
          `${second} s: ${inserted.toLocaleString('en-US')} ticks inserted, ${logLines.filter((l) => l.includes(DROP_LINE)).length} clients dropped, RSS ${((treeRssBytes(pid) ?? 0) / MiB).toFixed(0)} MiB`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const readers = clients.filter((c) => !c.options.stalled);
    const delivered = await waitUntil(() => readers.every((c) => c.ticks >= inserted), {
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    const rssEnd = treeRssBytes(pid) ?? 0;
    const drops = logLines.filter((l) => l.includes(DROP_LINE));
    const stalled = clients.filter((c) => c.options.stalled);
    const result = {
      date: new Date().toISOString(),
      machine: { cores: os.availableParallelism(), loadAverage: os.loadavg() },
      options,
      inserted,
      readers: readers.length,
      readersWithEveryTick: readers.filter((c) => c.ticks === inserted && c.mismatch === undefined).length,
      mismatches: readers.filter((c) => c.mismatch !== undefined).length,
      readersDropped: readers.filter((c) => c.closed).length,
      ticksDelivered: readers.reduce((sum, c) => sum + c.ticks, 0),
      stalled: stalled.length,
      stalledDropped: drops.length,
      stalledClosedSeen: stalled.filter((c) => c.closed).length,
      firstDropSeconds: null as number | null,
      rss: {
        idleMiB: rssIdle / MiB,
        connectedMiB: rssConnected / MiB,
        peakMiB: Math.max(...rss.map((s) => s.bytes)) / MiB,
        endMiB: rssEnd / MiB,
      },
      delivered,
      rssSamples: rss,
    };
    const firstDrop = drops[0];
    if (firstDrop) result.firstDropSeconds = (JSON.parse(firstDrop).time - insertStart) / 1000;
    if (options.out) writeFileSync(options.out, `${JSON.stringify(result, null, 1)}\n`);
    console.log(
      [
        `| clients | never reading | ticks inserted | readers with every tick | ticks delivered | dropped (log lines) | readers dropped | RSS idle → connected → peak → end |`,
        `| ------: | ------------: | -------------: | ----------------------: | --------------: | ------------------: | --------------: | --------------------------------- |`,
        `| ${options.clients} | ${stalled.length} | ${inserted.toLocaleString('en-US')} | ${result.readersWithEveryTick} / ${readers.length} | ${result.ticksDelivered.toLocaleString('en-US')} | ${drops.length} | ${result.readersDropped} | ${result.rss.idleMiB.toFixed(0)} → ${result.rss.connectedMiB.toFixed(0)} → ${result.rss.peakMiB.toFixed(0)} → ${result.rss.endMiB.toFixed(0)} MiB |`,
        '',
        `load average ${os
          .loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')}; first drop ${result.firstDropSeconds?.toFixed(1) ?? '-'} s after inserting began`,
      ].join('\n'),
    );
    if (!delivered || drops.length !== stalled.length || result.readersDropped > 0) process.exitCode = 1;
  } finally {
    clearInterval(sampler);
    for (const c of clients) c.close();
    dashboard.kill('SIGTERM');
    await db.command({ query: `DROP DATABASE IF EXISTS ${database}` }).catch(() => {});
    await db.close();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`sse-load failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
