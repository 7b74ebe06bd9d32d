/** Command running and polling for the compose end-to-end run: quiet, logged, with deadlines. */
import { spawn } from 'node:child_process';
import { createLogger, type Logger } from '@ticker/common';

/** The run's logger (pino, JSON on stderr, LOG_LEVEL). */
export const log: Logger = createLogger('compose-e2e');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  /** Kill the command after this long (it then fails). */
  timeoutMs?: number;
  /** Resolve with a non-zero code instead of throwing. */
  allowFailure?: boolean;
  /** Long steps: log a progress line every this many ms while it runs (with its last output line). */
  progressEveryMs?: number;
  /** Name for progress and error lines (default: the command). */
  label?: string;
}

/** A command that failed; the message carries the tail of its output so CI logs show the cause. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
  constructor(
    readonly command: string,
    readonly result: RunResult,
  ) {
    const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-40).join('\n');
    super(`${command} exited ${result.code}\n${tail}`);
  }
}

/** Runs a command to completion, capturing its output (never inheriting the terminal). */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const label = options.label ?? [command, ...args].join(' ').slice(0, 160);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      // No stdin unless there is input: a child that exits without reading it would EPIPE us.
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let lastLine = '';
    const remember = (chunk: string): void => {
      const lines = chunk.split('\n').filter((l) => l.trim() !== '');
      if (lines.length > 0) lastLine = lines[lines.length - 1]!.slice(0, 200);
    };
    child.stdout?.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
      remember(c);
    });
    child.stderr?.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
      remember(c);
    });
    const started = Date.now();
    const progress =
      options.progressEveryMs !== undefined
        ? setInterval(
            () =>
              log.info(
                { step: label, elapsedS: Math.round((Date.now() - started) / 1000), last: lastLine },
                'still running',
              ),
            options.progressEveryMs,
          )
        : undefined;
    const timer =
      options.timeoutMs !== undefined
        ? setTimeout(() => {
            stderr += `\n[killed after ${options.timeoutMs} ms]`;
            child.kill('SIGKILL');
          }, options.timeoutMs)
        : undefined;
    child.on('error', (err) => {
      clearInterval(progress);
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearInterval(progress);
      clearTimeout(timer);
      const result = { code: code ?? (signal ? 128 : 1), stdout, stderr };
      if (result.code !== 0 && options.allowFailure !== true) reject(new CommandError(label, result));
      else resolvePromise(result);
    });
    if (options.input !== undefined && child.stdin) {
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.input);
    }
  });
}

/** Runs a long step, logging its start, progress and duration; returns its result. */
export async function step<T>(name: string, body: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const started = Date.now();
  log.info({ step: name }, 'start');
  const value = await body();
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  log.info({ step: name, seconds }, 'done');
  return { value, seconds };
}

/**
 * Polls `probe` until it returns a value other than undefined, or throws after `timeoutMs` with
 * `what` and the last probe's note. A probe that throws counts as "not yet".
 */
export async function poll<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
  intervalMs = 1000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastNote = '';
  let nextProgress = Date.now() + 30_000;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastNote = err instanceof Error ? err.message.slice(0, 300) : String(err);
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${lastNote ? `: ${lastNote}` : ''}`,
      );
    }
    if (Date.now() >= nextProgress) {
      log.info({ waitingFor: what, note: lastNote || undefined }, 'still waiting');
      nextProgress = Date.now() + 30_000;
    }
    await new Promise((r) => setTimeout(r, Math.min(intervalMs, Math.max(0, deadline - Date.now()))));
  }
}
