/**
 * Worker throughput benchmark: the TS worker alone, over loopback gRPC, running the stock pipeline's
 * parse-and-validate chain (`parse-tick`: JSON.parse + zod tick schema + ticks row). For each batch
 * size it keeps `--concurrency` calls in flight for `--seconds` and reports records/s and call latency.
 * The worker runs as its own process(es) (`pipeline worker`, --processes); the client is this process
 * and sends pre-encoded requests, so nearly all CPU goes to the worker. Besides records/s it reports
 * records per worker CPU-second (from /proc), which stays meaningful on a busy shared machine.
 *
 *   npx tsx scripts/bench/worker.ts [--batch-sizes 1,100,1000] [--concurrency 8] [--seconds 5]
 *                                   [--processes 2] [--bad-ratio 0.01] [--cpu-prof <dir>]
 *
 * --cpu-prof writes one V8 CPU profile per worker process into <dir> when the worker stops (open it in
 * Chrome DevTools, or summarize it with scripts/bench/profile-summary.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, credentials } from '@grpc/grpc-js';
import { Command } from 'commander';
import { z } from 'zod';
import type { ProcessResponse__Output } from '../../pipeline/src/contract/wire/generated/ticker/worker/v2/ProcessResponse';
import type { WireRecord } from '../../pipeline/src/runtime/wire';
import { createWorkerClient } from '../../pipeline/src/worker/client';
import { loadWorkerProto, MAX_MESSAGE_BYTES } from '../../pipeline/src/worker/server';
import { generateTicks } from '../../producer/src/generator';
import { freePort } from '../stack/stack';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const argsSchema = z.object({
  batchSizes: z
    .string()
    .transform((s) => s.split(',').map((n) => Number(n.trim())))
    .pipe(z.array(z.number().int().min(1).max(100_000)).min(1, '--batch-sizes must list sizes, e.g. 1,100,1000')),
  concurrency: z.coerce.number().int().min(1).max(256, '--concurrency must be 1..256'),
  seconds: z.coerce.number().positive('--seconds must be > 0'),
  processes: z.coerce.number().int().min(0, '--processes must be >= 0 (0 = one per core)'),
  badRatio: z.coerce.number().min(0).max(1, '--bad-ratio must be 0..1'),
  cpuProf: z.string().min(1, '--cpu-prof needs a directory').optional(),
});

const parsed = argsSchema.safeParse(
  new Command('bench-worker')
    .option('--batch-sizes <list>', 'records per call, comma-separated', '1,100,1000')
    .option('--concurrency <n>', 'calls in flight (each on its own connection)', '8')
    .option('--seconds <n>', 'measuring time per batch size (after a 1 s warm-up)', '5')
    .option('--processes <n>', 'worker processes (0 = one per core)', '2')
    .option('--bad-ratio <r>', 'fraction of malformed records', '0.01')
    .option('--cpu-prof <dir>', 'write a V8 CPU profile of each worker process into this directory')
    .parse()
    .opts(),
);
if (!parsed.success) {
  console.error(`error: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  process.exit(2);
}
const args = parsed.data;

/** Generated ticks as source records, as the bridge sends them. */
function makeBatch(size: number, offset: number): WireRecord[] {
  const records: WireRecord[] = [];
  for (const r of generateTicks({ seed: 7 + offset, count: size, badRatio: args.badRatio })) {
    records.push({
      value: Buffer.from(r.value),
      key: r.key,
      timestamp: r.timestampMs,
      origin: `stock-ticks/0/${offset * size + r.sequence}`,
    });
  }
  return records;
}

/**
 * CPU seconds (user + system) used so far by a process and its descendants, from /proc (Linux). The
 * machine is shared, so records per worker CPU-second is the figure that survives a busy neighbour.
 */
function cpuSecondsOfTree(pid: number): number {
  const ticksPerSecond = 100; // USER_HZ on Linux
  let total = 0;
  const stack = [pid];
  while (stack.length > 0) {
    const p = stack.pop()!;
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
      for (const child of readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim().split(' ')) {
        if (child) stack.push(Number(child));
      }
    } catch {
      // The process ended meanwhile.
    }
  }
  return total;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const processMethod = loadWorkerProto().service.Process!;

/**
 * A client that sends pre-encoded requests and keeps responses as bytes: the benchmark measures the
 * worker, so the client spends no CPU on protobuf (in production the JVM does that part).
 */
function rawClient(address: string) {
  const client = new Client(address, credentials.createInsecure(), {
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
    'grpc.use_local_subchannel_pool': 1,
  });
  const identity = (b: Buffer) => b;
  return {
    process: (request: Buffer) =>
      new Promise<Buffer>((resolve, reject) =>
        client.makeUnaryRequest(
          '/ticker.worker.v2.Worker/Process',
          identity,
          identity,
          request,
          { deadline: new Date(Date.now() + 30_000) },
          (err, value) => (err || !value ? reject(err ?? new Error('empty response')) : resolve(value)),
        ),
      ),
    close: () => client.close(),
  };
}

