/**
 * zod v4 to arenakit: {@linkcode fromZod} compiles a zod schema into an arenakit schema with a
 * fixed layout. Kept out of `mod.ts` so core users never load zod.
 *
 * @module
 */
import { z } from "zod";
import * as t from "../../schemas/t.ts";
import type {
  ArraySchema,
  BigIntKind,
  BigIntSchema,
  BoolSchema,
  EnumSchema,
  LayoutMode,
  NumberKind,
  NumberSchema,
  Schema,
  StringSchema,
  StructSchema,
} from "../../schemas/types.ts";
import { SchemaError } from "../errors.ts";
import { KINDS } from "../../schemas/kinds.ts";
import { join, VEC_KEYS } from "../_text.ts";

/** The part of a zod v4 schema that `fromZod` reads; every zod v4 schema has it. */
export interface ZodLike {
  /** zod's internals: `def` describes the schema, `output` carries its static type. */
  readonly _zod: { readonly def: unknown; readonly output: unknown };
}

/** Where `.meta()` data lives: zod's `z.globalRegistry` (the default) or any `z.registry()`. */
export interface MetaSource {
  /** The metadata registered for `schema`, if any. */
  get(schema: never): unknown;
}

/** Types a hint can ask for where zod cannot say the width or the shape. */
export type HintType =
  | NumberKind
  | BigIntKind
  | "vec2f"
  | "vec3f"
  | "vec4f"
  | "vec2i"
  | "vec3i"
  | "vec4i"
  | "vec2u"
  | "vec3u"
  | "vec4u"
  | "mat2x2f"
  | "mat3x3f"
  | "mat4x4f";

/** A layout hint with options, for `.meta({ arenakit: { ... } })` or `overrides`. */
export interface HintOptions {
  /** Storage type: a number width (`"u8"` for a `z.int()`), a vector or a matrix. */
  readonly type?: HintType;
  /** For objects: the struct's name in generated code, stack traces and errors. */
  readonly name?: string;
  /** For objects: the struct's layout mode. */
  readonly layout?: LayoutMode;
  /** For strings: capacity in UTF-8 bytes (instead of the `.max(n)` of UTF-16 units). */
  readonly maxBytes?: number;
}

/**
 * What zod cannot say about storage: a type name (`"u8"`), options, or (in `overrides` only) a
 * whole arenakit schema to use as it is.
 */
export type ArenakitHint = HintType | HintOptions | Schema;

/** Options of {@linkcode fromZod}. */
export interface FromZodOptions {
  /** Name of the root struct (a `name` hint on the root wins). */
  readonly name?: string;
  /** Layout mode of the root struct (a `layout` hint on the root wins). */
  readonly layout?: LayoutMode;
  /**
   * Hints by path, winning over `.meta()`: `""` is the root, `"pos"` a field, `"a.b"` a nested
   * field, `"hist[]"` the elements of an array.
   */
  readonly overrides?: Readonly<Record<string, ArenakitHint>>;
  /** Where to read `.meta({ arenakit })` hints (default: `z.globalRegistry`). */
  readonly registry?: MetaSource;
}

/**
 * The arenakit schema type `fromZod` gives for a zod output type `T`: `t.Infer` of it is `T`.
 * (At run time a width or vector hint may pick a narrower schema with the same plain type.)
 */
export type SchemaFor<T> = [T] extends [boolean] ? BoolSchema
  : [T] extends [number] ? NumberSchema
  : [T] extends [bigint] ? BigIntSchema
  : [T] extends [string] ? (string extends T ? StringSchema : EnumSchema<readonly T[]>)
  : [T] extends [readonly (infer E)[]] ? ArraySchema<SchemaFor<E>, number>
  : [T] extends [object] ? StructSchema<{ -readonly [K in keyof T]: SchemaFor<T[K]> }>
  : never;

interface ZodDef {
  readonly type: string;
  readonly format?: string;
  readonly checks?: readonly ZodLike[];
  readonly [key: string]: unknown;
}

interface CheckDef {
  readonly check: string;
  readonly format?: string;
  readonly maximum?: number;
  readonly length?: number;
}

interface Context {
  readonly options: FromZodOptions;
  readonly registry: MetaSource;
  readonly stack: Set<unknown>;
}

