/**
 * The local stack orchestrator: brings the components up (idempotently, waiting
 * for real health with a deadline), stops exactly what it started, reports status.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { loadConfig } from '@ticker/common';
import type { Component, Progress } from './component';
import { clickhouseComponent } from './components/clickhouse';
import { flinkComponent } from './components/flink';
import { kafkaComponent } from './components/kafka';
import { type StackLayout, stackLayout } from './layout';
import { runningPid, stopProcess } from './processes';
import { waitUntil } from './wait';

/** Raised when a component does not come up; the message names it and shows its log. */
export class StackStartError extends Error {
  override readonly name = 'StackStartError';
}

export interface Stack {
  layout: StackLayout;
  components: Component[];
}

/** The stack for the current environment (or the given one). */
export function loadStack(env: NodeJS.ProcessEnv = process.env): Stack {
  const config = loadConfig(env);
  const layout = stackLayout(config);
  return {
    layout,
    components: [clickhouseComponent(layout, config), kafkaComponent(layout, config), flinkComponent(layout)],
  };
}

/** Picks the named components (all when `names` is empty); unknown names are an error. */
export function selectComponents(stack: Stack, names: string[]): Component[] {
  if (names.length === 0) return stack.components;
  const known = stack.components.map((c) => c.name);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) throw new Error(`unknown component ${unknown.join(', ')}; known: ${known.join(', ')}`);
  return stack.components.filter((c) => names.includes(c.name));
}

/** A TCP port on 127.0.0.1 that was free a moment ago (the kernel's pick), for a test or benchmark server. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The last `lines` lines of a file ('' when it does not exist). */
export function tailOf(file: string, lines: number): string {
  if (!existsSync(file)) return '';
  const text = readFileSync(file, 'utf8');
  return text
    .split('\n')
    .slice(-lines - 1)
    .join('\n');
}

function ownPids(stack: Stack, component: Component): (number | undefined)[] {
  return component.processes.map((p) => runningPid(p, stack.layout.root));
}

function failure(stack: Stack, component: Component, why: string): StackStartError {
  const logs = component.logFiles.filter((f) => existsSync(f));
  const shown = logs
    .map((f) => {
      const tail = tailOf(f, 25).trim();
      return tail === '' ? '' : `\n--- last lines of ${f} ---\n${tail}`;
    })
    .join('');
  return new StackStartError(
    `${component.name} did not come up: ${why}.\nLogs: ${logs.join(', ') || `(none yet in ${stack.layout.logs})`}${shown}`,
  );
}

/** Downloads everything the components need without starting anything (used by CI to warm caches). */
export async function fetchStack(components: Component[], progress: Progress): Promise<void> {
  for (const component of components) {
    const started = Date.now();
    progress.step(`${component.name}: fetching`);
    await component.fetch(progress);
    progress.detail(`${component.name}: ready to start (${((Date.now() - started) / 1000).toFixed(1)}s)`);
  }
}

/**
 * Brings the components up. A component already healthy is left alone; one
 * whose ports are taken by a process the stack did not start is an error,
 * unless `reuseHealthy` is set and that process answers the health check.
 */
export async function upStack(
  stack: Stack,
  components: Component[],
  progress: Progress,
  options: { reuseHealthy?: boolean } = {},
): Promise<void> {
  const toWait: Component[] = [];
  for (const component of components) {
    const pids = ownPids(stack, component);
    const allOurs = pids.every((p) => p !== undefined);
    const noneOurs = pids.every((p) => p === undefined);
    const healthy = await component.healthy();
    if (allOurs && healthy) {
      progress.step(`${component.name}: already up (pid ${pids.join(', ')})`);
      continue;
    }
    if (noneOurs && healthy && options.reuseHealthy) {
      progress.step(`${component.name}: already served by a process outside ${stack.layout.root}; reusing it`);
      continue;
    }
    if (noneOurs) {
      for (const { port, purpose } of component.ports) {
        if (await portInUse(port)) {
          throw failure(
            stack,
            component,
            `port ${port} (${purpose}) is already in use by a process this stack (${stack.layout.root}) did not start; stop it or set the port variables (see docs/local-stack.md)`,
          );
        }
      }
    }
    progress.step(`${component.name}: starting`);
    await component.start(progress);
    toWait.push(component);
  }
  for (const component of toWait) {
    const started = Date.now();
    progress.detail(`${component.name}: waiting for ${component.healthDescription}`);
    let exited: string | undefined;
    const ok = await waitUntil(
      async () => {
        const dead = component.processes.filter((p) => runningPid(p, stack.layout.root) === undefined);
        if (dead.length > 0) {
          exited = dead.map((p) => p.name).join(', ');
          return true;
        }
        return component.healthy();
      },
      { timeoutMs: component.startTimeoutSeconds * 1000, intervalMs: 500 },
    );
    if (exited !== undefined) throw failure(stack, component, `process ${exited} exited`);
    if (!ok) {
      throw failure(
        stack,
        component,
        `no answer to ${component.healthDescription} within ${component.startTimeoutSeconds}s`,
      );
    }
    progress.step(`${component.name}: healthy (${((Date.now() - started) / 1000).toFixed(1)}s)`);
  }
  for (const component of components) {
    if (component.afterHealthy) await component.afterHealthy(progress);
  }
}

/** Stops every process the stack started (in reverse order) and checks that their ports are free. */
export async function downStack(stack: Stack, components: Component[], progress: Progress): Promise<void> {
  const leftovers: string[] = [];
  const stopped = new Set<Component>();
  for (const component of [...components].reverse()) {
    for (const proc of [...component.processes].reverse()) {
      const outcome = await stopProcess(proc, stack.layout.root, 20_000);
      if (outcome !== 'not running') stopped.add(component);
      progress.step(`${proc.name}: ${outcome}`);
    }
  }
  for (const component of components) {
    for (const { port, purpose } of component.ports) {
      // Ports of a component we just stopped may take a moment to close; others are checked once.
      const free = await waitUntil(async () => !(await portInUse(port)), {
        timeoutMs: stopped.has(component) ? 5000 : 0,
        intervalMs: 200,
      });
      if (!free) leftovers.push(`${component.name} ${purpose} port ${port}`);
    }
  }
  if (leftovers.length > 0) {
    progress.detail(`still listening (not started by this stack, ${stack.layout.root}): ${leftovers.join(', ')}`);
  }
}

export interface ComponentStatus {
  name: string;
  processes: { name: string; pid: number | undefined }[];
  ports: { port: number; purpose: string; listening: boolean }[];
  healthy: boolean;
}

/** Each component's processes, ports and health. */
export async function stackStatus(stack: Stack, components: Component[]): Promise<ComponentStatus[]> {
  return Promise.all(
    components.map(async (component) => ({
      name: component.name,
      processes: component.processes.map((p) => ({ name: p.name, pid: runningPid(p, stack.layout.root) })),
      ports: await Promise.all(component.ports.map(async (p) => ({ ...p, listening: await portInUse(p.port) }))),
      healthy: await component.healthy(),
    })),
  );
}
