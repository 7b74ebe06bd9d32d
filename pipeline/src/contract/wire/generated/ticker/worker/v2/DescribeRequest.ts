// Original file: pipeline/proto/worker.proto


export interface DescribeRequest {
}

export interface DescribeRequest__Output {
}
