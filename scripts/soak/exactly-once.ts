/**
 * The soak's exactly-once check: what the producer acknowledged, regenerated
 * from its seed (ids are `<seed>-<sequence>`, the symbol of each sequence is
 * fixed by the seed), against what ClickHouse holds per symbol.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { generateTicks } from '../../producer/src/generator';

export interface SymbolCount {
  symbol: string;
  produced: number;
  /** Rows as queried with FINAL (replays of a checkpoint collapse, as every reader sees them). */
  final: number;
  distinctIds: number;
  /** Rows before merges: copies a replay wrote that ClickHouse has not merged away yet. */
  storedCopies: number;
}

export interface ExactlyOnce {
  ok: boolean;
  produced: number;
  stored: number;
  /** Smallest and largest sequence number found (must be 0 and produced − 1). */
  firstSequence: number;
  lastSequence: number;
  rejected: number;
  perSymbol: SymbolCount[];
  problems: string[];
}

/** Per symbol, how many of the first `count` generated records of `seed` carry it. */
export function producedPerSymbol(seed: number, count: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (const record of generateTicks({ seed, count })) {
    if (record.kind !== 'tick')
      throw new Error(`record ${record.sequence} is malformed; the soak sends valid ticks only`);
    counts.set(record.key, (counts.get(record.key) ?? 0) + 1);
  }
  return counts;
}

async function rows<T>(clickhouse: ClickHouseClient, query: string): Promise<T[]> {
  return (await (await clickhouse.query({ query, format: 'JSONEachRow' })).json()) as T[];
}

/** Compares ClickHouse's ticks (and rejected) with the `produced` records of `seed`. */
export async function checkExactlyOnce(
  clickhouse: ClickHouseClient,
  seed: number,
  produced: number,
): Promise<ExactlyOnce> {
  const expected = producedPerSymbol(seed, produced);
  const sequence = "toUInt64(splitByChar('-', id)[2])";
  const stored = await rows<{ symbol: string; copies: string; ids: string; lo: string; hi: string }>(
    clickhouse,
    `SELECT symbol, count() AS copies, uniqExact(id) AS ids, min(${sequence}) AS lo, max(${sequence}) AS hi
     FROM ticks GROUP BY symbol ORDER BY symbol`,
  );
  const final = await rows<{ symbol: string; n: string }>(
    clickhouse,
    'SELECT symbol, count() AS n FROM ticks FINAL GROUP BY symbol',
  );
  const rejected = Number((await rows<{ n: string }>(clickhouse, 'SELECT count() AS n FROM rejected'))[0]?.n ?? 0);
  const finalBySymbol = new Map(final.map((r) => [r.symbol, Number(r.n)]));
  const storedBySymbol = new Map(stored.map((r) => [r.symbol, r]));
  const symbols = [...new Set([...expected.keys(), ...storedBySymbol.keys()])].sort();
  const problems: string[] = [];
  const perSymbol = symbols.map((symbol): SymbolCount => {
    const s = storedBySymbol.get(symbol);
    const count: SymbolCount = {
      symbol,
      produced: expected.get(symbol) ?? 0,
      final: finalBySymbol.get(symbol) ?? 0,
      distinctIds: Number(s?.ids ?? 0),
      storedCopies: Number(s?.copies ?? 0),
    };
    if (count.final !== count.produced || count.distinctIds !== count.produced) {
      problems.push(
        `${symbol}: produced ${count.produced}, ClickHouse has ${count.final} (FINAL), ${count.distinctIds} distinct ids`,
      );
    }
    return count;
  });
  const firstSequence = Math.min(...stored.map((r) => Number(r.lo)));
  const lastSequence = Math.max(...stored.map((r) => Number(r.hi)));
  const total = perSymbol.reduce((sum, c) => sum + c.distinctIds, 0);
  // `produced` distinct ids, all within 0..produced-1: exactly the ids sent, each present.
  if (produced > 0 && (firstSequence !== 0 || lastSequence !== produced - 1 || total !== produced)) {
    problems.push(
      `ids: ${total} distinct from sequence ${firstSequence} to ${lastSequence}, expected 0..${produced - 1}`,
    );
  }
  if (rejected !== 0) problems.push(`${rejected} dead letters for valid ticks`);
  return {
    ok: problems.length === 0,
    produced,
    stored: total,
    firstSequence,
    lastSequence,
    rejected,
    perSymbol,
    problems,
  };
}
