/**
 * Value checks shared by generated classes' slow paths, the jitless fallback, tables and
 * snapshots, so every path accepts and rejects exactly the same values: `isValid` answers
 * without allocating, `validate` throws the error naming the field and the value.
 *
 * @module
 */
import { FieldRangeError, FieldTypeError } from "../errors.ts";
import type { Schema } from "../../schemas/types.ts";
import { type KindInfo, KINDS } from "../../schemas/kinds.ts";
import { join, VEC_KEYS } from "../_text.ts";
import { enumIndex, isWellFormed, utf8Length } from "./codec.ts";

/** Smallest and largest value of each integer kind read back as a number. */
export const INT_RANGE: Readonly<Record<string, readonly [number, number]>> = Object.fromEntries(
  Object.entries(KINDS).flatMap(([k, info]) =>
    info.zod === "int" && "range" in info ? [[k, info.range as readonly [number, number]]] : []
  ),
);

/**
 * Tells whether a scalar fits its kind, without allocating (the hot-path twin of
 * {@linkcode scalarProblem}, which builds the error).
 */
export function scalarFits(schema: Schema, value: unknown): boolean {
  const kind = schema.kind;
  switch (kind) {
    case "enum":
      return typeof value === "string" && enumIndex(schema).has(value);
    case "string":
      return typeof value === "string" && utf8Length(value) <= schema.maxBytes &&
        isWellFormed(value) && !value.includes("\0");
    case "array":
    case "vec":
    case "mat":
    case "struct":
      return false;
    default:
      return KINDS[kind].fits(value);
  }
}

/**
 * Checks a scalar against its kind. Returns undefined when it fits, else the error to throw
 * (a FieldTypeError for the wrong JS type, a FieldRangeError for a value the type cannot hold).
 */
export function scalarProblem(
  schema: Schema,
  value: unknown,
  path: string,
): FieldTypeError | FieldRangeError | undefined {
  if (scalarFits(schema, value)) return undefined;
  const kind = schema.kind;
  switch (kind) {
    case "enum": {
      // Long enums would make unreadable messages: name the first few and the count.
      const shown = schema.values.slice(0, 8).map((v) => JSON.stringify(v)).join(", ");
      const expected = schema.values.length <= 8
        ? `one of ${shown}`
        : `one of ${shown}, … (${schema.values.length} literals)`;
      return typeof value !== "string"
        ? new FieldTypeError(path, value, expected)
        : new FieldRangeError(path, value, expected);
    }
    case "string": {
      const expected = `a string of at most ${schema.maxBytes} UTF-8 bytes without U+0000`;
      return typeof value !== "string"
        ? new FieldTypeError(path, value, expected)
        : new FieldRangeError(path, value, expected);
    }
    case "array":
    case "vec":
    case "mat":
    case "struct":
      throw new TypeError(`Cannot check a ${kind} as a scalar`);
    default: {
      const info: KindInfo = KINDS[kind];
      const type = typeof value;
      const wrongType = info.js === "bigint"
        ? type !== "bigint"
        : info.js === "boolean"
        ? type !== "boolean"
        : type !== "number";
      return wrongType
        ? new FieldTypeError(path, value, info.expected)
        : new FieldRangeError(path, value, info.expectedRange ?? info.expected);
    }
  }
}

/** Throws the FieldTypeError/FieldRangeError for a scalar that does not fit. */
export function badScalar(schema: Schema, value: unknown, path: string): never {
  throw scalarProblem(schema, value, path) ??
    new FieldTypeError(path, value, `a valid ${schema.kind}`);
}

const VEC_ELEMENT: Readonly<Record<string, Schema>> = {
  f32: Object.freeze({ kind: "f32" }) as Schema,
  i32: Object.freeze({ kind: "i32" }) as Schema,
  u32: Object.freeze({ kind: "u32" }) as Schema,
};

const fieldNameCache = new WeakMap<object, readonly string[]>();
/** The field names of a struct, cached (Object.keys allocates on every call). */
export function fieldNames(schema: { readonly fields: object }): readonly string[] {
  let names = fieldNameCache.get(schema);
  if (!names) fieldNameCache.set(schema, names = Object.keys(schema.fields));
  return names;
}

function countKeys(value: object): number {
  let n = 0;
  for (const _ in value) n++;
  return n;
}

/**
 * Tells whether `value` passes {@linkcode validate}, without building paths or errors, so the
 * checked hot paths allocate nothing for good input. When it says no, callers run `validate`
 * to throw the precise error (and go on if that finds nothing, e.g. keys set to undefined).
 */
