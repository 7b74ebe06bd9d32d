// Original file: pipeline/proto/worker.proto

export const CallKind = {
  /**
   * Runs chain `node` over the records.
   */
  CHAIN: 'CHAIN',
  /**
   * Finishes fired windows of window node `node`: one output per record (input_index = its index).
   */
  FINISH: 'FINISH',
  /**
   * Records that came after window node `node` had fired (beyond its allowed lateness): one
   * rejection with the dead-letter row per record.
   */
  LATE: 'LATE',
  /**
   * Records the bridge refused for node `node` (a chain, window or the source) before any step ran:
   * too large for a request, poison (failed the worker the same way across restarts), or ahead of
   * the clock. Each record carries a `refusal`; the answer is exactly one rejection with the
   * dead-letter row per record (step = `node`), no outputs.
   */
  REJECT: 'REJECT',
} as const;

export type CallKind =
  /**
   * Runs chain `node` over the records.
   */
  | 'CHAIN'
  | 0
  /**
   * Finishes fired windows of window node `node`: one output per record (input_index = its index).
   */
  | 'FINISH'
  | 1
  /**
   * Records that came after window node `node` had fired (beyond its allowed lateness): one
   * rejection with the dead-letter row per record.
   */
  | 'LATE'
  | 2
  /**
   * Records the bridge refused for node `node` (a chain, window or the source) before any step ran:
   * too large for a request, poison (failed the worker the same way across restarts), or ahead of
   * the clock. Each record carries a `refusal`; the answer is exactly one rejection with the
   * dead-letter row per record (step = `node`), no outputs.
   */
  | 'REJECT'
  | 3

export type CallKind__Output = typeof CallKind[keyof typeof CallKind]
