/**
 * Struct-of-arrays plans, for `Table` with `layout: "soa"`: a struct schema becomes one
 * typed-array column per leaf field and one accessor class per struct or vector node. The
 * emitter (`emit_soa.ts`) and its jitless twin (`jitless_soa.ts`) follow the same plan.
 *
 * @module
 */
import type { EnumSchema, Schema, StructSchema, VecSchema } from "../../schemas/types.ts";
import type { ArenaLike, ArenaState, Placement } from "./runtime.ts";
import { SchemaError } from "../errors.ts";
import { KINDS, type ScalarKind } from "../../schemas/kinds.ts";
import { isNumeric } from "./plan.ts";
import { join, VEC_KEYS } from "../_text.ts";

/** One typed array of a SoA table: a leaf field's values, `width` elements per record. */
export interface SoaColumn {
  /** Position in the plan; the column is member `c<index>` of the table's {@linkcode SoaMem}. */
  readonly index: number;
  /** Dotted field path (`"pos.x"`). */
  readonly path: string;
  /** Typed array constructor name (`"Float32Array"`). */
  readonly ctor: string;
  /** Elements per record: 1 for scalars, the length for arrays and strings. */
  readonly width: number;
  /** Whether elements are bigints (zeroed with `0n`). */
  readonly bigint: boolean;
  /** The leaf field's schema. */
  readonly schema: Schema;
}

/** How one field of a SoA node is read and written. */
export type SoaAccess =
  | { how: "number"; col: number }
  | { how: "bool"; col: number }
  | { how: "enum"; col: number; enumIndex: number }
  | { how: "string"; col: number; cap: number }
  | { how: "ref"; col: number }
  | { how: "typed"; col: number; length: number }
  | { how: "child"; node: number };

/**
 * One field of a SoA node. `name` and `schema` are what `$h.setSlow` reads (through
 * `view.constructor.plan.fields[fieldIndex]`), as for the array-of-structs classes.
 */
export interface SoaFieldPlan {
  /** Field (or vector component) name. */
  readonly name: string;
  /** The field's schema. */
  readonly schema: Schema;
  /** Index in `SoaPlan.fields` (and of the schema in `$d.F`), unique across nodes. */
  readonly fieldIndex: number;
  /** How to read and write it. */
  readonly access: SoaAccess;
}

/** One accessor class: the root struct, or a nested struct or vector. */
export interface SoaNodePlan {
  /** Index in `SoaPlan.nodes` (0 is the root). */
  readonly index: number;
  /** Class name (`Particle`, `Particle_pos`). */
  readonly name: string;
  /** Dotted path from the root ("" for the root). */
  readonly path: string;
  /** The struct or vector schema. */
  readonly schema: StructSchema | VecSchema;
  /** Fields in declaration order. */
  readonly fields: readonly SoaFieldPlan[];
}

/** Everything needed to build the SoA accessor classes of one struct schema. */
export interface SoaPlan {
  /** Root class name. */
  readonly name: string;
  /** The root schema. */
  readonly schema: StructSchema;
  /** Whether accessors check lifetimes (values and indices are checked either way). */
  readonly checked: boolean;
  /** Columns, in field declaration order (depth first). */
  readonly columns: readonly SoaColumn[];
  /** Classes; `nodes[0]` is the root. */
  readonly nodes: readonly SoaNodePlan[];
  /** Every node's fields, indexed by `SoaFieldPlan.fieldIndex`. */
  readonly fields: readonly SoaFieldPlan[];
  /** Enum schemas, for literal ↔ index tables. */
  readonly enums: readonly EnumSchema[];
}

/**
 * The columns of a SoA table as one object (`c0`, `c1`, … in plan order). `start` is 0, so a
 * view's table address (`$m.start + $o`) is its slot.
 */
export interface SoaMem {
  /** Always 0. */
  readonly start: number;
  /** False once the record it was copied for is freed (its columns then throw). */
  readonly live: boolean;
  /** Column `c<i>`. */
  readonly [column: string]: ArrayBufferView | number | boolean;
}

// The column type of a number or bigint kind; undefined for kinds with no column of their own.
const typedArrayOf = (kind: string): string | undefined =>
  isNumeric(kind) ? KINDS[kind].typedArray : undefined;

