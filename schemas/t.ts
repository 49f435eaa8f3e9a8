/**
 * The schema DSL, used as `t.struct({ ... })`. Every constructor returns frozen plain data; the
 * scalar, vector and matrix constructors return one shared object each, so equal types are the
 * same object and share generated code.
 *
 * @module
 */
import { SchemaError } from "../lib/errors.ts";
import type {
  ArraySchema,
  BigIntSchema,
  BoolSchema,
  EnumSchema,
  Fields,
  Infer as InferType,
  LayoutMode,
  MatSchema,
  NumberSchema,
  RefSchema,
  Schema,
  StringSchema,
  StructSchema,
  VecElement,
  VecSchema,
  ViewOf,
} from "./types.ts";
import { show } from "../lib/_text.ts";
import { COMPOUND_KINDS, KINDS } from "./kinds.ts";

/** The plain-object type of a schema, like `z.infer`. */
export type Infer<S extends Schema> = InferType<S>;
/** The accessor type a schema reads back as. */
export type View<S extends Schema> = ViewOf<S>;

const KNOWN_KINDS: ReadonlySet<string> = new Set([...Object.keys(KINDS), ...COMPOUND_KINDS]);

/** Largest byte size arenakit lays out (one typed array must be able to index it). */
export const MAX_SCHEMA_BYTES = 0x4000_0000;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
// Names a view already uses for its own methods, or that JS treats specially on any object.
const RESERVED: ReadonlySet<string> = new Set([
  "set",
  "toObject",
  "toJSON",
  "seek",
  "then",
  "constructor",
  "prototype",
  ...Object.getOwnPropertyNames(Object.prototype),
]);

/** Tells whether `value` is an arenakit schema. */
export function isSchema(value: unknown): value is Schema {
  return typeof value === "object" && value !== null &&
    KNOWN_KINDS.has((value as { kind?: unknown }).kind as string) && Object.isFrozen(value);
}

function expectSchema(value: unknown, path: string): Schema {
  if (isSchema(value)) return value;
  const kind = typeof value === "object" && value !== null
    ? (value as { kind?: unknown }).kind
    : undefined;
  throw new SchemaError(
    path,
    kind === undefined
      ? `expected an arenakit schema (t.f32(), t.struct(...), ...), got ${show(value)}`
      : `unknown schema kind ${JSON.stringify(String(kind))}`,
  );
}

function expectCount(value: unknown, path: string, what: string, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > max) {
    throw new SchemaError(
      path,
      `${what} must be an integer from 1 to ${max}, got ${show(value)}`,
    );
  }
  return value;
}

function scalar<S extends Schema>(kind: S["kind"]): () => S {
  const schema = Object.freeze({ kind }) as unknown as S;
  return () => schema;
}

/** Signed 8-bit integer (`int8_t`). */
export const i8: () => NumberSchema<"i8"> = scalar("i8");
/** Unsigned 8-bit integer (`uint8_t`). */
export const u8: () => NumberSchema<"u8"> = scalar("u8");
/** Signed 16-bit integer (`int16_t`). */
export const i16: () => NumberSchema<"i16"> = scalar("i16");
/** Unsigned 16-bit integer (`uint16_t`). */
export const u16: () => NumberSchema<"u16"> = scalar("u16");
/** Signed 32-bit integer (`int32_t`, WGSL `i32`). */
export const i32: () => NumberSchema<"i32"> = scalar("i32");
/** Unsigned 32-bit integer (`uint32_t`, WGSL `u32`). */
export const u32: () => NumberSchema<"u32"> = scalar("u32");
/** 32-bit float (`float`, WGSL `f32`). */
export const f32: () => NumberSchema<"f32"> = scalar("f32");
/** 64-bit float (`double`). */
export const f64: () => NumberSchema<"f64"> = scalar("f64");
/** Signed 64-bit integer (`int64_t`), read and written as a bigint. */
export const i64: () => BigIntSchema<"i64"> = scalar("i64");
/** Unsigned 64-bit integer (`uint64_t`), read and written as a bigint. */
export const u64: () => BigIntSchema<"u64"> = scalar("u64");
/** Boolean in one byte (C `bool`). */
export const bool: () => BoolSchema = scalar("bool");

/**
 * One of a fixed list of string literals, stored as its index: `uint8_t`, or `uint16_t` past
 * 256 literals. Reads back the literal.
 *
 * @example An enum field
 * ```ts
 * import { t } from "@arenakit/core";
 * const Kind = t.enum(["spark", "smoke", "ember"]);
 * type Kind = t.Infer<typeof Kind>; // "spark" | "smoke" | "ember"
 * ```
 */
