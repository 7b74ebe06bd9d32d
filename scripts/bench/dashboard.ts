/**
 * Dashboard benchmark: loads N ticks (default 1,000,000) into a bench database,
 * starts the dashboard as its own process, and measures with autocannon
 * /api/latest and /api/candles (and /api/stats) at full speed and at a fixed
 * 200 req/s, then SSE with many clients (connection success, delivery latency
 * of a new tick). Prints a markdown table for docs/benchmarks.md.
 * With --search it instead finds the API's capacity: the highest request rate of
 * a mix of the page's routes with zero errors and p99 under 200 ms for 60 s.
 *
 *   npx tsx scripts/bench/dashboard.ts [--ticks 1000000] [--duration 10] [--clients 500]
 *   npx tsx scripts/bench/dashboard.ts --search [--search-seconds 60] [--search-from 100]
 */
import http from 'node:http';
import os from 'node:os';
import { createClient } from '@clickhouse/client';
import { loadConfig } from '@ticker/common';
import autocannon from 'autocannon';
import { Command } from 'commander';
import { z } from 'zod';
import {
  alertsFromCandles,
  candlesFromTicks,
  insertAlerts,
  insertCandles,
  insertTicks,
  type TickInput,
  tickBatches,
} from '../../dashboard/test/fixtures';
import { migrate } from '../db/migrate-lib';
import { freePort } from '../stack/stack';
import { startDashboardProcess } from './dashboard-process';

const optionsSchema = z.object({
  ticks: z.coerce.number().int().min(1000, '--ticks must be at least 1000'),
  duration: z.coerce.number().int().min(1, '--duration must be >= 1 second'),
  clients: z.coerce.number().int().min(1, '--clients must be >= 1'),
  rate: z.coerce.number().int().min(1, '--rate must be >= 1'),
  database: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, '--database must be a plain identifier'),
  keep: z.boolean(),
  search: z.boolean(),
  searchSeconds: z.coerce.number().int().min(5, '--search-seconds must be >= 5'),
  searchFrom: z.coerce.number().int().min(1, '--search-from must be >= 1'),
  searchSteps: z.coerce.number().int().min(0, '--search-steps must be >= 0'),
});
type Options = z.infer<typeof optionsSchema>;

const SYMBOLS = {
  AAPL: 231.5,
  MSFT: 418.2,
  GOOG: 176.9,
  AMZN: 198.4,
  NVDA: 132.7,
  TSLA: 251.3,
  META: 585.1,
  NFLX: 702.4,
  AMD: 142.6,
  INTC: 22.9,
};
const START = Date.parse('2026-01-05T09:00:00.000Z');
const STEP_MS = 10;

function market(ticks: number) {
  return { symbols: SYMBOLS, startMs: START, ticks, stepMs: STEP_MS, idPrefix: 'b' };
}

async function load(options: Options): Promise<{ seconds: number; newestMs: number }> {
  const config = loadConfig();
  const { url, user, password } = config.clickhouse;
  const admin = createClient({ url, username: user, password });
  await admin.command({ query: `DROP DATABASE IF EXISTS ${options.database}` });
  await admin.close();
  await migrate({ url, user, password, database: options.database });
  const db = createClient({ url, username: user, password, database: options.database });
  const started = Date.now();
  // Batches of whole minutes (START is on a minute, 6,000 ticks a minute), so each batch's candles
  // are complete; the bench process never holds the million ticks, whose garbage collection
  // would otherwise pause autocannon and show up as server latency.
  const batchSize = (60_000 / STEP_MS) * 20;
  let newestMs = START;
  for (const batch of tickBatches(market(options.ticks), batchSize)) {
    await insertTicks(db, batch);
    const candles = candlesFromTicks(batch);
    await insertCandles(db, candles);
    await insertAlerts(db, alertsFromCandles(candles, 0.3));
    newestMs = (batch.at(-1) as TickInput).ms;
  }
  await db.close();
  return { seconds: (Date.now() - started) / 1000, newestMs };
}

interface HttpRow {
  route: string;
  mode: string;
  p50: number;
  p99: number;
  max: number;
  rps: number;
  errors: number;
}

