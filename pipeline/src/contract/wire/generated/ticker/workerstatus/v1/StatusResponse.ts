// Original file: pipeline/proto/worker_status.proto


export interface StatusResponse {
  'statusJson'?: (string);
}

export interface StatusResponse__Output {
  'statusJson': (string);
}
