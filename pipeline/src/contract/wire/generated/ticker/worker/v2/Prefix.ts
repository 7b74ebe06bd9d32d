// Original file: pipeline/proto/worker.proto

import type { Long } from '@grpc/proto-loader';

/**
 * What the row says about an input of which only a prefix was sent.
 */
export interface Prefix {
  /**
   * The whole input's length in bytes.
   */
  'bytes'?: (number | string | Long);
  /**
   * SHA-256 of the whole input (32 bytes).
   */
  'sha256'?: (Buffer | Uint8Array | string);
  /**
   * Whether the whole input is well-formed UTF-8 (the row then keeps text, else base64).
   */
  'utf8'?: (boolean);
}

/**
 * What the row says about an input of which only a prefix was sent.
 */
export interface Prefix__Output {
  /**
   * The whole input's length in bytes.
   */
  'bytes': (number);
  /**
   * SHA-256 of the whole input (32 bytes).
   */
  'sha256': (Buffer);
  /**
   * Whether the whole input is well-formed UTF-8 (the row then keeps text, else base64).
   */
  'utf8': (boolean);
}
