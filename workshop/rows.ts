/** Row shapes the workshop adds; keys are exactly the columns of the table in workshop/sql/. */

/** A `volume_30s` row: one symbol, one 30-second window (workshop/sql/volume_30s.sql). */
export interface VolumeRow {
  symbol: string;
  /** Window start as ClickHouse DateTime text in UTC, 'YYYY-MM-DD hh:mm:ss'. */
  window_start: string;
  /** Number of ticks in the window. */
  ticks: number;
  /** Sum of the ticks' volumes (shares). */
  volume: number;
  /** The largest single tick's volume. */
  max_volume: number;
}
