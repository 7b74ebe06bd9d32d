// Original file: pipeline/proto/worker_status.proto


export interface StatusRequest {
}

export interface StatusRequest__Output {
}