async function measure(url: string, route: string, duration: number, rate?: number): Promise<HttpRow> {
  const result = await autocannon({
    url: `${url}${route}`,
    connections: 10,
    duration,
    timeout: 10,
    ...(rate ? { overallRate: rate } : {}),
  });
  return {
    route,
    mode: rate ? `fixed ${rate} req/s` : 'max (10 connections)',
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    rps: result.requests.average,
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

/** The routes a dashboard page calls, cycled by each connection of the capacity search. */
const PAGE_MIX = ['/api/latest', '/api/candles?symbol=AAPL&minutes=60', '/api/stats?minutes=5', '/api/alerts?limit=20'];
/** A rate holds when nothing failed, p99 stayed under this and the rate was actually reached. */
const P99_LIMIT_MS = 200;

interface Trial {
  rate: number;
  achieved: number;
  p50: number;
  p99: number;
  errors: number;
  holds: boolean;
}

/** Offers `rate` req/s of the page mix for `seconds` (100 connections, so latency does not cap the rate). */
async function trial(url: string, rate: number, seconds: number): Promise<Trial> {
  const result = await autocannon({
    url,
    connections: 100,
    duration: seconds,
    timeout: 10,
    overallRate: rate,
    requests: PAGE_MIX.map((path) => ({ method: 'GET', path })),
  });
  const errors = result.errors + result.timeouts + result.non2xx;
  const achieved = result.requests.total / seconds;
  return {
    rate,
    achieved: Math.round(achieved),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors,
    holds: errors === 0 && result.latency.p99 < P99_LIMIT_MS && achieved >= rate * 0.95,
  };
}

/** Doubles the rate from `from` until it fails, then bisects `steps` times; returns every trial. */
async function searchCapacity(url: string, from: number, seconds: number, steps: number): Promise<Trial[]> {
  const trials: Trial[] = [];
  const run = async (rate: number) => {
    const t = await trial(url, rate, seconds);
    trials.push(t);
    console.log(
      `  ${rate} req/s: achieved ${t.achieved}, p50 ${t.p50} ms, p99 ${t.p99} ms, errors ${t.errors} → ${t.holds ? 'holds' : 'fails'} (load ${os.loadavg()[0]?.toFixed(1)})`,
    );
    return t.holds;
  };
  let good = 0;
  let bad = from;
  while (await run(bad)) {
    good = bad;
    bad *= 2;
  }
  for (let i = 0; i < steps && bad - good > 1; i += 1) {
    const mid = Math.round((good + bad) / 2);
    if (await run(mid)) good = mid;
    else bad = mid;
  }
  return trials;
}

interface SseResult {
  clients: number;
  connected: number;
  rounds: number;
  delivered: number;
  p50: number;
  p99: number;
  max: number;
}

/** Opens `count` SSE clients, inserts ticks one at a time, measures insert-start → received per client. */
async function measureSse(url: string, database: string, count: number, newestMs: number): Promise<SseResult> {
  const received = new Map<string, number[]>();
  let connected = 0;
  const requests: http.ClientRequest[] = [];
  await new Promise<void>((resolve) => {
    const deadline = setTimeout(resolve, 20_000);
    for (let i = 0; i < count; i += 1) {
      const req = http.get(`${url}/api/stream`, { agent: false }, (res) => {
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let end = buffer.indexOf('\n\n');
          while (end !== -1) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            end = buffer.indexOf('\n\n');
            if (frame.startsWith('event: ready')) {
              connected += 1;
              if (connected === count) {
                clearTimeout(deadline);
                resolve();
              }
            } else if (frame.startsWith('event: ticks')) {
              const now = performance.now();
              for (const match of frame.matchAll(/"id":"(bench-live-\d+)"/g)) {
                const id = match[1] as string;
                const times = received.get(id) ?? [];
                times.push(now);
                received.set(id, times);
              }
            }
          }
        });
      });
      req.on('error', () => {});
      requests.push(req);
    }
  });
  const config = loadConfig();
  const db = createClient({
    url: config.clickhouse.url,
    username: config.clickhouse.user,
    password: config.clickhouse.password,
    database,
  });
  const latencies: number[] = [];
  const rounds = 10;
  for (let round = 1; round <= rounds; round += 1) {
    const id = `bench-live-${round}`;
    const start = performance.now();
    await insertTicks(db, [{ id, symbol: 'AAPL', price: 250 + round, volume: round, ms: newestMs + round * 1000 }]);
    const deadline = Date.now() + 10_000;
    while ((received.get(id)?.length ?? 0) < connected && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    for (const t of received.get(id) ?? []) latencies.push(t - start);
    // A random gap, so inserts do not fall at the same phase of the feed's poll cycle every round.
    await new Promise((resolve) => setTimeout(resolve, 300 + Math.random() * 700));
  }
  await db.close();
  for (const req of requests) req.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0);
  return {
    clients: count,
    connected,
    rounds,
    delivered: latencies.length,
    p50: pct(0.5),
    p99: pct(0.99),
    max: Math.round(latencies.at(-1) ?? 0),
  };
}