export function isValid(schema: Schema, value: unknown, partial: boolean): boolean {
  switch (schema.kind) {
    case "struct": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
      const names = fieldNames(schema);
      let present = 0;
      for (let i = 0; i < names.length; i++) {
        const v = (value as Record<string, unknown>)[names[i]];
        if (v === undefined) {
          if (partial) continue;
          return false;
        }
        present++;
        if (!isValid(schema.fields[names[i]], v, partial)) return false;
      }
      return countKeys(value) === present;
    }
    case "vec": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
      const elem = VEC_ELEMENT[schema.element];
      let present = 0;
      for (let i = 0; i < schema.length; i++) {
        const v = (value as Record<string, unknown>)[VEC_KEYS[i]];
        if (v === undefined) {
          if (partial) continue;
          return false;
        }
        present++;
        if (!scalarFits(elem, v)) return false;
      }
      return countKeys(value) === present;
    }
    case "mat":
    case "array": {
      const n = schema.kind === "mat" ? schema.cols * schema.rows : schema.length;
      const elem = schema.kind === "mat" ? VEC_ELEMENT.f32 : schema.element;
      if (!isArrayLike(value) || value.length !== n) return false;
      for (let i = 0; i < n; i++) if (!isValid(elem, value[i], partial)) return false;
      return true;
    }
    default:
      return scalarFits(schema, value);
  }
}

/**
 * Reads a value once, checks it against a schema, and returns a plain copy that holds exactly
 * what was read: every property of the input is read exactly once, so a getter or `Proxy` that
 * changes its answer cannot get a different value written than the one checked. Throws before
 * anything is written. `partial` allows missing struct fields (an init or an update); unknown
 * fields are always refused. A view passed as a struct value stands for its plain record.
 */
export function stage(schema: Schema, value: unknown, path: string, partial: boolean): unknown {
  switch (schema.kind) {
    case "struct": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw new FieldTypeError(path || schema.name, value, `an object for struct ${schema.name}`);
      }
      const src = plainOf(value);
      const out: Record<string, unknown> = {};
      const names = fieldNames(schema);
      let present = 0;
      for (let i = 0; i < names.length; i++) {
        const key = names[i];
        const v = src[key];
        if (v === undefined) {
          if (partial) continue;
          throw new FieldTypeError(join(path, key), v, `a value (the field is required)`);
        }
        out[key] = stage(schema.fields[key], v, join(path, key), partial);
        present++;
      }
      if (countKeys(src) !== present) unknownKey(schema, src, path);
      return out;
    }
    case "vec": {
      const keys = VEC_KEYS.slice(0, schema.length);
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw new FieldTypeError(path, value, `an object { ${keys.join(", ")} }`);
      }
      const src = plainOf(value);
      const out: Record<string, unknown> = {};
      const elem = VEC_ELEMENT[schema.element];
      let present = 0;
      for (const key of keys) {
        const v = src[key];
        if (v === undefined) {
          if (partial) continue;
          throw new FieldTypeError(join(path, key), v, "a value (the component is required)");
        }
        const p = scalarProblem(elem, v, join(path, key));
        if (p) throw p;
        out[key] = v;
        present++;
      }
      if (countKeys(src) !== present) unknownKey(schema, src, path);
      return out;
    }
    case "mat":
    case "array": {
      const n = schema.kind === "mat" ? schema.cols * schema.rows : schema.length;
      const elem = schema.kind === "mat" ? VEC_ELEMENT.f32 : schema.element;
      if (!isArrayLike(value)) {
        throw new FieldTypeError(path, value, `an array of ${n} elements`);
      }
      if (value.length !== n) {
        throw new FieldRangeError(path, value, `an array of ${n} elements`);
      }
      const out: unknown[] = new Array(n);
      for (let i = 0; i < n; i++) out[i] = stage(elem, value[i], `${path}[${i}]`, partial);
      return out;
    }
    default: {
      const p = scalarProblem(schema, value, path);
      if (p) throw p;
      return value;
    }
  }
}

/**
 * Checks a whole value against a schema, recursively, before anything is written: what
 * {@linkcode stage} does, without keeping the copy.
 */
export function validate(schema: Schema, value: unknown, path: string, partial: boolean): void {
  stage(schema, value, path, partial);
}

/** Whether `v` is a generated view (its record stands for it as a value). */
export function isView(v: object): v is { toObject(): Record<string, unknown> } {
  return Object.hasOwn(v, "$m") && Object.hasOwn(v, "$o") &&
    typeof (v as { toObject?: unknown }).toObject === "function";
}

// The object whose properties are read for a struct or vector value: a view reads as its record.
function plainOf(value: object): Record<string, unknown> {
  return (isView(value) ? value.toObject() : value) as Record<string, unknown>;
}

/**
 * Throws for the first key of `value` that `schema` has no field for. Returns when there is
 * none: a key present with the value `undefined` counts as absent, not unknown.
 */
export function unknownKey(schema: Schema, value: object, path: string): void {
  const keys: readonly string[] = schema.kind === "struct"
    ? fieldNames(schema)
    : schema.kind === "vec"
    ? VEC_KEYS.slice(0, schema.length)
    : [];
  for (const key in value) {
    if (!keys.includes(key)) {
      const expected = schema.kind === "struct"
        ? `no such field: ${schema.name} has ${keys.join(", ")}`
        : `no such component: use ${keys.join(", ")}`;
      throw new FieldTypeError(join(path, key), (value as Record<string, unknown>)[key], expected);
    }
  }
}

function isArrayLike(v: unknown): v is ArrayLike<unknown> {
  return Array.isArray(v) || ArrayBuffer.isView(v) && !(v instanceof DataView);
}
