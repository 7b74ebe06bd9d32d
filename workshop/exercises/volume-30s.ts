/**
 * Exercise, module 4 (docs/workshop/04-add-a-window.md): volume per symbol per 30 seconds.
 *
 * Window the ticks keyed by symbol into 30-second tumbling event-time windows (allowed lateness 0),
 * accumulate per tick what the row needs, finish each fired window into a VolumeRow and write it to
 * the ClickHouse table `volume_30s` (workshop/sql/volume_30s.sql). Names: window `volume-30s`, sink
 * `write-volume-30s`.
 */
import type { Accumulated, AccumulatorKit, KeyedStream, WindowInfo } from '@ticker/pipeline';
import type { TickRow } from '@ticker/pipeline/stock';
import type { VolumeRow } from '../rows';

export const VOLUME_WINDOW = 'volume-30s';
export const VOLUME_SINK = 'write-volume-30s';
export const VOLUME_WINDOW_MS = 30_000;

/**
 * What the window accumulates per tick (Flink merges the fields as ticks arrive): ticks = f.count(),
 * volume = f.sum of the volumes, max_volume = f.max of the volumes.
 */
export function volumeFields(f: AccumulatorKit<TickRow>) {
  // TODO (module 4): replace the placeholder with the three fields.
  return { ticks: f.count() };
}

/** A fired window's accumulated fields. */
export type VolumeAccumulator = Accumulated<ReturnType<typeof volumeFields>>;

/**
 * One window's row: symbol = window.key, window_start = window.start as ClickHouse DateTime text
 * (formatClickHouseDateTime from '@ticker/pipeline'), ticks, volume and
 * max_volume from the accumulator.
 */
export function finishVolume(acc: VolumeAccumulator, window: WindowInfo): VolumeRow {
  // TODO (module 4): compute the row from acc and window.
  throw new Error(`TODO (module 4): finishVolume for ${window.key} (${acc.ticks} ticks)`);
}

/** Adds the 30-second volume window and its sink to the ticks keyed by symbol. */
export function addSymbolWindows(bySymbol: KeyedStream<TickRow>): void {
  // TODO (module 4):
  //   bySymbol
  //     .window(VOLUME_WINDOW, tumbling(VOLUME_WINDOW_MS), { allowedLatenessMs: 0 })
  //     .accumulate({ fields: volumeFields })
  //     .finish(finishVolume)
  //     .sink(VOLUME_SINK, clickhouseTable<VolumeRow>('volume_30s'));
  void bySymbol;
}
