/**
 * `npm run test:compose`: the real compose.yaml end to end on a Docker engine.
 *
 * 1. An engine: DOCKER_HOST if it answers (your own engine), or the default socket's when not
 *    root; else our own dockerd (scripts/compose-e2e/engine.sh, needs root and Debian's docker.io).
 * 2. Images: the pinned tags pulled when they can be (then the real images are used and the run
 *    says so), else stand-ins built under the same tags (scripts/compose-e2e/standins.ts) and
 *    checked against their conformance lists (scripts/compose-e2e/conformance.ts).
 * 3. compose.yaml unchanged: `build`, `up -d --wait`, then the checks below, each polled with a
 *    deadline: the job RUNNING with checkpoints, ticks / candles / dead letters in ClickHouse,
 *    the dashboard's health and every symbol; stop-with-savepoint then `up` with every tick of a
 *    bounded producer run exactly once; a TaskManager kill with the same exactly-once check;
 *    `down -v` leaving no container, volume or network, and (own engine) no engine process,
 *    bridge or firewall rule.
 *
 * Under CI=true a missing engine, missing root or failed stand-in build fails the run; elsewhere
 * a machine that cannot run it is told why and the run is skipped (exit 0).
 * Options: --keep (leave the stack and engine up), --images real|standins (default: auto),
 * --no-chaos (skip the chaos profile's check).
 */
import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { DEFAULT_SYMBOLS } from '../../producer/src/symbols';
import { checkConformance } from './conformance';
import { log, poll, run, step } from './exec';
import { buildStandins, cacheDir, imageState, pinnedImages, ROOT } from './standins';

const CI = process.env.CI === 'true';
const PROJECT = process.env.TICKER_E2E_PROJECT ?? 'ticker-e2e';
const ENGINE = join(ROOT, 'scripts', 'compose-e2e', 'engine.sh');
// Free high ports by default, so a local stack or a demo on the default ports is left alone.
const PORTS = {
  flink: process.env.FLINK_UI_PORT ?? '28081',
  dashboard: process.env.DASHBOARD_PORT ?? '23000',
};
const FLINK = `http://127.0.0.1:${PORTS.flink}`;
const DASHBOARD = `http://127.0.0.1:${PORTS.dashboard}`;
/** Ticks of each bounded producer run, and their rate: long enough to straddle a stop or a kill. */
const BOUNDED_COUNT = Number(process.env.TICKER_E2E_BOUNDED_COUNT ?? 3000);
const BOUNDED_RATE = Number(process.env.TICKER_E2E_BOUNDED_RATE ?? 100);

const args = process.argv.slice(2);
const keep = args.includes('--keep');
const imagesFlag = args.indexOf('--images');
const imagesMode = z
  .enum(['auto', 'real', 'standins'])
  .parse((imagesFlag >= 0 ? args[imagesFlag + 1] : undefined) ?? process.env.TICKER_E2E_IMAGES ?? 'auto');

const env: NodeJS.ProcessEnv = {
  ...process.env,
  FLINK_UI_PORT: PORTS.flink,
  DASHBOARD_PORT: PORTS.dashboard,
  // A quiet stack: the Node services log warnings and errors only.
  LOG_LEVEL: process.env.TICKER_E2E_STACK_LOG_LEVEL ?? 'warn',
};

const timings: Record<string, number> = {};
const results: { check: string; ok: boolean; detail?: string }[] = [];

/** A machine that cannot run this: a failure under CI, a skip elsewhere. */
class Unavailable extends Error {
  override readonly name = 'Unavailable';
}

function compose(composeArgs: string[], options: Parameters<typeof run>[2] = {}) {
  return run('docker', ['compose', '-p', PROJECT, '-f', join(ROOT, 'compose.yaml'), ...composeArgs], {
    cwd: ROOT,
    env,
    ...options,
  });
}

async function timed<T>(name: string, body: () => Promise<T>): Promise<T> {
  const { value, seconds } = await step(name, body);
  timings[name] = seconds;
  return value;
}

