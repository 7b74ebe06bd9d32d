/** Resolving jars from Maven Central with the project's small poms (cached in ~/.m2). */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireCommand } from './prerequisites';

/** How many times a Maven download is tried before the command fails. */
export const MAVEN_ATTEMPTS = 3;

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
  // .mvn/maven.config makes a download that stalls fail in 2 minutes; three attempts ride it out.
  let status: number | null = null;
  let log = '';
  for (let attempt = 1; attempt <= MAVEN_ATTEMPTS && status !== 0; attempt++) {
    const result = spawnSync(
      'mvn',
      [
        '-B',
        '-q',
        '-f',
        pom,
        'dependency:copy-dependencies',
        `-DoutputDirectory=${outputDir}`,
        '-DincludeScope=runtime',
      ],
      { encoding: 'utf8' },
    );
    log += `--- attempt ${attempt}\n${result.stdout ?? ''}${result.stderr ?? ''}`;
    status = result.status;
  }
  writeFileSync(logFile, log);
  if (status !== 0) {
    throw new Error(`mvn could not resolve ${pom} (exit ${status}, ${MAVEN_ATTEMPTS} attempts); see ${logFile}`);
  }
  writeFileSync(marker, `${new Date().toISOString()}\n`);
  return readdirSync(outputDir).filter((f) => f.endsWith('.jar')).length;
}
