// Test helper: every leaf (4-byte WGSL scalar, C scalar or byte of a string) of a struct schema,
// with its place in the plain value, its WGSL and C access expressions, and a distinct value per
// leaf and phase, so round trips can tell every leaf from every other.
import type { Schema, StructSchema } from "../../../schemas/types.ts";

/** One leaf: where it is in the plain value and how WGSL and C reach it. */
export interface Leaf {
  /** The scalar kind (`"char"` for one byte of a string). */
  readonly kind: string;
  /** Keys and indices from the plain record to the leaf (a string's byte index last). */
  readonly path: readonly (string | number)[];
  /** WGSL access after the record expression, e.g. `.pos.x` or `.m[1][2]`. */
  readonly wgsl: string;
  /** C access after the record expression, e.g. `.pos[0]`. */
  readonly c: string;
  /** The leaf's schema (the string's, for a char; the enum's, for an enum). */
  readonly schema: Schema;
}

const COMPONENTS = ["x", "y", "z", "w"];

/** The leaves of `schema` in declaration order. */
export function leavesOf(schema: StructSchema): Leaf[] {
  const out: Leaf[] = [];
  const walk = (s: Schema, path: (string | number)[], wgsl: string, c: string): void => {
    switch (s.kind) {
      case "struct":
        for (const name of Object.keys(s.fields)) {
          walk(s.fields[name], [...path, name], `${wgsl}.${name}`, `${c}.${name}`);
        }
        return;
      case "array":
        for (let i = 0; i < s.length; i++) {
          walk(s.element, [...path, i], `${wgsl}[${i}]`, `${c}[${i}]`);
        }
        return;
      case "vec":
        for (let i = 0; i < s.length; i++) {
          out.push({
            kind: s.element,
            path: [...path, COMPONENTS[i]],
            wgsl: `${wgsl}.${COMPONENTS[i]}`,
            c: `${c}[${i}]`,
            schema: s,
          });
        }
        return;
      case "mat":
        for (let col = 0; col < s.cols; col++) {
          for (let row = 0; row < s.rows; row++) {
            out.push({
              kind: "f32",
              path: [...path, col * s.rows + row],
              wgsl: `${wgsl}[${col}][${row}]`,
              c: `${c}[${col}][${row}]`,
              schema: s,
            });
          }
        }
        return;
      case "string":
        for (let i = 0; i < s.maxBytes; i++) {
          out.push({ kind: "char", path: [...path, i], wgsl: "", c: `${c}[${i}]`, schema: s });
        }
        return;
      default:
        out.push({ kind: s.kind, path, wgsl, c, schema: s });
    }
  };
  walk(schema, [], "", "");
  return out;
}

/** A distinct value for leaf `k` in `phase` (0: written by arenakit, 1: by the GPU or C). */
export function leafValue(leaf: Leaf, k: number, phase: number): unknown {
  switch (leaf.kind) {
    case "f32":
      return phase === 0 ? k + 0.25 : -(k * 2 + 0.5);
    case "f64":
      return phase === 0 ? k + 0.125 : -(k * 3 + 0.375);
    case "i32":
      return phase === 0 ? -(k + 1) * 3 : (k + 1) * 5 + 0x4000_0000;
    case "u32":
      return ((k + 1) * 2654435761 + phase * 40503) >>> 0;
    case "i8":
      return ((k * 7 + phase * 3) % 256) - 128;
    case "u8":
      return (k * 11 + phase * 5) % 256;
    case "i16":
      return ((k * 131 + phase * 77) % 65536) - 32768;
    case "u16":
      return (k * 257 + phase * 99) % 65536;
    case "i64":
      return phase === 0 ? -(1n << 40n) - BigInt(k) : (1n << 62n) + BigInt(k);
    case "u64":
      return (1n << 63n) + BigInt(k) * 1000003n + BigInt(phase);
    case "bool":
      return (k + phase) % 2 === 0;
    case "enum": {
      const values = (leaf.schema as { values: readonly string[] }).values;
      return values[(k + phase * 7) % values.length];
    }
    case "ref":
      return k + 1 + phase * 1000;
    case "char": {
      // Phase 0 fills the string, phase 1 leaves its second half zero (a shorter string).
      const cap = (leaf.schema as { maxBytes: number }).maxBytes;
      const i = leaf.path[leaf.path.length - 1] as number;
      return phase === 1 && i >= cap >> 1 ? 0 : 97 + (k + i + phase) % 26;
    }
    default:
      throw new TypeError(`no leaf value for ${leaf.kind}`);
  }
}

/** The plain record holding `leafValue(leaf, k + base, phase)` in every leaf. */
export function recordValue(
  schema: StructSchema,
  leaves: readonly Leaf[],
  base: number,
  phase: number,
): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  const chars = new Map<unknown[], number[]>();
  leaves.forEach((leaf, k) => {
    let node: Record<string | number, unknown> = root;
    let s: Schema = schema;
    const last = leaf.kind === "char" ? leaf.path.length - 2 : leaf.path.length - 1;
    for (let i = 0; i < last; i++) {
      const key = leaf.path[i];
      s = s.kind === "struct" ? s.fields[key as string] : (s as { element: Schema }).element;
      const isList = s.kind === "array" || s.kind === "mat";
      node = (node[key] ??= isList ? [] : {}) as Record<string | number, unknown>;
    }
    const v = leafValue(leaf, k + base, phase);
    if (leaf.kind === "char") {
      const key = leaf.path[last];
      const list = (node[key] ??= []) as number[];
      list.push(v as number);
      chars.set(list, list);
    } else {
      node[leaf.path[last]] = v;
    }
  });
  // Strings were collected as byte lists: make them strings, cut at the first zero.
  const fix = (node: unknown): unknown => {
    if (Array.isArray(node) && chars.has(node)) {
      const n = node.indexOf(0);
      return String.fromCharCode(...(n < 0 ? node : node.slice(0, n)));
    }
    if (Array.isArray(node)) return node.map(fix);
    if (typeof node === "object" && node !== null) {
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, fix(v)]));
    }
    return node;
  };
  return fix(root) as Record<string, unknown>;
}

/** The 32-bit pattern of a WGSL leaf value (f32 bits, or the integer as u32). */
export function bits32(kind: string, value: number): number {
  if (kind === "f32") return new Uint32Array(new Float32Array([value]).buffer)[0];
  return value >>> 0;
}

/** The WGSL literal of a leaf value. */
export function wgslLiteral(kind: string, value: number): string {
  if (kind === "f32") return `${value}f`;
  if (kind === "i32") return `${value}i`;
  return `${value}u`;
}
