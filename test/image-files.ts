/**
 * What a Dockerfile's final stage copies from the build context, and the TypeScript imports
 * those files need. The Node image runs the sources through tsx (no bundle), so a module that
 * imports a file the image never copied fails only when that code path runs in a container
 * (the `migrate` service once died of ERR_MODULE_NOT_FOUND this way).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, normalize, posix, relative } from 'node:path';

/** Context-relative paths (files or folders) the last stage copies with plain `COPY <src>... <dest>`. */
export function copiedPaths(dockerfile: string): string[] {
  const joined = dockerfile.replace(/\\\n/g, ' ');
  const lines = joined.split('\n').map((l) => l.trim());
  const lastFrom = lines.findLastIndex((l) => /^FROM\s/i.test(l));
  const paths: string[] = [];
  for (const line of lines.slice(lastFrom + 1)) {
    const match = /^COPY\s+(.*)$/i.exec(line);
    if (!match?.[1]) continue;
    const words = match[1].split(/\s+/).filter((w) => w !== '');
    if (words.some((w) => w.startsWith('--from'))) continue;
    const operands = words.filter((w) => !w.startsWith('--'));
    const dest = operands.at(-1) ?? '';
    const sources = operands.slice(0, -1);
    for (const source of sources) {
      // The image must mirror the repository layout (WORKDIR is the root): tsx resolves imports by path.
      const target = dest.endsWith('/') ? posix.join(dest, basename(source)) : dest;
      if (posix.normalize(target) !== posix.normalize(source)) {
        throw new Error(`COPY ${source} ${dest}: the image must keep the repository's layout`);
      }
      paths.push(posix.normalize(source));
    }
  }
  return paths;
}

/** True when `file` (context-relative) lies in one of `paths`. */
export function isCopied(file: string, paths: readonly string[]): boolean {
  const f = posix.normalize(file);
  return paths.some((p) => f === p || f.startsWith(`${p.replace(/\/$/, '')}/`));
}

/** Every file under a context-relative path (a file gives itself). */
function filesUnder(root: string, path: string): string[] {
  const absolute = join(root, path);
  if (!existsSync(absolute)) return [];
  if (!statSync(absolute).isDirectory()) return [path];
  return readdirSync(absolute).flatMap((name) =>
    name === 'node_modules' ? [] : filesUnder(root, posix.join(path, name)),
  );
}

/** A test file or fixture: never run inside the image. */
function isTestFile(file: string): boolean {
  return /\.test\.ts$/.test(file) || file.split('/').includes('test');
}

/** Module specifiers a TypeScript file imports, statically, by re-export or by `import('…')`. */
export function importSpecifiers(source: string): string[] {
  const specifiers = new Set<string>();
  for (const match of source.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]/g)) {
    if (match[1]) specifiers.add(match[1]);
  }
  for (const match of source.matchAll(/(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g)) if (match[1]) specifiers.add(match[1]);
  for (const match of source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) if (match[1]) specifiers.add(match[1]);
  return [...specifiers];
}

/** The file a relative specifier resolves to, as tsx resolves it (extension or index optional). */
function resolveRelative(root: string, from: string, specifier: string): string | undefined {
  const base = normalize(join(dirname(from), specifier))
    .split('\\')
    .join('/');
  const candidates = [base, `${base}.ts`, base.replace(/\.js$/, '.ts'), `${base}/index.ts`];
  return candidates.find((c) => existsSync(join(root, c)) && statSync(join(root, c)).isFile());
}

/**
 * The file a `@ticker/<package>[/<subpath>]` specifier resolves to: the workspace whose package.json
 * has that name (its folder need not match: @ticker/flink-tools is flink/), then its `exports` entry.
 */
function resolveWorkspace(root: string, specifier: string): string {
  const [scope, name, ...rest] = specifier.split('/');
  const { workspaces = [] } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { workspaces?: string[] };
  for (const workspace of workspaces) {
    const manifest = JSON.parse(readFileSync(join(root, workspace, 'package.json'), 'utf8')) as {
      name?: string;
      exports?: Record<string, string>;
    };
    if (manifest.name !== `${scope}/${name}`) continue;
    const subpath = rest.length === 0 ? '.' : `./${rest.join('/')}`;
    const entry = manifest.exports?.[subpath] ?? (subpath === '.' ? './src/index.ts' : undefined);
    if (entry === undefined) return `(${workspace}/package.json does not export ${subpath})`;
    return relative(root, join(root, workspace, entry))
      .split('\\')
      .join('/');
  }
  return '(no such workspace package)';
}

export interface MissingImport {
  /** The copied file that imports it. */
  file: string;
  specifier: string;
  /** The context-relative file it resolves to in the repository, which the image lacks. */
  resolved: string;
}

/**
 * Relative imports (and `@ticker/*` workspace packages) of the copied, non-test .ts files that
 * resolve to files the image does not copy.
 */
export function missingImports(root: string, dockerfile: string): MissingImport[] {
  const paths = copiedPaths(dockerfile);
  const files = paths.flatMap((p) => filesUnder(root, p)).filter((f) => f.endsWith('.ts') && !isTestFile(f));
  const missing: MissingImport[] = [];
  for (const file of files) {
    for (const specifier of importSpecifiers(readFileSync(join(root, file), 'utf8'))) {
      let resolved: string | undefined;
      if (specifier.startsWith('.')) {
        resolved = resolveRelative(root, file, specifier);
        if (resolved === undefined) {
          missing.push({ file, specifier, resolved: '(no such file in the repository)' });
          continue;
        }
      } else if (specifier.startsWith('@ticker/')) {
        resolved = resolveWorkspace(root, specifier);
      }
      if (resolved !== undefined && !isCopied(resolved, paths)) missing.push({ file, specifier, resolved });
    }
  }
  return missing;
}
