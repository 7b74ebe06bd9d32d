/**
 * A sentinel password appears nowhere it should not (issue 20, least privilege): the job is deployed
 * with a sentinel ClickHouse password (wrong, so every insert of the bridge's sink is refused and
 * its errors are logged and kept in Flink's exception history), the dashboard runs with another
 * sentinel as its password, and then every Flink REST answer about the job and the cluster, every
 * log file the JobManager and the TaskManagers serve, the worker's and the dashboard's output, the
 * dashboard's error answers and the deploy tool's report are scanned for either sentinel.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { freePort } from '../../scripts/stack/stack';
import { E2ERun, eventually } from './harness';

const BRIDGE_SENTINEL = `bridge-sentinel-${randomBytes(8).toString('hex')}`;
const DASHBOARD_SENTINEL = `dashboard-sentinel-${randomBytes(8).toString('hex')}`;

/** Everything one GET returns as text (status line included), for scanning. */
async function text(url: string): Promise<string> {
  const res = await fetch(url);
  return `${res.status} ${await res.text()}`;
}

/** Every Flink REST answer about the cluster and job `jobId`, and every log file it serves, by URL. */
async function flinkAnswers(flinkUrl: string, jobId: string): Promise<Map<string, string>> {
  const answers = new Map<string, string>();
  const get = async (path: string) => {
    const body = await text(`${flinkUrl}${path}`);
    answers.set(path, body);
    return body;
  };
  for (const path of [
    '/config',
    '/overview',
    '/jars',
    '/jobmanager/config',
    '/jobmanager/environment',
    '/jobmanager/metrics',
    `/jobs/${jobId}`,
    `/jobs/${jobId}/config`,
    `/jobs/${jobId}/plan`,
    `/jobs/${jobId}/jobmanager/config`,
    `/jobs/${jobId}/jobmanager/environment`,
    `/jobs/${jobId}/exceptions?maxExceptions=100`,
    `/jobs/${jobId}/checkpoints/config`,
  ]) {
    await get(path);
  }
  const job = JSON.parse((answers.get(`/jobs/${jobId}`) ?? '').replace(/^\d+ /, '')) as { vertices: { id: string }[] };
  for (const v of job.vertices) await get(`/jobs/${jobId}/vertices/${v.id}`);
  const jmLogs = JSON.parse((await get('/jobmanager/logs')).replace(/^\d+ /, '')) as { logs: { name: string }[] };
  for (const log of jmLogs.logs) await get(`/jobmanager/logs/${encodeURIComponent(log.name)}`);
  await get('/jobmanager/stdout');
  const tms = JSON.parse((await get('/taskmanagers')).replace(/^\d+ /, '')) as { taskmanagers: { id: string }[] };
  for (const tm of tms.taskmanagers) {
    const base = `/taskmanagers/${tm.id}`;
    await get(base);
    await get(`${base}/stdout`);
    const logs = JSON.parse((await get(`${base}/logs`)).replace(/^\d+ /, '')) as { logs: { name: string }[] };
    for (const log of logs.logs) await get(`${base}/logs/${encodeURIComponent(log.name)}`);
  }
  return answers;
}

/** The places among `texts` that hold a sentinel, with a little context. */
function leaks(texts: Map<string, string>): string[] {
  const found: string[] = [];
  for (const [where, body] of texts) {
    for (const sentinel of [BRIDGE_SENTINEL, DASHBOARD_SENTINEL]) {
      const at = body.indexOf(sentinel);
      if (at >= 0) found.push(`${where}: …${body.slice(Math.max(0, at - 120), at + sentinel.length + 40)}…`);
    }
  }
  return found;
}

it('sentinel passwords appear in no log line and no Flink REST answer', async () => {
  const run = await E2ERun.start('secrets', { bridgePassword: BRIDGE_SENTINEL });
  let dashboard: ChildProcess | undefined;
  let passed = false;
  try {
    // A few ticks: the sink tries to insert them with the sentinel password and is refused.
    const at = Date.UTC(2026, 0, 5, 14, 30, 0, 0);
    await run.publishRaw(
      [1, 2, 3].map((i) => ({
        key: 'AAPL',
        value: JSON.stringify({
          id: `s-${i}`,
          symbol: 'AAPL',
          price: 100,
          volume: 1,
          ts: new Date(at + i).toISOString(),
        }),
        timestampMs: at + i,
      })),
    );
    const jobId = run.currentJobId;
    if (!jobId) throw new Error('no job deployed');
    let exceptions = '';
    await eventually(
      "Flink's exception history holds the sink's refused insert",
      async () => {
        exceptions = await text(`${run.config.flink.url}/jobs/${jobId}/exceptions?maxExceptions=100`);
        return /ClickHouse insert of \d+ rows/.test(exceptions);
      },
      180_000,
    );
    // The bridge did use the sentinel: ClickHouse refused it (18.16: code 193, wrong password).
    expect(exceptions).toMatch(/Code: 193.*Wrong password for user default|Authentication failed/);

    // The dashboard with a sentinel password of its own, at debug level; its ClickHouse calls fail.
    const port = await freePort();
    let output = '';
    dashboard = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), 'dashboard/src/main.ts'], {
      env: {
        ...run.env,
        DASHBOARD_CLICKHOUSE_PASSWORD: DASHBOARD_SENTINEL,
        DASHBOARD_PORT: String(port),
        DASHBOARD_HOST: '127.0.0.1',
        LOG_LEVEL: 'debug',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    dashboard.stdout?.on('data', (c: Buffer) => {
      output += c.toString();
    });
    dashboard.stderr?.on('data', (c: Buffer) => {
      output += c.toString();
    });
    const base = `http://127.0.0.1:${port}`;
    await eventually('the dashboard answers /healthz', async () => (await fetch(`${base}/healthz`)).ok, 60_000);
    const answers = new Map<string, string>();
    for (const path of ['/api/recent', '/api/latest', '/api/stats', '/api/health', '/api/history?symbol=AAPL']) {
      answers.set(`dashboard ${path}`, await text(`${base}${path}`));
    }
    // Its ClickHouse calls were refused (503 naming ClickHouse), so the error paths ran.
    expect(answers.get('dashboard /api/recent')).toMatch(/^503 /);

    const scanned = await flinkAnswers(run.config.flink.url, jobId);
    for (const [k, v] of answers) scanned.set(k, v);
    scanned.set('dashboard output', output);
    scanned.set('worker log', readFileSync(run.workerLog, 'utf8'));
    scanned.set('deploy report', run.deployLines.join('\n'));
    expect(leaks(scanned)).toEqual([]);
    // The scan covered the logs the refusals went to.
    const logs = [...scanned.entries()].filter(([k]) => k.includes('/logs/'));
    expect(logs.some(([, body]) => /ClickHouse insert of \d+ rows/.test(body))).toBe(true);
    console.log(
      `[e2e] secrets: scanned ${scanned.size} answers and logs (${Math.round([...scanned.values()].reduce((n, b) => n + b.length, 0) / 1024)} KiB), no sentinel`,
    );
    passed = true;
  } finally {
    if (dashboard && dashboard.exitCode === null) {
      const exited = new Promise((resolve) => dashboard?.once('exit', resolve));
      dashboard.kill('SIGTERM');
      await exited;
    }
    await run.cleanup(!passed);
  }
});