function enumOf<const L extends readonly [string, ...string[]]>(values: L): EnumSchema<L> {
  if (!Array.isArray(values) || values.length === 0) {
    throw new SchemaError(
      "",
      `t.enum() needs a non-empty array of strings, got ${show(values)}`,
    );
  }
  if (values.length > 65536) {
    throw new SchemaError("", `t.enum() takes at most 65536 literals, got ${values.length}`);
  }
  const seen = new Set<string>();
  for (const v of values) {
    if (typeof v !== "string") {
      throw new SchemaError("", `t.enum() literals must be strings, got ${show(v)}`);
    }
    if (seen.has(v)) throw new SchemaError("", `t.enum() literal ${JSON.stringify(v)} is repeated`);
    seen.add(v);
  }
  return Object.freeze({
    kind: "enum",
    values: Object.freeze([...values]) as unknown as L,
    storage: values.length <= 256 ? "u8" : "u16",
  }) as EnumSchema<L>;
}
export { enumOf as enum };

/**
 * A string of at most `maxBytes` UTF-8 bytes, stored zero-padded like `char[maxBytes]`. It reads
 * back as a string; a string that does not fit is refused, never cut.
 *
 * @example A name field
 * ```ts
 * import { t } from "@arenakit/core";
 * const Tag = t.struct({ name: t.string(12) });
 * ```
 */
export function string(maxBytes: number): StringSchema {
  expectCount(maxBytes, "", "t.string() capacity", MAX_SCHEMA_BYTES);
  return Object.freeze({ kind: "string", maxBytes }) as StringSchema;
}

/**
 * A fixed-length array. Numeric elements read back as a typed array over the arena bytes; other
 * elements through an indexable view. The typed array is raw: its element writes wrap or
 * truncate like any typed array's, unchecked (see {@linkcode ArraySchema}).
 *
 * @example A history of four floats
 * ```ts
 * import { t } from "@arenakit/core";
 * const Trail = t.struct({ hist: t.array(t.f32(), 4) });
 * ```
 */
export function array<E extends Schema, const N extends number>(
  element: E,
  length: N,
): ArraySchema<E, N> {
  expectSchema(element, "[]");
  expectCount(length, "", "t.array() length", MAX_SCHEMA_BYTES);
  return Object.freeze({ kind: "array", element, length }) as ArraySchema<E, N>;
}

function vec<E extends VecElement, N extends 2 | 3 | 4>(
  element: E,
  length: N,
): () => VecSchema<E, N> {
  const schema = Object.freeze({ kind: "vec", element, length }) as VecSchema<E, N>;
  return () => schema;
}
/** Two f32 components `{ x, y }` (`float[2]`, WGSL `vec2f`). */
export const vec2f: () => VecSchema<"f32", 2> = vec("f32", 2);
/** Three f32 components (`float[3]`, WGSL `vec3f`, 16-byte aligned there). */
export const vec3f: () => VecSchema<"f32", 3> = vec("f32", 3);
/** Four f32 components (`float[4]`, WGSL `vec4f`). */
export const vec4f: () => VecSchema<"f32", 4> = vec("f32", 4);
/** Two i32 components (`int32_t[2]`, WGSL `vec2i`). */
export const vec2i: () => VecSchema<"i32", 2> = vec("i32", 2);
/** Three i32 components (`int32_t[3]`, WGSL `vec3i`). */
export const vec3i: () => VecSchema<"i32", 3> = vec("i32", 3);
/** Four i32 components (`int32_t[4]`, WGSL `vec4i`). */
export const vec4i: () => VecSchema<"i32", 4> = vec("i32", 4);
/** Two u32 components (`uint32_t[2]`, WGSL `vec2u`). */
export const vec2u: () => VecSchema<"u32", 2> = vec("u32", 2);
/** Three u32 components (`uint32_t[3]`, WGSL `vec3u`). */
export const vec3u: () => VecSchema<"u32", 3> = vec("u32", 3);
/** Four u32 components (`uint32_t[4]`, WGSL `vec4u`). */
export const vec4u: () => VecSchema<"u32", 4> = vec("u32", 4);

