/**
 * Exercise, module 3 (docs/workshop/03-add-a-step.md): keep only round lots.
 *
 * A round lot is a whole multiple of 100 shares (0 counts as round). Odd lots (1..99 shares, about
 * 8% of the demo producer's ticks) must not reach `ticks` or the candles: send each one to the dead
 * letter with the reason `odd lot: <volume> shares`, e.g. `odd lot: 37 shares`.
 */
import type { Rejected, Stream } from '@ticker/pipeline';
import type { TickRow } from '@ticker/pipeline/stock';

/** The step's name: kebab-case, unique in the pipeline, shown in the `rejected` table. */
export const ROUND_LOTS_STEP = 'round-lots-only';

/** true for a round lot; `reject('odd lot: N shares')` for an odd lot. */
export function checkRoundLot(row: TickRow): boolean | Rejected {
  // TODO (module 3): return true when row.volume is a multiple of 100,
  // otherwise reject(`odd lot: ${row.volume} shares`) (import reject from '@ticker/pipeline').
  return row.volume >= 0;
}

/** Adds the round-lot step after `to-tick-row`. */
export function addTickSteps(rows: Stream<TickRow>): Stream<TickRow> {
  // TODO (module 3): return rows.filter(ROUND_LOTS_STEP, checkRoundLot);
  return rows;
}
