/** Test data shaped like Flink 2.2's REST responses and a valid pipeline descriptor. */
import type { Descriptor } from '../../pipeline/src/descriptor/schema';
import type { LoadedDescriptor } from '../src/descriptor';

export const descriptor: Descriptor = {
  version: 3,
  name: 'stock-pipeline',
  source: {
    kind: 'source',
    name: 'ticks',
    type: 'kafka',
    topic: 'stock-ticks',
    startingOffsets: 'earliest',
    watermark: { maxOutOfOrdernessMs: 2000, idlenessMs: 5000 },
    eventTime: { from: 'field', path: ['ts'], format: 'iso-8601', maxAheadMs: 60000 },
  },
  nodes: [
    {
      kind: 'chain',
      name: 'parse',
      input: 'ticks',
      steps: [
        { name: 'parse-tick', kind: 'map' },
        { name: 'by-symbol', kind: 'keyBy' },
      ],
      keyed: true,
    },
    { kind: 'sink', name: 'ticks-sink', input: 'parse', target: { type: 'clickhouse', table: 'ticks' } },
  ],
  deadLetter: { name: 'dead-letters', targets: [{ type: 'clickhouse', table: 'rejected' }] },
  parallelism: 2,
};

export const loadedDescriptor: LoadedDescriptor = { json: JSON.stringify(descriptor), descriptor };

export const overview = {
  taskmanagers: 1,
  'slots-total': 4,
  'slots-available': 4,
  'jobs-running': 0,
  'jobs-finished': 0,
  'jobs-cancelled': 0,
  'jobs-failed': 0,
  'flink-version': '2.2.1',
  'flink-commit': 'abc',
};

export function jobOverview(jid: string, name: string, state: string, start = 1_700_000_000_000) {
  return {
    jid,
    name,
    state,
    'start-time': start,
    'end-time': -1,
    duration: 5000,
    'last-modification': start,
    tasks: { running: 2, total: 2 },
  };
}

export function jobDetails(jid: string, state: string, running: [number, number], now = 1_700_000_060_000) {
  const vertex = (id: string, name: string, runningTasks: number, read: number, write: number) => ({
    id,
    slotSharingGroupId: 'x',
    name,
    maxParallelism: 128,
    parallelism: 2,
    status: runningTasks === 2 ? 'RUNNING' : 'INITIALIZING',
    'start-time': 1_700_000_000_000,
    'end-time': -1,
    duration: 60_000,
    tasks: { RUNNING: runningTasks, INITIALIZING: 2 - runningTasks, CREATED: 0, FAILED: 0 },
    metrics: { 'read-bytes': 0, 'read-records': read, 'write-bytes': 0, 'write-records': write },
  });
  return {
    jid,
    name: 'stock-pipeline',
    isStoppable: false,
    state,
    'job-type': 'STREAMING',
    'start-time': 1_700_000_000_000,
    'end-time': -1,
    duration: 60_000,
    maxParallelism: -1,
    now,
    timestamps: {},
    vertices: [
      vertex('v1', 'Source: ticks -> parse', running[0], 0, 1200),
      vertex('v2', 'ticks-sink', running[1], 1200, 0),
    ],
    'status-counts': {},
    plan: {},
  };
}

/** An exception history as Flink 2.2 reports it (newest first). */
export const exceptions = {
  exceptionHistory: {
    entries: [
      {
        exceptionName: 'org.apache.flink.runtime.JobException',
        stacktrace:
          'org.apache.flink.runtime.JobException: Recovery is suppressed by NoRestartBackoffTimeStrategy\n' +
          '\tat org.apache.flink.runtime.Foo.bar(Foo.java:1)\n' +
          'Caused by: java.lang.IllegalStateException: worker descriptor sha256 differs\n' +
          '\tat dev.ticker.bridge.WorkerClient.check(WorkerClient.java:42)\n' +
          'Caused by: io.grpc.StatusRuntimeException: UNAVAILABLE: io exception (worker at worker:50051)\n',
        timestamp: 1_700_000_001_000,
        taskName: 'Source: ticks -> parse (1/2)',
        concurrentExceptions: [],
      },
    ],
    truncated: false,
  },
};
