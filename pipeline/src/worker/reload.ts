/**
 * Live reload of the worker's logic: the messages between the cluster primary and its processes, the
 * status every process serves (gRPC `ticker.workerstatus.v1.WorkerStatus`), and the client the
 * `pipeline reload` command uses. The rolling reload itself runs in the primary (cluster.ts).
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { credentials, loadPackageDefinition, type Server, type ServiceDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { z } from 'zod';
import type { CompiledPipeline } from '../compiler/compile';
import type { StatusResponse__Output } from '../contract/wire/generated/ticker/workerstatus/v1/StatusResponse';
import type { WorkerStatusHandlers } from '../contract/wire/generated/ticker/workerstatus/v1/WorkerStatus';
import type { ProtoGrpcType } from '../contract/wire/generated/worker_status';
import { type LogicManifest, logicManifestSchema } from '../descriptor/compatibility';

const STATUS_PROTO = resolve(dirname(fileURLToPath(import.meta.url)), '../../proto/worker_status.proto');
const STATUS_SERVICE = 'ticker.workerstatus.v1.WorkerStatus';

/** Where a reload stands. `done`, `refused` and `failed` end an attempt. */
export const RELOAD_STATES = ['idle', 'checking', 'starting', 'draining', 'done', 'refused', 'failed'] as const;
export type ReloadState = (typeof RELOAD_STATES)[number];

export const reloadStatusSchema = z
  .object({
    /** Counts SIGHUPs acted on; 0 = never reloaded. */
    attempt: z.number().int().nonnegative(),
    state: z.enum(RELOAD_STATES),
    /** Why it was refused or failed (what changed), or what it did. */
    message: z.string(),
    fromVersion: z.string().optional(),
    toVersion: z.string().optional(),
    /** When the state was entered (ISO). */
    at: z.string(),
  })
  .strict();
export type ReloadStatus = z.infer<typeof reloadStatusSchema>;

/** What the primary knows: the generation that takes new connections and the last reload. */
export const clusterStatusSchema = z
  .object({
    primaryPid: z.number().int().positive(),
    generation: z.number().int().positive(),
    logicVersion: z.string(),
    descriptorSha256: z.string(),
    processes: z.number().int().positive(),
    reload: reloadStatusSchema,
  })
  .strict();
export type ClusterStatus = z.infer<typeof clusterStatusSchema>;

/** What the Status call answers: the cluster's view plus the answering process's own logic. */
const bytes = z.number().int().nonnegative();

/** The answering process's memory (`process.memoryUsage()`), read after a full GC when it can force one. */
export const processMemorySchema = z
  .object({
    rssBytes: bytes,
    heapUsedBytes: bytes,
    heapTotalBytes: bytes,
    externalBytes: bytes,
    /** A full GC ran just before the reading: the process was started with --expose-gc (the soak does). */
    afterGc: z.boolean(),
  })
  .strict();
export type ProcessMemory = z.infer<typeof processMemorySchema>;

export const workerStatusSchema = z
  .object({
    cluster: clusterStatusSchema.nullable(),
    process: z
      .object({
        pid: z.number().int().positive(),
        logicVersion: z.string(),
        generation: z.number(),
        memory: processMemorySchema,
      })
      .strict(),
  })
  .strict();
export type WorkerStatus = z.infer<typeof workerStatusSchema>;

/** Messages from a worker process to the primary. */
export type ChildMessage =
  | { type: 'listening'; port: number; manifest: LogicManifest }
  | { type: 'manifest'; manifest: LogicManifest }
  | { type: 'start-failed'; message: string };

/** Messages from the primary to a worker process. */
export type PrimaryMessage = 'shutdown' | { type: 'status'; status: ClusterStatus };

/** Environment variables the primary sets on the processes it forks. */
export const CHILD_ENV = {
  /** 'probe': load the logic, report its manifest, exit without listening. */
  role: 'TICKER_WORKER_ROLE',
  generation: 'TICKER_WORKER_GENERATION',
} as const;

/** The manifest of loaded logic (what the reload compares). */
export function logicManifest(compiled: CompiledPipeline, contentVersion: string, declared: boolean): LogicManifest {
  return logicManifestSchema.parse({
    descriptorJson: compiled.descriptorJson,
    descriptorSha256: compiled.descriptorSha256,
    logicVersion: compiled.logicVersion ?? contentVersion,
    declaredLogicVersion: declared,
    contentVersion,
    windows: compiled.windowCode.map((w) => ({
      name: w.name,
      codeSha256: w.codeSha256,
      ...(w.version !== undefined ? { version: w.version } : {}),
    })),
  });
}

function loadStatusProto(): { service: ServiceDefinition; pkg: ProtoGrpcType } {
  const definition = loadSync(STATUS_PROTO, { keepCase: false, defaults: true });
  return {
    service: definition[STATUS_SERVICE] as ServiceDefinition,
    pkg: loadPackageDefinition(definition) as unknown as ProtoGrpcType,
  };
}

/**
 * This process's memory. With --expose-gc a full GC runs first, so the heap figure is the live heap
 * (what a leak would grow); without it the figures are as they stand.
 */
export function processMemory(): ProcessMemory {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc === 'function') gc();
  const usage = process.memoryUsage();
  return {
    rssBytes: usage.rss,
    heapUsedBytes: usage.heapUsed,
    heapTotalBytes: usage.heapTotal,
    externalBytes: usage.external,
    afterGc: typeof gc === 'function',
  };
}

/** Adds the Status service to a worker server; `status` is read at each call. */
export function addStatusService(server: Server, status: () => WorkerStatus): void {
  const handlers: WorkerStatusHandlers = {
    Status(_call, callback) {
      callback(null, { statusJson: JSON.stringify(status()) });
    },
  };
  server.addService(loadStatusProto().service, handlers);
}

/** Asks the worker at `address` for its status (one call on a fresh connection). */
export async function fetchWorkerStatus(address: string, deadlineMs = 5_000): Promise<WorkerStatus> {
  const { pkg } = loadStatusProto();
  const client = new pkg.ticker.workerstatus.v1.WorkerStatus(address, credentials.createInsecure(), {
    'grpc.use_local_subchannel_pool': 1,
  });
  try {
    const reply = await new Promise<StatusResponse__Output>((done, fail) => {
      client.Status({}, { deadline: new Date(Date.now() + deadlineMs) }, (err, value) =>
        err || value === undefined ? fail(err ?? new Error(`worker at ${address} answered no status`)) : done(value),
      );
    });
    return workerStatusSchema.parse(JSON.parse(reply.statusJson));
  } finally {
    client.close();
  }
}

/** True once `status` shows an attempt after `before` that has ended. */
export function reloadEnded(status: WorkerStatus, before: number): boolean {
  const reload = status.cluster?.reload;
  return reload !== undefined && reload.attempt > before && ['done', 'refused', 'failed'].includes(reload.state);
}
