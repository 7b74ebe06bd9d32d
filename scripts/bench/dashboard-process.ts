/**
 * Starts the dashboard as its own process (`dashboard/src/main.ts`, as a user runs it) over a
 * benchmark's throwaway database, for the benchmarks that drive it from outside.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { TEST_READER_ENV } from '../../dashboard/test/fixtures';
import { repoRoot } from '../stack/layout';
import { waitUntil } from '../stack/wait';

/** How long the dashboard may take to answer /healthz. */
const START_TIMEOUT_MS = 60_000;

/**
 * Starts the dashboard on `port` reading `database`, resolves once /healthz answers. With `logLines`,
 * its log (stderr) is collected there line by line at `logLevel`; otherwise it goes to this stderr.
 */
export async function startDashboardProcess(
  database: string,
  port: number,
  options: { logLevel: 'warn' | 'info'; logLines?: string[] },
): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'dashboard/src/main.ts')], {
    cwd: repoRoot,
    // A fresh database, which the dashboard user (confined to `stocks`) may not read: the test reader does.
    env: {
      ...process.env,
      ...TEST_READER_ENV,
      CLICKHOUSE_DATABASE: database,
      DASHBOARD_PORT: String(port),
      LOG_LEVEL: options.logLevel,
    },
    stdio: ['ignore', 'ignore', options.logLines ? 'pipe' : 'inherit'],
  });
  const logLines = options.logLines;
  if (logLines) {
    let partial = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      logLines.push(...lines);
    });
  }
  const up = await waitUntil(
    async () => {
      if (child.exitCode !== null) throw new Error(`dashboard exited with code ${child.exitCode}`);
      return (await fetch(`http://127.0.0.1:${port}/healthz`)).ok;
    },
    { timeoutMs: START_TIMEOUT_MS, intervalMs: 200 },
  );
  if (!up) {
    child.kill();
    const exited = child.exitCode !== null ? ` (it exited with code ${child.exitCode})` : '';
    throw new Error(`dashboard did not answer /healthz on port ${port} within ${START_TIMEOUT_MS / 1000} s${exited}`);
  }
  return child;
}
