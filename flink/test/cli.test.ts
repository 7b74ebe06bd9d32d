import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../src/paths';
import { FakeFlink } from './fake-flink';
import { jobOverview } from './fixtures';

const run = promisify(execFile);

/** Runs the CLI as a user would; resolves with its exit code and output. */
async function cli(args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'flink/src/cli.ts'), ...args],
      { env: { PATH: process.env.PATH ?? '', ...env }, cwd: REPO_ROOT },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('flink-tools CLI', () => {
  let flink: FakeFlink;
  beforeAll(async () => {
    flink = await new FakeFlink().start();
    flink.on('GET /jobs/overview', () => ({
      json: { jobs: [jobOverview('a1', 'ticker-bridge: stock-ticks', 'RUNNING', Date.now() - 65_000)] },
    }));
  });
  afterAll(() => flink.stop());

  it('lists jobs', async () => {
    const result = await cli(['jobs'], { FLINK_URL: flink.url });
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe('job id  state    started              duration  name');
    expect(result.stdout.split('\n')[1]).toMatch(
      /^a1 {6}RUNNING {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}1m0[56]s {5}ticker-bridge: stock-ticks$/,
    );
  });

  it('names a bad variable', async () => {
    const result = await cli(['jobs'], { FLINK_URL: 'localhost:8081' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'error: Invalid configuration:\n  FLINK_URL="localhost:8081": must start with http:// or https://',
    );
  });

  it('stop without a matching job says so', async () => {
    const result = await cli(['stop', '--name', 'other-pipeline'], { FLINK_URL: flink.url });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`error: no running job of pipeline "other-pipeline" on ${flink.url}\n`);
  });
});
