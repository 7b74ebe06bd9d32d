/**
 * Runs the worker on every core. Node's cluster module shares the listening socket: the primary
 * accepts connections and hands them to the worker processes round-robin (grpc-js has no
 * SO_REUSEPORT option, and one process is single-threaded). Since the bridge keeps a few
 * long-lived HTTP/2 connections, load spreads per connection. With processes = 1 the server runs
 * in this process, no cluster (and no live reload).
 *
 * Shutdown: SIGTERM/SIGINT -> stop accepting, finish in-flight batches, exit 0.
 *
 * Live reload: SIGHUP to the primary loads the logic from disk in a fresh "probe" process (the
 * primary never imports user code: ES modules are cached per process), compares it with the running
 * logic (descriptor/compatibility.ts), and when it is compatible starts a new generation of
 * processes (each takes new connections as soon as it listens, beside the old ones), waits until
 * all of them listen, then retires the old ones: each stops accepting, sends
 * HTTP/2 GOAWAY on its connections, answers the calls it has in flight and exits. The primary keeps
 * the shared listening socket open throughout (some process always listens), so the bridge's
 * reconnects land on the new generation. An incompatible or broken change is refused; the running
 * generation keeps serving.
 */
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { createLogger, type Logger } from '@ticker/common';
import { checkCompatibility, type LogicManifest, refusalMessage } from '../descriptor/compatibility';
import { loadLogic } from '../loader/load';
import {
  addStatusService,
  CHILD_ENV,
  type ChildMessage,
  type ClusterStatus,
  logicManifest,
  type PrimaryMessage,
  processMemory,
  type ReloadState,
  type ReloadStatus,
} from './reload';
import { startWorkerServer, WorkerStartError } from './server';

export interface RunWorkerOptions {
  file: string;
  port: number;
  /** 0 = one per core. */
  processes: number;
  logLevel: string;
}

/** More than MAX_CRASHES child crashes within CRASH_WINDOW_MS stop the worker (exit 1). */
const MAX_CRASHES = 5;
const CRASH_WINDOW_MS = 30_000;
/** A reload gives up when the new processes do not all listen within this time. */
const RELOAD_START_TIMEOUT_MS = 120_000;

/** Serves the pipeline in `file` until SIGTERM/SIGINT. Resolves when it has shut down. */
export async function runWorker(options: RunWorkerOptions): Promise<void> {
  const processes = options.processes === 0 ? availableParallelism() : options.processes;
  if (cluster.isWorker) {
    if (process.env[CHILD_ENV.role] === 'probe') return probeLogic(options);
    return serveInThisProcess(options, true);
  }
  if (processes === 1) return serveInThisProcess(options, false);
  return new Primary(options, processes).run();
}

/** Reload probe: loads the logic, reports its manifest to the primary and exits without listening. */
async function probeLogic(options: RunWorkerOptions): Promise<void> {
  let message: ChildMessage;
  try {
    const logic = await loadLogic(options.file);
    message = {
      type: 'manifest',
      manifest: logicManifest(logic.compiled, logic.contentVersion, logic.declaredLogicVersion),
    };
  } catch (err) {
    message = { type: 'start-failed', message: err instanceof Error ? err.message : String(err) };
  }
  process.send?.(message, undefined, {}, () => process.exit(0));
}

