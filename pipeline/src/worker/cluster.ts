/**
 * Runs the worker on every core. Node's cluster module shares the listening socket: the primary
 * accepts connections and hands them to the worker processes round-robin (grpc-js has no
 * SO_REUSEPORT option, and one process is single-threaded). Since the bridge keeps a few
 * long-lived HTTP/2 connections, load spreads per connection. With processes = 1 the server runs
 * in this process, no cluster.
 *
 * Shutdown: SIGTERM/SIGINT -> stop accepting, finish in-flight batches, exit 0.
 */
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { createLogger } from '@ticker/common';
import { loadPipeline } from '../cli/load';
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

type ChildMessage = { type: 'listening'; port: number } | { type: 'start-failed'; message: string };

/** Serves the pipeline in `file` until SIGTERM/SIGINT. Resolves when it has shut down. */
export async function runWorker(options: RunWorkerOptions): Promise<void> {
  const processes = options.processes === 0 ? availableParallelism() : options.processes;
  if (cluster.isWorker) return serveInThisProcess(options, true);
  if (processes === 1) return serveInThisProcess(options, false);
  return runPrimary(options, processes);
}

async function serveInThisProcess(options: RunWorkerOptions, inCluster: boolean): Promise<void> {
  const logger = createLogger('worker', options.logLevel).child({ pid: process.pid });
  const send = (message: ChildMessage) => (inCluster ? process.send?.(message) : undefined);

  // Listen for stop requests from the very start: a request that arrives while the pipeline is
  // still loading is remembered and honoured as soon as the server is up.
  let requestStop: (signal: string) => void = () => undefined;
  const stopRequested = new Promise<string>((resolve) => {
    requestStop = resolve;
  });
  process.once('SIGTERM', () => requestStop('SIGTERM'));
  process.once('SIGINT', () => requestStop('SIGINT'));
  // The primary asks over IPC (a Ctrl+C reaches every process of the group anyway).
  process.on('message', (m: unknown) => {
    if (m === 'shutdown') requestStop('primary');
  });
  // A primary killed with SIGKILL cannot ask: its children would linger with nobody to manage them.
  if (inCluster) process.once('disconnect', () => requestStop('primary gone'));

  let server: Awaited<ReturnType<typeof startWorkerServer>>;
  try {
    const compiled = await loadPipeline(options.file);
    server = await startWorkerServer({ compiled, port: options.port, logger });
    if (!inCluster) {
      logger.info(
        { port: server.port, pipeline: compiled.descriptor.name, sha256: compiled.descriptorSha256 },
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
  send({ type: 'listening', port: server.port });
  const signal = await stopRequested;
  logger.info({ signal }, 'worker shutting down: finishing in-flight calls');
  await server.shutdown();
  logger.info('worker stopped');
  if (inCluster) process.disconnect?.();
  process.exitCode = 0;
}

async function runPrimary(options: RunWorkerOptions, processes: number): Promise<void> {
  const logger = createLogger('worker', options.logLevel).child({ role: 'primary', pid: process.pid });
  let stopping = false;
  const listening = new Set<number>();
  const children = new Set<Worker>();
  const crashes: number[] = [];

  await new Promise<void>((done, fail) => {
    const fork = () => {
      const child = cluster.fork();
      children.add(child);
      child.on('message', (m: ChildMessage) => {
        if (m.type === 'listening') {
          listening.add(child.id);
          if (listening.size === processes) {
            logger.info({ port: m.port, processes }, 'worker listening');
          }
        } else if (m.type === 'start-failed' && !stopping) {
          stopping = true;
          process.stderr.write(`pipeline worker: ${m.message}\n`);
          for (const c of children) c.kill('SIGTERM');
          fail(new WorkerExit(1));
        }
      });
      child.on('exit', (code, signal) => {
        children.delete(child);
        listening.delete(child.id);
        if (stopping) {
          if (children.size === 0) done();
          return;
        }
        // A crashed process is replaced (the bridge retries the calls it had in flight), unless
        // processes keep crashing: then the worker as a whole fails loudly instead of looping.
        const now = Date.now();
        crashes.push(now);
        while (crashes.length > 0 && crashes[0]! < now - CRASH_WINDOW_MS) crashes.shift();
        if (crashes.length > MAX_CRASHES) {
          stopping = true;
          process.stderr.write(
            `pipeline worker: ${crashes.length} worker processes crashed within ${CRASH_WINDOW_MS / 1000} s; giving up\n`,
          );
          for (const c of children) c.kill('SIGTERM');
          fail(new WorkerExit(1));
          return;
        }
        logger.error({ childPid: child.process.pid, code, signal }, 'worker process exited; starting a new one');
        fork();
      });
    };
    for (let i = 0; i < processes; i++) fork();

    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'worker shutting down');
      // A signal, not an IPC message: a child still loading has no message listener yet.
      for (const c of children) c.process.kill('SIGTERM');
      if (children.size === 0) done();
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  }).catch((err: unknown) => {
    if (err instanceof WorkerExit) process.exit(err.code);
    throw err;
  });
  logger.info('worker stopped');
}

class WorkerExit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}
