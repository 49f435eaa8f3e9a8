/**
 * The pure layout compiler: schema + mode → sizes, alignments and offsets. No arena code, no
 * eval. Results are frozen and cached per (schema, mode).
 *
 * @module
 */
import { SchemaError } from "../lib/errors.ts";
import { MAX_SCHEMA_BYTES } from "./t.ts";
import type { LayoutMode, Schema, StructSchema } from "./types.ts";
import {
  type CompoundKind,
  isScalarKind,
  KINDS,
  type ScalarKind,
  WGSL_COMPOUND_INSTEAD,
} from "./kinds.ts";

/** Where one field of a struct sits. */
export interface FieldLayout {
  /** The field name. */
  readonly name: string;
  /** Byte offset from the start of the struct. */
  readonly offset: number;
  /** Bytes the field occupies (a WGSL `vec3f` is 12 even though it aligns to 16). */
  readonly size: number;
  /** Alignment the field needs. */
  readonly align: number;
  /** The field's schema kind (`"f32"`, `"struct"`, `"array"`, …). */
  readonly kind: Schema["kind"];
  /** The field's schema. */
  readonly schema: Schema;
  /** Byte distance between elements, for arrays; between columns, for matrices. */
  readonly stride?: number;
  /** For a nested struct, its own layout; for an array of structs, the element's layout. */
  readonly layout?: Layout;
}

/** The computed layout of a schema: what gcc, or the WGSL spec, gives the equivalent type. */
export interface Layout {
  /** The struct's name (the kind, for non-struct schemas). */
  readonly name: string;
  /** The rules used. */
  readonly mode: LayoutMode;
  /** Total size in bytes, trailing padding included (so arrays of it need no more). */
  readonly size: number;
  /** Alignment in bytes. */
  readonly align: number;
  /** Fields in declaration order (empty for non-struct schemas). */
  readonly fields: readonly FieldLayout[];
  /** The schema laid out. */
  readonly schema: Schema;
}

interface Measure {
  size: number;
  align: number;
  stride?: number;
  layout?: Layout;
}

/** Byte size (and C alignment) of every kind stored as one number (from the kind registry). */
export const SCALAR_SIZE: Readonly<Record<ScalarKind, number>> = Object.freeze(
  Object.fromEntries(Object.entries(KINDS).map(([k, info]) => [k, info.size])) as Record<
    ScalarKind,
    number
  >,
);

// What to tell a WGSL user instead of a type the GPU cannot share with the host.
function wgslInstead(kind: string): string | undefined {
  if (isScalarKind(kind)) {
    const w = KINDS[kind].wgsl;
    return "instead" in w ? w.instead : undefined;
  }
  return WGSL_COMPOUND_INSTEAD[kind as CompoundKind];
}

const roundUp = (k: number, n: number): number => Math.ceil(n / k) * k;

const cache = new WeakMap<Schema, Map<LayoutMode, Layout>>();

function isWgsl(mode: LayoutMode): boolean {
  return mode === "wgsl" || mode === "wgsl-uniform";
}

function measure(schema: Schema, mode: LayoutMode, path: string): Measure {
  const kind = schema.kind;
  const instead = isWgsl(mode) ? wgslInstead(kind) : undefined;
  if (instead !== undefined) {
    throw new SchemaError(
      path,
      `${kind} cannot be laid out for WGSL (not host-shareable), use ${instead}`,
    );
  }
  switch (schema.kind) {
    case "struct": {
      const layout = structLayout(schema, mode, path);
      return { size: layout.size, align: layout.align, layout };
    }
    case "enum": {
      const size = schema.storage === "u8" ? 1 : 2;
      return { size, align: size };
    }
    case "string":
      return { size: schema.maxBytes, align: 1 };
    case "vec": {
      const size = 4 * schema.length;
      if (!isWgsl(mode)) return { size, align: 4 };
      return { size, align: schema.length === 2 ? 8 : 16 };
    }
    case "mat": {
      if (!isWgsl(mode)) {
        return { size: 4 * schema.cols * schema.rows, align: 4, stride: 4 * schema.rows };
      }
      const align = schema.rows === 2 ? 8 : 16;
      const stride = roundUp(align, 4 * schema.rows);
      return { size: schema.cols * stride, align, stride };
    }
    case "array": {
      const e = measure(schema.element, mode, `${path}[]`);
      const stride = isWgsl(mode) ? roundUp(e.align, e.size) : e.size;
      if (mode === "wgsl-uniform" && stride % 16 !== 0) {
        throw new SchemaError(
          path,
          `array stride ${stride} is not a multiple of 16 in the WGSL uniform address space: ` +
            `use vec4 elements, or the "wgsl" (storage) layout`,
        );
      }
      const size = stride * schema.length;
      if (size > MAX_SCHEMA_BYTES) {
        throw new SchemaError(path, `array of ${size} bytes is larger than ${MAX_SCHEMA_BYTES}`);
      }
      return { size, align: e.align, stride, layout: e.layout };
    }
    case "ref":
    case "bool":
    case "i8":
    case "u8":
    case "i16":
    case "u16":
    case "i32":
    case "u32":
    case "f32":
    case "f64":
    case "i64":
    case "u64": {
      const size = SCALAR_SIZE[schema.kind];
      return { size, align: size };
    }
    default:
      throw new SchemaError(
        path,
        `unknown schema kind ${JSON.stringify(String((schema as { kind: unknown }).kind))}`,
      );
  }
}

