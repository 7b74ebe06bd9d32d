import { EventEmitter } from 'node:events';
import { loadConfig } from '@ticker/common';
import { describe, expect, it } from 'vitest';
import { main } from '../src/command';
import { CliUsageError, resolveSettings } from '../src/options';

async function runCli(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await main(argv, {
    stdout: (t) => stdout.push(t),
    stderr: (t) => stderr.push(t),
    env: { LOG_LEVEL: 'silent', ...env },
    isTty: false,
    signals: new EventEmitter(),
  });
  return { code, stdout: stdout.join(''), stderr: stderr.join('') };
}

const usage = (message: string) => `error: ${message}\n(run with --help for usage)\n`;

describe('produce CLI validation', () => {
  it.each([
    [
      ['--rate', 'fast'],
      '--rate must be a positive number of ticks per second, or 0/max for as fast as possible (got "fast")',
    ],
    [
      ['--rate', '-5'],
      '--rate must be a positive number of ticks per second, or 0/max for as fast as possible (got "-5")',
    ],
    [['--count', '0'], '--count must be an integer from 1 to 9007199254740991 (got "0")'],
    [['--count', '2.5'], '--count must be an integer from 1 to 9007199254740991 (got "2.5")'],
    [['--seed', '-3'], '--seed must be an integer from 0 to 4294967295 (got "-3")'],
    [['--bad-ratio', '1.5'], '--bad-ratio must be a number from 0 to 1 (got "1.5")'],
    [
      ['--duration', '10x'],
      '--duration must be a positive time such as 30s, 5m, 1h, 500ms or plain seconds (got "10x")',
    ],
    [['--brokers', 'kafka'], '--brokers must be a comma-separated list of host:port (got "kafka")'],
    [['--topic', 'bad topic'], '--topic must be a valid Kafka topic name (A-Z a-z 0-9 . _ -)'],
    [['--symbols', 'aapl,MSFT'], '--symbols must be comma-separated upper-case tickers like AAPL,MSFT (bad: "aapl")'],
    [['--symbols', 'AAPL,AAPL'], '--symbols lists AAPL more than once'],
    [
      ['--start-time', 'yesterday'],
      '--start-time must be an ISO-8601 time with a zone (e.g. 2026-01-05T14:30:00.000Z) or epoch milliseconds (got "yesterday")',
    ],
    [['--compression', 'zstd'], '--compression must be none or gzip (got "zstd")'],
    [['--time-scale', '0'], '--time-scale must be a positive number of market seconds per event second (got "0")'],
    [['--retries', '0'], '--retries must be an integer from 1 to 100 (got "0")'],
    [['--lanes', '9'], '--lanes must be an integer from 1 to 8 (got "9")'],
    [['--batch-size', '0'], '--batch-size must be an integer from 1 to 100000 (got "0")'],
    [['--count', '5', '--duration', '1s'], 'use either --count or --duration, not both'],
    [['--loop'], '--loop only applies to --replay'],
    [['--shift-to-now'], '--shift-to-now only applies to --replay'],
    [['--event-rate', '10'], '--event-rate needs --start-time (without it, event time is the wall clock)'],
    [['--replay', 'x.jsonl', '--start-time', '0'], '--start-time cannot be used with --replay (use --shift-to-now)'],
  ])('%j -> exit 2 with a message naming the option', async (argv, message) => {
    const result = await runCli(argv);
    expect(result).toEqual({ code: 2, stdout: '', stderr: usage(message) });
  });

  it('reports every bad option at once', async () => {
    const result = await runCli(['--rate', 'x', '--bad-ratio', '-1']);
    expect(result.stderr).toBe(
      usage(
        '--rate must be a positive number of ticks per second, or 0/max for as fast as possible (got "x")\n' +
          '--bad-ratio must be a number from 0 to 1 (got "-1")',
      ),
    );
  });

  it('names a bad environment variable', async () => {
    const result = await runCli(['--count', '1'], { KAFKA_BROKERS: 'nohost' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('KAFKA_BROKERS="nohost": must be host:port (for example localhost:9092)');
  });

  it('rejects an unknown option through commander', async () => {
    const result = await runCli(['--speed', '3']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("error: unknown option '--speed'");
  });

  it('names a missing replay file', async () => {
    const result = await runCli(['--replay', '/nonexistent/ticks.jsonl']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: cannot read replay file \/nonexistent\/ticks\.jsonl: ENOENT/);
  });
});

describe('unreachable broker', () => {
  it('exits 1 naming the broker address and reports 0 sent', async () => {
    const result = await runCli(['--brokers', 'localhost:1', '--count', '10', '--seed', '5', '--retries', '1']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'error: cannot connect to Kafka broker(s) at localhost:1: Connection error: connect ECONNREFUSED 127.0.0.1:1\n',
    );
    expect(JSON.parse(result.stdout)).toEqual({
      status: 'failed',
      topic: 'stock-ticks',
      brokers: ['localhost:1'],
      seed: 5,
      source: 'generator',
      generated: 0,
      sent: 0,
      failed: 0,
      error: 'cannot connect to Kafka broker(s) at localhost:1: Connection error: connect ECONNREFUSED 127.0.0.1:1',
    });
  });
});

describe('unreachable broker with lanes', () => {
  it('exits 1 naming the broker address from the lane that failed, and reports 0 sent', async () => {
    const result = await runCli(['--brokers', 'localhost:1', '--count', '10', '--lanes', '2', '--retries', '1']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'error: cannot connect to Kafka broker(s) at localhost:1: Connection error: connect ECONNREFUSED 127.0.0.1:1\n',
    );
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'failed', generated: 0, sent: 0, failed: 0 });
  });
});

describe('resolveSettings', () => {
  const config = loadConfig({});

  it('takes defaults from the environment config and draws a random seed', () => {
    expect(resolveSettings({}, loadConfig({ KAFKA_BROKERS: 'k1:9092,k2:9092', TICKS_TOPIC: 't1' }), () => 99)).toEqual({
      brokers: ['k1:9092', 'k2:9092'],
      topic: 't1',
      symbols: ['AAPL', 'MSFT', 'GOOG', 'AMZN', 'TSLA', 'NVDA', 'META'],
      rate: 100,
      pacing: 'rate',
      count: undefined,
      durationMs: undefined,
      seed: 99,
      seedWasRandom: true,
      replay: undefined,
      badRatio: 0,
      eventTime: { kind: 'wall-clock' },
      loop: false,
      shiftToNow: false,
      batchSize: 2000,
      compression: 'none',
      retries: 5,
      timeScale: 1,
      lanes: 1,
    });
  });

  it('parses rate max, durations and a scheduled event time', () => {
    const s = resolveSettings(
      { rate: 'max', duration: '1.5m', seed: '0', startTime: '2026-01-05T14:30:00.000Z' },
      config,
      () => 1,
    );
    expect(s.rate).toBe(Number.POSITIVE_INFINITY);
    expect(s.durationMs).toBe(90_000);
    expect(s.seed).toBe(0);
    expect(s.seedWasRandom).toBe(false);
    expect(s.eventTime).toEqual({ kind: 'scheduled', startTimeMs: Date.UTC(2026, 0, 5, 14, 30), eventRate: 1000 });
    expect(resolveSettings({ rate: '0', startTime: '1000', eventRate: '20' }, config, () => 1).eventTime).toEqual({
      kind: 'scheduled',
      startTimeMs: 1000,
      eventRate: 20,
    });
    expect(resolveSettings({ rate: '250', startTime: '1000' }, config, () => 1).eventTime).toEqual({
      kind: 'scheduled',
      startTimeMs: 1000,
      eventRate: 250,
    });
  });

  it("replays at the file's own pace with --shift-to-now unless --rate is given", () => {
    expect(resolveSettings({ replay: 'x.jsonl', shiftToNow: true }, config, () => 1).pacing).toBe('event-time');
    expect(resolveSettings({ replay: 'x.jsonl', shiftToNow: true, rate: '20' }, config, () => 1).pacing).toBe('rate');
    expect(resolveSettings({ replay: 'x.jsonl' }, config, () => 1).pacing).toBe('rate');
  });

  it('throws CliUsageError', () => {
    expect(() => resolveSettings({ rate: 'x' }, config, () => 1)).toThrow(CliUsageError);
  });
});
