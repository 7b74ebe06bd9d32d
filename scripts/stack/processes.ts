/**
 * Starting and stopping the stack's processes. Each one gets a pid file; a pid
 * counts as ours only while its command line still mentions the stack
 * directory, so a recycled pid is never signalled.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { waitUntil } from './wait';

export interface ManagedProcess {
  /** Short name, also the pid file's and log file's base name (e.g. `kafka`, `flink-jobmanager`). */
  name: string;
  pidFile: string;
  /** File that receives the process's stdout and stderr. */
  outFile: string;
}

/** The pid file and console-output file of a named process in the stack. */
export function managedProcess(pidsDir: string, logsDir: string, name: string): ManagedProcess {
  return { name, pidFile: join(pidsDir, `${name}.pid`), outFile: join(logsDir, `${name}.out`) };
}

function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return undefined;
  }
}

/** The pid of the process if it is alive and still ours (its command line contains `marker`). */
export function runningPid(proc: ManagedProcess, marker: string): number | undefined {
  if (!existsSync(proc.pidFile)) return undefined;
  const pid = Number(readFileSync(proc.pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const cmd = commandLine(pid);
  if (cmd === undefined || !cmd.includes(marker)) return undefined;
  // A zombie still has a cmdline entry only until reaped; check its state.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z') return undefined;
  } catch {
    return undefined;
  }
  return pid;
}

/** Starts a detached process whose output goes to its `.out` file, and records its pid. */
export function startProcess(
  proc: ManagedProcess,
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): number {
  mkdirSync(dirname(proc.pidFile), { recursive: true });
  mkdirSync(dirname(proc.outFile), { recursive: true });
  const out = openSync(proc.outFile, 'a');
  writeFileSync(out, `\n==== ${new Date().toISOString()} starting ${command} ${args.join(' ')}\n`);
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  if (child.pid === undefined) throw new Error(`could not start ${proc.name} (${command}); see ${proc.outFile}`);
  child.unref();
  writeFileSync(proc.pidFile, `${child.pid}\n`);
  return child.pid;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return runningState(pid) !== 'Z';
}

function runningState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

/**
 * Stops the process (SIGTERM, then SIGKILL after `graceMs`) and waits until it
 * has exited. Returns 'stopped', 'killed' or 'not running'.
 */
export async function stopProcess(
  proc: ManagedProcess,
  marker: string,
  graceMs: number,
): Promise<'stopped' | 'killed' | 'not running'> {
  const pid = runningPid(proc, marker);
  if (pid === undefined) {
    rmSync(proc.pidFile, { force: true });
    return 'not running';
  }
  // The process leads its own group (detached); signal the group so helpers it forked go too.
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        // already gone
      }
    }
  };
  signal('SIGTERM');
  let outcome: 'stopped' | 'killed' = 'stopped';
  if (!(await waitUntil(() => !isAlive(pid), { timeoutMs: graceMs, intervalMs: 100 }))) {
    signal('SIGKILL');
    outcome = 'killed';
    if (!(await waitUntil(() => !isAlive(pid), { timeoutMs: 10_000, intervalMs: 100 }))) {
      throw new Error(`${proc.name} (pid ${pid}) did not exit even after SIGKILL`);
    }
  }
  rmSync(proc.pidFile, { force: true });
  return outcome;
}
