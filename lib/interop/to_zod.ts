/**
 * arenakit to zod v4: {@linkcode toZod} turns an arenakit schema into a zod schema that accepts
 * exactly what checked mode accepts. Kept out of `mod.ts` so core users never load zod.
 *
 * @module
 */
import { z } from "zod";
import * as t from "../../schemas/t.ts";
import type { Infer, Schema } from "../../schemas/types.ts";
import { scalarProblem } from "../values/check.ts";
import { assertNever, isScalarKind, KINDS, type ScalarKind } from "../../schemas/kinds.ts";
import { SchemaError } from "../errors.ts";
import { VEC_KEYS } from "../_text.ts";

/**
 * A zod schema for values of type `T`, as {@linkcode toZod} returns it. At run time it is a real
 * zod schema (compose it in `z.object()`, call any zod method); this interface names only what
 * arenakit promises, so the package's types do not depend on zod's.
 */
export interface Validator<T> {
  /** zod's internals; `z.infer<typeof v>` reads `output`. */
  readonly _zod: { readonly output: T; readonly input: T };
  /** Returns the value when valid, else throws zod's `ZodError`. */
  parse(value: unknown): T;
  /** Tells whether the value is valid, without throwing. */
  safeParse(
    value: unknown,
  ): { success: true; data: T; error?: undefined } | {
    success: false;
    data?: undefined;
    error: Error;
  };
}

function nonFinite(): z.ZodType<number> {
  return z.union([z.nan(), z.literal([Infinity, -Infinity])]) as unknown as z.ZodType<number>;
}

const built = new WeakMap<Schema, z.ZodType>();

function build(schema: Schema): z.ZodType {
  let out = built.get(schema);
  if (out !== undefined) return out;
  out = buildUncached(schema);
  built.set(schema, out);
  return out;
}

function scalar(kind: ScalarKind): z.ZodType {
  const info = KINDS[kind];
  switch (info.zod) {
    case "int": {
      const [lo, hi] = info.range as readonly [number, number];
      return z.int().min(lo).max(hi);
    }
    case "f32":
    case "f64":
      // Any number, like Float32Array: a finite one too large for f32 rounds to ±Infinity.
      return z.union([z.number(), nonFinite()]);
    case "int64":
      return z.int64();
    case "uint64":
      return z.uint64();
    case "boolean":
      return z.boolean();
    case "id":
      return z.int().min(1).nullable();
    default:
      return assertNever(info.zod, "zod form");
  }
}

// Like checked mode, an array field takes an array or a typed array of the right length.
function arrayOf(element: z.ZodType, n: number): z.ZodType {
  const typed = z.custom<unknown[]>(
    (v) =>
      ArrayBuffer.isView(v) && !(v instanceof DataView) &&
      (v as unknown as ArrayLike<unknown>).length === n &&
      Array.from(v as unknown as ArrayLike<unknown>).every((x) => element.safeParse(x).success),
    { message: `Expected an array of ${n} elements` },
  );
  return z.union([z.array(element).length(n), typed]);
}

function buildUncached(schema: Schema): z.ZodType {
  if (isScalarKind(schema.kind)) return scalar(schema.kind);
  switch (schema.kind) {
    case "enum":
      return z.enum(schema.values as unknown as [string, ...string[]]);
    case "string": {
      const s = schema;
      // .max() in UTF-16 units is implied by the byte limit, and cheap to check first.
      return z.string().max(s.maxBytes).refine((v) => scalarProblem(s, v, "") === undefined, {
        message: `Expected at most ${s.maxBytes} UTF-8 bytes, without U+0000 or lone surrogates`,
        abort: true,
      });
    }
    case "vec": {
      const el = build({ kind: schema.element } as Schema);
      const shape: Record<string, z.ZodType> = {};
      for (const k of VEC_KEYS.slice(0, schema.length)) shape[k] = el;
      return z.strictObject(shape);
    }
    case "mat":
      return arrayOf(build(t.f32()), schema.cols * schema.rows);
    case "array":
      return arrayOf(build(schema.element), schema.length);
    case "struct": {
      const shape: Record<string, z.ZodType> = {};
      for (const k of Object.keys(schema.fields)) shape[k] = build(schema.fields[k]);
      return z.strictObject(shape);
    }
    default:
      throw new SchemaError(
        "",
        `unknown schema kind ${JSON.stringify(String((schema as Schema).kind))}`,
      );
  }
}

/**
 * A zod schema that accepts exactly the complete plain values checked mode accepts for
 * `schema` (`alloc(S, init)` with every field given): integers in range for their width, f32
 * values whose rounding is finite (and NaN, ±Infinity), bigints in the i64/u64 range, the enum's
 * literals, strings within their UTF-8 byte capacity without U+0000 or lone surrogates, arrays of
 * the exact length, and objects with exactly the struct's keys.
 *
 * It validates the plain (JSON-like, bigints as bigints) form: arrays must be arrays, whereas
 * `alloc` and `set()` also take typed arrays. The result is cached per schema.
 *
 * @example Validate input before storing it
 * ```ts
 * import { t } from "@arenakit/core";
 * import { toZod } from "@arenakit/core/zod";
 * import assert from "node:assert/strict";
 * const P = t.struct({ hp: t.u8(), name: t.string(4) });
 * const P$ = toZod(P);
 * assert.equal(P$.safeParse({ hp: 255, name: "ab" }).success, true);
 * assert.equal(P$.safeParse({ hp: 256, name: "ab" }).success, false);
 * assert.equal(P$.safeParse({ hp: 1, name: "ééé" }).success, false); // 6 UTF-8 bytes
 * ```
 */
export function toZod<S extends Schema>(schema: S): Validator<Infer<S>> {
  if (!t.isSchema(schema)) {
    throw new SchemaError("", "toZod() needs an arenakit schema (t.f32(), t.struct(...), ...)");
  }
  return build(schema) as unknown as Validator<Infer<S>>;
}
