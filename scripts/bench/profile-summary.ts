/**
 * Summarizes V8 CPU profiles (`node --cpu-prof`, e.g. from `scripts/bench/worker.ts --cpu-prof <dir>`):
 * self time per function, summed over the given files, as a Markdown table of the top entries.
 *
 *   npx tsx scripts/bench/profile-summary.ts [--top 30] <file.cpuprofile>...
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
  .argument('<files...>', '.cpuprofile files')
  .parse();
const top = Number(program.opts().top);
if (!Number.isInteger(top) || top < 1) {
  console.error('error: --top must be a positive integer');
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

const selfMicros = new Map<string, number>();
let totalMicros = 0;
for (const file of program.args) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  // Each sample is attributed the time delta that follows it (as DevTools does).
  for (let i = 0; i < profile.samples.length; i++) {
    const micros = profile.timeDeltas[i + 1] ?? 0;
    const node = byId.get(profile.samples[i]!)!;
    const key = label(node.callFrame);
    selfMicros.set(key, (selfMicros.get(key) ?? 0) + micros);
    totalMicros += micros;
  }
}
const busy = [...selfMicros].filter(([k]) => k !== '(idle)').reduce((s, [, v]) => s + v, 0);
console.log(
  `${program.args.length} profile(s); ${(totalMicros / 1e6).toFixed(2)} s sampled, ${(busy / 1e6).toFixed(2)} s not idle\n`,
);
console.log('| self ms | % of not idle | function |');
console.log('| ------: | ------------: | -------- |');
for (const [key, micros] of [...selfMicros]
  .filter(([k]) => k !== '(idle)')
  .sort((a, b) => b[1] - a[1])
  .slice(0, top)) {
  console.log(`| ${(micros / 1000).toFixed(0)} | ${((100 * micros) / busy).toFixed(1)} | \`${key}\` |`);
}
