/**
 * flink/conf/config.yaml (the compose image's config) read by Flink 2.2.1's own classes from the
 * local stack's distribution: the memory model resolves (a TaskManager would start) and the
 * keys mean what the file says. Needs Java 17 and the local stack's Flink jars.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '@ticker/common';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../src/paths';

const run = promisify(execFile);

it('the Flink image config resolves with Flink 2.2.1: memory, slots, state dirs, retention', async () => {
  const confDir = await mkdtemp(join(tmpdir(), 'flink-conf-'));
  await cp(join(REPO_ROOT, 'flink/conf/config.yaml'), join(confDir, 'config.yaml'));
  const flinkLib = resolve(REPO_ROOT, loadConfig().stack.dir, 'flink', 'lib');
  const { stdout } = await run(
    'java',
    ['-cp', `${flinkLib}/*`, join(REPO_ROOT, 'flink/test/fixtures/PrintFlinkConfig.java'), confDir],
    { timeout: 60_000 },
  );
  const values = Object.fromEntries(
    stdout
      .split('\n')
      .filter((l) => /^[a-z.-]+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  expect(values).toEqual({
    'tm.task-heap-mb': '506',
    'tm.task-off-heap-mb': '256',
    'tm.managed-mb': '128',
    'tm.metaspace-mb': '512',
    'tm.slots': '4',
    'tm.rpc-port': '6122',
    'jm.heap-mb': '448',
    checkpoints: 'file:///flink-state/checkpoints',
    savepoints: 'file:///flink-state/savepoints',
    retention: 'RETAIN_ON_CANCELLATION',
    restart: 'exponential-delay',
  });
}, 90_000);
