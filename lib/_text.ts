/**
 * Text helpers every layer shares: how a value is quoted in an error message, how a field path
 * is joined, the names of vector components, and how a boolean option is read. It imports nothing, so `schemas/` and the
 * error module can use it without an arrow pointing back up.
 *
 * @module
 */

/** The component names of a vector, in memory order. */
export const VEC_KEYS: readonly ["x", "y", "z", "w"] = ["x", "y", "z", "w"];

/** A value as an error message quotes it: strings quoted, objects by what they are. */
export function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "number" || typeof value === "boolean" || value == null) {
    return String(value);
  }
  if (typeof value === "function") return "a function";
  if (typeof value === "symbol") return "a symbol";
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  const ctor = Object.getPrototypeOf(value)?.constructor?.name;
  if (typeof ctor !== "string" || ctor === "Object" || ctor === "") return "an object";
  return `${/^[AEIOU]/.test(ctor) ? "an" : "a"} ${ctor}`;
}

/** The dotted path of `key` under `path` ("" is the root). */
export function join(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

/**
 * A boolean option of `what` (say "Table"): absent (undefined) gives `byDefault`; anything but a
 * boolean throws a TypeError naming the option and the value, so `checked: 0` or
 * `checked: "false"` never turns the checks off (or on) by its truthiness.
 */
export function booleanOption(what: string, name: string, v: unknown, byDefault: boolean): boolean {
  if (v === undefined) return byDefault;
  if (typeof v !== "boolean") {
    throw new TypeError(
      `Cannot create ${what}: option "${name}" must be a boolean, got ${show(v)}`,
    );
  }
  return v;
}
