/**
 * Finds the bridge jar to upload, building it with Maven when it is missing and Maven
 * is installed; otherwise fails with the path and the command that builds it.
 */
import { spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { BRIDGE_POM, DEFAULT_BRIDGE_JAR } from './paths';

/** The jar is not there and could not be built. */
export class JarMissingError extends Error {
  override readonly name = 'JarMissingError';
  constructor(
    readonly jarPath: string,
    reason: string,
  ) {
    super(
      `bridge jar missing: ${jarPath} (${reason}).\n` +
        `Build it with: mvn -q -f ${BRIDGE_POM} package   (needs Java 17 and Maven)\n` +
        'or pass --jar <path> to a built ticker-bridge.jar.',
    );
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** True when `command` is found on PATH. */
export async function onPath(command: string): Promise<boolean> {
  const dirs = (process.env.PATH ?? '').split(':').filter((d) => d.length > 0);
  for (const dir of dirs) {
    if (await exists(`${dir}/${command}`)) return true;
  }
  return false;
}

function run(command: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? 1, output }));
  });
}

export interface LocateJarOptions {
  /** A jar the user named with --jar: used as-is, never built. */
  explicitPath?: string;
  /** Build the default jar with Maven when it is missing (default true). */
  build?: boolean;
  /** Progress callback for the (slow) build step. */
  onBuild?: (command: string) => void;
}

/** Returns the path of a readable bridge jar, or throws JarMissingError. */
export async function locateBridgeJar(options: LocateJarOptions = {}): Promise<string> {
  if (options.explicitPath !== undefined) {
    if (await exists(options.explicitPath)) return options.explicitPath;
    throw new JarMissingError(options.explicitPath, 'the file given with --jar does not exist or is not readable');
  }
  if (await exists(DEFAULT_BRIDGE_JAR)) return DEFAULT_BRIDGE_JAR;
  if (options.build === false) throw new JarMissingError(DEFAULT_BRIDGE_JAR, 'not built yet');
  if (!(await onPath('mvn'))) throw new JarMissingError(DEFAULT_BRIDGE_JAR, 'not built yet, and mvn is not on PATH');
  const args = ['-q', '-f', BRIDGE_POM, '-DskipTests', 'package'];
  options.onBuild?.(`mvn ${args.join(' ')}`);
  const result = await run('mvn', args);
  if (result.code !== 0) {
    throw new JarMissingError(DEFAULT_BRIDGE_JAR, `mvn package failed:\n${result.output.trim().slice(-3000)}`);
  }
  if (!(await exists(DEFAULT_BRIDGE_JAR))) {
    throw new JarMissingError(DEFAULT_BRIDGE_JAR, 'mvn package succeeded but did not write the jar');
  }
  return DEFAULT_BRIDGE_JAR;
}
