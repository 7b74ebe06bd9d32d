/** Explicit rejection: a step returns `reject(reason)` to send its input record to the dead-letter targets. */

const REJECTED = Symbol('ticker.rejected');

/** The value a step returns to refuse its input. Carries the reason written to the dead letter. */
export interface Rejected {
  readonly [REJECTED]: true;
  readonly reason: string;
}

/** Refuses the current record with a reason; return it from any step (map, filter, flatMap, aggregate). */
export function reject(reason: string): Rejected {
  return { [REJECTED]: true, reason };
}

/** True when a step's result is a rejection rather than a value. */
export function isRejected(value: unknown): value is Rejected {
  return typeof value === 'object' && value !== null && (value as Partial<Rejected>)[REJECTED] === true;
}