const program = new Command('bench:dashboard')
  .description('Benchmark the dashboard API and SSE stream over a large ClickHouse table')
  .option('--ticks <n>', 'ticks to load', '1000000')
  .option('--duration <seconds>', 'seconds per autocannon run', '10')
  .option('--clients <n>', 'SSE clients', '500')
  .option('--rate <n>', 'fixed request rate for the latency runs', '200')
  .option('--database <name>', 'bench database (dropped and re-created)', 'bench_dashboard')
  .option('--keep', 'keep the bench database afterwards', false)
  .option(
    '--search',
    "find the API's capacity instead (highest rate of the page mix with 0 errors, p99 < 200 ms)",
    false,
  )
  .option('--search-seconds <n>', 'seconds per rate tried', '60')
  .option('--search-from <n>', 'first rate tried, req/s (doubled until it fails)', '100')
  .option('--search-steps <n>', 'bisection steps after the first failure', '3')
  .action(async (raw: unknown) => {
    const parsed = optionsSchema.safeParse(raw);
    if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join('; '));
    const options = parsed.data;
    console.log(`loading ${options.ticks} ticks into ${options.database} …`);
    const loaded = await load(options);
    console.log(`loaded in ${loaded.seconds.toFixed(1)} s`);
    const port = await freePort();
    const child = await startDashboardProcess(options.database, port, { logLevel: 'warn' });
    const url = `http://127.0.0.1:${port}`;
    try {
      if (options.search) {
        for (const route of PAGE_MIX) await measure(url, route, 2); // warm-up
        console.log(`capacity search over ${PAGE_MIX.join(', ')}, ${options.searchSeconds} s per rate:`);
        const trials = await searchCapacity(url, options.searchFrom, options.searchSeconds, options.searchSteps);
        const best = trials.filter((t) => t.holds).sort((a, b) => b.rate - a.rate)[0];
        console.log('\n| rate req/s | achieved | p50 ms | p99 ms | errors | holds |\n|---:|---:|---:|---:|---:|---|');
        for (const t of [...trials].sort((a, b) => a.rate - b.rate)) {
          console.log(`| ${t.rate} | ${t.achieved} | ${t.p50} | ${t.p99} | ${t.errors} | ${t.holds ? 'yes' : 'no'} |`);
        }
        console.log(
          `\ncapacity: ${best ? `${best.rate} req/s` : `below ${options.searchFrom} req/s`} (0 errors, p99 < ${P99_LIMIT_MS} ms for ${options.searchSeconds} s); ` +
            `${os.availableParallelism()} cores, 1-minute load average at the end ${os.loadavg()[0]?.toFixed(1)}`,
        );
        return;
      }
      const routes = ['/api/latest', '/api/candles?symbol=AAPL&minutes=60', '/api/stats?minutes=5'];
      for (const route of routes) await measure(url, route, 2); // warm-up
      const rows: HttpRow[] = [];
      for (const route of routes) {
        rows.push(await measure(url, route, options.duration));
        rows.push(await measure(url, route, options.duration, options.rate));
      }
      console.log('\n| route | load | p50 ms | p99 ms | max ms | req/s | errors |\n|---|---|---|---|---|---|---|');
      for (const r of rows) {
        console.log(`| ${r.route} | ${r.mode} | ${r.p50} | ${r.p99} | ${r.max} | ${Math.round(r.rps)} | ${r.errors} |`);
      }
      const sse = await measureSse(url, options.database, options.clients, loaded.newestMs);
      const load = os.loadavg()[0]?.toFixed(1);
      console.log(
        `\nSSE (feed polls every 500 ms): ${sse.connected}/${sse.clients} clients connected; ${sse.delivered}/${sse.connected * sse.rounds} deliveries over ${sse.rounds} ticks; insert → received p50 ${sse.p50} ms, p99 ${sse.p99} ms, max ${sse.max} ms\n1-minute load average at the end: ${load}`,
      );
    } finally {
      child.kill('SIGTERM');
      if (!options.keep) {
        const config = loadConfig();
        const admin = createClient({
          url: config.clickhouse.url,
          username: config.clickhouse.user,
          password: config.clickhouse.password,
        });
        await admin.command({ query: `DROP DATABASE IF EXISTS ${options.database}` });
        await admin.close();
      }
    }
  });

program.parseAsync().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