const NUMBER_KINDS: ReadonlySet<string> = new Set(
  Object.entries(KINDS).flatMap(([k, info]) => info.js === "number" ? [k] : []),
);
const VECS: Readonly<Record<string, () => Schema>> = {
  vec2f: t.vec2f,
  vec3f: t.vec3f,
  vec4f: t.vec4f,
  vec2i: t.vec2i,
  vec3i: t.vec3i,
  vec4i: t.vec4i,
  vec2u: t.vec2u,
  vec3u: t.vec3u,
  vec4u: t.vec4u,
};
const MATS: Readonly<Record<string, () => Schema>> = {
  mat2x2f: t.mat2x2f,
  mat3x3f: t.mat3x3f,
  mat4x4f: t.mat4x4f,
};
const NUMBER_FORMATS: Readonly<Record<string, NumberKind>> = {
  float32: "f32",
  float64: "f64",
  safeint: "i32",
  int32: "i32",
  uint32: "u32",
};

// Why each zod type has no fixed layout, and what to write instead.
const REFUSED: Readonly<Record<string, string>> = {
  optional: "optional values have no fixed layout: remove .optional() (every field is stored)",
  exact_optional: "optional values have no fixed layout: remove .exactOptional()",
  nullable: "nullable values have no fixed layout: remove .nullable() and store a flag or sentinel",
  default: "defaults are not stored: remove .default() (records start zeroed; pass initial " +
    "values to alloc(S, init))",
  prefault: "defaults are not stored: remove .prefault()",
  catch: "fallbacks are not stored: remove .catch()",
  nonoptional: "remove .nonoptional() and the .optional() under it",
  union: "unions have no fixed layout: use z.enum([...]) for string choices, or a field per case",
  intersection: "intersections have no fixed layout: merge the objects with .extend()",
  record: "records have no fixed layout: use z.object() with fixed keys",
  map: "maps have no fixed layout: use z.object() with fixed keys",
  set: "sets have no fixed layout: use z.array(T).length(n)",
  tuple: "tuples are not supported: use z.array(T).length(n)",
  pipe: "transforms and pipes have no fixed layout: store the input type and convert after reading",
  transform: "transforms have no fixed layout: store the input type and convert after reading",
  lazy:
    "lazy (recursive) schemas have no fixed layout: refer to records by id with t.ref() in a Table",
  promise: "promises cannot be stored",
  function: "functions cannot be stored",
};

function isZod(v: unknown): v is ZodLike {
  return typeof v === "object" && v !== null && "_zod" in v &&
    typeof (v as ZodLike)._zod === "object" && (v as ZodLike)._zod !== null &&
    typeof ((v as ZodLike)._zod.def as ZodDef | undefined)?.type === "string";
}

function checksOf(def: ZodDef): CheckDef[] {
  return (def.checks ?? []).map((c) => c._zod.def as CheckDef);
}

// Rebuilds a SchemaError thrown by a t.* constructor so that its path starts at `path`.
function under<T>(path: string, build: () => T): T {
  try {
    return build();
  } catch (e) {
    if (!(e instanceof SchemaError)) throw e;
    throw new SchemaError(e.path === "" ? path : join(path, e.path), e.detail);
  }
}

function hintOf(zs: ZodLike, path: string, ctx: Context): HintOptions | Schema {
  const override = ctx.options.overrides?.[path];
  let raw: unknown = override;
  if (raw === undefined) {
    const meta = ctx.registry.get(zs as never);
    raw = typeof meta === "object" && meta !== null
      ? (meta as { arenakit?: unknown }).arenakit
      : undefined;
  }
  if (raw === undefined) return {};
  if (typeof raw === "string") return { type: raw as HintType };
  if (t.isSchema(raw)) {
    if (override === undefined) {
      throw new SchemaError(path, "a whole arenakit schema can only be given in `overrides`");
    }
    return raw;
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new SchemaError(
      path,
      `arenakit hint must be a type name like "u8" or an object { type, name, layout, maxBytes }`,
    );
  }
  return raw as HintOptions;
}

function refuseHint(path: string, hint: HintOptions, what: string): void {
  if (hint.type !== undefined) {
    throw new SchemaError(path, `hint type ${JSON.stringify(hint.type)} does not apply to ${what}`);
  }
}

function convert(zs: unknown, path: string, ctx: Context): Schema {
  if (!isZod(zs)) {
    throw new SchemaError(
      path,
      `expected a zod v4 schema, got ${zs === null ? "null" : typeof zs}`,
    );
  }
  if (ctx.stack.has(zs)) {
    throw new SchemaError(
      path,
      "recursive schemas have no fixed layout: refer to records by id with t.ref() in a Table",
    );
  }
  const hint = hintOf(zs, path, ctx);
  if (t.isSchema(hint)) return hint;
  ctx.stack.add(zs);
  try {
    return convertDef(zs._zod.def as ZodDef, hint, path, ctx);
  } finally {
    ctx.stack.delete(zs);
  }
}