async function check(name: string, body: () => Promise<string | undefined>): Promise<void> {
  const started = Date.now();
  try {
    const detail = await body();
    const seconds = Math.round((Date.now() - started) / 100) / 10;
    results.push({ check: name, ok: true, ...(detail ? { detail } : {}) });
    timings[`check: ${name.slice(0, 40)}`] = seconds;
    log.info({ check: name, ok: true, detail, seconds }, 'check passed');
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    results.push({ check: name, ok: false, detail });
    log.error({ check: name, ok: false, detail }, 'check failed');
    throw err;
  }
}

// ------------------------------------------------------------------ engine and images

let ownEngine = false;

async function engineAnswers(): Promise<boolean> {
  const r = await run('docker', ['version', '--format', '{{.Server.Version}}'], {
    env,
    allowFailure: true,
    timeoutMs: 20_000,
  });
  return r.code === 0;
}

async function ensureEngine(): Promise<void> {
  if ((await run('bash', ['-c', 'command -v docker'], { allowFailure: true })).code !== 0) {
    throw new Unavailable('the docker CLI is not installed (apt-get install -y --no-install-recommends docker.io)');
  }
  if (process.env.DOCKER_HOST && (await engineAnswers())) {
    log.info({ dockerHost: process.env.DOCKER_HOST }, 'using the engine DOCKER_HOST names');
    return;
  }
  // A user (not root) whose own engine answers on the default socket: use it. As root we never
  // use a system daemon, and start our own instead.
  if (!process.env.DOCKER_HOST && process.getuid?.() !== 0 && (await engineAnswers())) {
    log.info('using the engine on the default socket');
    return;
  }
  if (process.getuid?.() !== 0)
    throw new Unavailable('starting our own dockerd needs root (or set DOCKER_HOST to an engine)');
  const which = await run('bash', ['-c', 'command -v dockerd && command -v iptables'], { allowFailure: true });
  if (which.code !== 0) {
    throw new Unavailable(
      'dockerd or iptables is missing: apt-get install -y --no-install-recommends docker.io debootstrap iptables',
    );
  }
  const started = await timed('engine start', () => run('bash', [ENGINE, 'start'], { env, timeoutMs: 180_000 }));
  env.DOCKER_HOST = started.stdout.trim();
  ownEngine = true;
}

async function ensureComposePlugin(): Promise<void> {
  const r = await run('docker', ['compose', 'version', '--short'], { env, allowFailure: true });
  if (r.code !== 0)
    throw new Unavailable('the docker compose plugin is missing: bash scripts/install-compose-plugin.sh');
}

/** Pulls every pinned tag; true when all of them came (then the real images are used). */
async function pullReal(tags: string[]): Promise<boolean> {
  for (const tag of tags) {
    if ((await imageState(tag)) === 'real') continue;
    const r = await run('docker', ['pull', '--quiet', tag], {
      env,
      allowFailure: true,
      timeoutMs: 600_000,
      label: `docker pull ${tag}`,
    });
    if (r.code !== 0) {
      log.info({ image: tag, reason: r.stderr.trim().split('\n').pop() }, 'cannot pull the pinned image');
      return false;
    }
  }
  return true;
}

