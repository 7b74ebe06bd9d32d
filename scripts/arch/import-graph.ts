/** Reads the TypeScript import graph of the repository and checks it against the layer order. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize, resolve } from 'node:path';
import ts from 'typescript';
import { type ArchModule, LAYERS, type Layer } from './layers';

/** One source file: its path from the repository root and its text. */
export interface SourceFile {
  path: string;
  text: string;
}

/** An import that points up the layer order or sideways to a peer module. */
export interface LayerViolation {
  from: string;
  specifier: string;
  to: string;
  why: string;
}

interface Placed {
  module: ArchModule;
  level: number;
  /** The layer order `level` indexes (the repository's, or a module's own). */
  layers: readonly Layer[];
}

/** The module holding `path` in `layers`, if any. A path is a file or a folder (an import of its index). */
function placeIn(path: string, layers: readonly Layer[]): Placed | undefined {
  for (const [level, layer] of layers.entries()) {
    const module = layer.modules.find((m) =>
      m.paths.some((p) => path.startsWith(p) || `${path}/`.startsWith(p) || path === p.replace(/\.ts$/, '')),
    );
    if (module !== undefined) return { module, level, layers };
  }
  return undefined;
}

/** Where `path` sits: its module in the repository's layers, then in that module's own layers, and so on. */
function place(path: string): Placed[] {
  const top = LAYERS.length - 1;
  const testFiles = LAYERS[top]?.modules[0];
  if (/\.test\.ts$/.test(path) && testFiles !== undefined) return [{ module: testFiles, level: top, layers: LAYERS }];
  const chain: Placed[] = [];
  let layers: readonly Layer[] | undefined = LAYERS;
  while (layers !== undefined) {
    const placed = placeIn(path, layers);
    if (placed === undefined) break;
    chain.push(placed);
    layers = placed.module.layers;
  }
  return chain;
}

const root = resolve(import.meta.dirname, '../..');

/** `@ticker/*` specifiers (each workspace package's `exports`) and the files they name, from the package.json files. */
function workspaceExports(): { packages: Map<string, string>; exports: Map<string, string> } {
  const packages = new Map<string, string>();
  const exports = new Map<string, string>();
  const workspaces: string[] = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).workspaces;
  for (const workspace of workspaces) {
    const manifest: { name: string; exports?: string | Record<string, string> } = JSON.parse(
      readFileSync(join(root, workspace, 'package.json'), 'utf8'),
    );
    packages.set(manifest.name, `${workspace}/src/`);
    const map = typeof manifest.exports === 'string' ? { '.': manifest.exports } : (manifest.exports ?? {});
    for (const [subpath, target] of Object.entries(map)) {
      exports.set(manifest.name + subpath.slice(1), normalize(join(workspace, target)));
    }
  }
  return { packages, exports };
}

const WORKSPACES = workspaceExports();

/** Where an import specifier points, as a repository path (undefined for packages from npm and node:). */
export function resolveSpecifier(from: string, specifier: string): string | undefined {
  if (specifier.startsWith('.')) return normalize(join(dirname(from), specifier));
  const exported = WORKSPACES.exports.get(specifier);
  if (exported !== undefined) return exported;
  for (const [name, folder] of WORKSPACES.packages) {
    if (specifier === name || specifier.startsWith(`${name}/`)) return folder;
  }
  return undefined;
}

/** Whether an import resolved to `target` (maybe without extension, or a folder) names `file`. */
function names(target: string, file: string): boolean {
  const bare = file.replace(/\.ts$/, '');
  return target === file || target.replace(/\.(ts|js)$/, '') === bare || `${target}/index` === bare;
}

/** Why an import from the placed `from` to the placed `to` breaks the order, or undefined when it does not. */
function layerViolation(from: Placed[], to: Placed[]): string | undefined {
  for (let depth = 0; depth < Math.min(from.length, to.length); depth++) {
    const f = from[depth]!;
    const t = to[depth]!;
    if (f.module === t.module) continue;
    if (t.level > f.level) {
      return `${f.module.name} (${f.layers[f.level]?.name}) imports ${t.module.name}, a higher layer (${t.layers[t.level]?.name})`;
    }
    if (t.level === f.level)
      return `${f.module.name} imports its peer ${t.module.name} (both ${t.layers[t.level]?.name})`;
    return undefined;
  }
  return undefined;
}

/** Why an import reaches past a module's public surface (ArchModule.only), or undefined. */
function surfaceViolation(from: Placed[], to: Placed[], target: string): string | undefined {
  for (const { module } of from) {
    for (const [name, files] of Object.entries(module.only ?? {})) {
      // A target inside module `name` but outside the importer's own (innermost) module.
      const inside = to.some((t) => t.module.name === name) && to.at(-1)?.module !== from.at(-1)?.module;
      if (inside && !files.some((file) => names(target, file))) {
        return `${module.name} imports ${target}, not the public surface of ${name} (${files.join(', ')})`;
      }
    }
  }
  return undefined;
}

/** Every import of every file that breaks the layer order; files outside every layer are not checked. */
export function checkLayers(files: readonly SourceFile[]): LayerViolation[] {
  const violations: LayerViolation[] = [];
  for (const file of files) {
    const from = place(file.path);
    if (from.length === 0) continue;
    const { importedFiles } = ts.preProcessFile(file.text, true, true);
    for (const { fileName: specifier } of importedFiles) {
      const target = resolveSpecifier(file.path, specifier);
      if (target === undefined) continue;
      const to = place(target);
      if (to.length === 0) continue;
      const why = layerViolation(from, to) ?? surfaceViolation(from, to, target);
      if (why !== undefined) violations.push({ from: file.path, specifier, to: target, why });
    }
  }
  return violations;
}

/** The repository's tracked TypeScript sources. */
export function repositorySources(root: string): SourceFile[] {
  const listed = execFileSync('git', ['ls-files', '*.ts', '*.mts'], { cwd: root, encoding: 'utf8' });
  return listed
    .split('\n')
    .filter((path) => path !== '')
    .map((path) => ({ path, text: readFileSync(join(root, path), 'utf8') }));
}
