/**
 * The logic version on every row bound for a sink: the column `logic_version` (sql/004_logic_version.sql)
 * says which version of the code made the row, so outputs from before and after a live reload can be
 * told apart. One worker call runs one version, so one call's outputs never mix versions.
 */

/** The column (and JSON key) the version is written to. */
export const LOGIC_VERSION_FIELD = 'logic_version';

/**
 * The JSON text of `value`, with `"logic_version": version` added when a version is given and the
 * value is a JSON object (other values are left as they are). The field is appended to the text, so
 * the user's object is neither copied nor changed (this runs once per record on the hot path).
 */
export function stampedJson(value: unknown, logicVersion: string | undefined): string | undefined {
  const text = JSON.stringify(value);
  if (logicVersion === undefined || text === undefined || text.charCodeAt(0) !== 123 /* { */) return text;
  if (Object.hasOwn(value as object, LOGIC_VERSION_FIELD)) {
    return JSON.stringify({ ...(value as object), [LOGIC_VERSION_FIELD]: logicVersion });
  }
  const field = `${JSON.stringify(LOGIC_VERSION_FIELD)}:${JSON.stringify(logicVersion)}}`;
  return text === '{}' ? `{${field}` : `${text.slice(0, -1)},${field}`;
}

/**
 * `value` (freshly parsed from a stamped output) without the stamp: the version is for sinks, and a
 * step or dead letter downstream must see what the step upstream produced, fused or not.
 */
export function withoutStamp(value: unknown): unknown {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    // The stamp is the last property stampedJson wrote: deleting it keeps V8's fast object shape.
    delete (value as Record<string, unknown>)[LOGIC_VERSION_FIELD];
  }
  return value;
}