type RawClient = ReturnType<typeof rawClient>;

async function measure(clients: RawClient[], batchSize: number) {
  const requests = clients.map((_, i) =>
    processMethod.requestSerialize({ node: 'parse-tick', kind: 'CHAIN', records: makeBatch(batchSize, i) }),
  );
  // Check once, fully decoded, that every record came back as an output or a rejection.
  const check = processMethod.responseDeserialize(await clients[0]!.process(requests[0]!)) as ProcessResponse__Output;
  if (check.outputs.length + check.rejections.length !== batchSize) {
    throw new Error(`a batch of ${batchSize} came back with ${check.outputs.length + check.rejections.length} results`);
  }
  const run = async (ms: number, latencies: number[] | undefined) => {
    const end = performance.now() + ms;
    let records = 0;
    await Promise.all(
      clients.map(async (client, i) => {
        while (performance.now() < end) {
          const started = performance.now();
          await client.process(requests[i]!);
          latencies?.push(performance.now() - started);
          records += batchSize;
        }
      }),
    );
    return records;
  };
  await run(1000, undefined);
  const latencies: number[] = [];
  const started = performance.now();
  const workerCpuBefore = cpuSecondsOfTree(worker.pid!);
  const clientCpuBefore = process.cpuUsage();
  const records = await run(args.seconds * 1000, latencies);
  const seconds = (performance.now() - started) / 1000;
  const workerCpu = cpuSecondsOfTree(worker.pid!) - workerCpuBefore;
  const clientCpuUsage = process.cpuUsage(clientCpuBefore);
  const clientCpu = (clientCpuUsage.user + clientCpuUsage.system) / 1e6;
  latencies.sort((a, b) => a - b);
  return {
    batchSize,
    recordsPerSecond: Math.round(records / seconds),
    /** Throughput per CPU-second the worker processes used: what one dedicated core would do. */
    recordsPerWorkerCpuSecond: Math.round(records / workerCpu),
    workerCpuSeconds: Number(workerCpu.toFixed(2)),
    clientCpuSeconds: Number(clientCpu.toFixed(2)),
    calls: latencies.length,
    latencyMsP50: Number(percentile(latencies, 50).toFixed(2)),
    latencyMsP99: Number(percentile(latencies, 99).toFixed(2)),
  };
}

const port = await freePort();
const processes = args.processes === 0 ? availableParallelism() : args.processes;
const worker: ChildProcess = spawn(
  process.execPath,
  [
    // The cluster forks its processes with the primary's execArgv, so each of them writes a profile too.
    ...(args.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${resolve(args.cpuProf)}`] : []),
    '--import',
    'tsx',
    join(root, 'pipeline/src/cli/main.ts'),
    'worker',
    join(root, 'pipeline/src/stock/stockPipeline.ts'),
    '--port',
    String(port),
    '--processes',
    String(processes),
  ],
  { cwd: root, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, LOG_LEVEL: 'warn' } },
);
const workerExited = new Promise<number | null>((done) => worker.on('exit', (code) => done(code)));

const clients = Array.from({ length: args.concurrency }, () => rawClient(`127.0.0.1:${port}`));
const probe = createWorkerClient(`127.0.0.1:${port}`);
try {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await probe.describe();
      break;
    } catch (err) {
      if (worker.exitCode !== null) throw new Error(`the worker exited with code ${worker.exitCode}`);
      if (Date.now() > deadline)
        throw new Error(`the worker did not answer on port ${port}: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const results = [];
  for (const size of args.batchSizes) {
    const result = await measure(clients, size);
    results.push(result);
    console.error(
      `batch ${String(size).padStart(5)}: ${String(result.recordsPerSecond).padStart(8)} records/s, ` +
        `${String(result.recordsPerWorkerCpuSecond).padStart(8)} records per worker CPU-second, ` +
        `call p50 ${result.latencyMsP50} ms, p99 ${result.latencyMsP99} ms (${result.calls} calls)`,
    );
  }
  console.log(
    JSON.stringify({
      chain: 'parse-tick',
      workerProcesses: processes,
      concurrency: args.concurrency,
      seconds: args.seconds,
      badRatio: args.badRatio,
      cpu: `${cpus().length} x ${cpus()[0]?.model ?? 'unknown'}`,
      node: process.version,
      results,
    }),
  );
} finally {
  for (const c of clients) c.close();
  probe.close();
  worker.kill('SIGTERM');
  await workerExited;
}
