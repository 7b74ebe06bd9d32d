/**
 * Hostile calls to the worker's gRPC endpoint (issue 20, "fuzz the inputs"): garbage and truncated
 * messages, wrong message shapes, an oversized message, raw HTTP/2 that is not gRPC, unknown methods
 * and out-of-contract requests each get a gRPC error status (or, for bad records, a rejection), and
 * the worker answers a valid call after every one of them. The service and its methods come from the
 * loaded proto (loadWorkerProto), so the test follows a protocol rename.
 */
import http2 from 'node:http2';
import { Client, credentials, Metadata, type MethodDefinition, type ServiceError, status } from '@grpc/grpc-js';
import { createLogger, loadConfig } from '@ticker/common';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../src/compiler/compile';
import { buildStockPipeline } from '../src/stock';
import { loadWorkerProto, MAX_MESSAGE_BYTES, startWorkerServer, type WorkerServer } from '../src/worker/server';

const logger = createLogger('worker-fuzz-test', 'silent');
const { service } = loadWorkerProto();
type AnyMethod = MethodDefinition<unknown, unknown>;
const methods = Object.values(service) as AnyMethod[];

/** The method whose request carries field `field` (Process: `node`). */
function methodWithField(field: string): AnyMethod {
  const found = methods.find((m) => {
    try {
      // A request object with only that field serializes to non-empty bytes only if the field exists.
      return m.requestSerialize({ [field]: 'x' }).length > 0;
    } catch {
      return false;
    }
  });
  if (!found) throw new Error(`no worker method takes a request with field "${field}"`);
  return found;
}
const processMethod = methodWithField('node');
/** The remaining method (Describe): a liveness probe with an empty request. */
const probe = methods.find((m) => m !== processMethod);

let server: WorkerServer;
let client: Client;
let chainName: string;
let compiledChains: string[];
let windowName: string;
let address: string;

interface Outcome {
  code: number;
  details: string;
  response?: unknown;
}

/** One unary call with raw request bytes (the client's serializer passes them through). */
function callRaw(method: AnyMethod, body: Buffer, target: Client = client): Promise<Outcome> {
  return new Promise((resolve) => {
    target.makeUnaryRequest(
      method.path,
      (b: Buffer) => b,
      method.responseDeserialize,
      body,
      new Metadata(),
      { deadline: Date.now() + 60_000 },
      (err: ServiceError | null, response?: unknown) =>
        resolve(err ? { code: err.code, details: err.details } : { code: status.OK, details: '', response }),
    );
  });
}

/** One unary call with a request object, serialized by the method's own serializer. */
const call = (method: AnyMethod, request: object) => callRaw(method, method.requestSerialize(request) as Buffer);

/** The worker still answers: the probe call succeeds. */
async function expectAlive(): Promise<void> {
  if (!probe) throw new Error('the worker service has no method with an empty request');
  const outcome = await callRaw(probe, Buffer.alloc(0));
  expect(outcome.code, outcome.details).toBe(status.OK);
}

/** A gRPC length-prefixed frame: compressed flag, 4-byte big-endian length, then the bytes. */
function frame(payload: Buffer, declaredLength = payload.length, compressed = 0): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt8(compressed, 0);
  header.writeUInt32BE(declaredLength, 1);
  return Buffer.concat([header, payload]);
}

interface RawAnswer {
  httpStatus: number;
  grpcStatus?: number;
  grpcMessage?: string;
}

/** A raw HTTP/2 request (what a broken client or a port scanner sends); reads status and trailers. */
function rawHttp2(path: string, headers: http2.OutgoingHttpHeaders, body: Buffer): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://${address}`);
    session.on('error', reject);
    const req = session.request({ ':method': 'POST', ':path': path, ...headers });
    const answer: RawAnswer = { httpStatus: 0 };
    const read = (h: http2.IncomingHttpHeaders) => {
      if (h[':status'] !== undefined) answer.httpStatus = Number(h[':status']);
      if (h['grpc-status'] !== undefined) answer.grpcStatus = Number(h['grpc-status']);
      if (h['grpc-message'] !== undefined) answer.grpcMessage = decodeURIComponent(String(h['grpc-message']));
    };
    req.on('response', read);
    req.on('trailers', read);
    req.on('data', () => {});
    req.on('error', reject);
    req.on('close', () => {
      session.close();
      resolve(answer);
    });
    req.end(body);
  });
}