async function ensureImages(): Promise<'real' | 'standins'> {
  const images = await pinnedImages();
  // The chaos profile's image is optional: this run kills a TaskManager itself.
  const required = images.filter((i) => !i.optional);
  if (imagesMode !== 'standins' && (await timed('pull pinned images', () => pullReal(required.map((i) => i.tag))))) {
    log.info(
      { images: required.map((i) => i.tag) },
      'THE REAL IMAGES: every pinned tag was pulled; no stand-in is used',
    );
    return 'real';
  }
  if (imagesMode === 'real') throw new Error('--images real: the pinned images cannot be pulled from this engine');
  if (process.getuid?.() !== 0) throw new Unavailable('building stand-ins needs root (debootstrap)');
  log.info('the pinned images cannot be pulled: building stand-ins under the same tags (docker/standins/)');
  const previous = process.env.DOCKER_HOST;
  process.env.DOCKER_HOST = env.DOCKER_HOST;
  try {
    const built = await timed('stand-ins', () => buildStandins(images, cacheDir()));
    log.info({ seconds: built }, 'stand-in build times');
    await check('stand-ins conform to their lists', async () => {
      const summary = await checkConformance(images.map((i) => i.name));
      return summary;
    });
  } finally {
    if (previous === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = previous;
  }
  return 'standins';
}

// ------------------------------------------------------------------ probes

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

/** A query through the ClickHouse container's own client: compose.yaml publishes no ClickHouse port. */
async function clickhouse(query: string): Promise<string> {
  const result = await compose(
    ['exec', '-T', 'clickhouse', 'clickhouse-client', '--database', 'stocks', '--query', query],
    { timeoutMs: 30_000, label: 'clickhouse-client' },
  );
  return result.stdout.trim();
}

interface JobOverview {
  jobs: { jid: string; name: string; state: string; 'start-time': number }[];
}
interface Checkpoints {
  counts: { completed: number; failed: number; restored: number };
  latest: {
    completed: { latest_ack_timestamp: number; external_path?: string } | null;
    restored: { is_savepoint: boolean; external_path: string } | null;
  };
}

async function runningJob(): Promise<{ jid: string; name: string; startTime: number } | undefined> {
  const overview = await getJson<JobOverview>(`${FLINK}/jobs/overview`);
  const job = overview.jobs.find((j) => j.state === 'RUNNING');
  return job ? { jid: job.jid, name: job.name, startTime: job['start-time'] } : undefined;
}

async function checkpoints(jid: string): Promise<Checkpoints> {
  return getJson<Checkpoints>(`${FLINK}/jobs/${jid}/checkpoints`);
}

/** Waits for a RUNNING job with a checkpoint completed after `after` (ms epoch). */
async function jobWithCheckpointAfter(after: number, timeoutMs: number) {
  return poll('a RUNNING job with a new completed checkpoint', timeoutMs, async () => {
    const job = await runningJob();
    if (!job) throw new Error('no RUNNING job');
    const cp = await checkpoints(job.jid);
    const ack = cp.latest.completed?.latest_ack_timestamp ?? 0;
    if (ack <= after) throw new Error(`job ${job.jid}: ${cp.counts.completed} checkpoints, none since the mark`);
    return { ...job, checkpoints: cp };
  });
}

// ------------------------------------------------------------------ bounded producer runs

/** Starts a bounded producer run (its own seed = id prefix) in a one-off container; resolves when it exits. */
function boundedRun(seed: number): Promise<unknown> {
  return compose(
    [
      'run',
      '--rm',
      '--no-deps',
      '--name',
      `${PROJECT}-bounded-${seed}`,
      'producer',
      'node',
      '--import',
      'tsx',
      'producer/src/cli.ts',
      '--count',
      String(BOUNDED_COUNT),
      '--rate',
      String(BOUNDED_RATE),
      '--seed',
      String(seed),
      '--bad-ratio',
      '0',
    ],
    { timeoutMs: 600_000, label: `bounded producer run ${seed}` },
  );
}

async function ticksOf(seed: number): Promise<{ rows: number; ids: number }> {
  const [rows = '0', ids = '0'] = (
    await clickhouse(`SELECT count(), uniqExact(id) FROM ticks FINAL WHERE id LIKE '${seed}-%' FORMAT TSV`)
  ).split('\t');
  return { rows: Number(rows), ids: Number(ids) };
}

/** Polls until the run's ticks are all in ClickHouse, then checks each is there exactly once. */
async function exactlyOnce(seed: number, timeoutMs: number): Promise<string> {
  const counts = await poll(`all ${BOUNDED_COUNT} ticks of run ${seed} in ClickHouse`, timeoutMs, async () => {
    const c = await ticksOf(seed);
    if (c.ids < BOUNDED_COUNT) throw new Error(`${c.ids} of ${BOUNDED_COUNT} ids so far`);
    return c;
  });
  // Raw rows too: duplicates that FINAL folds are allowed (idempotent sink), missing or extra ids are not.
  const raw = Number(await clickhouse(`SELECT count() FROM ticks WHERE id LIKE '${seed}-%'`));
  if (counts.rows !== BOUNDED_COUNT || counts.ids !== BOUNDED_COUNT) {
    throw new Error(
      `run ${seed}: ${counts.rows} rows and ${counts.ids} distinct ids with FINAL, expected ${BOUNDED_COUNT}`,
    );
  }
  return `${BOUNDED_COUNT} ticks exactly once (FINAL); ${raw} raw rows before merges`;
}

// ------------------------------------------------------------------ the run

async function upAndCheck(): Promise<void> {
  await timed('compose build', () => compose(['build'], { timeoutMs: 1_800_000, progressEveryMs: 30_000 }));
  await timed('compose up --wait', () =>
    compose(['up', '-d', '--wait', '--wait-timeout', '600'], { timeoutMs: 660_000, progressEveryMs: 30_000 }),
  );
  results.push({ check: 'compose build + up -d --wait exit 0', ok: true });

  await check('Flink job RUNNING with completed checkpoints', async () => {
    const job = await jobWithCheckpointAfter(0, 180_000);
    return `${job.name} (${job.jid}), ${job.checkpoints.counts.completed} checkpoints`;
  });
  await check('ticks, candles_1m and rejected rows in ClickHouse', async () => {
    const counts = await poll('ticks, a closed one-minute candle and a dead letter', 240_000, async () => {
      const [ticks, candles, rejected] = await Promise.all(
        ['ticks', 'candles_1m', 'rejected'].map(async (t) =>
          Number(await clickhouse(`SELECT count() FROM ${t} FINAL`)),
        ),
      );
      if (!ticks || !candles || !rejected)
        throw new Error(`ticks ${ticks}, candles_1m ${candles}, rejected ${rejected}`);
      return { ticks, candles, rejected };
    });
    return `ticks ${counts.ticks}, candles_1m ${counts.candles}, rejected ${counts.rejected}`;
  });
  await check('dashboard /api/health ok and every symbol in /api/latest', async () => {
    await poll('the dashboard healthy with every symbol', 120_000, async () => {
      const health = await getJson<{ status: string }>(`${DASHBOARD}/api/health`);
      if (health.status !== 'ok') throw new Error(`/api/health status ${health.status}`);
      const latest = await getJson<{ symbols: { symbol: string }[] }>(`${DASHBOARD}/api/latest`);
      const seen = new Set(latest.symbols.map((s) => s.symbol));
      const absent = DEFAULT_SYMBOLS.filter((s) => !seen.has(s));
      if (absent.length > 0) throw new Error(`/api/latest lacks ${absent.join(',')}`);
      return true;
    });
    return `${DEFAULT_SYMBOLS.length} symbols`;
  });
}

async function savepointAndResume(): Promise<void> {
  await check('stop with a savepoint, `up` resumes, a bounded run exactly once', async () => {
    const seed = randomInt(100_000_000, 2_000_000_000);
    const before = await runningJob();
    if (!before) throw new Error('no RUNNING job before the stop');
    const producing = boundedRun(seed);
    await poll(`ticks of run ${seed} flowing`, 120_000, async () => ((await ticksOf(seed)).ids > 0 ? true : undefined));
    await timed('stop with savepoint', () =>
      compose(['run', '--rm', '--no-deps', 'deployer', 'node', '--import', 'tsx', 'flink/src/cli.ts', 'stop'], {
        timeoutMs: 300_000,
      }),
    );
    const stoppedAt = (await ticksOf(seed)).ids;
    await poll('no RUNNING job after the stop', 60_000, async () => ((await runningJob()) ? undefined : true));
    await timed('up --wait after stop', () =>
      compose(['up', '-d', '--wait', '--wait-timeout', '600'], { timeoutMs: 660_000, progressEveryMs: 30_000 }),
    );
    const after = await jobWithCheckpointAfter(Date.now() - 1, 180_000);
    if (after.jid === before.jid) throw new Error('the job after `up` is the job before the stop');
    const restored = after.checkpoints.latest.restored;
    if (!restored?.is_savepoint) {
      throw new Error(
        `the new job ${after.jid} was not restored from a savepoint (restored: ${JSON.stringify(restored)})`,
      );
    }
    await producing;
    const once = await exactlyOnce(seed, 240_000);
    return `${stoppedAt} ticks in before the stop; resumed from ${restored.external_path}; ${once}`;
  });
}

async function taskManagerKill(): Promise<void> {
  await check('a TaskManager kill recovers, a bounded run exactly once', async () => {
    const seed = randomInt(100_000_000, 2_000_000_000);
    const producing = boundedRun(seed);
    await poll(`ticks of run ${seed} flowing`, 120_000, async () => ((await ticksOf(seed)).ids > 0 ? true : undefined));
    const ids = (await compose(['ps', '-q', 'taskmanager'])).stdout.trim().split('\n').filter(Boolean);
    const victim = ids[0];
    if (!victim) throw new Error('no TaskManager container');
    const killedAt = Date.now();
    await run('docker', ['kill', '--signal', 'KILL', victim], { env });
    // `restart: unless-stopped` brings it back; start it by hand only if the engine did not (as the chaos profile does).
    await poll('the killed TaskManager running again', 120_000, async () => {
      const state = (await run('docker', ['inspect', '--format', '{{.State.Status}}', victim], { env })).stdout.trim();
      if (state === 'exited') await run('docker', ['start', victim], { env });
      return state === 'running' ? true : undefined;
    });
    const job = await jobWithCheckpointAfter(killedAt, 300_000);
    await producing;
    const once = await exactlyOnce(seed, 300_000);
    return `job ${job.jid} RUNNING with a checkpoint ${Math.round((job.checkpoints.latest.completed?.latest_ack_timestamp ?? 0) - killedAt) / 1000} s after the kill; ${once}`;
  });
}

/** The engine's unix socket path, when DOCKER_HOST names one (the chaos service mounts it). */
function engineSocket(): string | undefined {
  const host = env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  return host.startsWith('unix://') ? host.slice('unix://'.length) : undefined;
}

async function chaosProfile(): Promise<void> {
  const socket = engineSocket();
  if (!socket) {
    log.warn({ dockerHost: env.DOCKER_HOST }, 'chaos profile not checked: the engine has no unix socket to mount');
    return;
  }
  await check('the chaos profile kills a TaskManager and the job recovers', async () => {
    // compose.yaml's DOCKER_SOCKET: the chaos service mounts the socket of the engine in use.
    const chaosArgs = ['--profile', 'chaos'];
    const chaosEnv = { ...env, DOCKER_SOCKET: socket, CHAOS_INTERVAL: '20', CHAOS_DOWNTIME: '5' };
    const started = Date.now();
    await compose([...chaosArgs, 'up', '-d', '--wait', '--wait-timeout', '300', 'chaos'], {
      env: chaosEnv,
      timeoutMs: 360_000,
    });
    try {
      const restarted = await poll('the chaos service killing and restarting a TaskManager', 180_000, async () => {
        const logs = (await compose(['logs', '--no-color', 'chaos'], { env: chaosEnv })).stdout;
        const kill = /kill -9 (\S+)/.exec(logs);
        const start = /start (\S+)/.exec(logs.slice(kill?.index ?? logs.length));
        if (!kill || !start) throw new Error(`chaos log so far: ${logs.trim().split('\n').slice(-2).join(' | ')}`);
        return kill[1];
      });
      const job = await jobWithCheckpointAfter(started + 20_000, 300_000);
      return `killed and restarted ${restarted}; job ${job.jid} RUNNING with a checkpoint after the kill`;
    } finally {
      await compose([...chaosArgs, 'rm', '--stop', '--force', 'chaos'], { env: chaosEnv, allowFailure: true });
      // Removed between a kill and its restart, chaos would leave a TaskManager down.
      await compose(['up', '-d', '--wait', '--wait-timeout', '300', 'taskmanager'], {
        timeoutMs: 360_000,
        allowFailure: true,
      });
    }
  });
}

async function downAndVerify(): Promise<void> {
  await timed('compose down -v', () => compose(['down', '-v', '--remove-orphans'], { timeoutMs: 300_000 }));
  await check('down -v leaves no container, volume or network', async () => {
    const label = `label=com.docker.compose.project=${PROJECT}`;
    const left = [
      ...(await run('docker', ['ps', '-aq', '--filter', label], { env })).stdout.split('\n'),
      ...(await run('docker', ['volume', 'ls', '-q', '--filter', label], { env })).stdout.split('\n'),
      ...(await run('docker', ['network', 'ls', '-q', '--filter', label], { env })).stdout.split('\n'),
    ].filter((l) => l.trim() !== '');
    if (left.length > 0) throw new Error(`left behind: ${left.join(' ')}`);
    return undefined;
  });
}

async function stopEngineAndVerify(): Promise<void> {
  await timed('engine stop', () => run('bash', [ENGINE, 'stop'], { env, timeoutMs: 180_000 }));
  ownEngine = false;
  await check('no engine process, bridge interface or firewall rule left', async () => {
    const r = await run('bash', [ENGINE, 'leftovers'], { env, allowFailure: true });
    if (r.code !== 0) throw new Error(`left behind:\n${r.stdout.trim()}`);
    return undefined;
  });
}

async function diagnostics(): Promise<void> {
  const ps = await compose(['ps', '-a', '--format', 'table {{.Service}}\t{{.Status}}'], { allowFailure: true });
  log.error({ services: ps.stdout.trim().split('\n') }, 'compose ps at the failure');
  const logs = await compose(['logs', '--no-color', '--tail', '30'], { allowFailure: true });
  process.stderr.write(`${logs.stdout.split('\n').slice(-300).join('\n')}\n`);
}

function summary(images: string): void {
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  process.stdout.write(`\ncompose end to end (${images}):\n`);
  for (const r of results)
    process.stdout.write(`  ${r.ok ? 'ok  ' : 'FAIL'} ${r.check}${r.detail ? ` — ${r.detail.split('\n')[0]}` : ''}\n`);
  process.stdout.write('timings (s):\n');
  for (const [name, s] of Object.entries(timings)) process.stdout.write(`  ${name.padEnd(50)} ${s}\n`);
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
}

async function main(): Promise<number> {
  let images = 'no images';
  let stackStarted = false;
  const started = Date.now();
  try {
    await ensureEngine();
    await ensureComposePlugin();
    images = (await ensureImages()) === 'real' ? 'the real pinned images' : 'stand-in images (docker/standins/)';
    stackStarted = true;
    await upAndCheck();
    await savepointAndResume();
    await taskManagerKill();
    if (!args.includes('--no-chaos')) await chaosProfile();
    if (!keep) {
      stackStarted = false;
      await downAndVerify();
      if (ownEngine) await stopEngineAndVerify();
    }
    timings.total = Math.round((Date.now() - started) / 1000);
    summary(images);
    return results.every((r) => r.ok) ? 0 : 1;
  } catch (err) {
    if (err instanceof Unavailable && !CI) {
      log.warn({ reason: err.message }, 'SKIPPED: this machine cannot run the compose end-to-end test');
      process.stdout.write(`compose end to end skipped: ${err.message}\n`);
      return 0;
    }
    log.error({ err: err instanceof Error ? err.message : String(err) }, 'compose end to end failed');
    if (stackStarted) await diagnostics().catch(() => undefined);
    results.push({ check: 'run', ok: false, detail: err instanceof Error ? err.message : String(err) });
    return 1;
  } finally {
    if (!keep) {
      if (stackStarted) await compose(['down', '-v', '--remove-orphans'], { allowFailure: true, timeoutMs: 300_000 });
      if (ownEngine) await run('bash', [ENGINE, 'stop'], { env, allowFailure: true, timeoutMs: 180_000 });
    }
    if (results.some((r) => !r.ok)) summary(images);
  }
}

process.exitCode = await main();
