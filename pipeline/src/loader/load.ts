/** Loads a pipeline definition module (its default export) and compiles it. */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type CompiledPipeline, compile } from '../compiler/compile';
import { Pipeline } from '../dsl/builder';
import { moduleContentVersion } from './moduleHash';

/** A definition file that cannot be loaded or does not export a pipeline. */
export class DefinitionLoadError extends Error {
  override readonly name = 'DefinitionLoadError';
}

/** Imports `file` (TS via tsx) and compiles its default export, which must be a Pipeline. */
export async function loadPipeline(file: string): Promise<CompiledPipeline> {
  return (await loadLogic(file)).compiled;
}

/** loadPipeline plus the hash of the module files and whether the pipeline declared its logicVersion. */
export async function loadLogic(
  file: string,
): Promise<{ compiled: CompiledPipeline; contentVersion: string; declaredLogicVersion: boolean }> {
  // npm run -w pipeline changes the directory; INIT_CWD is where the user typed the command.
  const path = resolve(process.env.INIT_CWD ?? process.cwd(), file);
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new DefinitionLoadError(`pipeline definition ${path} does not exist`);
  const mod: { default?: unknown } = await import(pathToFileURL(path).href);
  const definition = mod.default;
  if (!(definition instanceof Pipeline)) {
    throw new DefinitionLoadError(
      `${path} must export a pipeline as its default export (export default pipeline('name')...), got ${typeof definition}`,
    );
  }
  // Without a declared logicVersion the rows carry a hash of the module files that were loaded.
  const contentVersion = moduleContentVersion(path);
  return {
    compiled: compile(definition, { logicVersion: contentVersion }),
    contentVersion,
    declaredLogicVersion: definition.logicVersion !== undefined,
  };
}
