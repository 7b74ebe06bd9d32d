/**
 * A small in-process stand-in for the bridge, for tests that compare two compilations of one
 * pipeline (pipeline/test/fusionInvariance.test.ts): it runs a descriptor's nodes over the runtime
 * the way the Flink job routes records, without Flink. Batches from the source go through the chains
 * in descriptor order; outputs fan out to every consumer; a window assigns each record to its event-
 * time windows, keeps its accumulators, and after each batch fires the windows the watermark passed
 * (FINISH, merged by helpers.fire) and sends records for closed windows to LATE.
 *
 * Simplified on purpose, the same for every compilation: one watermark for all partitions
 * (max event time seen - maxOutOfOrderness - 1, as Flink's bounded out-of-orderness), allowed
 * lateness 0 only, no dedupe and no ahead-of-clock check (the bridge does those before any worker
 * call), and the record timestamp given is the event time.
 */

import type { CompiledPipeline } from '../src/compiler/compile';
import type { Descriptor } from '../src/descriptor/schema';
import { runChain } from '../src/runtime/chain';
import { runFinish, runLate } from '../src/runtime/window';
import type { BatchResult, WireRecord } from '../src/runtime/wire';
import { fire } from './helpers';

/** Everything a run wrote: each sink's rows and the dead letters, as the exact UTF-8 text. */
export interface SimulatedRun {
  sinks: Map<string, string[]>;
  deadLetters: string[];
}

type WindowNode = Extract<Descriptor['nodes'][number], { kind: 'window' }>;

interface OpenWindow {
  node: WindowNode;
  key: string;
  start: number;
  end: number;
  records: WireRecord[];
}

/** Runs `records` (in order, `batchSize` at a time) through the compiled pipeline. */
export function simulate(compiled: CompiledPipeline, records: readonly WireRecord[], batchSize: number): SimulatedRun {
  const { descriptor } = compiled;
  const sinks = new Map<string, string[]>();
  const deadLetters: string[] = [];
  const open = new Map<string, OpenWindow>();
  let watermark = Number.NEGATIVE_INFINITY;
  let maxEventTime = Number.NEGATIVE_INFINITY;
  const delay = descriptor.source.watermark.maxOutOfOrdernessMs;

  const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');
  const collect = (result: BatchResult) => {
    for (const r of result.rejections) deadLetters.push(text(r.deadLetter));
    return result.outputs.map((o) => o.record);
  };

  const deliver = (from: string, batch: readonly WireRecord[]) => {
    if (batch.length === 0) return;
    for (const node of descriptor.nodes) {
      if (node.input !== from) continue;
      if (node.kind === 'sink') {
        const rows = sinks.get(node.name) ?? [];
        for (const r of batch) rows.push(text(r.value));
        sinks.set(node.name, rows);
      } else if (node.kind === 'chain') {
        deliver(node.name, collect(runChain(compiled.chains.get(node.name)!, batch)));
      } else {
        accept(node, from, batch);
      }
    }
  };

  const accept = (node: WindowNode, chain: string, batch: readonly WireRecord[]) => {
    if (node.allowedLatenessMs !== 0) throw new Error(`simulate: window ${node.name} has allowed lateness`);
    // The record's accumulator for this window: its place among the windows reading the chain.
    const index = descriptor.nodes.filter((n) => n.kind === 'window' && n.input === chain).indexOf(node);
    const late: WireRecord[] = [];
    for (const record of batch) {
      const ts = Number(record.timestamp);
      const { sizeMs } = node.window;
      const slideMs = node.window.type === 'sliding' ? node.window.slideMs : sizeMs;
      let windows = 0;
      for (let start = ts - (((ts % slideMs) + slideMs) % slideMs); start > ts - sizeMs; start -= slideMs) {
        const end = start + sizeMs;
        if (end - 1 <= watermark) continue;
        windows++;
        const id = `${node.name}\0${record.key}\0${start}`;
        const window = open.get(id) ?? { node, key: record.key, start, end, records: [] };
        window.records.push({ ...record, accumulators: [record.accumulators![index]!] });
        open.set(id, window);
      }
      // Late only when every window of the record has closed (Flink's WindowOperator rule).
      if (windows === 0) late.push(record);
    }
    if (late.length > 0) collect(runLate(compiled.windows.get(node.name)!, late));
  };

  const fireUpTo = (mark: number) => {
    const due = [...open.entries()]
      .filter(([, w]) => w.end - 1 <= mark)
      .sort(([a, x], [b, y]) => x.end - y.end || (a < b ? -1 : a > b ? 1 : 0));
    for (const [id, w] of due) {
      open.delete(id);
      const fired = fire(w.records, 0, w.node.accumulator, { key: w.key, start: w.start, end: w.end });
      deliver(w.node.name, collect(runFinish(compiled.windows.get(w.node.name)!, [fired])));
    }
  };

  for (let at = 0; at < records.length; at += batchSize) {
    const batch = records.slice(at, at + batchSize);
    deliver(descriptor.source.name, batch);
    for (const r of batch) maxEventTime = Math.max(maxEventTime, Number(r.timestamp));
    watermark = maxEventTime - delay - 1;
    fireUpTo(watermark);
  }
  fireUpTo(Number.POSITIVE_INFINITY);
  return { sinks, deadLetters };
}
