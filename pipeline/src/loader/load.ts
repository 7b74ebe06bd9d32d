/**
 * Loads a pipeline definition module and compiles it. The module's default export is a function from
 * the config to the pipeline (`export default definePipeline((config) => ...)`), so importing a
 * module builds nothing: the loader reads the config and calls it.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Config, loadConfig } from '@ticker/common';
import { type CompiledPipeline, compile } from '../compiler/compile';
import { Pipeline } from '../dsl/builder';
import { moduleContentVersion } from './moduleHash';

/** A definition file that cannot be loaded or does not export a pipeline. */
export class DefinitionLoadError extends Error {
  override readonly name = 'DefinitionLoadError';
}

/** Imports `file` (TS via tsx), builds its pipeline from `config` (default: the environment's) and compiles it. */
export async function loadPipeline(file: string, config?: Config): Promise<CompiledPipeline> {
  return (await loadLogic(file, config)).compiled;
}

/** loadPipeline plus the hash of the module files and whether the pipeline declared its logicVersion. */
export async function loadLogic(
  file: string,
  config?: Config,
): Promise<{ compiled: CompiledPipeline; contentVersion: string; declaredLogicVersion: boolean }> {
  // npm run -w pipeline changes the directory; INIT_CWD is where the user typed the command.
  const path = resolve(process.env.INIT_CWD ?? process.cwd(), file);
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new DefinitionLoadError(`pipeline definition ${path} does not exist`);
  const mod: { default?: unknown } = await import(pathToFileURL(path).href);
  const build = mod.default;
  if (typeof build !== 'function') {
    throw new DefinitionLoadError(
      `${path} must export a function from the config to the pipeline as its default export ` +
        `(export default definePipeline((config) => pipeline('name')...)), got ${typeof build}`,
    );
  }
  const definition: unknown = build(config ?? loadConfig());
  if (!(definition instanceof Pipeline)) {
    throw new DefinitionLoadError(
      `the default export of ${path} must return a pipeline (pipeline('name')...), returned ${typeof definition}`,
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