function convertDef(def: ZodDef, hint: HintOptions, path: string, ctx: Context): Schema {
  const type = def.type;
  switch (type) {
    case "number": {
      const format = def.format ??
        checksOf(def).find((c) => c.check === "number_format")?.format;
      let kind: NumberKind = format === undefined ? "f64" : NUMBER_FORMATS[format] ?? "f64";
      if (hint.type !== undefined) {
        if (!NUMBER_KINDS.has(hint.type)) {
          throw new SchemaError(
            path,
            `hint type ${JSON.stringify(hint.type)} is not a number type`,
          );
        }
        kind = hint.type as NumberKind;
      }
      return t[kind]();
    }
    case "bigint": {
      const format = def.format ??
        checksOf(def).find((c) => c.check === "bigint_format")?.format;
      let kind: BigIntKind = format === "uint64" ? "u64" : "i64";
      if (hint.type !== undefined) {
        if (hint.type !== "i64" && hint.type !== "u64") {
          throw new SchemaError(path, `hint type ${JSON.stringify(hint.type)} is not i64 or u64`);
        }
        kind = hint.type;
      }
      return t[kind]();
    }
    case "boolean":
      refuseHint(path, hint, "a boolean");
      return t.bool();
    case "enum":
    case "literal": {
      refuseHint(path, hint, `an ${type}`);
      const values = type === "enum"
        ? Object.values(def.entries as Record<string, unknown>)
        : [...(def.values as Iterable<unknown>)];
      if (!values.every((v) => typeof v === "string")) {
        throw new SchemaError(
          path,
          `only string ${type === "enum" ? "enums" : "literals"} can be stored: map numbers ` +
            `to names with z.enum(["a", "b"])`,
        );
      }
      return under(path, () => t.enum(values as [string, ...string[]]));
    }
    case "string": {
      refuseHint(path, hint, "a string");
      let cap = hint.maxBytes;
      if (cap === undefined) {
        for (const c of checksOf(def)) {
          const n = c.check === "max_length"
            ? c.maximum
            : c.check === "length_equals"
            ? c.length
            : undefined;
          if (n !== undefined) cap = cap === undefined ? n : Math.min(cap, n);
        }
      }
      if (cap === undefined) {
        throw new SchemaError(
          path,
          "z.string() without .max(n) has no fixed size: add .max(n) (stored as n UTF-8 bytes) " +
            "or .meta({ arenakit: { maxBytes: n } })",
        );
      }
      return under(path, () => t.string(cap));
    }
    case "array": {
      const lengths = checksOf(def).filter((c) => c.check === "length_equals");
      if (lengths.length === 0) {
        throw new SchemaError(
          path,
          "z.array(T) without .length(n) has no fixed size: add .length(n)",
        );
      }
      const n = Math.min(...lengths.map((c) => c.length!));
      if (hint.type !== undefined) {
        const mat = MATS[hint.type];
        if (mat === undefined) {
          throw new SchemaError(
            path,
            `hint type ${JSON.stringify(hint.type)} does not apply to an array`,
          );
        }
        const m = mat() as { cols: number; rows: number };
        const el = convert(def.element, `${path}[]`, ctx);
        if (m.cols * m.rows !== n || el.kind !== "f32" && el.kind !== "f64") {
          throw new SchemaError(
            path,
            `a ${hint.type} needs z.array(z.number()).length(${m.cols * m.rows}), got ` +
              `${el.kind} elements and length ${n}`,
          );
        }
        return mat();
      }
      const element = convert(def.element, `${path}[]`, ctx);
      return under(path, () => t.array(element, n));
    }
    case "object": {
      const catchall = (def.catchall as ZodLike | undefined)?._zod.def as ZodDef | undefined;
      if (catchall !== undefined && !["never", "unknown", "any"].includes(catchall.type)) {
        throw new SchemaError(
          path,
          "objects with .catchall() have no fixed layout: list every key in the shape",
        );
      }
      const shape = def.shape as Record<string, unknown>;
      if (hint.type !== undefined) return vecOf(shape, hint.type, path, ctx);
      const fields: Record<string, Schema> = {};
      for (const key of Object.keys(shape)) fields[key] = convert(shape[key], join(path, key), ctx);
      const root = path === "";
      const name = hint.name ?? (root ? ctx.options.name : undefined);
      const layout = hint.layout ?? (root ? ctx.options.layout : undefined);
      return under(path, () => t.struct(fields, { name, layout }));
    }
    case "readonly":
      return convert(def.innerType, path, ctx);
    default: {
      const why = REFUSED[type] ?? `z.${type}() has no fixed layout`;
      throw new SchemaError(path, why);
    }
  }
}

