/** Checks for what the stack needs on the machine; each failure says how to fix it. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Raised when something the stack needs is missing; the message says how to install it. */
export class PrerequisiteError extends Error {
  override readonly name = 'PrerequisiteError';
}

/** Throws PrerequisiteError with `howToFix` unless `command` (a path or a name on PATH) exists. */
export function requireCommand(command: string, howToFix: string): void {
  const found = command.includes('/')
    ? existsSync(command)
    : spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
  if (!found) throw new PrerequisiteError(howToFix);
}

/** Throws unless `java` is Java 17 or newer. */
export function requireJava17(): void {
  requireCommand(
    'java',
    'Java 17 is needed for Kafka and Flink. Install it with: sudo apt-get install -y openjdk-17-jdk-headless',
  );
  const out = spawnSync('java', ['-version'], { encoding: 'utf8' });
  const match = /version "(\d+)/.exec(`${out.stderr}${out.stdout}`);
  const major = match ? Number(match[1]) : 0;
  if (major < 17) {
    throw new PrerequisiteError(
      `Java 17 or newer is needed for Kafka and Flink, found ${match ? major : 'an unknown version'}. Install it with: sudo apt-get install -y openjdk-17-jdk-headless`,
    );
  }
}
