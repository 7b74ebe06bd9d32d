/** deploy refuses state whose windows are of the kind kept before accumulators. */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Descriptor } from '../../pipeline/src/descriptor/schema';
import { deploy } from '../src/deploy';
import { memoryReporter } from '../src/report';
import { FlinkRestClient } from '../src/rest/client';
import { SavepointStore } from '../src/savepoint-store';
import { metadataFile, OldWindowStateError, operatorIdOfUid } from '../src/window-state-check';
import { FakeFlink } from './fake-flink';
import { descriptor, jobDetails, overview } from './fixtures';

const target = {
  workerAddress: 'worker:50051',
  kafkaBrokers: ['kafka:9092'],
  clickhouse: { url: 'http://clickhouse:8123', database: 'test_db', user: 'default', password: '' },
};

const windowed: Descriptor = {
  ...descriptor,
  nodes: [
    ...descriptor.nodes,
    {
      kind: 'window',
      name: 'candles-1m',
      input: 'parse',
      window: { type: 'tumbling', sizeMs: 60_000 },
      allowedLatenessMs: 0,
      accumulator: { ordered: false, fields: [{ name: 'n', op: 'count' }] },
    },
    { kind: 'sink', name: 'candles-sink', input: 'candles-1m', target: { type: 'clickhouse', table: 'candles_1m' } },
  ],
};

describe("Flink's operator ids", () => {
  it('are the MurmurHash3 x64 128 of the uid, as a running Flink 2.2 job shows them for its vertices', () => {
    // Vertex ids of a stock-pipeline job on the local stack (the REST API's /jobs/:id vertices): each is
    // the id of the vertex's first operator, whose uid the bridge set. 10, 13 and 17 bytes long.
    expect(operatorIdOfUid('candles-1m')).toBe('c91d871d85d05ae43e57f75fa484d041');
    expect(operatorIdOfUid('read-ticks')).toBe('6991e670c2eac4be97ff12ca596c6af6');
    expect(operatorIdOfUid('read-ticks-dedupe')).toBe('6ce334840d2d58139695b53d0a6261a7');
  });

  it('are found in the _metadata file of a local savepoint or checkpoint directory', () => {
    expect(metadataFile('file:/state/sp/savepoint-1')).toBe('/state/sp/savepoint-1/_metadata');
    expect(metadataFile('file:///state/chk-3')).toBe('/state/chk-3/_metadata');
    expect(metadataFile('/state/chk-3')).toBe('/state/chk-3/_metadata');
    expect(metadataFile('s3://bucket/sp')).toBeUndefined();
  });
});

describe('deploy from state with old-kind windows', () => {
  let flink: FakeFlink;
  let store: SavepointStore;
  let dir: string;
  let jar: string;

  /** A savepoint directory whose _metadata holds these operators' ids among other bytes. */
  async function savepoint(name: string, uids: string[]): Promise<string> {
    const path = join(dir, name);
    await mkdir(path, { recursive: true });
    const ids = uids.map((uid) => Buffer.from(operatorIdOfUid(uid), 'hex'));
    await writeFile(join(path, '_metadata'), Buffer.concat([Buffer.from([0, 0, 0, 5]), ...ids, Buffer.alloc(64, 7)]));
    return `file:${path}`;
  }

  const run = (savepointPath: string, dropOldWindowState?: boolean) =>
    deploy(new FlinkRestClient({ url: flink.url }), store, memoryReporter(), {
      descriptor: { json: JSON.stringify(windowed), descriptor: windowed },
      jar: async () => jar,
      target,
      savepointPath,
      ...(dropOldWindowState !== undefined ? { dropOldWindowState } : {}),
    });
  const runRequests = () =>
    flink.calls('POST /jars/abc_ticker-bridge.jar/run').map((r) => JSON.parse(r.body.toString()));

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'window-state-'));
    store = new SavepointStore(join(dir, 'savepoints.json'));
    jar = join(dir, 'ticker-bridge.jar');
    await writeFile(jar, 'jar');
    flink = await new FakeFlink().start();
    flink
      .on('GET /overview', () => ({ json: overview }))
      .on('GET /jobs/overview', () => ({ json: { jobs: [] } }))
      .on('POST /jars/upload', () => ({ json: { filename: '/tmp/up/abc_ticker-bridge.jar', status: 'success' } }))
      .on('POST /jars/abc_ticker-bridge.jar/run', () => ({ json: { jobid: 'job-1' } }))
      .on('DELETE /jars/abc_ticker-bridge.jar', () => ({ json: {} }))
      .on('GET /jobs/job-1', () => ({ json: jobDetails('job-1', 'RUNNING', [2, 2]) }));
  });
  afterEach(() => flink.stop());

  it('refuses it, naming the windows and what is lost, and starts nothing', async () => {
    const path = await savepoint('savepoint-old', ['ticks', 'parse', 'candles-1m', 'candles-1m-aggregate']);
    const error = await run(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OldWindowStateError);
    expect((error as Error).message).toBe(
      `${path} holds window state of the old kind for "candles-1m" (every record of each open window, operator uid = the node name). ` +
        'This bridge keeps one accumulator per window and key (uid <window>-acc) and cannot read it: resuming drops the windows that were open ' +
        'when the savepoint was taken, so their results (e.g. the candles of those minutes) are never written, although their ticks are. ' +
        'To accept that loss, deploy again with --drop-old-window-state. To lose nothing, deploy without a savepoint: the job re-reads ' +
        "the topic from the source's starting offsets and the idempotent tables get the same rows again, the missing windows included, " +
        'as long as the topic still holds their records.',
    );
    expect(flink.calls('POST /jars/upload')).toHaveLength(0);
    expect(runRequests()).toEqual([]);
  });

  it('with --drop-old-window-state resumes, letting Flink drop the state no operator claims', async () => {
    const path = await savepoint('savepoint-old', ['ticks', 'parse', 'candles-1m']);
    const result = await run(path, true);
    expect(result.restoredFrom).toBe(path);
    expect(runRequests()).toEqual([expect.objectContaining({ savepointPath: path, allowNonRestoredState: true })]);
  });

  it('resumes from state of the new kind as it is', async () => {
    const path = await savepoint('savepoint-new', ['ticks', 'parse', 'candles-1m-acc', 'candles-1m-acc-finish']);
    await run(path);
    const [request] = runRequests();
    expect(request.savepointPath).toBe(path);
    expect(request.allowNonRestoredState).toBeUndefined();
  });
});