function vecOf(shape: Record<string, unknown>, type: string, path: string, ctx: Context): Schema {
  const vec = VECS[type];
  if (vec === undefined) {
    throw new SchemaError(path, `hint type ${JSON.stringify(type)} does not apply to an object`);
  }
  const want = VEC_KEYS.slice(0, Number(type[3]));
  const keys = Object.keys(shape);
  if (keys.join() !== want.join()) {
    throw new SchemaError(
      path,
      `a ${type} needs an object with keys ${want.join(", ")}, got ${keys.join(", ")}`,
    );
  }
  for (const k of keys) {
    const c = convert(shape[k], join(path, k), ctx);
    if (!NUMBER_KINDS.has(c.kind)) {
      throw new SchemaError(join(path, k), `a ${type} component must be a number, got ${c.kind}`);
    }
  }
  return vec();
}

/**
 * Compiles a zod v4 schema into an arenakit schema, with the same layout rules as `t.*` (and
 * the same generated accessors: a compiled schema is plain `t.*` data).
 *
 * | zod | arenakit |
 * | --- | -------- |
 * | `z.float32()` | `f32` |
 * | `z.float64()`, `z.number()` | `f64` |
 * | `z.int32()`, `z.int()`, `z.number().int()` | `i32` (a `z.int()` value beyond i32 is refused when written) |
 * | `z.uint32()` | `u32` |
 * | `z.int64()`, `z.bigint()` / `z.uint64()` | `i64` / `u64` |
 * | `z.boolean()` | `bool` |
 * | `z.enum([...])`, `z.literal("a")` | `enum` (string literals only) |
 * | `z.string().max(n)` | `string(n)`: n UTF-8 bytes |
 * | `z.array(T).length(n)` | `array(T, n)` |
 * | `z.object({...})` | `struct` (nested), in key order |
 *
 * Strings: zod counts UTF-16 units and arenakit UTF-8 bytes. `.max(n)` becomes a capacity of
 * `n` bytes, so every string arenakit stores also passes the zod schema (a byte is never less
 * than a unit), but a non-ASCII string zod accepts may be refused with `FieldRangeError`. Ask
 * for more room with `.meta({ arenakit: { maxBytes: 3 * n } })`: no zod-valid string then fails.
 *
 * Hints, for what zod cannot say: `.meta({ arenakit: "u8" })` on a number picks a width;
 * `"vec3f"` on `z.object({ x, y, z })` stores a vector; `"mat4x4f"` on
 * `z.array(z.number()).length(16)` a matrix; `{ name, layout }` on an object names the struct
 * and sets its layout mode; `{ maxBytes }` on a string sets its byte capacity. The same hints can
 * be given by path in `options.overrides`, which win, and may also be whole arenakit schemas.
 * Value checks (`.min()`, `.regex()`, `.refine()`) are not part of a layout and are ignored:
 * parse with the zod schema at the boundary, then store.
 *
 * Throws {@linkcode SchemaError} naming the path, and how to make it fixed, for what has no
 * fixed layout: strings without `.max()`, arrays without `.length()`, optional, nullable,
 * defaults, unions, records, tuples, transforms and pipes, lazy or recursive schemas.
 *
 * @example A zod schema becomes a struct
 * ```ts
 * import { z } from "zod";
 * import { Arena, layoutOf } from "@arenakit/core";
 * import { fromZod } from "@arenakit/core/zod";
 * import assert from "node:assert/strict";
 * const Particle = z.object({
 *   pos: z.object({ x: z.float32(), y: z.float32() }).meta({ arenakit: "vec2f" }),
 *   life: z.float32(),
 *   hp: z.int().meta({ arenakit: "u8" }),
 *   kind: z.enum(["spark", "smoke"]),
 *   name: z.string().max(12),
 * });
 * const P = fromZod(Particle, { name: "Particle" });
 * assert.equal(layoutOf(P).size, 28);
 * const p = new Arena({ bytes: 1024 }).alloc(P, { hp: 200, kind: "smoke" });
 * assert.deepEqual([p.hp, p.kind], [200, "smoke"]);
 * ```
 */
export function fromZod<Z extends ZodLike>(
  schema: Z,
  options?: FromZodOptions,
): SchemaFor<Z["_zod"]["output"]> {
  const opts = options ?? {};
  const ctx: Context = {
    options: opts,
    registry: opts.registry ?? z.globalRegistry,
    stack: new Set(),
  };
  return convert(schema, "", ctx) as SchemaFor<Z["_zod"]["output"]>;
}