function mat<C extends 2 | 3 | 4, R extends 2 | 3 | 4>(cols: C, rows: R): () => MatSchema<C, R> {
  const schema = Object.freeze({ kind: "mat", cols, rows }) as MatSchema<C, R>;
  return () => schema;
}
/** 2×2 f32 matrix, column-major (`float[2][2]`, WGSL `mat2x2f`). */
export const mat2x2f: () => MatSchema<2, 2> = mat(2, 2);
/** 3×3 f32 matrix, column-major (`float[3][3]`; WGSL `mat3x3f` pads each column to 16 bytes). */
export const mat3x3f: () => MatSchema<3, 3> = mat(3, 3);
/** 4×4 f32 matrix, column-major (`float[4][4]`, WGSL `mat4x4f`). */
export const mat4x4f: () => MatSchema<4, 4> = mat(4, 4);

/**
 * A reference to a record of another table, stored as the record's id. Pass the schema, or a
 * function returning it when two schemas refer to each other.
 *
 * @example A bullet that knows its shooter
 * ```ts
 * import { t } from "@arenakit/core";
 * const Ship = t.struct({ hp: t.f32() });
 * const Bullet = t.struct({ from: t.ref(Ship), x: t.f32() });
 * ```
 */
export function ref<S extends StructSchema>(target: S | (() => S)): RefSchema<S> {
  if (typeof target !== "function") {
    const s = expectSchema(target, "");
    if (s.kind !== "struct") {
      throw new SchemaError("", `t.ref() needs a struct schema, got ${s.kind}`);
    }
  }
  const get = typeof target === "function" ? target : () => target;
  return Object.freeze({ kind: "ref", target: get }) as RefSchema<S>;
}

/** Options of `t.struct()`. */
export interface StructOptions {
  /** How fields are placed; inherits the enclosing struct's mode when omitted (C at the root). */
  layout?: LayoutMode;
  /** Name in generated code, stack traces and errors. */
  name?: string;
}

const MODES: ReadonlySet<string> = new Set(["c", "packed", "wgsl", "wgsl-uniform"]);
let structCount = 0;

/**
 * A struct of named fields, in declaration order. Field names must be identifiers, must not start
 * with `$` and must not be a view method (`set`, `toObject`, `toJSON`, `seek`) or an
 * `Object.prototype` name.
 *
 * @example A particle
 * ```ts
 * import { t } from "@arenakit/core";
 * const Particle = t.struct({
 *   pos: t.vec2f(),
 *   life: t.f32(),
 *   kind: t.enum(["spark", "smoke"]),
 * }, { name: "Particle" });
 * type Particle = t.Infer<typeof Particle>;
 * ```
 */
export function struct<const F extends Fields>(
  fields: F,
  options?: StructOptions,
): StructSchema<F> {
  if (typeof fields !== "object" || fields === null || Array.isArray(fields)) {
    throw new SchemaError("", `t.struct() needs an object of fields, got ${show(fields)}`);
  }
  const proto = Object.getPrototypeOf(fields);
  if (proto !== Object.prototype && proto !== null) {
    throw new SchemaError(
      "__proto__",
      `field names must be plain own keys ("__proto__" in an object literal sets the prototype)`,
    );
  }
  if (Object.getOwnPropertySymbols(fields).length > 0) {
    throw new SchemaError("", "field names must be strings, not symbols");
  }
  const names = Object.keys(fields);
  if (names.length === 0) throw new SchemaError("", "t.struct() needs at least one field");
  const copy: Record<string, Schema> = Object.create(null);
  for (const name of names) {
    if (!IDENTIFIER.test(name)) {
      throw new SchemaError(
        name,
        `field name ${JSON.stringify(name)} is not an identifier (letters, digits, _)`,
      );
    }
    if (RESERVED.has(name)) {
      throw new SchemaError(name, `field name ${JSON.stringify(name)} is reserved`);
    }
    copy[name] = expectSchema(fields[name], name);
  }
  const layout = options?.layout;
  if (layout !== undefined && !MODES.has(layout)) {
    throw new SchemaError(
      "",
      `unknown layout ${
        JSON.stringify(String(layout))
      }: use "c", "packed", "wgsl" or "wgsl-uniform"`,
    );
  }
  const name = options?.name ?? `Struct${++structCount}`;
  if (typeof name !== "string" || !IDENTIFIER.test(name)) {
    throw new SchemaError("", `struct name ${JSON.stringify(String(name))} is not an identifier`);
  }
  return Object.freeze({
    kind: "struct",
    fields: Object.freeze(copy) as unknown as F,
    name,
    layout,
  }) as StructSchema<F>;
}
