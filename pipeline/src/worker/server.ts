/**
 * One worker gRPC server: Process (chains, window finishes, late records, refused records) and Describe from
 * worker.proto, plus grpc.health.v1.
 * Stateless: every call carries all the records it needs, so any process can answer any call.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type GrpcObject,
  loadPackageDefinition,
  Server,
  ServerCredentials,
  type ServiceDefinition,
  type sendUnaryData,
  status,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { Logger } from '@ticker/common';
import { HealthImplementation } from 'grpc-health-check';
import protobuf from 'protobufjs';
import type { CompiledPipeline } from '../compiler/compile';
import type { ProcessRequest__Output } from '../contract/wire/generated/ticker/worker/v2/ProcessRequest';
import type { WorkerHandlers } from '../contract/wire/generated/ticker/worker/v2/Worker';
import { runChain } from '../runtime/chain';
import { runReject } from '../runtime/reject';
import { runFinish, runLate } from '../runtime/window';
import type { BatchResult } from '../runtime/wire';
import { type WorkerMethod, WorkerStats } from './stats';

export const PROTO_PATH = resolve(dirname(fileURLToPath(import.meta.url)), '../../proto/worker.proto');
export const WORKER_SERVICE = 'ticker.worker.v2.Worker';
/** Max gRPC message size on both sides (bridge-args contract). */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** proto-loader options shared by the server, the tests and the benchmark (int64 as JS numbers). */
export const PROTO_OPTIONS = { keepCase: false, longs: Number, enums: String, defaults: true, oneofs: true } as const;

/** The Worker service definition and the package object (for clients). */
export function loadWorkerProto(): { service: ServiceDefinition; pkg: GrpcObject } {
  const definition = loadSync(PROTO_PATH, PROTO_OPTIONS);
  const pkg = loadPackageDefinition(definition);
  const service = definition[WORKER_SERVICE] as ServiceDefinition;
  return { service, pkg };
}

/**
 * The worker's Process response serializer: protobufjs encodes the BatchResult as it is. proto-loader's
 * own serializer first copies every output, record and accumulator into protobufjs message objects
 * (`fromObject`), about 6 % of the worker's CPU at batch 1000; the bytes are the same
 * (pipeline/test/hotPath.test.ts). The runtime builds exactly the wire types, so nothing needs converting.
 */
export function processResponseSerializer(): (result: BatchResult) => Buffer {
  const type = protobuf.loadSync(PROTO_PATH).lookupType('ticker.worker.v2.ProcessResponse');
  return (result) => type.encode(result as unknown as protobuf.Message).finish() as Buffer;
}

/** A Process call as the worker receives it (decoded by proto-loader with PROTO_OPTIONS). */
export type ProcessRequest = ProcessRequest__Output;

/** A worker that could not start (the message says why, e.g. which port is taken). */
export class WorkerStartError extends Error {
  override readonly name = 'WorkerStartError';
}

export interface WorkerServerOptions {
  compiled: CompiledPipeline;
  /** 0 picks a free port (tests). */
  port: number;
  host?: string;
  logger: Logger;
  /** How often the throughput line is logged (only when there was traffic). 0 = never. */
  statsIntervalMs?: number;
  /** Adds more services before the server binds (the cluster adds its reload status service). */
  addServices?: (server: Server) => void;
}

export interface WorkerServer {
  /** The port actually bound. */
  port: number;
  stats: WorkerStats;
  /** Stops accepting calls, finishes in-flight ones (up to graceMs), then closes. */
  shutdown(graceMs?: number): Promise<void>;
  /** Closes every connection at once (in-flight calls fail). */
  forceShutdown(): void;
}

