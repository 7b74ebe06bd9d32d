// Original file: pipeline/proto/worker.proto

import type { Prefix as _ticker_worker_v2_Prefix, Prefix__Output as _ticker_worker_v2_Prefix__Output } from '../../../ticker/worker/v2/Prefix';

/**
 * A record the bridge refused before a worker step could take it. The worker turns it into a
 * dead-letter row without reading the value as anything but bytes.
 */
export interface Refusal {
  /**
   * The dead letter's reason, e.g. "too large: ...", "poison: ...", "event time ... ahead of the clock".
   */
  'reason'?: (string);
  /**
   * Set when the record's value is only the first bytes of the refused input, because the whole
   * does not fit in a request under the bridge's bound (--max-request-bytes). The bridge sends at
   * most 65,540 bytes (the row keeps at most 64 KiB of raw input, on a character boundary), fewer
   * when the request bound leaves less room.
   */
  'prefix'?: (_ticker_worker_v2_Prefix | null);
}

/**
 * A record the bridge refused before a worker step could take it. The worker turns it into a
 * dead-letter row without reading the value as anything but bytes.
 */
export interface Refusal__Output {
  /**
   * The dead letter's reason, e.g. "too large: ...", "poison: ...", "event time ... ahead of the clock".
   */
  'reason': (string);
  /**
   * Set when the record's value is only the first bytes of the refused input, because the whole
   * does not fit in a request under the bridge's bound (--max-request-bytes). The bridge sends at
   * most 65,540 bytes (the row keeps at most 64 KiB of raw input, on a character boundary), fewer
   * when the request bound leaves less room.
   */
  'prefix': (_ticker_worker_v2_Prefix__Output | null);
}