const grpcHeaders = { 'content-type': 'application/grpc', te: 'trailers' };

beforeAll(async () => {
  const compiled = compile(buildStockPipeline(loadConfig({})));
  compiledChains = [...compiled.chains.keys()];
  chainName = compiledChains[0] ?? '';
  windowName = [...compiled.windows.keys()][0] ?? '';
  server = await startWorkerServer({ compiled, port: 0, host: '127.0.0.1', logger, statsIntervalMs: 0 });
  address = `127.0.0.1:${server.port}`;
  client = new Client(address, credentials.createInsecure(), {
    // Let the client send what the server must refuse.
    'grpc.max_send_message_length': -1,
    'grpc.max_receive_message_length': -1,
  });
});

afterAll(async () => {
  client?.close();
  await server?.shutdown();
});

describe('worker gRPC endpoint under hostile input', () => {
  it('finds the service methods in the loaded proto', () => {
    expect(probe).toBeDefined();
    expect(processMethod.path).not.toBe(probe?.path);
    expect(chainName).not.toBe('');
    expect(windowName).not.toBe('');
  });

  it('random bytes as a request: INTERNAL (cannot deserialize) or a clean answer, never a crash', async () => {
    // Random bytes are sometimes a valid protobuf encoding (e.g. only unknown fields); whatever they
    // decode to, the answer is a status, and every refusal is the deserialization one.
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...methods),
        fc.uint8Array({ minLength: 1, maxLength: 2048 }),
        async (m, bytes) => {
          const outcome = await callRaw(m, Buffer.from(bytes));
          seen.set(outcome.code, (seen.get(outcome.code) ?? 0) + 1);
          expect([status.OK, status.INTERNAL, status.NOT_FOUND]).toContain(outcome.code);
          if (outcome.code === status.INTERNAL) expect(outcome.details).toBe('Error deserializing request');
          if (outcome.code === status.NOT_FOUND)
            expect(outcome.details).toMatch(/^unknown (chain|window|call kind|node) /);
        },
      ),
      { seed: 20, numRuns: 300 },
    );
    // The seeded run covers the refusal (fast-check is deterministic with a seed).
    expect(seen.get(status.INTERNAL) ?? 0).toBeGreaterThan(0);
    const named = [...seen].map(([code, n]) => `${status[code]} ${n}`).join(', ');
    console.log(`[fuzz] worker gRPC: 300 random-byte requests: ${named}`);
    await expectAlive();
  });

  it('a field with the wrong wire type (records as a varint): INTERNAL', async () => {
    // Field 3 (records) with wire type 0 instead of 2: a wrong message shape, not a truncation.
    const outcome = await callRaw(processMethod, Buffer.from([0x0a, 0x01, 0x61, 0x18, 0x05]));
    expect(outcome).toEqual({ code: status.INTERNAL, details: 'Error deserializing request' });
    await expectAlive();
  });

  it('a request of another method, or a window named as a chain, is refused: NOT_FOUND naming the chains', async () => {
    // Describe's empty request decodes as a CHAIN call of node "": no such chain.
    const chains = [...compiledChains].join(', ');
    expect(await callRaw(processMethod, Buffer.alloc(0))).toEqual({
      code: status.NOT_FOUND,
      details: `unknown chain ""; this worker has: ${chains}`,
    });
    expect(await call(processMethod, { node: windowName, kind: 'CHAIN', records: [] })).toEqual({
      code: status.NOT_FOUND,
      details: `unknown chain "${windowName}"; this worker has: ${chains}`,
    });
    await expectAlive();
  });

  it('unknown chain and window names, and an unknown call kind: NOT_FOUND naming what the worker has', async () => {
    const unknown = '\u202Eevil\u0000\uD800';
    const p = await call(processMethod, { node: unknown, kind: 'CHAIN', records: [] });
    expect(p.code).toBe(status.NOT_FOUND);
    expect(p.details).toMatch(/^unknown chain ".*"; this worker has: /);
    const a = await call(processMethod, { node: 'nope', kind: 'FINISH', records: [] });
    expect(a).toEqual({
      code: status.NOT_FOUND,
      details: `unknown window "nope"; this worker has: ${[windowName].join(', ')}`,
    });
    const k = await call(processMethod, { node: windowName, kind: 7, records: [] });
    expect(k).toEqual({ code: status.NOT_FOUND, details: `unknown call kind 7 for window "${windowName}"` });
    await expectAlive();
  });

  it('an unknown method of the service and of an unknown service: UNIMPLEMENTED', async () => {
    const [first] = methods;
    if (!first) throw new Error('no methods');
    const servicePath = first.path.slice(0, first.path.lastIndexOf('/'));
    for (const path of [`${servicePath}/Explode`, '/no.such.Service/Call']) {
      const outcome = await callRaw({ ...first, path }, Buffer.alloc(0));
      expect(outcome.code, path).toBe(status.UNIMPLEMENTED);
    }
    await expectAlive();
  });

  it('a message over the 64 MiB limit: RESOURCE_EXHAUSTED', async () => {
    const value = Buffer.alloc(MAX_MESSAGE_BYTES + 1, 0x61);
    const outcome = await call(processMethod, {
      node: chainName,
      kind: 'CHAIN',
      records: [{ value, key: 'K', timestamp: 0, origin: 'o' }],
    });
    expect(outcome.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(outcome.details).toMatch(/^Received message larger than max \(\d+ vs 67108864\)$/);
    await expectAlive();
  });

  it('out-of-contract records (bad bytes, odd keys, extreme int64 times, lying refusals): rejections, not errors', async () => {
    const records = [
      { value: Buffer.from([0xff, 0xfe, 0x00]), key: '', timestamp: -1, origin: '' },
      { value: Buffer.alloc(0), key: '\uD800', timestamp: Number.MAX_SAFE_INTEGER, origin: 'x' },
      {
        value: Buffer.from('{"id":"a","symbol":"A","price":1e309,"volume":1,"ts":"x"}'),
        key: 'A',
        timestamp: 0,
        origin: 'y',
      },
    ];
    const p = await call(processMethod, { node: chainName, kind: 'CHAIN', records });
    expect(p.code, p.details).toBe(status.OK);
    const pr = p.response as { outputs: unknown[]; rejections: { inputIndex: number }[] };
    expect(pr.outputs).toEqual([]);
    expect(pr.rejections.map((r) => r.inputIndex)).toEqual([0, 1, 2]);

    // A fired window without its accumulator breaks the protocol: the call fails, the worker stays up.
    const a = await call(processMethod, {
      node: windowName,
      kind: 'FINISH',
      records: [{ value: Buffer.from('not json'), key: 'A', timestamp: 0, origin: 'z' }],
    });
    expect(a).toEqual({
      code: status.INTERNAL,
      details: `worker window failed: fired window 0 of ${windowName} carries no accumulator (protocol violation)`,
    });

    // Refused records with lying prefixes (negative length, a short hash, "UTF-8" that is not) and
    // extreme times: the worker only formats, one rejection each.
    const r = await call(processMethod, {
      node: chainName,
      kind: 'REJECT',
      records: [
        { ...records[0], refusal: { reason: '\uD800', prefix: { bytes: -5, sha256: Buffer.from([1]), utf8: true } } },
        { ...records[1], refusal: { reason: '', prefix: { bytes: 0, sha256: Buffer.alloc(0), utf8: false } } },
        { ...records[2], refusal: { reason: 'x'.repeat(100_000) } },
      ],
    });
    expect(r.code, r.details).toBe(status.OK);
    const rr = r.response as { outputs: unknown[]; rejections: { inputIndex: number }[] };
    expect([rr.outputs, rr.rejections.map((x) => x.inputIndex)]).toEqual([[], [0, 1, 2]]);
    // A refused record without its refusal breaks the protocol.
    const n = await call(processMethod, { node: chainName, kind: 'REJECT', records });
    expect(n).toEqual({
      code: status.INTERNAL,
      details: `worker process failed: refused record 0 for node ${chainName} carries no refusal (protocol violation)`,
    });
    await expectAlive();
  });

  it('raw HTTP/2: a body that is not gRPC gets HTTP 415; truncated or mislabelled frames get gRPC statuses', async () => {
    const valid = processMethod.requestSerialize({ node: chainName, kind: 'CHAIN', records: [] }) as Buffer;
    const path = processMethod.path;
    const answers = {
      // Not gRPC at all: the server refuses the content type before any handler runs.
      notGrpc: await rawHttp2(path, { 'content-type': 'text/plain' }, Buffer.from('hello')),
      // The frame says 100 bytes, the stream ends after 3: a unary call without a whole request.
      truncated: await rawHttp2(path, grpcHeaders, frame(valid.subarray(0, 3), 100)),
      // A frame header cut short (3 of its 5 bytes).
      truncatedHeader: await rawHttp2(path, grpcHeaders, Buffer.from([0, 0, 0])),
      // No message at all before the end of the stream.
      empty: await rawHttp2(path, grpcHeaders, Buffer.alloc(0)),
      // Two messages on a unary call.
      twoMessages: await rawHttp2(path, grpcHeaders, Buffer.concat([frame(valid), frame(valid)])),
      // Marked compressed without a grpc-encoding header.
      compressedIdentity: await rawHttp2(path, grpcHeaders, frame(valid, valid.length, 1)),
      // An encoding the server does not support.
      unsupportedEncoding: await rawHttp2(
        path,
        { ...grpcHeaders, 'grpc-encoding': 'br' },
        frame(valid, valid.length, 1),
      ),
      // A gzip flag over bytes that are not gzip.
      notGzip: await rawHttp2(path, { ...grpcHeaders, 'grpc-encoding': 'gzip' }, frame(valid, valid.length, 1)),
      // A declared length over the limit, without sending it.
      declaredTooLarge: await rawHttp2(path, grpcHeaders, frame(Buffer.alloc(0), MAX_MESSAGE_BYTES + 1)),
    };
    const grpc = (code: number, message: string) => ({ httpStatus: 200, grpcStatus: code, grpcMessage: message });
    const noRequest = `Received no request message for server streaming method ${path}`;
    expect(answers).toEqual({
      notGrpc: { httpStatus: 415 },
      truncated: grpc(status.UNIMPLEMENTED, noRequest),
      truncatedHeader: grpc(status.UNIMPLEMENTED, noRequest),
      empty: grpc(status.UNIMPLEMENTED, noRequest),
      twoMessages: grpc(status.UNIMPLEMENTED, `Received a second request message for server streaming method ${path}`),
      // grpc-js reads a compressed flag without an encoding as identity: the call is answered.
      compressedIdentity: grpc(status.OK, 'OK'),
      unsupportedEncoding: grpc(status.UNIMPLEMENTED, 'Received message compressed with unsupported encoding "br"'),
      notGzip: grpc(status.INTERNAL, 'Failed to decompress message'),
      declaredTooLarge: grpc(
        status.RESOURCE_EXHAUSTED,
        `Received message larger than max (${MAX_MESSAGE_BYTES + 1} vs ${MAX_MESSAGE_BYTES})`,
      ),
    });
    await expectAlive();
  });

  it('a valid Process call after all of the above gives the exact result', async () => {
    const tick = '{"id":"ok-1","symbol":"AAPL","price":101.5,"volume":3,"ts":"2026-01-05T14:30:00.250Z"}';
    const p = await call(processMethod, {
      node: chainName,
      kind: 'CHAIN',
      records: [{ value: Buffer.from(tick), key: 'AAPL', timestamp: 1_767_623_400_250, origin: 't/0/0' }],
    });
    expect(p.code, p.details).toBe(status.OK);
    const outputs = (p.response as { outputs: { inputIndex: number; record: { value: Buffer; key: string } }[] })
      .outputs;
    expect(outputs.map((o) => [o.inputIndex, o.record.key, JSON.parse(o.record.value.toString('utf8'))])).toEqual([
      [0, 'AAPL', { id: 'ok-1', symbol: 'AAPL', price: 101.5, volume: 3, ts: '2026-01-05 14:30:00', ts_ms: 250 }],
    ]);
  });
});
