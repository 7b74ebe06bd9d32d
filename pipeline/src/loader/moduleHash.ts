/**
 * The default logic version: a hash of the pipeline module and every project file it imports, found
 * by following its import statements (relative paths and workspace packages; installed packages are
 * pinned by the lock file and left out). Any edit to the logic, a constant included, changes it.
 */
import { createHash } from 'node:crypto';
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, relative, resolve } from 'node:path';

const IMPORT =
  /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s*)?['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g;
const EXTENSIONS = ['', '.ts', '.tsx', '.mts', '.js', '.mjs', '/index.ts', '/index.js'];

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The file a specifier imported from `from` names, or undefined when it is not project source. */
function resolveImport(specifier: string, from: string): string | undefined {
  if (specifier.startsWith('node:')) return undefined;
  if (specifier.startsWith('.') || specifier.startsWith('/')) {
    const base = resolve(dirname(from), specifier);
    // TS sources import './x.js' meaning './x.ts'.
    const candidates = [...EXTENSIONS.map((e) => base + e), base.replace(/\.js$/, '.ts')];
    const found = candidates.find(isFile);
    return found === undefined ? undefined : realpathSync(found);
  }
  try {
    const path = realpathSync(createRequire(from).resolve(specifier));
    return path.includes('/node_modules/') ? undefined : path;
  } catch {
    return undefined;
  }
}

/** The module files `entry` loads (itself first), as absolute paths. */
export function moduleFiles(entry: string): string[] {
  const start = realpathSync(entry);
  const seen = new Set<string>([start]);
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift()!;
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(IMPORT)) {
      const target = resolveImport((match[1] ?? match[2])!, file);
      if (target !== undefined && !seen.has(target)) {
        seen.add(target);
        queue.push(target);
      }
    }
  }
  return [...seen];
}

/** `sha256:` + the first 16 hex digits of the hash over the module files' paths (relative) and contents. */
export function moduleContentVersion(entry: string): string {
  const files = moduleFiles(entry);
  const root = dirname(files[0]!);
  const hash = createHash('sha256');
  for (const file of [...files].sort()) {
    hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return `sha256:${hash.digest('hex').slice(0, 16)}`;
}