function structLayout(schema: StructSchema, mode: LayoutMode, path: string): Layout {
  const own = schema.layout ?? mode;
  // Checked before the cache: a struct laid out alone may still be misplaced in this parent.
  if (schema.layout !== undefined && isWgsl(mode) !== isWgsl(schema.layout)) {
    throw new SchemaError(
      path,
      `struct ${schema.name} has layout "${schema.layout}" but sits in a "${mode}" struct: ` +
        `WGSL and C layouts cannot be mixed`,
    );
  }
  let byMode = cache.get(schema);
  const hit = byMode?.get(own);
  if (hit) return hit;
  const fields: FieldLayout[] = [];
  let offset = 0;
  let align = 1;
  let minNext = 0;
  for (const name of Object.keys(schema.fields)) {
    const fieldSchema = schema.fields[name];
    const fieldPath = path === "" ? name : `${path}.${name}`;
    const m = measure(fieldSchema, own, fieldPath);
    let fieldAlign = own === "packed" ? 1 : m.align;
    if (own === "wgsl-uniform" && (m.layout !== undefined || fieldSchema.kind === "array")) {
      fieldAlign = roundUp(16, fieldAlign);
    }
    offset = Math.max(roundUp(fieldAlign, offset), minNext);
    fields.push(Object.freeze({
      name,
      offset,
      size: m.size,
      align: fieldAlign,
      kind: fieldSchema.kind,
      schema: fieldSchema,
      ...(m.stride === undefined ? {} : { stride: m.stride }),
      ...(m.layout === undefined ? {} : { layout: m.layout }),
    }));
    // The uniform address space wants 16 bytes between a struct member and the next one.
    minNext = own === "wgsl-uniform" && m.layout !== undefined ? offset + roundUp(16, m.size) : 0;
    offset += m.size;
    align = Math.max(align, fieldAlign);
  }
  if (own === "wgsl-uniform") align = roundUp(16, align);
  const size = roundUp(align, Math.max(offset, minNext));
  if (size > MAX_SCHEMA_BYTES) {
    throw new SchemaError(path, `struct of ${size} bytes is larger than ${MAX_SCHEMA_BYTES}`);
  }
  const layout: Layout = Object.freeze({
    name: schema.name,
    mode: own,
    size,
    align,
    fields: Object.freeze(fields),
    schema,
  });
  if (!byMode) cache.set(schema, byMode = new Map());
  byMode.set(own, layout);
  return layout;
}

/**
 * Computes where every field of `schema` sits: offsets, sizes and alignment equal to what gcc
 * gives the equivalent C struct on x86-64 (`"c"`), with no padding (`"packed"`), or what the
 * WGSL spec gives the storage (`"wgsl"`) or uniform (`"wgsl-uniform"`) address space. The mode is
 * the struct's own, else `mode`, else `"c"`; nested structs without a mode inherit it.
 *
 * The result is pure, frozen and cached: calling it twice returns the same object. Throws
 * {@linkcode SchemaError} naming the field path when a type cannot be laid out in that mode.
 *
 * @example Offsets of a particle
 * ```ts
 * import { layoutOf, t } from "@arenakit/core";
 * import assert from "node:assert/strict";
 * const P = t.struct({ pos: t.vec3f(), life: t.f32() });
 * const c = layoutOf(P); // struct { float pos[3]; float life; }
 * assert.deepEqual([c.size, c.fields.map((f) => f.offset)], [16, [0, 12]]);
 * const gpu = layoutOf(t.struct({ pos: t.vec3f(), life: t.f32() }, { layout: "wgsl" }));
 * assert.deepEqual([gpu.size, gpu.align], [16, 16]); // life packs into vec3's padding
 * ```
 */
export function layoutOf(schema: Schema, mode?: LayoutMode): Layout {
  // A root struct with its own mode is laid out by it; "c" only for structs without one.
  if (schema.kind === "struct") return structLayout(schema, mode ?? schema.layout ?? "c", "");
  const m = measure(schema, mode ?? "c", "");
  return Object.freeze({
    name: schema.kind,
    mode: mode ?? "c",
    size: m.size,
    align: m.align,
    fields: Object.freeze([]),
    schema,
  });
}
