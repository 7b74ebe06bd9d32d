/**
 * Summarizes V8 CPU profiles (`node --cpu-prof`, e.g. from `scripts/bench/worker.ts --cpu-prof <dir>`):
 * self time per function, summed over the given files, as a Markdown table of the top entries.
 *
 *   npx tsx scripts/bench/profile-summary.ts [--top 30] [--skip 3] <file.cpuprofile>...
 *
 * --skip leaves out each profile's first seconds (startup: module loading, JIT warm-up); --by-package
 * sums per npm package, Node internal module or repository file instead of per function.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { Command } from 'commander';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const program = new Command('profile-summary')
  .option('--top <n>', 'rows to print', '30')
  .option('--skip <seconds>', "leave out each profile's first seconds", '0')
  .option('--by-package', 'sum per npm package, node: module or repository file')
  .argument('<files...>', '.cpuprofile files')
  .parse();
const top = Number(program.opts().top);
const skipMicros = Number(program.opts().skip) * 1e6;
if (!Number.isInteger(top) || top < 1 || !(skipMicros >= 0)) {
  console.error('error: --top must be a positive integer and --skip a number of seconds >= 0');
  process.exit(2);
}

/** A function's label: name and where it is defined, relative to the repository when inside it. */
function label(frame: ProfileNode['callFrame']): string {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return name;
  const path = frame.url.replace(/^file:\/\//, '');
  const shown = path.includes('/node_modules/')
    ? path.slice(path.lastIndexOf('/node_modules/') + 14)
    : relative(process.cwd(), path);
  return `${name} ${shown}:${frame.lineNumber + 1}`;
}

/** The package (node_modules/<pkg>), node: module or repository file a function belongs to. */
function owner(frame: ProfileNode['callFrame']): string {
  if (!frame.url) {
    // protobufjs generates each message's coder at run time (no file): Record$encode, Output$fromObject...
    if (/\$(encode|decode|fromObject|toObject|verify)$/.test(frame.functionName)) return 'protobufjs';
    return frame.functionName.startsWith('(') ? frame.functionName : '(native: V8 and Node builtins)';
  }
  const path = frame.url.replace(/^file:\/\//, '');
  const inModules = path.lastIndexOf('/node_modules/');
  if (inModules >= 0) {
    const parts = path.slice(inModules + 14).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  return path.startsWith('node:') ? path : relative(process.cwd(), path);
}
const byPackage = program.opts().byPackage === true;

const selfMicros = new Map<string, number>();
let totalMicros = 0;
for (const file of program.args) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  // Each sample is attributed the time delta that follows it (as DevTools does).
  let at = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    const micros = profile.timeDeltas[i + 1] ?? 0;
    if (at < skipMicros) continue;
    const node = byId.get(profile.samples[i]!)!;
    const key = byPackage ? owner(node.callFrame) : label(node.callFrame);
    selfMicros.set(key, (selfMicros.get(key) ?? 0) + micros);
    totalMicros += micros;
  }
}
const busy = [...selfMicros].filter(([k]) => k !== '(idle)').reduce((s, [, v]) => s + v, 0);
console.log(
  `${program.args.length} profile(s); ${(totalMicros / 1e6).toFixed(2)} s sampled, ${(busy / 1e6).toFixed(2)} s not idle\n`,
);
console.log(`| self ms | % of not idle | ${byPackage ? 'package or file' : 'function'} |`);
console.log('| ------: | ------------: | -------- |');
for (const [key, micros] of [...selfMicros]
  .filter(([k]) => k !== '(idle)')
  .sort((a, b) => b[1] - a[1])
  .slice(0, top)) {
  console.log(`| ${(micros / 1000).toFixed(0)} | ${((100 * micros) / busy).toFixed(1)} | \`${key}\` |`);
}
