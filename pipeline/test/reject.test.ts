/**
 * REJECT calls: the worker builds the dead-letter rows of records the bridge refused (too large,
 * poison, ahead of the clock). Expected rows are written out here (lengths, cuts, base64 and hashes
 * computed from the inputs with node:crypto and Buffer), not taken from the formatter.
 */
import { createHash } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { createLogger, loadConfig } from '@ticker/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../src/compiler/compile';
import { runReject } from '../src/runtime/reject';
import type { WireRecord } from '../src/runtime/wire';
import { buildStockPipeline } from '../src/stock';
import { createWorkerClient, type WorkerClient } from '../src/worker/client';
import { startWorkerServer, type WorkerServer } from '../src/worker/server';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const T = 1_700_000_000_000; // 2023-11-14 22:13:20 UTC

/** A refused record; `whole` set = the value is a prefix of that input. */
function refused(value: Buffer, reason: string, whole?: { input: Buffer; utf8: boolean }, timestamp = T): WireRecord {
  const prefix = whole && {
    bytes: whole.input.length,
    sha256: createHash('sha256').update(whole.input).digest(),
    utf8: whole.utf8,
  };
  return { value, key: '', timestamp, origin: 't/3/7', refusal: { reason, prefix: prefix ?? null } };
}

/** The rows of a REJECT call, parsed. */
function rows(node: string, records: WireRecord[]): unknown[] {
  const result = runReject(node, records);
  expect(result.outputs).toEqual([]);
  expect(result.rejections.map((r) => [r.inputIndex, r.step])).toEqual(records.map((_, i) => [i, node]));
  return result.rejections.map((r) => JSON.parse(Buffer.from(r.deadLetter).toString('utf8')));
}

describe('REJECT rows (runReject)', () => {
  it('a whole value: the row holds it with its length, SHA-256, the bridge reason and the Kafka time', () => {
    const poison = Buffer.from('{"id":"p","price":'); // would make a parse step throw; here it is only bytes
    const result = runReject('parse-tick', [refused(poison, 'poison: failed the same way in 4 attempts')]);
    expect(result.rejections[0]?.reason).toBe('poison: failed the same way in 4 attempts');
    expect(rows('parse-tick', [refused(poison, 'poison: failed the same way in 4 attempts')])).toEqual([
      {
        origin: 't/3/7',
        step: 'parse-tick',
        reason: 'poison: failed the same way in 4 attempts',
        raw: '{"id":"p","price":',
        raw_bytes: 18,
        raw_sha256: sha256(poison),
        raw_encoding: 'utf8',
        ts: '2023-11-14 22:13:20',
      },
    ]);
  });

  it('a whole value that is not UTF-8 is kept as base64; an empty one as empty text', () => {
    const bytes = Buffer.from([0xff, 0x00, 0x41]);
    const [binary, empty] = rows('read-ticks', [refused(bytes, 'ahead'), refused(Buffer.alloc(0), 'ahead')]) as Record<
      string,
      unknown
    >[];
    expect([binary?.raw, binary?.raw_bytes, binary?.raw_sha256, binary?.raw_encoding]).toEqual([
      '/wBB',
      3,
      sha256(bytes),
      'base64',
    ]);
    expect([empty?.raw, empty?.raw_bytes, empty?.raw_sha256, empty?.raw_encoding]).toEqual([
      '',
      0,
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      'utf8',
    ]);
  });

  it('a UTF-8 prefix: at most 64 KiB on a character boundary, with the whole input length and SHA-256', () => {
    const input = Buffer.from(`a${'é'.repeat(40_000)}`); // 80,001 bytes; 'é' is 2 bytes
    const sent = input.subarray(0, 65_540); // what the bridge sends: ends inside a character
    const [row] = rows('parse-tick', [refused(sent, 'too large', { input, utf8: true })]);
    // 65,536 bytes would end inside the 32,768th 'é' (bytes 65,535..65,536): the cut is before it.
    expect(row).toEqual({
      origin: 't/3/7',
      step: 'parse-tick',
      reason: 'too large',
      raw: `a${'é'.repeat(32_767)}`,
      raw_bytes: 80_001,
      raw_sha256: sha256(input),
      raw_encoding: 'utf8',
      ts: '2023-11-14 22:13:20',
    });
    // A short prefix (a small request bound) that ends inside a character drops that character.
    const [short] = rows('parse-tick', [refused(input.subarray(0, 6), 'too large', { input, utf8: true })]) as {
      raw: string;
    }[];
    expect(short?.raw).toBe('aéé');
  });

  it('an input that is not UTF-8 is base64 of its first 48 KiB, even when its prefix is valid UTF-8', () => {
    const input = Buffer.concat([Buffer.alloc(100_000, 'x'), Buffer.from([0xff])]);
    const [row] = rows('parse-tick', [refused(input.subarray(0, 65_540), 'too large', { input, utf8: false })]) as {
      raw: string;
      raw_bytes: number;
      raw_sha256: string;
      raw_encoding: string;
    }[];
    expect(row?.raw).toBe(Buffer.alloc(49_152, 'x').toString('base64'));
    expect(row?.raw).toHaveLength(65_536);
    expect([row?.raw_bytes, row?.raw_sha256, row?.raw_encoding]).toEqual([100_001, sha256(input), 'base64']);
    // A prefix under 48 KiB is kept whole (4 characters per 3 bytes, padded).
    const [short] = rows('parse-tick', [refused(input.subarray(0, 10), 'too large', { input, utf8: false })]) as {
      raw: string;
    }[];
    expect(short?.raw).toBe('eHh4eHh4eHh4eA==');
  });

  it('a prefix said to be UTF-8 that is not is stored as base64, which says what is kept', () => {
    const input = Buffer.from([0x41, 0xc3, 0x28, 0x42]);
    const [row] = rows('parse-tick', [refused(input.subarray(0, 3), 'too large', { input, utf8: true })]) as {
      raw: string;
      raw_encoding: string;
    }[];
    expect([row?.raw, row?.raw_encoding]).toEqual(['QcMo', 'base64']);
  });

  it('caps the reason at 4 KiB, clamps times to the DateTime range, replaces lone surrogates', () => {
    const [long, early, late] = rows('read-ticks', [
      refused(Buffer.from('v'), `r${'é'.repeat(3_000)}`),
      refused(Buffer.from('v'), 'early', undefined, -1),
      refused(Buffer.from('v'), 'late \uD800', undefined, Number.MAX_SAFE_INTEGER),
    ]) as { reason: string; ts: string }[];
    // 4,096 bytes: 'r' and 2,047 whole 'é' (4,095 bytes); the next one would not fit.
    expect(long?.reason).toBe(`r${'é'.repeat(2_047)}`);
    expect(early?.ts).toBe('1970-01-01 00:00:00');
    expect([late?.reason, late?.ts]).toEqual(['late \uFFFD', '2106-02-07 06:28:15']);
  });

  it('a record without a refusal breaks the protocol: the call fails', () => {
    expect(() => runReject('parse-tick', [{ value: Buffer.from('x'), key: '', timestamp: 0, origin: 'o' }])).toThrow(
      'refused record 0 for node parse-tick carries no refusal (protocol violation)',
    );
  });
});

