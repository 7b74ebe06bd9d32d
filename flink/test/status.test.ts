import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatDuration } from '../src/format';
import { FlinkRestClient } from '../src/rest/client';
import { formatJobList, formatJobStatus, jobStatus } from '../src/status';
import { FakeFlink } from './fake-flink';
import { jobDetails, jobOverview } from './fixtures';

describe('status', () => {
  let flink: FakeFlink;
  beforeEach(async () => {
    flink = await new FakeFlink().start();
  });
  afterEach(() => flink.stop());

  it('gathers state, uptime, last checkpoint and per-operator records', async () => {
    flink.on('GET /jobs/j1', () => ({ json: jobDetails('j1', 'RUNNING', [2, 2], 1_700_000_090_000) }));
    flink.on('GET /jobs/j1/checkpoints', () => ({
      json: {
        counts: { restored: 0, total: 8, in_progress: 0, completed: 7, failed: 1 },
        latest: {
          completed: {
            id: 7,
            status: 'COMPLETED',
            is_savepoint: false,
            trigger_timestamp: 1_700_000_080_000,
            latest_ack_timestamp: 1_700_000_080_250,
            end_to_end_duration: 250,
            external_path: 'file:/state/checkpoints/j1/chk-7',
          },
          savepoint: null,
          failed: null,
          restored: null,
        },
      },
    }));
    // v1 reports its subtasks' own counters (the job details say 0 / 1200: the subtasks win);
    // v2 reports only a rate, so its counts come from the job details.
    flink.on('GET /jobs/j1/vertices/v1/metrics', () => ({
      json: [
        { id: '0.numRecordsIn', value: '700' },
        { id: '1.numRecordsIn', value: '650' },
        { id: '0.numRecordsOut', value: '700' },
        { id: '1.numRecordsOut', value: '649' },
        { id: '0.numRecordsInPerSecond', value: '0.0' },
        { id: '0.numRecordsOutPerSecond', value: '10.25' },
        { id: '1.numRecordsOutPerSecond', value: '10.25' },
      ],
    }));
    flink.on('GET /jobs/j1/vertices/v2/metrics', () => ({
      json: [{ id: '1.numRecordsInPerSecond', value: '1234.4' }],
    }));
    const status = await jobStatus(new FlinkRestClient({ url: flink.url }), 'j1');
    expect(status).toEqual({
      jobId: 'j1',
      name: 'stock-pipeline',
      state: 'RUNNING',
      uptimeMs: 90_000,
      lastCheckpoint: { id: 7, ageMs: 9_750, durationMs: 250, path: 'file:/state/checkpoints/j1/chk-7' },
      checkpointsCompleted: 7,
      checkpointsFailed: 1,
      restoredFrom: undefined,
      vertices: [
        {
          name: 'Source: ticks -> parse',
          parallelism: 2,
          status: 'RUNNING',
          recordsIn: 1350,
          recordsOut: 1349,
          recordsInPerSecond: 0,
          recordsOutPerSecond: 20.5,
        },
        {
          name: 'ticks-sink',
          parallelism: 2,
          status: 'RUNNING',
          recordsIn: 1200,
          recordsOut: 0,
          recordsInPerSecond: 1234.4,
          recordsOutPerSecond: undefined,
        },
      ],
    });
    expect(formatJobStatus(status)).toBe(
      [
        'job j1  stock-pipeline',
        '  state:           RUNNING',
        '  uptime:          1m30s',
        '  last checkpoint: #7, 9s ago, took 250ms (7 completed, 1 failed)',
        '',
        '  operator                par  status   records in  records out  in/s   out/s',
        '  Source: ticks -> parse  2    RUNNING  1,350       1,349        0      20.5',
        '  ticks-sink              2    RUNNING  1,200       0            1,234  -',
      ].join('\n'),
    );
  });

  it('lists jobs newest first', () => {
    const text = formatJobList(
      [
        jobOverview('a', 'stock-pipeline', 'CANCELED', 1_700_000_000_000),
        jobOverview('b', 'stock-pipeline', 'RUNNING', 1_700_000_100_000),
      ],
      1_700_000_160_000,
    );
    expect(text).toBe(
      [
        'job id  state     started              duration  name',
        'b       RUNNING   2023-11-14 22:15:00  1m00s     stock-pipeline',
        'a       CANCELED  2023-11-14 22:13:20  5s        stock-pipeline',
      ].join('\n'),
    );
    expect(formatJobList([])).toBe('no jobs');
  });

  it('formats durations', () => {
    expect([0, 999, 1000, 75_000, 3_726_000, -1].map(formatDuration)).toEqual([
      '0ms',
      '999ms',
      '1s',
      '1m15s',
      '1h02m06s',
      '-',
    ]);
  });
});
