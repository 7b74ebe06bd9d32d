/**
 * Solution, module 4 (docs/workshop/04-add-a-window.md): volume per symbol per 30 seconds into the
 * ClickHouse table `volume_30s`.
 */
import { clickhouseTable, type KeyedStream, tumbling, type WindowInfo } from '../../pipeline/src/dsl';
import { formatClickHouseDateTime } from '../../pipeline/src/runtime/deadLetter';
import type { TickRow } from '../../pipeline/src/stock';
import type { VolumeRow } from '../rows';

export const VOLUME_WINDOW = 'volume-30s';
export const VOLUME_SINK = 'write-volume-30s';
export const VOLUME_WINDOW_MS = 30_000;

/** One window's row. Sums of integers do not depend on the order the records arrive in. */
export function computeVolume(rows: TickRow[], window: WindowInfo): VolumeRow {
  let volume = 0;
  let maxVolume = 0;
  for (const row of rows) {
    volume += row.volume;
    if (row.volume > maxVolume) maxVolume = row.volume;
  }
  return {
    symbol: window.key,
    window_start: formatClickHouseDateTime(window.start),
    ticks: rows.length,
    volume,
    max_volume: maxVolume,
  };
}

/**
 * Adds the 30-second volume window and its sink. It reads the same stream keyed `by-symbol` as the
 * candles, so keying costs no extra worker call; Flink keeps this window's state next to theirs.
 */
export function addSymbolWindows(bySymbol: KeyedStream<TickRow>): void {
  bySymbol
    .window(VOLUME_WINDOW, tumbling(VOLUME_WINDOW_MS), { allowedLatenessMs: 0 })
    .aggregate(computeVolume)
    .sink(VOLUME_SINK, clickhouseTable<VolumeRow>('volume_30s'));
}