describe('REJECT over gRPC', () => {
  let server: WorkerServer;
  let client: WorkerClient;

  beforeAll(async () => {
    const compiled = compile(buildStockPipeline(loadConfig({})));
    const logger = createLogger('reject-test', 'silent');
    server = await startWorkerServer({ compiled, port: 0, host: '127.0.0.1', logger, statsIntervalMs: 0 });
    client = createWorkerClient(`127.0.0.1:${server.port}`);
  });

  afterAll(async () => {
    client?.close();
    await server?.shutdown();
  });

  it('the source, a chain or a window may refuse; the prefix fields arrive as sent', async () => {
    const input = Buffer.from('y'.repeat(70_000));
    const result = await client.call('read-ticks', 'REJECT', [
      refused(input.subarray(0, 65_540), 'event time is ahead of the clock', { input, utf8: true }, 1_767_623_400_250),
    ]);
    expect(result.outputs).toEqual([]);
    expect(result.rejections.map((r) => JSON.parse(Buffer.from(r.deadLetter).toString('utf8')))).toEqual([
      {
        origin: 't/3/7',
        step: 'read-ticks',
        reason: 'event time is ahead of the clock',
        raw: 'y'.repeat(65_536),
        raw_bytes: 70_000,
        raw_sha256: sha256(input),
        raw_encoding: 'utf8',
        ts: '2026-01-05 14:30:00',
      },
    ]);
    for (const node of ['parse-tick', 'candles-1m']) {
      const answer = await client.call(node, 'REJECT', [refused(Buffer.from('v'), 'poison')]);
      expect(answer.rejections.map((r) => [r.inputIndex, r.step, r.reason])).toEqual([[0, node, 'poison']]);
    }
  });

  it('an unknown node: NOT_FOUND naming the nodes that may refuse', async () => {
    await expect(client.call('nope', 'REJECT', [refused(Buffer.from('v'), 'x')])).rejects.toMatchObject({
      code: status.NOT_FOUND,
      details: 'unknown node "nope" for REJECT; this worker has: read-ticks, parse-tick, price-move-alerts, candles-1m',
    });
  });
});
