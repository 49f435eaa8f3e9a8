/**
 * The pure half of struct-of-arrays codegen, for `Table` with `layout: "soa"`: a struct schema
 * becomes a plan (one typed-array column per leaf field, one accessor class per struct or vector
 * node) and the plan becomes the source text of those classes. Getters read `column[index]`,
 * where `index` is the record's slot. Nothing here evaluates code; `soaViewClass` in
 * `compile.ts` turns the source into classes, or follows the same plan with closures.
 *
 * @module
 */
import type { EnumSchema, Schema, StructSchema, VecSchema } from "../../schemas/types.ts";
import type { ArenaLike, ArenaState } from "./runtime.ts";
import { badCheck, checkMethods, quickBad } from "./emit_view.ts";
import { SchemaError } from "../errors.ts";
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
  /** Column `c<i>`. */
  readonly [column: string]: ArrayBufferView | number;
}

const TYPED_CTOR: Readonly<Record<string, string>> = {
  i8: "Int8Array",
  u8: "Uint8Array",
  i16: "Int16Array",
  u16: "Uint16Array",
  i32: "Int32Array",
  u32: "Uint32Array",
  f32: "Float32Array",
  f64: "Float64Array",
  i64: "BigInt64Array",
  u64: "BigUint64Array",
};

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
            col: column(p, TYPED_CTOR[s.storage], 1, s),
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
          const ctor = TYPED_CTOR[s.element.kind];
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
          access = { how: "number", col: column(p, TYPED_CTOR[s.kind], 1, s) };
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
function at(o: string, width: number): string {
  return width === 1 ? o : `${o} * ${width}`;
}

/** The comment after a getter: the column it reads, or the class of a nested view. */
function noteOf(plan: SoaPlan, f: SoaFieldPlan): string {
  const a = f.access;
  return a.how === "child" ? `// ${plan.nodes[a.node].name}` : `// c${a.col}`;
}

/** Source of the expression reading scalar field `f` of the record at slot `o` of columns `m`. */
function readExpr(f: SoaFieldPlan, m: string, o: string): string {
  const a = f.access;
  switch (a.how) {
    case "number":
      return `${m}.c${a.col}[${o}]`;
    case "bool":
      return `${m}.c${a.col}[${o}] !== 0`;
    case "enum":
      return `$d.E[${a.enumIndex}][${m}.c${a.col}[${o}]]`;
    case "string":
      return `$h.readString(${m}.c${a.col}, ${at(o, a.cap)}, ${a.cap})`;
    case "ref":
      return `${m}.c${a.col}[${o}]`;
    case "typed":
      return `$d.X.list(${m}.c${a.col}, ${at(o, a.length)}, ${a.length})`;
    case "child":
      return `$N${a.node}.$r(${m}, ${o})`;
  }
}

/** Source of the test that is true when `x` (defined) is not a valid value of field `f`. */
function verdictBad(f: SoaFieldPlan): string {
  const a = f.access;
  switch (a.how) {
    case "child":
      return `!$N${a.node}.$v(x)`;
    case "enum":
      return `$d.M[${a.enumIndex}].get(x) === undefined`;
    case "string":
      return `!$h.scalarFits($d.F[${f.fieldIndex}], x)`;
    case "typed":
      return `!$h.isValid($d.F[${f.fieldIndex}], x, true)`;
    default:
      return badCheck(f.schema.kind, "x")!;
  }
}

/** Source of the statement writing `x` (already checked) into field `f`. */
function writeStmt(f: SoaFieldPlan, m: string, o: string, x: string, path: string): string {
  const a = f.access;
  switch (a.how) {
    case "number":
      return `${m}.c${a.col}[${o}] = ${x};`;
    case "bool":
      return `${m}.c${a.col}[${o}] = ${x} ? 1 : 0;`;
    case "enum":
      return `${m}.c${a.col}[${o}] = $h.enumIndexOf($d.F[${f.fieldIndex}], $d.M[${a.enumIndex}], ` +
        `${x}, ${path});`;
    case "string":
      return `$h.writeStringChecked($d.F[${f.fieldIndex}], ${m}.c${a.col}, ${at(o, a.cap)}, ` +
        `${x}, ${path});`;
    case "ref":
      return `${m}.c${a.col}[${o}] = ${x} === null ? 0 : ${x};`;
    case "typed":
      return `$d.X.put(${m}.c${a.col}, ${at(o, a.length)}, ${x}, ${a.length});`;
    case "child":
      return `$N${a.node}.$w(${m}, ${o}, ${x}, ${path});`;
  }
}

