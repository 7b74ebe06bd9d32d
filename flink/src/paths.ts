/** Where things live in the repository, resolved from this file so any working directory works. */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (two levels above flink/src). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The bridge's Maven project and the jar `mvn package` writes. */
export const BRIDGE_POM = resolve(REPO_ROOT, 'flink', 'bridge', 'pom.xml');
export const DEFAULT_BRIDGE_JAR = resolve(REPO_ROOT, 'flink', 'bridge', 'target', 'ticker-bridge.jar');
