/** Prints each scenario's timings and keeps them in artifacts/e2e-report.json (for docs and the closing note). */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../scripts/stack/layout';
import type { ScenarioReport } from './scenario';

const FILE = join(repoRoot, 'artifacts', 'e2e-report.json');

/** Records one scenario's report. */
export function recordReport(report: ScenarioReport): void {
  const seconds = (ms: number | undefined) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)}s`);
  console.log(
    `[e2e] ${report.scenario}: ${seconds(report.durationMs)} total, produce->visible ${seconds(report.produceToVisibleMs)}, ` +
      `recovery ${seconds(report.recoveryMs)}; checked ${JSON.stringify(report.expected)}`,
  );
  mkdirSync(join(repoRoot, 'artifacts'), { recursive: true });
  let all: ScenarioReport[] = [];
  try {
    all = JSON.parse(readFileSync(FILE, 'utf8')) as ScenarioReport[];
  } catch {
    all = [];
  }
  all = all
    .filter((r) => r.scenario !== report.scenario)
    .concat({ ...report, at: new Date().toISOString() } as ScenarioReport);
  writeFileSync(FILE, `${JSON.stringify(all, null, 2)}\n`);
}
