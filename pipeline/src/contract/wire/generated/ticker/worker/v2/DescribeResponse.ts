// Original file: pipeline/proto/worker.proto


export interface DescribeResponse {
  /**
   * The descriptor JSON (same text `pipeline describe` prints).
   */
  'descriptorJson'?: (string);
  /**
   * SHA-256 (hex) of descriptor_json.
   */
  'descriptorSha256'?: (string);
}

export interface DescribeResponse__Output {
  /**
   * The descriptor JSON (same text `pipeline describe` prints).
   */
  'descriptorJson': (string);
  /**
   * SHA-256 (hex) of descriptor_json.
   */
  'descriptorSha256': (string);
}
