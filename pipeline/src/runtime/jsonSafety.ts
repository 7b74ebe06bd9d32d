/**
 * Step outputs are JSON, whatever the fusion. Between chains a value crosses the wire as JSON text;
 * between fused steps it is passed as is. So that fusion never shows, every value a step produces
 * (a map output, each flatMap item, a finish output) goes through `jsonOutput` before the next step
 * or the serializer sees it:
 * - what JSON cannot carry is refused, naming the path: NaN and ±Infinity (JSON would write null),
 *   functions, symbols, bigints, objects that are not plain objects or arrays (a Date, a Map, a class
 *   instance), cycles, and an undefined output;
 * - what JSON changes without loss of meaning is changed here the same way, by a real JSON round trip
 *   (rare, so it costs nothing on the common path): an undefined property is dropped, an undefined
 *   or missing array item becomes null, -0 becomes 0, an object without a prototype becomes plain.
 * The common case (a plain row of strings and finite numbers) is one walk over the number leaves and
 * properties, no allocation, and the same object back.
 */

/** Why a step output cannot be JSON: the path of the bad part and what it is. */
export class JsonProblem {
  constructor(
    /** JSONPath-like location, `$` for the whole output, e.g. `$.price` or `$[2].legs[0]`. */
    readonly path: string,
    /** What is there, e.g. `NaN` or `a Date, not a plain object or array`. */
    readonly what: string,
  ) {}

  /** The dead-letter reason, e.g. `step to-tick-row output $.price is NaN`. */
  reason(step: string): string {
    return `step ${step} output ${this.path} is ${this.what}`;
  }
}

/** Deeper than this is taken for a cycle (JSON.stringify would throw on one). */
const MAX_DEPTH = 512;

/** Set by the walk when the value needs JSON's normalization (an undefined property, -0, ...). */
let needsRoundTrip = false;
/** Path segments of the failure, innermost first (collected while the walk unwinds). */
let failPath: (string | number)[] = [];
let failWhat = '';

/**
 * `value` as the next step would get it through JSON (the same object when JSON would not change
 * it), or a JsonProblem naming what JSON cannot carry. `index` is a flatMap item's index in the
 * step's result (its path then starts `$[index]`).
 */
export function jsonOutput(value: unknown, index?: number): unknown {
  needsRoundTrip = false;
  if (visit(value, 0)) {
    if (index !== undefined) failPath.push(index);
    const problem = new JsonProblem(pathText(failPath), failWhat);
    failPath = [];
    return problem;
  }
  if (value === undefined) return new JsonProblem(index === undefined ? '$' : `$[${index}]`, 'undefined, not JSON');
  return needsRoundTrip ? JSON.parse(JSON.stringify(value)) : value;
}

/** True when `v` (at `depth`) holds something JSON cannot carry; sets failPath/failWhat. */
function visit(v: unknown, depth: number): boolean {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return false;
    case 'number':
      // v - v is 0 for every finite number and NaN for NaN and ±Infinity.
      if (v - v === 0) {
        if (v === 0 && 1 / v < 0) needsRoundTrip = true;
        return false;
      }
      failWhat = String(v);
      return true;
    case 'undefined':
      // Inside an object or array: JSON drops it or writes null (the top level is checked apart).
      needsRoundTrip = true;
      return false;
    case 'object':
      return v === null ? false : visitObject(v, depth);
    default:
      failWhat = `a ${typeof v}, not JSON`;
      return true;
  }
}

function visitObject(o: object, depth: number): boolean {
  if (depth >= MAX_DEPTH) {
    failWhat = `nested more than ${MAX_DEPTH} levels deep (a cycle?)`;
    return true;
  }
  if (Array.isArray(o)) {
    for (let i = 0; i < o.length; i++) {
      if (visit(o[i], depth + 1)) {
        failPath.push(i);
        return true;
      }
    }
    return false;
  }
  const proto = Object.getPrototypeOf(o);
  if (proto !== Object.prototype) {
    if (proto !== null) {
      failWhat = `a ${(proto as { constructor?: { name?: string } }).constructor?.name || 'non-plain object'}, not a plain object or array`;
      return true;
    }
    needsRoundTrip = true;
  }
  const record = o as Record<string, unknown>;
  // for-in: a plain object inherits no enumerable keys, and for-in allocates no key array.
  for (const key in record) {
    if (visit(record[key], depth + 1)) {
      failPath.push(key);
      return true;
    }
  }
  return false;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function pathText(innermostFirst: readonly (string | number)[]): string {
  let text = '$';
  for (let i = innermostFirst.length - 1; i >= 0; i--) {
    const part = innermostFirst[i]!;
    text += typeof part === 'number' ? `[${part}]` : IDENTIFIER.test(part) ? `.${part}` : `[${JSON.stringify(part)}]`;
  }
  return text;
}