/** Starts the server; rejects with WorkerStartError naming the port when it cannot bind. */
export async function startWorkerServer(options: WorkerServerOptions): Promise<WorkerServer> {
  const { compiled, logger } = options;
  const host = options.host ?? '0.0.0.0';
  const stats = new WorkerStats();
  const server = new Server({
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  });
  const health = new HealthImplementation({ '': 'SERVING', [WORKER_SERVICE]: 'SERVING' });
  health.addToServer(server);

  const chainNames = [...compiled.chains.keys()].join(', ');
  const windowNames = [...compiled.windows.keys()].join(', ');
  // The bridge refuses records for the source (ahead of the clock), a chain or a window.
  const nodeNames = new Set([compiled.descriptor.source.name, ...compiled.chains.keys(), ...compiled.windows.keys()]);

  /** Runs a handler body, counts it, and maps surprises to INTERNAL (bad records never get here). */
  const answer = (method: WorkerMethod, size: number, callback: sendUnaryData<BatchResult>, run: () => BatchResult) => {
    const started = performance.now();
    let result: BatchResult;
    try {
      result = run();
    } catch (err) {
      stats.recordError(method);
      logger.error({ err, method }, 'worker call failed');
      callback({ code: status.INTERNAL, details: `worker ${method} failed: ${(err as Error).message}` });
      return;
    }
    stats.recordCall(method, size, result.outputs.length, result.rejections.length, performance.now() - started);
    callback(null, result);
  };

  const service = loadWorkerProto().service;
  const processMethod = { ...service.Process!, responseSerialize: processResponseSerializer() };
  const handlers: WorkerHandlers = {
    Process(call, callback) {
      const { node, kind, records } = call.request;
      if (kind === 'REJECT') {
        if (!nodeNames.has(node)) {
          stats.recordError('process');
          const known = [...nodeNames].join(', ');
          callback({
            code: status.NOT_FOUND,
            details: `unknown node "${node}" for REJECT; this worker has: ${known}`,
          });
          return;
        }
        answer('process', records.length, callback, () => runReject(node, records));
        return;
      }
      if (kind === 'CHAIN') {
        const runtime = compiled.chains.get(node);
        if (!runtime) {
          stats.recordError('process');
          callback({ code: status.NOT_FOUND, details: `unknown chain "${node}"; this worker has: ${chainNames}` });
          return;
        }
        answer('process', records.length, callback, () => runChain(runtime, records));
        return;
      }
      const runtime = compiled.windows.get(node);
      if (!runtime || (kind !== 'FINISH' && kind !== 'LATE')) {
        stats.recordError('window');
        callback({
          code: status.NOT_FOUND,
          details: runtime
            ? `unknown call kind ${String(kind)} for window "${node}"`
            : `unknown window "${node}"; this worker has: ${windowNames}`,
        });
        return;
      }
      const run = kind === 'FINISH' ? runFinish : runLate;
      answer('window', records.length, callback, () => run(runtime, records));
    },
    Describe(_call, callback) {
      callback(null, { descriptorJson: compiled.descriptorJson, descriptorSha256: compiled.descriptorSha256 });
    },
  };
  server.addService({ ...service, Process: processMethod }, handlers);

  options.addServices?.(server);

  const port = await new Promise<number>((resolvePort, rejectPort) => {
    server.bindAsync(`${host}:${options.port}`, ServerCredentials.createInsecure(), (err, bound) => {
      if (!err) return resolvePort(bound);
      const inUse = /EADDRINUSE/.test(err.message);
      rejectPort(
        new WorkerStartError(
          inUse
            ? `worker port ${options.port} on ${host} is already in use (WORKER_PORT); stop the other process or choose another port`
            : `worker cannot listen on ${host}:${options.port}: ${err.message}`,
        ),
      );
    });
  });

  const intervalMs = options.statsIntervalMs ?? 10_000;
  const timer =
    intervalMs > 0
      ? setInterval(() => {
          const report = stats.takeReport();
          if (report) logger.info(report, 'worker throughput');
        }, intervalMs)
      : undefined;
  timer?.unref();

  let closing: Promise<void> | undefined;
  return {
    port,
    stats,
    shutdown(graceMs = 10_000) {
      closing ??= new Promise<void>((done) => {
        if (timer) clearInterval(timer);
        health.setStatus('', 'NOT_SERVING');
        health.setStatus(WORKER_SERVICE, 'NOT_SERVING');
        const force = setTimeout(() => {
          logger.warn({ graceMs }, 'in-flight calls did not finish in time; closing connections');
          server.forceShutdown();
          done();
        }, graceMs);
        force.unref();
        server.tryShutdown(() => {
          clearTimeout(force);
          done();
        });
      });
      return closing;
    },
    forceShutdown() {
      if (timer) clearInterval(timer);
      server.forceShutdown();
    },
  };
}
