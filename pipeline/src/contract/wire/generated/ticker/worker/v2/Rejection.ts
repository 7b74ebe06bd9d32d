// Original file: pipeline/proto/worker.proto


/**
 * An input the node refused (invalid, a step threw, late). It never fails the batch.
 */
export interface Rejection {
  'inputIndex'?: (number);
  /**
   * Name of the step that refused it.
   */
  'step'?: (string);
  'reason'?: (string);
  /**
   * The dead-letter record (JSON) to write to the descriptor's dead-letter targets.
   */
  'deadLetter'?: (Buffer | Uint8Array | string);
}

/**
 * An input the node refused (invalid, a step threw, late). It never fails the batch.
 */
export interface Rejection__Output {
  'inputIndex': (number);
  /**
   * Name of the step that refused it.
   */
  'step': (string);
  'reason': (string);
  /**
   * The dead-letter record (JSON) to write to the descriptor's dead-letter targets.
   */
  'deadLetter': (Buffer);
}
