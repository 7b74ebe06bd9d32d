/**
 * Solution, module 3 (docs/workshop/03-add-a-step.md): keep only round lots; odd lots go to the
 * dead letter with the reason `odd lot: <volume> shares`.
 */
import { type Rejected, reject, type Stream } from '@ticker/pipeline';
import type { TickRow } from '@ticker/pipeline/stock';

/** The step's name: kebab-case, unique in the pipeline, shown in the `rejected` table. */
export const ROUND_LOTS_STEP = 'round-lots-only';

/** true for a round lot; `reject('odd lot: N shares')` for an odd lot. */
export function checkRoundLot(row: TickRow): boolean | Rejected {
  return row.volume % 100 === 0 || reject(`odd lot: ${row.volume} shares`);
}

/**
 * Adds the round-lot step after `to-tick-row`. It sits between two stateless steps with no branch,
 * so the compiler fuses it into the `parse-tick` chain: no new Flink operator, no extra worker call.
 */
export function addTickSteps(rows: Stream<TickRow>): Stream<TickRow> {
  return rows.filter(ROUND_LOTS_STEP, checkRoundLot);
}
