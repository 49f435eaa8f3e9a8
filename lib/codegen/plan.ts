/**
 * Class plans: a struct layout becomes a plan saying how each field is read and written. Both
 * the emitter (`emit_view.ts`) and its jitless twin (`jitless_view.ts`) follow the same plan, so
 * they accept, reject and store exactly the same values.
 *
 * @module
 */
import { layoutOf } from "../../schemas/layout.ts";
import type {
  EnumSchema,
  LayoutMode,
  Schema,
  StructSchema,
  VecSchema,
} from "../../schemas/types.ts";
import { isScalarKind, KINDS } from "../../schemas/kinds.ts";
import type { BigIntKind, NumberKind } from "../../schemas/types.ts";
import { VEC_KEYS } from "../_text.ts";

/** What a generated class is specialised for. */
export interface ClassKey {
  /** The struct or vector schema. */
  readonly schema: StructSchema | VecSchema;
  /** Layout rules in force. */
  readonly mode: LayoutMode;
  /** Alignment every instance's base offset is known to have, so aligned typed arrays apply. */
  readonly baseAlign: number;
  /** Whether accessors check lifetimes (values and indices are checked either way). */
  readonly checked: boolean;
  /**
   * Checked classes of unshared arenas: lifetimes by trap. Views read through an epoch `Mem`
   * that a cut kills (zero-length arrays), so getters fold a read of `undefined` into the stale
   * path instead of testing a generation, and setters test the epoch's `live` flag.
   */
  readonly trap?: boolean;
  /**
   * The class of a table loop's cursor: it moves only by `$at(o)`, which moves its nested views
   * with it; they are made with the cursor and hold their own offset, so reaching one stores
   * nothing.
   */
  readonly cursor?: boolean;
}

/** How one field is accessed. */
export type Access =
  | { how: "scalar"; arr: string; shift: number }
  | { how: "dataview"; get: string; set: string; little: boolean }
  | { how: "bool" }
  | { how: "enum"; enumIndex: number; arr: string; shift: number; dv: string | undefined }
  | { how: "string"; cap: number }
  | { how: "ref"; arr: string | undefined }
  | { how: "child"; childIndex: number }
  | { how: "typed"; ctor: string; length: number }
  | { how: "arrayview"; childIndex: number | undefined };

/** One field of a plan. */
export interface FieldPlan {
  /** Field (or vector component) name. */
  readonly name: string;
  /** Byte offset inside the struct. */
  readonly offset: number;
  /** The field's schema. */
  readonly schema: Schema;
  /** Index of the schema in the class's field-schema table. */
  readonly fieldIndex: number;
  /** How to read and write it. */
  readonly access: Access;
}

/** Everything needed to build one accessor class, by codegen or by closures. */
export interface ClassPlan {
  /** Class name. */
  readonly name: string;
  /** The key it was planned for. */
  readonly key: ClassKey;
  /** Size, which is also the stride of arrays of it. */
  readonly size: number;
  /** Alignment. */
  readonly align: number;
  /** Fields in declaration order. */
  readonly fields: readonly FieldPlan[];
  /** Classes of nested structs, vectors and struct array elements. */
  readonly children: readonly ClassKey[];
  /** Enum schemas, for literal ↔ index tables. */
  readonly enums: readonly EnumSchema[];
}

/** Whether a kind is a plain number or bigint in a typed array (not `bool` or `ref`). */
export function isNumeric(kind: string): kind is NumberKind | BigIntKind {
  if (!isScalarKind(kind)) return false;
  const js = KINDS[kind].js;
  return js === "number" || js === "bigint";
}

/** Largest power of two dividing both the base guarantee and the offset. */
export function alignAt(base: number, offset: number): number {
  return offset === 0 ? base : Math.min(base, offset & -offset);
}

/** The class name for a key: the struct's name, or `vec3f`-style for vectors. */
export function classNameOf(schema: StructSchema | VecSchema): string {
  return schema.kind === "struct" ? schema.name : `vec${schema.length}${schema.element[0]}`;
}

/** Plans the accessor class for `key`. Pure. */
export function planOf(key: ClassKey): ClassPlan {
  const { schema, mode, baseAlign, checked, trap, cursor } = key;
  const layout = layoutOf(schema, mode);
  const fields: FieldPlan[] = [];
  const children: ClassKey[] = [];
  const enums: EnumSchema[] = [];
  const entries = schema.kind === "struct"
    ? layout.fields.map((f) => ({ name: f.name, offset: f.offset, schema: f.schema }))
    : VEC_KEYS.slice(0, schema.length).map((name, i) => ({
      name,
      offset: 4 * i,
      schema: { kind: schema.element } as Schema,
    }));
  const childMode = layout.mode;
  for (const [fieldIndex, e] of entries.entries()) {
    const at = alignAt(baseAlign, e.offset);
    const s = e.schema;
    let access: Access;
    switch (s.kind) {
      case "struct":
      case "vec": {
        const l = layoutOf(s, childMode);
        const baseAlign = Math.min(at, l.align);
        children.push({ schema: s, mode: l.mode, baseAlign, checked, trap, cursor });
        access = { how: "child", childIndex: children.length - 1 };
        break;
      }
      case "bool":
        access = { how: "bool" };
        break;
      case "enum": {
        enums.push(s);
        const size = s.storage === "u8" ? 1 : 2;
        const aligned = at % size === 0;
        access = {
          how: "enum",
          enumIndex: enums.length - 1,
          arr: s.storage,
          shift: size === 1 ? 0 : 1,
          dv: aligned ? undefined : "Uint16",
        };
        break;
      }
      case "string":
        access = { how: "string", cap: s.maxBytes };
        break;
      case "ref":
        access = { how: "ref", arr: at % 8 === 0 ? "f64" : undefined };
        break;
      case "mat":
        access = at % 4 === 0
          ? { how: "typed", ctor: "Float32Array", length: layoutOf(s, childMode).size / 4 }
          : { how: "arrayview", childIndex: undefined };
        break;
      case "array": {
        const el = s.element;
        if (isNumeric(el.kind) && at % KINDS[el.kind].size === 0) {
          access = { how: "typed", ctor: KINDS[el.kind].typedArray, length: s.length };
        } else if (el.kind === "struct" || el.kind === "vec") {
          const l = layoutOf(el, childMode);
          const stride = layoutOf(s, childMode).size / s.length;
          children.push({
            schema: el,
            mode: l.mode,
            baseAlign: Math.min(alignAt(at, stride), l.align),
            checked,
            trap,
          });
          access = { how: "arrayview", childIndex: children.length - 1 };
        } else {
          access = { how: "arrayview", childIndex: undefined };
        }
        break;
      }
      default: {
        const info = KINDS[s.kind];
        const size = info.size;
        if (at % size === 0) {
          access = { how: "scalar", arr: info.mem, shift: Math.log2(size) };
        } else {
          const dv = info.dataView;
          access = { how: "dataview", get: `get${dv}`, set: `set${dv}`, little: size > 1 };
        }
      }
    }
    fields.push({ name: e.name, offset: e.offset, schema: s, fieldIndex, access });
  }
  return {
    name: classNameOf(schema),
    key,
    size: layout.size,
    align: layout.align,
    fields,
    children,
    enums,
  };
}

/** Access kinds that read and write one scalar (the rest are nested views or arrays). */
export const SCALAR_HOW: ReadonlySet<string> = new Set([
  "scalar",
  "dataview",
  "bool",
  "enum",
  "string",
  "ref",
]);
