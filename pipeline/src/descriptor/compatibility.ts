/**
 * Whether new logic can replace the running logic without restarting the Flink job. The job was
 * composed from the descriptor and keeps state under its node names, so a live change must keep the
 * descriptor exactly (nodes, wiring, window specs, everything but code); step code may change freely
 * (steps are stateless), a window's aggregate only under an unchanged declared version.
 */
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';

/** What a worker process reports about the logic it loaded (over the cluster's IPC channel). */
export const logicManifestSchema = z
  .object({
    descriptorJson: z.string(),
    descriptorSha256: z.string(),
    /** Stamped on every sink row: declared, or `sha256:…` of the module files. */
    logicVersion: z.string(),
    /** True when the pipeline declared logicVersion itself. */
    declaredLogicVersion: z.boolean(),
    /** Hash of the module files, whatever the declared version (tells a real change from none). */
    contentVersion: z.string(),
    windows: z.array(z.object({ name: z.string(), version: z.string().optional(), codeSha256: z.string() }).strict()),
  })
  .strict();

export type LogicManifest = z.infer<typeof logicManifestSchema>;

export type Compatibility = { compatible: true } | { compatible: false; changes: string[] };

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const show = (value: Json | undefined) => (value === undefined ? '(none)' : JSON.stringify(value));

/** An array whose items are all objects with a string `name` is compared by name (nodes, steps, targets keep order too). */
function named(value: Json[]): Map<string, Json> | undefined {
  const byName = new Map<string, Json>();
  for (const item of value) {
    if (typeof item !== 'object' || item === null || Array.isArray(item) || typeof item.name !== 'string') return;
    byName.set(item.name, item);
  }
  return byName.size === value.length ? byName : undefined;
}

/** The differences between two JSON values, one line each: `path: old → new`. */
export function jsonDifferences(before: Json | undefined, after: Json | undefined, path = ''): string[] {
  if (isDeepStrictEqual(before, after)) return [];
  const here = path === '' ? '(root)' : path;
  if (Array.isArray(before) && Array.isArray(after)) {
    const a = named(before);
    const b = named(after);
    if (a && b) {
      const out: string[] = [];
      for (const [name, item] of a) {
        const next = b.get(name);
        out.push(
          ...(next === undefined ? [`${path}[${name}]: removed`] : jsonDifferences(item, next, `${path}[${name}]`)),
        );
      }
      for (const name of b.keys()) if (!a.has(name)) out.push(`${path}[${name}]: added`);
      const order = (m: Map<string, Json>) => [...m.keys()].filter((k) => a.has(k) && b.has(k)).join(',');
      if (out.length === 0 && order(a) !== order(b)) out.push(`${here}: order changed`);
      return out;
    }
    if (before.length !== after.length) return [`${here}: ${show(before)} → ${show(after)}`];
    return before.flatMap((item, i) => jsonDifferences(item, after[i], `${path}[${i}]`));
  }
  const isObject = (v: Json | undefined): v is { [key: string]: Json } =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((k) => jsonDifferences(before[k], after[k], path === '' ? k : `${path}.${k}`));
  }
  return [`${here}: ${show(before)} → ${show(after)}`];
}

/** Compares the running logic with new logic: compatible, or the list of changes that need a redeploy. */
export function checkCompatibility(running: LogicManifest, next: LogicManifest): Compatibility {
  const changes = jsonDifferences(JSON.parse(running.descriptorJson), JSON.parse(next.descriptorJson)).map(
    (d) => `descriptor ${d}`,
  );
  const nextWindows = new Map(next.windows.map((w) => [w.name, w]));
  for (const before of running.windows) {
    const after = nextWindows.get(before.name);
    if (!after) continue; // a removed window is already a descriptor change
    if (before.version !== after.version) {
      changes.push(
        `window ${before.name}: version ${show(before.version)} → ${show(after.version)} (its results or state change)`,
      );
    } else if (before.codeSha256 !== after.codeSha256 && before.version === undefined) {
      changes.push(
        `window ${before.name}: aggregate code changed and the window declares no version (declare { version } in its options and keep it to mark a compatible change)`,
      );
    }
  }
  if (
    running.declaredLogicVersion &&
    next.declaredLogicVersion &&
    running.logicVersion === next.logicVersion &&
    running.contentVersion !== next.contentVersion
  ) {
    changes.push(
      `logicVersion ${show(next.logicVersion)} is unchanged but the code changed: raise it so outputs tell the versions apart`,
    );
  }
  return changes.length === 0 ? { compatible: true } : { compatible: false, changes };
}

/** The refusal message of an incompatible reload. */
export function refusalMessage(changes: readonly string[]): string {
  return [
    'reload refused: the new logic changes what the running Flink job was built from:',
    ...changes.map((c) => `  - ${c}`),
    'apply it with a stop-with-savepoint (npm run stop) and a redeploy (npm run deploy -- --from-latest-savepoint) with the worker restarted on the new code; the running worker keeps serving the old logic',
  ].join('\n');
}
