/**
 * The logic version on every row bound for a sink: the column `logic_version` (sql/004_logic_version.sql)
 * says which version of the code made the row, so outputs from before and after a live reload can be
 * told apart. One worker call runs one version, so one call's outputs never mix versions.
 */

/** The column (and JSON key) the version is written to. */
export const LOGIC_VERSION_FIELD = 'logic_version';

/** `value` with `logic_version` set when it is a plain JSON object and a version is given; else `value`. */
export function stampLogicVersion(value: unknown, logicVersion: string | undefined): unknown {
  if (logicVersion === undefined || typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return { ...value, [LOGIC_VERSION_FIELD]: logicVersion };
}
