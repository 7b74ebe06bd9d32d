import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FlinkApiError, FlinkRestClient, FlinkUnreachableError, flinkErrorText } from '../src/rest/client';
import { FakeFlink } from './fake-flink';
import { overview } from './fixtures';

/** A port nothing listens on: bind, read the port, close. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('FlinkRestClient', () => {
  let flink: FakeFlink;
  beforeEach(async () => {
    flink = await new FakeFlink().start();
  });
  afterEach(() => flink.stop());

  it('parses the cluster overview', async () => {
    flink.on('GET /overview', () => ({ json: overview }));
    const result = await new FlinkRestClient({ url: `${flink.url}/` }).overview();
    expect(result).toEqual({
      'flink-version': '2.2.1',
      taskmanagers: 1,
      'slots-total': 4,
      'slots-available': 4,
      'jobs-running': 0,
    });
  });

  it('names the URL when Flink is unreachable', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const error = await new FlinkRestClient({ url }).overview().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlinkUnreachableError);
    expect((error as Error).message).toContain(`Flink is not reachable at ${url} (ECONNREFUSED`);
  });

  it("turns Flink's error body into the error text", async () => {
    flink.on('POST /jars/abc.jar/run', () => ({
      status: 500,
      json: { errors: ['Internal server error.', '<Exception on server side: unsupported descriptor version 2>'] },
    }));
    const error = await new FlinkRestClient({ url: flink.url })
      .runJar('abc.jar', { entryClass: 'X', programArgsList: [] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlinkApiError);
    expect((error as FlinkApiError).status).toBe(500);
    expect((error as FlinkApiError).details).toBe(
      'Internal server error.\n<Exception on server side: unsupported descriptor version 2>',
    );
  });

  it('rejects a response of the wrong shape, naming the field', async () => {
    flink.on('GET /overview', () => ({ json: { taskmanagers: 'one' } }));
    const error = await new FlinkRestClient({ url: flink.url }).overview().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlinkApiError);
    expect((error as Error).message).toContain('GET /overview');
    expect((error as Error).message).toContain('taskmanagers');
  });

  it('uploads a jar as multipart field "jarfile" and returns the stored file name as id', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jar-'));
    const jar = join(dir, 'ticker-bridge.jar');
    await writeFile(jar, Buffer.from('PK\x03\x04fake-jar-bytes'));
    flink.on('POST /jars/upload', () => ({
      json: { filename: '/tmp/flink-web-1/flink-web-upload/0f1e_ticker-bridge.jar', status: 'success' },
    }));
    const id = await new FlinkRestClient({ url: flink.url }).uploadJar(jar);
    expect(id).toBe('0f1e_ticker-bridge.jar');
    const [upload] = flink.calls('POST /jars/upload');
    expect(upload?.contentType).toMatch(/^multipart\/form-data; boundary=/);
    const body = upload!.body.toString('latin1');
    expect(body).toContain('Content-Disposition: form-data; name="jarfile"; filename="ticker-bridge.jar"');
    expect(body).toContain('Content-Type: application/java-archive');
    expect(body).toContain('PK\x03\x04fake-jar-bytes');
  });

  it("sums each subtask's own metric values", async () => {
    flink.on('GET /jobs/j1/vertices/v1/metrics', (r) => {
      expect(r.path).toBe(
        '/jobs/j1/vertices/v1/metrics?get=0.numRecordsIn,0.numRecordsOutPerSecond,1.numRecordsIn,1.numRecordsOutPerSecond',
      );
      return {
        json: [
          { id: '0.numRecordsIn', value: '4888' },
          { id: '1.numRecordsIn', value: '1269' },
          { id: '1.numRecordsOutPerSecond', value: '2.5' },
          { id: '0.numRecordsOutPerSecond', value: 'NaN' },
        ],
      };
    });
    const sums = await new FlinkRestClient({ url: flink.url }).vertexMetricSums('j1', 'v1', 2, [
      'numRecordsIn',
      'numRecordsOutPerSecond',
    ]);
    expect([...sums]).toEqual([
      ['numRecordsIn', 6157],
      ['numRecordsOutPerSecond', 2.5],
    ]);
  });
});

describe('flinkErrorText', () => {
  it('falls back to the raw body when it is not Flink JSON', () => {
    expect(flinkErrorText('<html>bad gateway</html>')).toBe('<html>bad gateway</html>');
    expect(flinkErrorText('')).toBe('(empty body)');
  });
});
