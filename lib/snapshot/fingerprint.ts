/**
 * Layout fingerprints: a canonical text of a schema's layout and its hash, so a snapshot taken
 * with one layout is never restored into another.
 *
 * @module
 */
import { layoutOf } from "../../schemas/layout.ts";
import type { LayoutMode, Schema, StructSchema } from "../../schemas/types.ts";
import { fnv1a32 } from "./checksum.ts";

function canonical(schema: Schema, mode: LayoutMode): string {
  switch (schema.kind) {
    case "struct": {
      const l = layoutOf(schema, schema.layout ?? mode);
      const fields = l.fields.map((f) =>
        `${f.name}@${f.offset}:${f.size}/${f.align}${
          f.stride === undefined ? "" : `*${f.stride}`
        }=${canonical(f.schema, l.mode)}`
      );
      return `struct ${l.name} ${l.mode} ${l.size}/${l.align}{${fields.join(",")}}`;
    }
    case "enum":
      return `enum:${schema.storage}${JSON.stringify(schema.values)}`;
    case "string":
      return `string(${schema.maxBytes})`;
    case "array":
      return `array(${canonical(schema.element, mode)},${schema.length})`;
    case "vec":
      return `vec${schema.length}${schema.element}`;
    case "mat":
      return `mat${schema.cols}x${schema.rows}f`;
    case "ref":
      // The target's name only: refs may form cycles, and the id stored is 8 bytes either way.
      return `ref(${schema.target().name})`;
    default:
      return schema.kind;
  }
}

/**
 * The canonical text a fingerprint hashes: struct names, layout modes, sizes, alignments, field
 * names, offsets, kinds, enum literals, string capacities and array lengths, recursively.
 *
 * @example What a small struct looks like
 * ```ts
 * import { canonicalLayout, t } from "@arenakit/core";
 * import assert from "node:assert/strict";
 * assert.equal(
 *   canonicalLayout(t.struct({ hp: t.u8() }, { name: "P" })),
 *   "struct P c 1/1{hp@0:1/1=u8}",
 * );
 * ```
 */
export function canonicalLayout(schema: Schema, mode?: LayoutMode): string {
  return canonical(schema, mode ?? "c");
}

const fingerprints = new WeakMap<Schema, number>();

/**
 * The layout fingerprint of one schema: FNV-1a 32 of {@linkcode canonicalLayout}. Two schemas
 * with the same fingerprint store their values in the same bytes, so a snapshot taken with one
 * can be restored with the other.
 *
 * @example Equal layouts, equal fingerprints
 * ```ts
 * import { layoutFingerprint, t } from "@arenakit/core";
 * import assert from "node:assert/strict";
 * const a = t.struct({ x: t.f32() }, { name: "P" });
 * const b = t.struct({ x: t.f32() }, { name: "P" });
 * assert.equal(layoutFingerprint(a) === layoutFingerprint(b), true);
 * ```
 */
export function layoutFingerprint(schema: Schema): number {
  let h = fingerprints.get(schema);
  if (h === undefined) {
    h = fnv1a32(canonical(schema, "c"));
    fingerprints.set(schema, h);
  }
  return h;
}

/**
 * The fingerprint of a set of layouts, independent of order and repetition: FNV-1a 32 over the
 * sorted fingerprints of the members.
 *
 * @example Order does not matter
 * ```ts
 * import { layoutSetFingerprint } from "./fingerprint.ts";
 * import assert from "node:assert/strict";
 * assert.equal(layoutSetFingerprint([1, 2]) === layoutSetFingerprint([2, 1, 2]), true);
 * ```
 */
export function layoutSetFingerprint(fingerprints: Iterable<number>): number {
  const sorted = [...new Set(fingerprints)].sort((x, y) => x - y);
  return fnv1a32(sorted.map((h) => h.toString(16).padStart(8, "0")).join(","));
}

/**
 * The distinct layout fingerprints of `schemas`, sorted (what an arena snapshot lists).
 *
 * @example Two schemas with one layout count once
 * ```ts
 * import { fingerprintsOf } from "./fingerprint.ts";
 * import { t } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * const a = t.struct({ x: t.f32() }, { name: "P" });
 * assert.equal(fingerprintsOf([a, t.struct({ x: t.f32() }, { name: "P" })]).length, 1);
 * ```
 */
export function fingerprintsOf(schemas: Iterable<StructSchema>): number[] {
  const out = new Set<number>();
  for (const s of schemas) out.add(layoutFingerprint(s));
  return [...out].sort((x, y) => x - y);
}
