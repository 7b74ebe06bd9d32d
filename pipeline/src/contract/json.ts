/**
 * What a step may output: values JSON carries unchanged. A chain boundary is a JSON round trip and
 * fusion decides where the boundaries are, so a value JSON would change (a Date, a Map, a class
 * instance with methods, a function, a bigint) must not compile as a step output. NaN and ±Infinity
 * are numbers to TypeScript; the runtime rejects them at the step that made them
 * (runtime/jsonSafety.ts), and drops undefined properties the way JSON does.
 */

/** A JSON value: what `JSON.parse` can return. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** One part of a step output: itself when JSON carries it, else `never` (or an object of nevers). */
type JsonPart<T> = T extends string | number | boolean | null
  ? T
  : T extends (...args: never[]) => unknown
    ? never
    : T extends object
      ? { [K in keyof T]: JsonPart<T[K]> }
      : never;

/**
 * The F-bound on step outputs (`O extends JsonSafe<O>`): O passes when every part of it is
 * JSON-safe. Interfaces pass (no index signature needed); an optional property stays optional
 * (JSON drops it when absent or undefined); a required property typed `X | undefined`, an
 * `undefined` array item, a function-valued property, a bigint, a symbol, and objects with methods
 * (Date, Map, Set, most class instances) fail. A mapped type rather than a conditional at the top, so
 * the bound is not circular; the price: a bare function output passes here and is refused at runtime.
 */
export type JsonSafe<T> = { [K in keyof T]: JsonPart<T[K]> };
