/**
 * Solution, module 4 (docs/workshop/04-add-a-window.md): volume per symbol per 30 seconds into the
 * ClickHouse table `volume_30s`.
 */

import {
  type Accumulated,
  type AccumulatorKit,
  clickhouseTable,
  formatClickHouseDateTime,
  type KeyedStream,
  tumbling,
  type WindowInfo,
} from '@ticker/pipeline';
import type { TickRow } from '@ticker/pipeline/stock';
import type { VolumeRow } from '../rows';

export const VOLUME_WINDOW = 'volume-30s';
export const VOLUME_SINK = 'write-volume-30s';
export const VOLUME_WINDOW_MS = 30_000;

/**
 * What the window accumulates per tick: Flink adds these up as ticks arrive, so the window holds three
 * numbers per symbol however busy the symbol is. Sums, counts and maxima do not depend on the order.
 */
export function volumeFields(f: AccumulatorKit<TickRow>) {
  return { ticks: f.count(), volume: f.sum((row) => row.volume), max_volume: f.max((row) => row.volume) };
}

/** A fired window's accumulated fields. */
export type VolumeAccumulator = Accumulated<ReturnType<typeof volumeFields>>;

/** One window's row, from its accumulator. */
export function finishVolume(acc: VolumeAccumulator, window: WindowInfo): VolumeRow {
  return {
    symbol: window.key,
    window_start: formatClickHouseDateTime(window.start),
    ticks: acc.ticks,
    volume: acc.volume,
    max_volume: acc.max_volume,
  };
}

/**
 * Adds the 30-second volume window and its sink. It reads the same stream keyed `by-symbol` as the
 * candles, so keying costs no extra worker call; Flink keeps this window's state next to theirs.
 */
export function addSymbolWindows(bySymbol: KeyedStream<TickRow>): void {
  bySymbol
    .window(VOLUME_WINDOW, tumbling(VOLUME_WINDOW_MS), { allowedLatenessMs: 0 })
    .accumulate({ fields: volumeFields })
    .finish(finishVolume)
    .sink(VOLUME_SINK, clickhouseTable<VolumeRow>('volume_30s'));
}