/** Plans the SoA classes of `schema`. Pure. Throws {@linkcode SchemaError} for fields with no column form. */
export function planSoa(schema: StructSchema, checked: boolean): SoaPlan {
  const columns: SoaColumn[] = [];
  const nodes: SoaNodePlan[] = [];
  const allFields: SoaFieldPlan[] = [];
  const enums: EnumSchema[] = [];
  const column = (path: string, ctor: string, width: number, s: Schema): number => {
    const bigint = ctor.startsWith("Big");
    columns.push({ index: columns.length, path, ctor, width, bigint, schema: s });
    return columns.length - 1;
  };
  const visit = (node: StructSchema | VecSchema, path: string): number => {
    const index = nodes.length;
    const fields: SoaFieldPlan[] = [];
    const name = path === "" ? schema.name : `${schema.name}_${path.replaceAll(".", "_")}`;
    nodes.push({ index, name, path, schema: node, fields });
    const entries = node.kind === "struct"
      ? Object.keys(node.fields).map((k) => [k, node.fields[k]] as const)
      : VEC_KEYS.slice(0, node.length).map((k) => [k, { kind: node.element } as Schema] as const);
    for (const [fieldName, s] of entries) {
      const p = join(path, fieldName);
      // Children are visited before the field is recorded: reserve its index first.
      const fieldIndex = allFields.length;
      allFields.push(undefined as never);
      let access: SoaAccess;
      switch (s.kind) {
        case "struct":
        case "vec":
          access = { how: "child", node: visit(s, p) };
          break;
        case "bool":
          access = { how: "bool", col: column(p, "Uint8Array", 1, s) };
          break;
        case "enum":
          enums.push(s);
          access = {
            how: "enum",
            col: column(p, KINDS[(s as EnumSchema).storage].typedArray, 1, s),
            enumIndex: enums.length - 1,
          };
          break;
        case "string":
          access = { how: "string", col: column(p, "Uint8Array", s.maxBytes, s), cap: s.maxBytes };
          break;
        case "ref":
          access = { how: "ref", col: column(p, "Float64Array", 1, s) };
          break;
        case "mat": {
          const n = s.cols * s.rows;
          access = { how: "typed", col: column(p, "Float32Array", n, s), length: n };
          break;
        }
        case "array": {
          const ctor = typedArrayOf(s.element.kind);
          if (ctor === undefined) {
            throw new SchemaError(
              p,
              `an array of ${s.element.kind} has no column form in a SoA table: ` +
                `use arrays of numbers, or layout "aos"`,
            );
          }
          access = { how: "typed", col: column(p, ctor, s.length, s), length: s.length };
          break;
        }
        default:
          access = { how: "number", col: column(p, KINDS[s.kind as ScalarKind].typedArray, 1, s) };
      }
      const f: SoaFieldPlan = { name: fieldName, schema: s, fieldIndex, access };
      fields.push(f);
      allFields[fieldIndex] = f;
    }
    return index;
  };
  visit(schema, "");
  return {
    name: schema.name,
    schema,
    checked,
    columns,
    nodes,
    fields: allFields,
    enums,
  };
}

/** Index expression of a column element: `o`, or `o * width` for wide columns. */

/** Runtime helpers the SoA classes receive as `$d.X` (wide columns). */
export const soaHelpers: {
  /** Copies `n` elements of a checked array-like into `col` from index `at`. */
  put(col: { [i: number]: unknown }, at: number, x: ArrayLike<unknown>, n: number): void;
  /** The `n` elements of `col` from index `at`, as a plain array. */
  list(col: ArrayLike<unknown>, at: number, n: number): unknown[];
} = {
  put(col, at, x, n) {
    for (let i = 0; i < n; i++) col[at + i] = x[i];
  },
  list(col, at, n) {
    const out: unknown[] = [];
    for (let i = 0; i < n; i++) out.push(col[at + i]);
    return out;
  },
};

/** A generated SoA accessor class (the root node's). */
export interface SoaViewClass {
  /** Builds a view of the record at slot `o` of columns `m`, taken in generation `g`. */
  new (a: ArenaLike, m: SoaMem, o: number, g: number, p: string): SoaViewInternals;
  /** The emitted source (also kept for jitless classes, to read and diff). */
  readonly source: string;
  /** The plan both builders followed. */
  readonly plan: SoaPlan;
  /**
   * Reads a plain value (or a view) once, checks it and writes its defined fields at slot `o`;
   * throws before writing anything when a field is bad. With a placement and -1, asks it for the
   * slot only after reading; returns the slot written (-1: the placement had none).
   */
  $w(m: SoaMem | Placement, o: number, v: unknown, p: string): number;
  /** Reads and checks a plain value once into a staged copy (the first half of `$w`). */
  $in(v: unknown, p: string): unknown;
  /** Writes a staged copy at (m, o); cannot throw (the second half of `$w`). */
  $wr(m: SoaMem, o: number, s: unknown): void;
  /** Reads the record at slot `o` as a plain value. */
  $r(m: SoaMem, o: number): unknown;
  /** Zeroes every column of slot `o`. */
  $z(m: SoaMem, o: number): void;
}

/** The fields every SoA view has (all `$`-prefixed, so no field name can clash). */
export interface SoaViewInternals {
  /** The table's lifetime adapter. */
  $a: ArenaLike;
  /** `$a.state`. */
  $s: ArenaState;
  /** The columns. */
  $m: SoaMem;
  /** The slot. */
  $o: number;
  /** Generation the view was last known live in. */
  $g: number;
  /** Path from the root, for errors. */
  $p: string;
}
