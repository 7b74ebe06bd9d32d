/** Resolving jars from Maven Central with the project's small poms (cached in ~/.m2). */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireCommand } from './prerequisites';

/**
 * Copies the runtime dependencies of `pom` into `outputDir` unless a previous
 * run with the same `stamp` completed there. Returns the number of jars.
 */
export function copyMavenDependencies(pom: string, outputDir: string, stamp: string, logFile: string): number {
  const marker = join(outputDir, `.complete-${stamp}`);
  if (existsSync(marker)) return readdirSync(outputDir).filter((f) => f.endsWith('.jar')).length;
  requireCommand(
    'mvn',
    'Maven is needed to fetch the Kafka jars from Maven Central. Install it with: sudo apt-get install -y maven',
  );
  rmSync(outputDir, { recursive: true, force: true });
  mkdirSync(outputDir, { recursive: true });
  const result = spawnSync(
    'mvn',
    ['-B', '-q', '-f', pom, 'dependency:copy-dependencies', `-DoutputDirectory=${outputDir}`, '-DincludeScope=runtime'],
    { encoding: 'utf8' },
  );
  writeFileSync(logFile, `${result.stdout ?? ''}${result.stderr ?? ''}`);
  if (result.status !== 0) {
    throw new Error(`mvn could not resolve ${pom} (exit ${result.status}); see ${logFile}`);
  }
  writeFileSync(marker, `${new Date().toISOString()}\n`);
  return readdirSync(outputDir).filter((f) => f.endsWith('.jar')).length;
}
