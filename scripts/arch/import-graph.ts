/** Reads the TypeScript import graph of the repository and checks it against the layer order. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import ts from 'typescript';
import { type ArchModule, LAYERS, PACKAGE_ROOTS } from './layers';

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
}

function place(path: string): Placed | undefined {
  const top = LAYERS.length - 1;
  const testFiles = LAYERS[top]?.modules[0];
  if (/\.test\.ts$/.test(path) && testFiles !== undefined) return { module: testFiles, level: top };
  for (const [level, layer] of LAYERS.entries()) {
    // A module path is a folder (ends in "/") or a file, which imports name without its extension.
    const module = layer.modules.find((m) =>
      m.paths.some((p) => path.startsWith(p) || path === p.replace(/\.ts$/, '')),
    );
    if (module !== undefined) return { module, level };
  }
  return undefined;
}

/** Where an import specifier points, as a repository path (undefined for packages from npm and node:). */
export function resolveSpecifier(from: string, specifier: string): string | undefined {
  if (specifier.startsWith('.')) return normalize(join(dirname(from), specifier));
  for (const [name, root] of Object.entries(PACKAGE_ROOTS)) {
    if (specifier === name || specifier.startsWith(`${name}/`)) return root;
  }
  return undefined;
}

/** Every import of every file that breaks the layer order; files outside every layer are not checked. */
export function checkLayers(files: readonly SourceFile[]): LayerViolation[] {
  const violations: LayerViolation[] = [];
  for (const file of files) {
    const from = place(file.path);
    if (from === undefined) continue;
    const { importedFiles } = ts.preProcessFile(file.text, true, true);
    for (const { fileName: specifier } of importedFiles) {
      const target = resolveSpecifier(file.path, specifier);
      if (target === undefined) continue;
      const to = place(target);
      if (to === undefined || to.module === from.module) continue;
      const why =
        to.level > from.level
          ? `${from.module.name} (${LAYERS[from.level]?.name}) imports ${to.module.name}, a higher layer (${LAYERS[to.level]?.name})`
          : to.level === from.level
            ? `${from.module.name} imports its peer ${to.module.name} (both ${LAYERS[to.level]?.name})`
            : undefined;
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