async function serveInThisProcess(options: RunWorkerOptions, inCluster: boolean): Promise<void> {
  const logger = createLogger('worker', options.logLevel).child({ pid: process.pid });
  const send = (message: ChildMessage) => (inCluster ? process.send?.(message) : undefined);
  const generation = Number(process.env[CHILD_ENV.generation] ?? 1);

  // Listen for stop requests from the very start: a request that arrives while the pipeline is
  // still loading is remembered and honoured as soon as the server is up.
  let requestStop: (signal: string) => void = () => undefined;
  const stopRequested = new Promise<string>((resolve) => {
    requestStop = resolve;
  });
  process.once('SIGTERM', () => requestStop('SIGTERM'));
  process.once('SIGINT', () => requestStop('SIGINT'));
  // SIGHUP reloads through the primary; a process of the cluster must not die of it (its default).
  process.on('SIGHUP', () => {
    if (!inCluster) logger.warn('SIGHUP ignored: a live reload needs the cluster (WORKER_PROCESSES other than 1)');
  });
  let clusterStatus: ClusterStatus | null = null;
  // The primary asks over IPC (a Ctrl+C reaches every process of the group anyway).
  process.on('message', (m: PrimaryMessage) => {
    if (m === 'shutdown') requestStop('primary');
    else if (typeof m === 'object' && m.type === 'status') clusterStatus = m.status;
  });
  // A primary killed with SIGKILL cannot ask: its children would linger with nobody to manage them.
  if (inCluster) process.once('disconnect', () => requestStop('primary gone'));

  let server: Awaited<ReturnType<typeof startWorkerServer>>;
  let manifest: LogicManifest;
  try {
    const logic = await loadLogic(options.file);
    const { compiled } = logic;
    manifest = logicManifest(compiled, logic.contentVersion, logic.declaredLogicVersion);
    const own = { pid: process.pid, logicVersion: manifest.logicVersion, generation };
    server = await startWorkerServer({
      compiled,
      port: options.port,
      logger,
      addServices: (s) =>
        addStatusService(s, () => ({ cluster: clusterStatus, process: { ...own, memory: processMemory() } })),
    });
    if (!inCluster) {
      logger.info(
        {
          port: server.port,
          pipeline: compiled.descriptor.name,
          sha256: compiled.descriptorSha256,
          logicVersion: manifest.logicVersion,
        },
        'worker listening',
      );
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (inCluster) {
      // Exit only once the primary has the message, so it can say why.
      const failed: ChildMessage = { type: 'start-failed', message };
      process.send?.(failed, undefined, {}, () => process.exit(1));
      return;
    }
    if (err instanceof WorkerStartError) {
      process.stderr.write(`pipeline worker: ${message}\n`);
      process.exit(1);
    }
    throw err;
  }
  send({ type: 'listening', port: server.port, manifest });
  const signal = await stopRequested;
  logger.info({ signal }, 'worker shutting down: finishing in-flight calls');
  // tryShutdown: the listener closes and every HTTP/2 connection gets a GOAWAY, so clients move on.
  await server.shutdown();
  logger.info('worker stopped');
  if (inCluster) process.disconnect?.();
  process.exitCode = 0;
}

interface Member {
  worker: Worker;
  generation: number;
  state: 'starting' | 'serving' | 'retiring';
}

/** Events a reload waits for, besides the children's own messages. */
type ReloadEvent = { kind: 'listening'; member: Member; manifest: LogicManifest } | { kind: 'failed'; message: string };

class WorkerExit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/** The cluster primary: forks, replaces crashed processes, stops, and rolls reloads. */
class Primary {
  private readonly logger: Logger;
  private readonly members = new Set<Member>();
  private readonly crashes: number[] = [];
  private generation = 1;
  private manifest: LogicManifest | undefined;
  private stopping = false;
  private reloading = false;
  private reloadStatus: ReloadStatus = {
    attempt: 0,
    state: 'idle',
    message: 'no reload yet',
    at: new Date().toISOString(),
  };
  /** Whoever waits for the next generation's processes (a reload in progress). */
  private onReloadEvent: ((event: ReloadEvent) => void) | undefined;
  private done: () => void = () => undefined;
  private fail: (err: Error) => void = () => undefined;

  constructor(
    options: RunWorkerOptions,
    private readonly processes: number,
  ) {
    this.logger = createLogger('worker', options.logLevel).child({ role: 'primary', pid: process.pid });
  }

  async run(): Promise<void> {
    await new Promise<void>((done, fail) => {
      this.done = done;
      this.fail = fail;
      for (let i = 0; i < this.processes; i++) this.fork(this.generation);
      process.on('SIGTERM', () => this.stop('SIGTERM'));
      process.on('SIGINT', () => this.stop('SIGINT'));
      process.on('SIGHUP', () => void this.reload());
    }).catch((err: unknown) => {
      if (err instanceof WorkerExit) process.exit(err.code);
      throw err;
    });
    this.logger.info('worker stopped');
  }

  private status(): ClusterStatus | undefined {
    if (!this.manifest) return undefined;
    return {
      primaryPid: process.pid,
      generation: this.generation,
      logicVersion: this.manifest.logicVersion,
      descriptorSha256: this.manifest.descriptorSha256,
      processes: this.processes,
      reload: this.reloadStatus,
    };
  }

  private broadcast(): void {
    const status = this.status();
    if (!status) return;
    const message: PrimaryMessage = { type: 'status', status };
    for (const m of this.members) if (m.worker.isConnected()) m.worker.send(message);
  }

  private setReload(state: ReloadState, message: string, versions: { from?: string; to?: string } = {}): void {
    this.reloadStatus = {
      attempt: this.reloadStatus.attempt,
      state,
      message,
      ...(versions.from !== undefined ? { fromVersion: versions.from } : {}),
      ...(versions.to !== undefined ? { toVersion: versions.to } : {}),
      at: new Date().toISOString(),
    };
    this.broadcast();
  }

  private fork(generation: number): Member {
    const worker = cluster.fork({ [CHILD_ENV.generation]: String(generation) });
    const member: Member = { worker, generation, state: 'starting' };
    this.members.add(member);
    worker.on('message', (m: ChildMessage) => this.onMessage(member, m));
    worker.on('exit', (code, signal) => this.onExit(member, code, signal));
    return member;
  }

  private onMessage(member: Member, m: ChildMessage): void {
    if (m.type === 'listening') {
      if (member.generation !== this.generation) {
        // It takes connections from now on (the shared socket hands them to every listener): give it the status.
        const status = this.status();
        if (status && member.worker.isConnected())
          member.worker.send({ type: 'status', status } satisfies PrimaryMessage);
        this.onReloadEvent?.({ kind: 'listening', member, manifest: m.manifest });
        return;
      }
      member.state = 'serving';
      if (!this.manifest) this.manifest = m.manifest;
      else if (m.manifest.logicVersion !== this.manifest.logicVersion) {
        // A replacement of a crashed process loaded files that changed since its generation started.
        this.logger.warn(
          {
            childPid: member.worker.process.pid,
            serves: m.manifest.logicVersion,
            generation: this.manifest.logicVersion,
          },
          'a replacement process serves other logic than its generation: send SIGHUP to reload them all',
        );
      }
      const serving = [...this.members].filter((x) => x.generation === this.generation && x.state === 'serving');
      this.broadcast();
      if (serving.length === this.processes && this.reloadStatus.attempt === 0) {
        this.logger.info(
          { port: m.port, processes: this.processes, logicVersion: this.manifest.logicVersion },
          'worker listening',
        );
      }
    } else if (m.type === 'start-failed') {
      if (member.generation !== this.generation) {
        this.onReloadEvent?.({ kind: 'failed', message: m.message });
        return;
      }
      if (this.stopping) return;
      // Once serving, a replacement that cannot load counts as a crash (its exit follows), so a broken
      // file on disk cannot stop a worker that still has processes serving the old logic.
      if (this.manifest) {
        this.logger.error(
          { childPid: member.worker.process.pid, reason: m.message },
          'a replacement process failed to start',
        );
        return;
      }
      this.stopping = true;
      process.stderr.write(`pipeline worker: ${m.message}\n`);
      for (const x of this.members) x.worker.kill('SIGTERM');
      this.fail(new WorkerExit(1));
    }
  }

  private onExit(member: Member, code: number | null, signal: string | null): void {
    this.members.delete(member);
    if (this.stopping) {
      if (this.members.size === 0) this.done();
      return;
    }
    if (member.state === 'retiring') return;
    if (member.generation !== this.generation) {
      this.onReloadEvent?.({ kind: 'failed', message: `a new worker process exited (code ${code}, signal ${signal})` });
      return;
    }
    // A crashed process is replaced (the bridge retries the calls it had in flight), unless
    // processes keep crashing: then the worker as a whole fails loudly instead of looping.
    const now = Date.now();
    this.crashes.push(now);
    while (this.crashes.length > 0 && this.crashes[0]! < now - CRASH_WINDOW_MS) this.crashes.shift();
    if (this.crashes.length > MAX_CRASHES) {
      this.stopping = true;
      process.stderr.write(
        `pipeline worker: ${this.crashes.length} worker processes crashed within ${CRASH_WINDOW_MS / 1000} s; giving up\n`,
      );
      for (const x of this.members) x.worker.kill('SIGTERM');
      this.fail(new WorkerExit(1));
      return;
    }
    this.logger.error(
      { childPid: member.worker.process.pid, code, signal },
      'worker process exited; starting a new one',
    );
    this.fork(this.generation);
  }

  private stop(signal: string): void {
    if (this.stopping) return;
    this.stopping = true;
    this.onReloadEvent?.({ kind: 'failed', message: `worker stopping (${signal})` });
    this.logger.info({ signal }, 'worker shutting down');
    // A signal, not an IPC message: a child still loading has no message listener yet.
    for (const m of this.members) m.worker.process.kill('SIGTERM');
    if (this.members.size === 0) this.done();
  }

  /** Loads the logic in a fresh process and returns its manifest, or why it could not load. */
  private probe(): Promise<{ manifest: LogicManifest } | { error: string }> {
    return new Promise((resolve) => {
      const worker = cluster.fork({ [CHILD_ENV.role]: 'probe' });
      let answer: { manifest: LogicManifest } | { error: string } | undefined;
      worker.on('message', (m: ChildMessage) => {
        if (m.type === 'manifest') answer = { manifest: m.manifest };
        else if (m.type === 'start-failed') answer = { error: m.message };
      });
      worker.on('exit', (code) => resolve(answer ?? { error: `the new logic's process exited with code ${code}` }));
    });
  }

  /** SIGHUP: the rolling reload. Never throws; the outcome is in the status and the log. */
  private async reload(): Promise<void> {
    if (this.stopping || !this.manifest) {
      this.logger.warn('SIGHUP ignored: the worker is not serving yet (or stopping)');
      return;
    }
    if (this.reloading) {
      this.logger.warn({ attempt: this.reloadStatus.attempt }, 'SIGHUP ignored: a reload is in progress');
      return;
    }
    this.reloading = true;
    const running = this.manifest;
    const from = running.logicVersion;
    this.reloadStatus = { ...this.reloadStatus, attempt: this.reloadStatus.attempt + 1 };
    const attempt = this.reloadStatus.attempt;
    try {
      this.setReload('checking', 'loading the new logic in a fresh process', { from });
      this.logger.info({ attempt, from }, 'reload: loading the new logic');
      const probed = await this.probe();
      if ('error' in probed) {
        const message = `reload failed: the new logic does not load: ${probed.error}; the running worker keeps serving ${from}`;
        this.setReload('failed', message, { from });
        this.logger.error({ attempt }, message);
        return;
      }
      const next = probed.manifest;
      const verdict = checkCompatibility(running, next);
      if (!verdict.compatible) {
        const message = refusalMessage(verdict.changes);
        this.setReload('refused', message, { from, to: next.logicVersion });
        this.logger.error({ attempt, from, to: next.logicVersion, changes: verdict.changes }, message);
        return;
      }
      const to = next.logicVersion;
      this.setReload('starting', `starting ${this.processes} processes with ${to}`, { from, to });
      const started = await this.startGeneration(this.generation + 1, next);
      if ('error' in started) {
        const message = `reload failed: ${started.error}; the running worker keeps serving ${from}`;
        this.setReload('failed', message, { from, to });
        this.logger.error({ attempt }, message);
        return;
      }
      // Traffic moves: new connections go to the new generation from here on.
      const old = [...this.members].filter((m) => m.generation !== started.generation);
      this.generation = started.generation;
      this.manifest = next;
      for (const m of started.members) m.state = 'serving';
      this.setReload('draining', `retiring ${old.length} processes of ${from} after their calls in flight`, {
        from,
        to,
      });
      this.logger.info(
        { attempt, from, to, generation: this.generation },
        'reload: new processes serve; retiring the old',
      );
      await this.retire(old);
      this.setReload('done', `generation ${this.generation} serves ${to} (was ${from})`, { from, to });
      this.logger.info({ attempt, from, to, generation: this.generation }, 'reload done');
    } finally {
      this.reloading = false;
    }
  }

  /** Forks `processes` of generation `generation` and waits until all listen with the probed logic. */
  private startGeneration(
    generation: number,
    expected: LogicManifest,
  ): Promise<{ generation: number; members: Member[] } | { error: string }> {
    return new Promise((resolve) => {
      const members: Member[] = [];
      const listening = new Set<Member>();
      const finish = (result: { generation: number; members: Member[] } | { error: string }) => {
        clearTimeout(timer);
        this.onReloadEvent = undefined;
        if ('error' in result) {
          for (const m of members) {
            m.state = 'retiring';
            m.worker.process.kill('SIGTERM');
          }
        }
        resolve(result);
      };
      const timer = setTimeout(
        () => finish({ error: `the new processes did not all listen within ${RELOAD_START_TIMEOUT_MS / 1000} s` }),
        RELOAD_START_TIMEOUT_MS,
      );
      this.onReloadEvent = (event) => {
        if (event.kind === 'failed') return finish({ error: event.message });
        if (
          event.manifest.descriptorSha256 !== expected.descriptorSha256 ||
          event.manifest.logicVersion !== expected.logicVersion
        ) {
          return finish({ error: 'the logic changed on disk while reloading; send SIGHUP again' });
        }
        listening.add(event.member);
        if (listening.size === members.length) finish({ generation, members });
      };
      for (let i = 0; i < this.processes; i++) members.push(this.fork(generation));
    });
  }

  /** Asks each process to stop (GOAWAY, finish in-flight calls, exit) and waits until all have exited. */
  private async retire(old: Member[]): Promise<void> {
    const exits = old.map(
      (m) =>
        new Promise<void>((resolve) => {
          if (m.worker.isDead()) return resolve();
          m.worker.once('exit', () => resolve());
        }),
    );
    for (const m of old) {
      m.state = 'retiring';
      m.worker.process.kill('SIGTERM');
    }
    await Promise.all(exits);
  }
}
