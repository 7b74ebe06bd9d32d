/**
 * `npm run stack:up|down|status|logs|fetch`: the local stack (ClickHouse, Kafka,
 * Flink) as plain processes under STACK_DIR, no Docker. See docs/local-stack.md.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ConfigError } from '@ticker/common';
import { Command } from 'commander';
import type { Progress } from './component';
import { PrerequisiteError } from './prerequisites';
import {
  downStack,
  fetchStack,
  loadStack,
  StackStartError,
  selectComponents,
  stackStatus,
  tailOf,
  upStack,
} from './stack';

const startedAt = Date.now();
const elapsed = () => `${((Date.now() - startedAt) / 1000).toFixed(1)}s`;
const progress: Progress = {
  step: (message) => console.log(`[${elapsed()}] ${message}`),
  detail: (message) => console.log(`[${elapsed()}]   ${message}`),
};

const program = new Command('stack')
  .description('Run the local stack (ClickHouse, Kafka, Flink) as plain processes, no Docker')
  .showHelpAfterError();

program
  .command('up')
  .description('start the components that are not up yet and wait until they are healthy')
  .argument('[components...]', 'only these components (clickhouse, kafka, flink)')
  .option('--reuse', 'accept a healthy service on a port even if this stack did not start it (e.g. another checkout)')
  .action(async (names: string[], options: { reuse?: boolean }) => {
    const stack = loadStack();
    progress.step(`stack directory ${stack.layout.root}`);
    await upStack(stack, selectComponents(stack, names), progress, { reuseHealthy: options.reuse === true });
    progress.step('stack is up');
  });

program
  .command('down')
  .description('stop the processes this stack started and wait until they have exited')
  .argument('[components...]', 'only these components')
  .action(async (names: string[]) => {
    const stack = loadStack();
    await downStack(stack, selectComponents(stack, names), progress);
    progress.step('stack is down');
  });

program
  .command('fetch')
  .description('download and cache what the stack needs, without starting anything')
  .argument('[components...]', 'only these components')
  .action(async (names: string[]) => {
    const stack = loadStack();
    await fetchStack(selectComponents(stack, names), progress);
  });

program
  .command('status')
  .description('print each component: processes, pids, ports, health')
  .action(async () => {
    const stack = loadStack();
    const statuses = await stackStatus(stack, stack.components);
    console.log(`stack directory ${stack.layout.root}`);
    for (const s of statuses) {
      const procs = s.processes.map((p) => `${p.name} pid ${p.pid ?? '-'}`).join(', ');
      const ports = s.ports.map((p) => `${p.purpose} ${p.port} ${p.listening ? 'listening' : 'closed'}`).join(', ');
      console.log(`${s.name.padEnd(11)} ${s.healthy ? 'healthy  ' : 'UNHEALTHY'}  ${procs}  [${ports}]`);
    }
    if (statuses.some((s) => !s.healthy)) process.exitCode = 1;
  });

program
  .command('logs')
  .description('show the tail of the log files (of one component, or all)')
  .argument('[component]', 'clickhouse, kafka or flink')
  .option('-n, --lines <n>', 'lines per file', '40')
  .option('-f, --follow', 'keep following (tail -F)')
  .action((name: string | undefined, options: { lines: string; follow?: boolean }) => {
    const stack = loadStack();
    const lines = Number(options.lines);
    if (!Number.isInteger(lines) || lines <= 0)
      throw new Error(`--lines must be a positive integer, got ${options.lines}`);
    const files = selectComponents(stack, name ? [name] : []).flatMap((c) => c.logFiles);
    if (options.follow) {
      spawn('tail', ['-n', String(lines), '-F', ...files], { stdio: 'inherit' });
      return;
    }
    for (const file of files) {
      console.log(`==> ${file} <==${existsSync(file) ? '' : ' (not created yet)'}`);
      const tail = tailOf(file, lines);
      if (tail !== '') console.log(tail);
    }
  });

program.parseAsync().catch((error: unknown) => {
  const expected =
    error instanceof StackStartError || error instanceof PrerequisiteError || error instanceof ConfigError;
  // Expected failures carry a complete message; others get their stack trace with LOG_LEVEL=debug.
  if (expected || (error instanceof Error && process.env.LOG_LEVEL !== 'debug')) {
    console.error(`\n${(error as Error).message}`);
  } else {
    console.error(error);
  }
  process.exit(1);
});
