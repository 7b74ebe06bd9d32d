/**
 * Microbenchmark of the worker's hot path, part by part: CPU microseconds per record at one batch
 * size, for the pieces a `parse-tick` Process call runs (request decode, the tick schema, the whole
 * chain, response encode). Each part runs after the others in one process, so JIT and GC state carry
 * over: compare figures of one run, or the same part across builds run alternately. Single process, no gRPC; the figures say where a worker CPU-second goes
 * (docs/benchmarks.md, "Worker").
 *
 *   npx tsx scripts/bench/worker-parts.ts [--batch 1000] [--rounds 200]
 */
import { loadConfig, parseTick, tickSchema } from '@ticker/common';
import { Command } from 'commander';
import { z } from 'zod';
import { compile } from '../../pipeline/src/compiler/compile';
import { encodeOrderKey } from '../../pipeline/src/contract/accumulator';
import { oneRecordAccumulator } from '../../pipeline/src/runtime/accumulator';
import { runChain } from '../../pipeline/src/runtime/chain';
import { stampedJson } from '../../pipeline/src/runtime/logicVersion';
import type { WireRecord } from '../../pipeline/src/runtime/wire';
import { candleOrder, tickToRow } from '../../pipeline/src/stock/logic';
import { buildStockPipeline } from '../../pipeline/src/stock/stockPipeline';
import { loadWorkerProto, processResponseSerializer } from '../../pipeline/src/worker/server';
import { generateTicks } from '../../producer/src/generator';

const args = z
  .object({ batch: z.coerce.number().int().min(1), rounds: z.coerce.number().int().min(1) })
  .parse(
    new Command('bench-worker-parts')
      .option('--batch <n>', 'records per call', '1000')
      .option('--rounds <n>', 'calls per part (after as many warm-up calls)', '200')
      .parse()
      .opts(),
  );

const records: WireRecord[] = [];
for (const r of generateTicks({ seed: 7, count: args.batch, badRatio: 0.01 })) {
  records.push({
    value: Buffer.from(r.value),
    key: r.key,
    timestamp: r.timestampMs,
    origin: `stock-ticks/0/${r.sequence}`,
  });
}
const texts = records.map((r) => r.value.toString());
const compiled = compile(buildStockPipeline(loadConfig()), { logicVersion: 'bench' });
const chain = compiled.chains.get('parse-tick')!;
const method = loadWorkerProto().service.Process!;
const request = method.requestSerialize({ node: 'parse-tick', kind: 'CHAIN', records });
const response = runChain(chain, records);
const encodeResponse = processResponseSerializer();

/** CPU microseconds per record of `fn` (one call = one batch), after a warm-up of as many calls. */
function perRecord(fn: () => unknown): number {
  for (let i = 0; i < args.rounds; i++) fn();
  const before = process.cpuUsage();
  for (let i = 0; i < args.rounds; i++) fn();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / (args.rounds * args.batch);
}

/** JSON.parse that gives null for the malformed records (1 % by default). */
const tryParse = (t: string): unknown => {
  try {
    return JSON.parse(t);
  } catch {
    return null;
  }
};
const parsed = texts.map(tryParse);
const ticks = parsed.flatMap((p) => {
  const r = tickSchema.safeParse(p);
  return r.success ? [r.data] : [];
});
const rows = ticks.map(tickToRow);
const candles = chain.accumulators[0]!;

const parts: Record<string, () => unknown> = {
  'JSON.parse of the tick text': () => texts.map(tryParse),
  'tickSchema.safeParse (parsed JSON)': () => parsed.map((p) => tickSchema.safeParse(p)),
  'parseTick (JSON.parse + schema)': () => texts.map((t) => parseTick(t)),
  tickToRow: () => ticks.map(tickToRow),
  'stampedJson of the row': () => rows.map((r) => stampedJson(r, 'bench')),
  'encodeOrderKey of the row (candleOrder)': () => rows.map((r) => encodeOrderKey(candleOrder(r))),
  'oneRecordAccumulator of the row (candles-1m)': () => rows.map((r) => oneRecordAccumulator(candles, r)),
  'runChain parse-tick without accumulators': () => runChain({ ...chain, accumulators: [] }, records),
  'runChain parse-tick (whole chain, with accumulators)': () => runChain(chain, records),
  'request decode (proto-loader deserialize)': () => method.requestDeserialize(request),
  "response encode (proto-loader's serializer)": () => method.responseSerialize(response),
  'response encode (protobufjs directly, as the server does)': () => encodeResponse(response),
};
const results: Record<string, number> = {};
for (const [name, fn] of Object.entries(parts)) {
  results[name] = Number(perRecord(fn).toFixed(3));
  console.error(`${name.padEnd(55)} ${results[name]!.toFixed(3).padStart(7)} µs CPU per record`);
}
console.log(
  JSON.stringify({ batch: args.batch, rounds: args.rounds, node: process.version, microsPerRecord: results }),
);
