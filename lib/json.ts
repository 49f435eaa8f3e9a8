/**
 * The exact JSON form of plain values: floats that JSON cannot hold (`NaN`, `-0`, `±Infinity`)
 * become strings, 64-bit integers become decimal strings, and `fromJSON` refuses anything that is
 * not what `jsonOf` writes.
 *
 * @module
 */
import type { Infer, Schema } from "../schemas/types.ts";
import { validate } from "./values/check.ts";
import { FieldTypeError } from "./errors.ts";
import { VEC_KEYS } from "./_text.ts";

function floatJSON(v: number): number | string {
  if (Number.isFinite(v)) return Object.is(v, -0) ? "-0" : v;
  return String(v);
}

/**
 * The exact JSON form of a plain value of `schema`: what `JSON.stringify` can carry without
 * loss. 64-bit integers become decimal strings; float fields that JSON cannot spell become the
 * strings `"NaN"`, `"Infinity"`, `"-Infinity"` and `"-0"`; everything else is unchanged (an f32
 * widened to a double prints back to the same f32).
 *
 * @example Encode a record
 * ```ts
 * import { jsonOf, t } from "@arenakit/core";
 * import assert from "node:assert/strict";
 * const S = t.struct({ id: t.u64(), v: t.f32() });
 * assert.deepEqual(jsonOf(S, { id: 2n ** 60n, v: -0 }), { id: "1152921504606846976", v: "-0" });
 * ```
 */
export function jsonOf(schema: Schema, value: unknown): unknown {
  switch (schema.kind) {
    case "i64":
    case "u64":
      return typeof value === "bigint" ? value.toString() : value;
    case "f32":
    case "f64":
      return typeof value === "number" ? floatJSON(value) : value;
    case "struct": {
      const out: Record<string, unknown> = {};
      const v = value as Record<string, unknown>;
      for (const k of Object.keys(schema.fields)) out[k] = jsonOf(schema.fields[k], v[k]);
      return out;
    }
    case "vec": {
      const out: Record<string, unknown> = {};
      const v = value as Record<string, unknown>;
      const elem = { kind: schema.element } as Schema;
      for (let i = 0; i < schema.length; i++) out[VEC_KEYS[i]] = jsonOf(elem, v[VEC_KEYS[i]]);
      return out;
    }
    case "mat":
      return Array.from(value as ArrayLike<number>, floatJSON);
    case "array":
      return Array.from(value as ArrayLike<unknown>, (x) => jsonOf(schema.element, x));
    default:
      return value;
  }
}

const INTEGER = /^-?(0|[1-9][0-9]*)$/;
const FLOAT_WORDS: Readonly<Record<string, number>> = {
  "NaN": NaN,
  "Infinity": Infinity,
  "-Infinity": -Infinity,
  "-0": -0,
};

function decode(schema: Schema, json: unknown, path: string): unknown {
  switch (schema.kind) {
    case "i64":
    case "u64":
      if (typeof json === "string" && INTEGER.test(json)) return BigInt(json);
      if (typeof json === "number" && Number.isSafeInteger(json)) return BigInt(json);
      if (typeof json === "bigint") return json;
      throw new FieldTypeError(path, json, "a decimal integer string (64-bit integers in JSON)");
    case "f32":
    case "f64":
      if (typeof json === "string" && Object.hasOwn(FLOAT_WORDS, json)) return FLOAT_WORDS[json];
      return json;
    case "struct": {
      if (typeof json !== "object" || json === null || Array.isArray(json)) return json;
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(json)) {
        const x = (json as Record<string, unknown>)[k];
        const at = path === "" ? k : `${path}.${k}`;
        // Refused here, not only by validate(): `out[k] = x` with k "__proto__" would set the
        // prototype, and runtimes differ on what validate() then sees.
        if (!Object.hasOwn(schema.fields, k)) {
          throw new FieldTypeError(
            at,
            x,
            `no such field: ${schema.name} has ${Object.keys(schema.fields).join(", ")}`,
          );
        }
        out[k] = decode(schema.fields[k], x, at);
      }
      return out;
    }
    case "vec": {
      if (typeof json !== "object" || json === null || Array.isArray(json)) return json;
      const out: Record<string, unknown> = {};
      const elem = { kind: schema.element } as Schema;
      const keys = VEC_KEYS.slice(0, schema.length) as readonly string[];
      for (const k of Object.keys(json)) {
        const x = (json as Record<string, unknown>)[k];
        if (!keys.includes(k)) {
          throw new FieldTypeError(`${path}.${k}`, x, `no such component: use ${keys.join(", ")}`);
        }
        out[k] = decode(elem, x, `${path}.${k}`);
      }
      return out;
    }
    case "mat":
    case "array": {
      if (!Array.isArray(json)) return json;
      const elem = schema.kind === "mat" ? ({ kind: "f32" } as Schema) : schema.element;
      return json.map((x, i) => decode(elem, x, `${path}[${i}]`));
    }
    default:
      return json;
  }
}

/**
 * Reads the JSON form ({@linkcode jsonOf}, or `view.toJSON()`) back into a plain value of
 * `schema`, validated as a complete value the way checked mode validates `alloc(S, init)`:
 * throws `FieldTypeError` or `FieldRangeError` naming the path of the first bad field.
 *
 * @example Restore a record from JSON text
 * ```ts
 * import { Arena, fromJSON, t } from "@arenakit/core";
 * import assert from "node:assert/strict";
 * const S = t.struct({ id: t.u64(), v: t.f32() });
 * const arena = new Arena({ bytes: 64 });
 * const a = arena.alloc(S, { id: 7n, v: 0.1 });
 * const text = JSON.stringify(a);
 * const b = arena.alloc(S, fromJSON(S, JSON.parse(text)));
 * assert.deepEqual([b.id, b.v === a.v], [7n, true]);
 * ```
 */
export function fromJSON<S extends Schema>(schema: S, json: unknown): Infer<S> {
  return decodeJSON(schema, json, "");
}

/**
 * {@linkcode fromJSON} for a value found at `path` of something larger (errors name the path).
 *
 * @example A record inside an array
 * ```ts
 * import { decodeJSON } from "./json.ts";
 * import { t } from "../mod.ts";
 * import assert from "node:assert/strict";
 * assert.throws(() => decodeJSON(t.struct({ hp: t.u8() }), { hp: 300 }, "[4]"), {
 *   message: 'Cannot write 300 to "[4].hp": expected an integer from 0 to 255',
 * });
 * ```
 */
export function decodeJSON<S extends Schema>(schema: S, json: unknown, path: string): Infer<S> {
  const value = decode(schema, json, path);
  validate(schema, value, path, false);
  return value as Infer<S>;
}