/**
 * Emits the source of the SoA classes planned by `plan`: the body of a function of `$h` (shared
 * helpers) and `$d` (the plan `P`, field schemas `F`, node schemas `S`, enum tables `E`/`M`, SoA
 * helpers `X`) that returns the root class. Field names only appear through `JSON.stringify`.
 */
export function emitSoa(plan: SoaPlan): string {
  const { checked } = plan;
  const L: string[] = [];
  const live = (field: string) =>
    checked ? [`    if (this.$g !== this.$s.g) $h.stale(this, ${JSON.stringify(field)});`] : [];
  L.push(
    `// ${plan.name} (struct of arrays, ${plan.columns.length} columns, ` +
      `${checked ? "checked" : "unchecked"}) — generated by arenakit`,
  );
  for (const c of plan.columns) {
    L.push(`// c${c.index}: ${c.path} ${c.ctor}${c.width === 1 ? "" : ` × ${c.width}`}`);
  }
  L.push(`"use strict";`);
  // Children first, so each class only names classes already defined.
  for (let k = plan.nodes.length - 1; k >= 0; k--) {
    const node = plan.nodes[k];
    const self = `$N${k}`;
    const checkKinds = new Set<string>();
    L.push(`const ${self} = class ${node.name} {`);
    // Every node class carries the whole plan: $h.setSlow finds a field by fieldIndex there.
    L.push(`  static plan = $d.P;`);
    L.push(`  constructor(a, m, o, g, p) {`);
    L.push(`    this.$a = a;`);
    L.push(`    this.$s = a.state;`);
    L.push(`    this.$m = m;`);
    L.push(`    this.$o = o;`);
    L.push(`    this.$g = g;`);
    L.push(`    this.$p = p;`);
    for (const f of node.fields) {
      if (f.access.how === "child") L.push(`    this.$c${f.fieldIndex} = undefined;`);
      if (f.access.how === "typed") {
        L.push(`    this.$c${f.fieldIndex} = undefined;`);
        L.push(`    this.$t${f.fieldIndex} = -1;`);
      }
    }
    L.push(`  }`);
    for (const f of node.fields) {
      const name = JSON.stringify(f.name);
      const a = f.access;
      const path = `$h.join(this.$p, ${name})`;
      const note = noteOf(plan, f);
      const wide = a.how === "child" || a.how === "typed";
      // As in the array-of-structs classes, checked scalar accessors read the slot through
      // this.$c(i), and setters through this.$k<kind>(i, v): one quick test each, the rest out of
      // line, so every accessor stays small enough for V8 to inline into the caller's loop.
      const slot = checked ? `this.$c(${f.fieldIndex})` : "this.$o";
      L.push(`  get ${name}() {`, ...(wide ? live(f.name) : []));
      if (a.how === "child") {
        L.push(`    let c = this.$c${f.fieldIndex};`);
        L.push(
          `    if (c === undefined) c = this.$c${f.fieldIndex} = ` +
            `new $N${a.node}(this.$a, this.$m, this.$o, this.$g, ${path});`,
        );
        L.push(`    c.$o = this.$o; ${note}`);
        L.push(`    c.$g = this.$g;`);
        L.push(`    return c;`);
      } else if (a.how === "typed") {
        L.push(`    let c = this.$c${f.fieldIndex};`);
        L.push(`    if (c === undefined || this.$t${f.fieldIndex} !== this.$o) {`);
        L.push(`      const i = ${at("this.$o", a.length)};`);
        L.push(
          `      c = this.$c${f.fieldIndex} = this.$m.c${a.col}.subarray(i, i + ${a.length}); ${note}`,
        );
        L.push(`      this.$t${f.fieldIndex} = this.$o;`);
        L.push(`    }`);
        L.push(`    return c;`);
      } else if (a.how === "ref") {
        L.push(
          `    return $h.deref(this, $d.F[${f.fieldIndex}], this.$m.c${a.col}[${slot}]); ${note}`,
        );
      } else {
        L.push(`    return ${readExpr(f, "this.$m", slot)}; ${note}`);
      }
      L.push(`  }`);
      L.push(`  set ${name}(v) {`, ...(wide ? live(f.name) : []));
      // Values are checked in both modes: checked: false only drops the lifetime checks.
      const quick = !wide ? quickBad(f.schema.kind) : undefined;
      if (quick) checkKinds.add(f.schema.kind);
      if (a.how === "child") {
        L.push(
          `    if (!$N${a.node}.$v(v)) $h.validate($d.F[${f.fieldIndex}], v, ${path}, true);`,
        );
      } else if (a.how === "typed") {
        L.push(`    $h.check($d.F[${f.fieldIndex}], v, ${path}, true);`);
      }
      const wslot = quick ? `this.$k${f.schema.kind}(${f.fieldIndex}, v)` : wide ? "this.$o" : slot;
      L.push(`    ${writeStmt(f, "this.$m", wslot, "v", path)}`);
      L.push(`  }`);
    }
    L.push(...checkMethods(checkKinds, checked));
    // Static writer and reader work on (columns, slot), so create() and toObject() make no views.
    L.push(`  static $w(m, o, v, p) {`);
    L.push(`    let x;`);
    for (const f of node.fields) {
      const name = JSON.stringify(f.name);
      L.push(`    x = v[${name}];`);
      L.push(`    if (x !== undefined) ${writeStmt(f, "m", "o", "x", `$h.join(p, ${name})`)}`);
    }
    L.push(`  }`);
    // Allocation-free verdict on a partial plain value, as in the array-of-structs classes:
    // create() and set() only run the path-building validator to explain a "false".
    L.push(`  static $v(v) {`);
    L.push(`    if (typeof v !== "object" || v === null) return false;`);
    L.push(`    let n = 0;`);
    L.push(`    let x;`);
    for (const f of node.fields) {
      L.push(`    x = v[${JSON.stringify(f.name)}];`);
      L.push(`    if (x !== undefined) {`);
      L.push(`      if (${verdictBad(f)}) return false;`);
      L.push(`      n++;`);
      L.push(`    }`);
    }
    L.push(`    for (const _ in v) n--;`);
    L.push(`    return n === 0;`);
    L.push(`  }`);
    L.push(`  static $r(m, o) {`);
    L.push(`    return {`);
    for (const f of node.fields) {
      const expr = f.access.how === "ref"
        ? `$h.refValue(${readExpr(f, "m", "o")})`
        : readExpr(f, "m", "o");
      L.push(`      ${JSON.stringify(f.name)}: ${expr},`);
    }
    L.push(`    };`);
    L.push(`  }`);
    if (k === 0) {
      L.push(`  static $z(m, o) {`);
      for (const c of plan.columns) {
        const zero = c.bigint ? "0n" : "0";
        L.push(
          c.width === 1
            ? `    m.c${c.index}[o] = ${zero};`
            : `    m.c${c.index}.fill(${zero}, o * ${c.width}, o * ${c.width} + ${c.width});`,
        );
      }
      L.push(`  }`);
    }
    L.push(`  set(v) {`, ...live("set"));
    L.push(`    if (!${self}.$v(v)) $h.validate($d.S[${k}], v, this.$p, true);`);
    L.push(`    ${self}.$w(this.$m, this.$o, v, this.$p);`);
    L.push(`    return this;`);
    L.push(`  }`);
    L.push(`  toObject() {`, ...live("toObject"));
    L.push(`    return ${self}.$r(this.$m, this.$o);`);
    L.push(`  }`);
    L.push(`  toJSON() {`);
    // Same JSON form as the array-of-structs classes: exact for bigints, NaN, ±Infinity and -0.
    L.push(`    return $h.jsonOf($d.S[${k}], this.toObject());`);
    L.push(`  }`);
    L.push(`};`);
  }
  L.push(`return $N0;`);
  L.push(`//# sourceURL=arenakit:///${plan.name}.soa.${checked ? "checked" : "unchecked"}.js`);
  return L.join("\n");
}

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
  /** Writes the defined fields of a checked plain value at slot `o`. */
  $w(m: SoaMem, o: number, v: unknown, p: string): void;
  /** Whether a partial plain value would pass validation (no allocation, no error). */
  $v(v: unknown): boolean;
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
