/**
 * Which set the workshop tests check: WORKSHOP_TARGET=solution (default, what CI runs) or
 * WORKSHOP_TARGET=exercise (your work in workshop/exercises/; fails until you solve it).
 */
import { createLogger, loadConfig } from '@ticker/common';
import { type CompiledPipeline, compile } from '../../pipeline/src/compiler/compile';
import { buildStockPipeline } from '../../pipeline/src/stock';
import { createWorkerClient, type WorkerClient } from '../../pipeline/src/worker/client';
import { startWorkerServer, type WorkerServer } from '../../pipeline/src/worker/server';
import * as exercises from '../exercises';
import { workshopPipeline } from '../pipeline';
import * as solutions from '../solutions';

export type WorkshopTarget = 'exercise' | 'solution';

/** Reads WORKSHOP_TARGET; anything other than exercise|solution is an error naming the variable. */
export function workshopTarget(env: NodeJS.ProcessEnv = process.env): WorkshopTarget {
  const value = env.WORKSHOP_TARGET ?? 'solution';
  if (value !== 'exercise' && value !== 'solution') {
    throw new Error(`WORKSHOP_TARGET must be "exercise" or "solution", got "${value}"`);
  }
  return value;
}

export const TARGET = workshopTarget();

/** The directory the tests import from: exercises or solutions. */
export const TARGET_DIR = TARGET === 'exercise' ? 'exercises' : 'solutions';

/** The workshop pipeline built with the target's steps and the default config (topics, names). */
export function compileTarget(): CompiledPipeline {
  const { steps } = TARGET === 'exercise' ? exercises : solutions;
  return compile(workshopPipeline(steps)(loadConfig({})));
}

/** The stock pipeline as `npm run describe` prints it (default config). */
export function compileStock(): CompiledPipeline {
  return compile(buildStockPipeline(loadConfig({})));
}

/** A real gRPC worker serving `compiled` on a free loopback port, and a client for it. */
export async function startTestWorker(
  compiled: CompiledPipeline,
): Promise<{ client: WorkerClient; stop: () => Promise<void> }> {
  const server: WorkerServer = await startWorkerServer({
    compiled,
    port: 0,
    host: '127.0.0.1',
    logger: createLogger('workshop-test', 'silent'),
    statsIntervalMs: 0,
  });
  const client = createWorkerClient(`127.0.0.1:${server.port}`);
  return {
    client,
    stop: async () => {
      client.close();
      await server.shutdown();
    },
  };
}
