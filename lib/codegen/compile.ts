/**
 * The one door to eval: turns a class plan into a class, with `new Function` over the emitted
 * source, or with closures (jitless) where eval is not allowed or not wanted. Both follow the
 * same plan and the same helpers, so they accept, reject and store exactly the same values.
 *
 * @module
 */
import type { EnumSchema, Schema, StructSchema } from "../../schemas/types.ts";
import {
  enumIndex,
  isValid,
  type Mem,
  readScalar,
  readValue,
  scalarProblem,
  writeScalar,
  writeValue,
} from "../values/codec.ts";
import { type ArenaLike, type ArenaState, helpers, type ViewInternals } from "./runtime.ts";
import {
  type ClassKey,
  type ClassPlan,
  emitAccessors,
  type FieldPlan,
  planOf,
  SCALAR_HOW,
} from "./emit_view.ts";
import {
  emitSoa,
  planSoa,
  type SoaFieldPlan,
  soaHelpers,
  type SoaMem,
  type SoaPlan,
  type SoaViewClass,
} from "./emit_soa.ts";
import {
  emitTableLoops,
  ID_SLOTS,
  type LoopCursor,
  type LoopIterator,
  type LoopTable,
  type TableLoops,
} from "./emit_loops.ts";

/** A generated accessor class. */
export interface ViewClass {
  /** Builds a view of the record at byte `o` of `m`, taken in generation `g`. */
  new (a: ArenaLike, m: Mem, o: number, g: number, p: string): ViewInternals;
  /** The emitted source (also kept for jitless classes, to read and diff). */
  readonly source: string;
  /** The plan both builders followed. */
  readonly plan: ClassPlan;
  /** Writes the defined fields of a checked plain value at (m, o). */
  $w(m: Mem, o: number, v: unknown, p: string): void;
  /** Reads the record at (m, o) as a plain value. */
  $r(m: Mem, o: number): unknown;
  /** Whether a partial plain value would pass validation (no allocation, no error). */
  $v(v: unknown): boolean;
  /** Zeroes the record at (m, o). */
  $z(m: Mem, o: number): void;
}

interface Deps {
  S: Schema;
  F: Schema[];
  C: ViewClass[];
  E: (readonly string[])[];
  M: Map<string, number>[];
}

const cache = new WeakMap<Schema, Map<string, ViewClass>>();
let evalWorks: boolean | undefined;

function canEval(): boolean {
  if (evalWorks === undefined) {
    try {
      evalWorks = new Function("return 1")() === 1;
    } catch {
      // A content security policy without 'unsafe-eval' lands here: fall back to closures.
      evalWorks = false;
    }
  }
  return evalWorks;
}

/**
 * Returns the accessor class for `key`, generating it once. `jitless` builds it from closures
 * instead of `new Function` (also chosen automatically when eval is forbidden).
 */
export function viewClass(key: ClassKey, jitless: boolean): ViewClass {
  const useJit = !jitless && canEval();
  const id = `${key.mode}/${key.baseAlign}/${key.checked ? "c" : "u"}/${
    useJit ? "jit" : "jitless"
  }`;
  let byKey = cache.get(key.schema);
  const hit = byKey?.get(id);
  if (hit) return hit;
  const plan = planOf(key);
  const deps: Deps = {
    S: key.schema,
    F: plan.fields.map((f) => f.schema),
    C: plan.children.map((k) => viewClass(k, jitless)),
    E: plan.enums.map((e: EnumSchema) => e.values),
    M: plan.enums.map((e: EnumSchema) => enumIndex(e)),
  };
  const source = emitAccessors(plan);
  const cls = useJit
    ? (new Function("$h", "$d", source)(helpers, deps) as ViewClass)
    : buildJitless(plan, deps);
  Object.defineProperty(cls, "source", { value: source });
  Object.defineProperty(cls, "plan", { value: plan });
  if (!byKey) cache.set(key.schema, byKey = new Map());
  byKey.set(id, cls);
  return cls;
}

type View = ViewInternals & Record<string, unknown>;

/** What the jitless record methods need of a view, in either layout. */
interface RecordView {
  $m: unknown;
  $o: number;
  $p: string;
}

// set / toObject / toJSON of jitless classes, the same for both layouts.
function recordMethods<V extends RecordView>(
  C: { $w(m: never, o: number, v: unknown, p: string): void; $r(m: never, o: number): unknown },
  schema: Schema,
  live: (v: V, field: string) => void,
): Record<string, (this: V, ...args: never[]) => unknown> {
  return {
    set(this: V, v: unknown) {
      live(this, "set");
      helpers.check(schema, v, this.$p, true);
      C.$w(this.$m as never, this.$o, v, this.$p);
      return this;
    },
    toObject(this: V) {
      live(this, "toObject");
      return C.$r(this.$m as never, this.$o);
    },
    toJSON(this: V) {
      live(this, "toJSON");
      return helpers.jsonOf(schema, C.$r(this.$m as never, this.$o));
    },
  };
}

// The jitless twin of emitAccessors: same plan, same helpers, closures instead of source text.
function buildJitless(plan: ClassPlan, d: Deps): ViewClass {
  const { checked, mode } = plan.key;
  const h = helpers;
  const live = (v: View, field: string) => {
    if (checked && v.$g !== v.$s.g) h.stale(v, field);
  };
  const childFields = plan.fields.filter((f) => !SCALAR_HOW.has(f.access.how));
  const C = function (this: View, a: ArenaLike, m: Mem, o: number, g: number, p: string) {
    this.$a = a;
    this.$s = a.state;
    this.$m = m;
    this.$o = o;
    this.$g = g;
    this.$b = o;
    this.$n = 1;
    this.$p = p;
    for (const f of childFields) this[`$c${f.fieldIndex}`] = undefined;
  } as unknown as ViewClass & { prototype: Record<string, unknown> };
  Object.defineProperty(C, "name", { value: plan.name });
  const writeField = (f: FieldPlan, m: Mem, o: number, x: unknown, path: string) => {
    const a = f.access;
    if (a.how === "enum" || a.how === "string") {
      // Checked where they are written, like the generated code: $w trusts the other kinds.
      const p = scalarProblem(f.schema, x, path);
      if (p) throw p;
    }
    if (SCALAR_HOW.has(a.how)) writeScalar(f.schema, m, o, x);
    else if (a.how === "child") d.C[a.childIndex].$w(m, o, x, path);
    else writeValue(f.schema, mode, m, o, x);
  };
  for (const f of plan.fields) {
    const a = f.access;
    const key = `$c${f.fieldIndex}`;
    let get: (this: View) => unknown;
    if (a.how === "ref") {
      get = function () {
        live(this, f.name);
        const id = this.$m.dv.getFloat64(this.$o + f.offset, true);
        return h.deref(this, f.schema as never, id);
      };
    } else if (SCALAR_HOW.has(a.how)) {
      get = function () {
        live(this, f.name);
        return readScalar(f.schema, this.$m, this.$o + f.offset);
      };
    } else if (a.how === "child") {
      get = function () {
        live(this, f.name);
        let c = this[key] as View | undefined;
        if (c === undefined) {
          c = this[key] = new d.C[a.childIndex](
            this.$a,
            this.$m,
            this.$o + f.offset,
            this.$g,
            h.join(this.$p, f.name),
          ) as View;
        }
        c.$o = this.$o + f.offset;
        c.$b = c.$o;
        c.$g = this.$g;
        return c;
      };
    } else if (a.how === "typed") {
      const Ctor =
        (globalThis as unknown as Record<string, new (...x: unknown[]) => ArrayBufferView>)[
          a.ctor
        ];
      get = function () {
        live(this, f.name);
        let c = this[key] as ArrayBufferView | undefined;
        if (c === undefined || c.byteOffset !== this.$o + f.offset) {
          c = this[key] = new Ctor(this.$m.buffer, this.$o + f.offset, a.length);
        }
        return c;
      };
    } else {
      const ci = a.how === "arrayview" ? a.childIndex : undefined;
      const child = ci === undefined ? undefined : d.C[ci];
      get = function () {
        live(this, f.name);
        let c = this[key];
        if (c === undefined) {
          c = this[key] = new h.ArrayView(
            this,
            f.offset,
            f.schema,
            child as never,
            mode,
            h.join(this.$p, f.name),
          );
        }
        return c;
      };
    }
    const set = function (this: View, v: unknown) {
      live(this, f.name);
      const path = h.join(this.$p, f.name);
      if (SCALAR_HOW.has(a.how)) {
        const p = scalarProblem(f.schema, v, path);
        if (p) throw p;
      } else h.check(f.schema, v, path, true);
      writeField(f, this.$m, this.$o + f.offset, v, path);
    };
    Object.defineProperty(C.prototype, f.name, { get, set, configurable: true });
  }
  const statics = {
    $w(m: Mem, o: number, v: unknown, p: string): void {
      for (const f of plan.fields) {
        const x = (v as Record<string, unknown>)[f.name];
        if (x !== undefined) writeField(f, m, o + f.offset, x, h.join(p, f.name));
      }
    },
    $r(m: Mem, o: number): unknown {
      return readValue(d.S, mode, m, o);
    },
    $v(v: unknown): boolean {
      return isValid(d.S, v, true);
    },
    $z(m: Mem, o: number): void {
      m.u8.fill(0, o, o + plan.size);
    },
  };
  Object.assign(C, statics);
  const methods: Record<string, (this: View, ...args: never[]) => unknown> = {
    ...recordMethods(C, d.S, live),
    seek(i: number) {
      if (!((i | 0) === i && i >= 0 && i < this.$n)) h.badIndex(this, i);
      this.$o = this.$b + i * plan.size;
      return this;
    },
    $each(fn: (v: unknown, i: number) => void) {
      const b = this.$b;
      const n = this.$n;
      for (let i = 0; i < n; i++) {
        this.$o = b + i * plan.size;
        fn(this, i);
      }
    },
  };
  for (const [name, fn] of Object.entries(methods)) {
    Object.defineProperty(C.prototype, name, { value: fn, writable: true, configurable: true });
  }
  return C;
}

const soaCache = new WeakMap<Schema, Map<string, SoaViewClass>>();

/**
 * Returns the struct-of-arrays accessor class of `schema` (the one `Table` uses with
 * `layout: "soa"`): getters read `column[slot]`. Generated once per schema and mode; `jitless`
 * builds it from closures that follow the same plan (also chosen when eval is forbidden).
 */
export function soaViewClass(
  schema: StructSchema,
  checked: boolean,
  jitless: boolean,
): SoaViewClass {
  const useJit = !jitless && canEval();
  const id = `${checked ? "c" : "u"}/${useJit ? "jit" : "jitless"}`;
  let byKey = soaCache.get(schema);
  const hit = byKey?.get(id);
  if (hit) return hit;
  const plan = planSoa(schema, checked);
  const deps = {
    P: plan,
    F: plan.fields.map((f) => f.schema),
    S: plan.nodes.map((n) => n.schema),
    E: plan.enums.map((e) => e.values),
    M: plan.enums.map((e) => enumIndex(e)),
    X: soaHelpers,
  };
  const source = emitSoa(plan);
  const cls = useJit
    ? (new Function("$h", "$d", source)(helpers, deps) as SoaViewClass)
    : buildSoaJitless(plan, deps.M);
  Object.defineProperty(cls, "source", { value: source });
  Object.defineProperty(cls, "plan", { value: plan });
  if (!byKey) soaCache.set(schema, byKey = new Map());
  byKey.set(id, cls);
  return cls;
}

type SoaView = {
  $a: ArenaLike;
  $s: ArenaState;
  $m: SoaMem;
  $o: number;
  $g: number;
  $p: string;
} & Record<string, unknown>;
type Column = {
  [i: number]: unknown;
  subarray(a: number, b: number): unknown;
  fill(...a: unknown[]): unknown;
};

// The jitless twin of emitSoa: same plan, same helpers, closures instead of source text.
function buildSoaJitless(plan: SoaPlan, enumMaps: Map<string, number>[]): SoaViewClass {
  const { checked } = plan;
  const h = helpers;
  const live = (v: SoaView, field: string) => {
    if (checked && v.$g !== v.$s.g) h.stale(v as unknown as ViewInternals, field);
  };
  const col = (m: SoaMem, c: number) => m[`c${c}`] as unknown as Column;
  const classes: SoaViewClass[] = [];
  const read = (f: SoaFieldPlan, m: SoaMem, o: number): unknown => {
    const a = f.access;
    switch (a.how) {
      case "number":
        return col(m, a.col)[o];
      case "bool":
        return col(m, a.col)[o] !== 0;
      case "enum":
        return plan.enums[a.enumIndex].values[col(m, a.col)[o] as number];
      case "string":
        return h.readString(col(m, a.col) as unknown as Uint8Array, o * a.cap, a.cap);
      case "ref":
        return h.refValue(col(m, a.col)[o] as number);
      case "typed":
        return soaHelpers.list(
          col(m, a.col) as unknown as ArrayLike<unknown>,
          o * a.length,
          a.length,
        );
      case "child":
        return classes[a.node].$r(m, o);
    }
  };
  const write = (f: SoaFieldPlan, m: SoaMem, o: number, x: unknown, path: string): void => {
    const a = f.access;
    switch (a.how) {
      case "number":
        col(m, a.col)[o] = x;
        return;
      case "bool":
        col(m, a.col)[o] = x ? 1 : 0;
        return;
      case "enum":
        col(m, a.col)[o] = h.enumIndexOf(f.schema, enumMaps[a.enumIndex], x, path);
        return;
      case "string":
        h.writeStringChecked(f.schema, col(m, a.col) as unknown as Uint8Array, o * a.cap, x, path);
        return;
      case "ref":
        col(m, a.col)[o] = x === null ? 0 : x;
        return;
      case "typed":
        soaHelpers.put(col(m, a.col), o * a.length, x as ArrayLike<unknown>, a.length);
        return;
      case "child":
        classes[a.node].$w(m, o, x, path);
    }
  };
  for (let k = plan.nodes.length - 1; k >= 0; k--) {
    const node = plan.nodes[k];
    const wide = node.fields.filter((f) => f.access.how === "child" || f.access.how === "typed");
    const C = function (this: SoaView, a: ArenaLike, m: SoaMem, o: number, g: number, p: string) {
      this.$a = a;
      this.$s = a.state;
      this.$m = m;
      this.$o = o;
      this.$g = g;
      this.$p = p;
      for (const f of wide) {
        this[`$c${f.fieldIndex}`] = undefined;
        if (f.access.how === "typed") this[`$t${f.fieldIndex}`] = -1;
      }
    } as unknown as SoaViewClass & { prototype: Record<string, unknown> };
    Object.defineProperty(C, "name", { value: node.name });
    Object.defineProperty(C, "plan", { value: plan, configurable: true });
    for (const f of node.fields) {
      const a = f.access;
      const key = `$c${f.fieldIndex}`;
      const tkey = `$t${f.fieldIndex}`;
      let get: (this: SoaView) => unknown;
      if (a.how === "child") {
        get = function () {
          live(this, f.name);
          let c = this[key] as SoaView | undefined;
          if (c === undefined) {
            c = this[key] = new classes[a.node](
              this.$a,
              this.$m,
              this.$o,
              this.$g,
              h.join(this.$p, f.name),
            ) as unknown as SoaView;
          }
          c.$o = this.$o;
          c.$g = this.$g;
          return c;
        };
      } else if (a.how === "typed") {
        get = function () {
          live(this, f.name);
          let c = this[key];
          if (c === undefined || this[tkey] !== this.$o) {
            const i = this.$o * a.length;
            c = this[key] = col(this.$m, a.col).subarray(i, i + a.length);
            this[tkey] = this.$o;
          }
          return c;
        };
      } else if (a.how === "ref") {
        get = function () {
          live(this, f.name);
          return h.deref(this as never, f.schema as never, col(this.$m, a.col)[this.$o] as number);
        };
      } else {
        get = function () {
          live(this, f.name);
          return read(f, this.$m, this.$o);
        };
      }
      const set = function (this: SoaView, v: unknown) {
        live(this, f.name);
        const path = h.join(this.$p, f.name);
        if (a.how === "child" || a.how === "typed") h.validate(f.schema, v, path, true);
        else if (a.how !== "enum" && a.how !== "string") {
          const p = h.scalarProblem(f.schema, v, path);
          if (p) throw p;
        }
        write(f, this.$m, this.$o, v, path);
      };
      Object.defineProperty(C.prototype, f.name, { get, set, configurable: true });
    }
    const statics = {
      $w(m: SoaMem, o: number, v: unknown, p: string): void {
        for (const f of node.fields) {
          const x = (v as Record<string, unknown>)[f.name];
          if (x !== undefined) write(f, m, o, x, h.join(p, f.name));
        }
      },
      $r(m: SoaMem, o: number): unknown {
        const out: Record<string, unknown> = {};
        for (const f of node.fields) out[f.name] = read(f, m, o);
        return out;
      },
      $v(v: unknown): boolean {
        return isValid(node.schema, v, true);
      },
      $z(m: SoaMem, o: number): void {
        for (const c of plan.columns) {
          col(m, c.index).fill(c.bigint ? 0n : 0, o * c.width, o * c.width + c.width);
        }
      },
    };
    Object.assign(C, k === 0 ? statics : { $w: statics.$w, $r: statics.$r, $v: statics.$v });
    const methods: Record<string, (this: SoaView, ...args: never[]) => unknown> = {
      ...recordMethods(C, node.schema, live),
    };
    for (const [name, fn] of Object.entries(methods)) {
      Object.defineProperty(C.prototype, name, { value: fn, writable: true, configurable: true });
    }
    classes[k] = C;
  }
  return classes[0];
}

const loopCache = new WeakMap<object, TableLoops>();
let loopSerial = 0;

/**
 * Returns the `forEach`, `where` and `for…of` loops of tables whose records are views of class
 * `C` (its cursors step `stride` units per slot), generating them once per class so that each
 * schema's loops keep their own type feedback. `jitless` builds the closure twin instead.
 */
export function tableLoops(
  C: { readonly name: string },
  stride: number,
  jitless: boolean,
): TableLoops {
  let loops = loopCache.get(C);
  if (loops) return loops;
  loops = !jitless && canEval()
    ? new Function(emitTableLoops(C.name, stride, ++loopSerial))() as TableLoops
    : buildLoopsJitless(stride);
  loopCache.set(C, loops);
  return loops;
}

// The jitless twin of emitTableLoops: the same loops with the stride in a variable.
function buildLoopsJitless(stride: number): TableLoops {
  type Fn = (record: unknown, id: number) => unknown;
  const run = (t: LoopTable, pred: Fn | undefined, fn: Fn): void => {
    const st = t.state;
    const end = t.hw;
    let c = t.takeCursor();
    let gens = t.gens;
    let ep = t.epoch;
    let g = st.g;
    c.$g = g;
    for (let s = 0; s < end; s++) {
      if (st.g !== g) {
        g = st.g;
        if (t.epoch !== ep) {
          ep = t.epoch;
          gens = t.gens;
          c = t.takeCursor();
        }
        c.$g = g;
      }
      const x = gens[s];
      if ((x & 1) === 0) continue;
      c.$o = s * stride;
      if (pred === undefined || pred(c, x * ID_SLOTS + s)) fn(c, x * ID_SLOTS + s);
    }
    t.putCursor(c);
  };
  class Iterator implements LoopIterator {
    t: LoopTable;
    c: LoopCursor;
    gens: Uint32Array;
    ep: number;
    g = 0;
    s = 0;
    e = 0;
    on = false;
    r: { value: unknown; done: boolean } = { value: undefined, done: false };
    constructor(t: LoopTable) {
      this.t = t;
      this.c = t.takeCursor();
      this.gens = t.gens;
      this.ep = t.epoch;
    }
    start(): this {
      if (this.ep !== this.t.epoch) this.renew();
      this.s = 0;
      this.e = this.t.hw;
      this.on = true;
      this.g = this.t.state.g;
      this.c.$g = this.g;
      this.r.done = false;
      return this;
    }
    next(): IteratorResult<unknown> {
      if (this.t.state.g !== this.g) {
        this.g = this.t.state.g;
        if (this.ep !== this.t.epoch) this.renew();
        this.c.$g = this.g;
      }
      for (let s = this.s; s < this.e; s++) {
        if ((this.gens[s] & 1) !== 0) {
          this.s = s + 1;
          this.c.$o = s * stride;
          this.r.value = this.c;
          return this.r as IteratorResult<unknown>;
        }
      }
      this.s = this.e;
      this.r.value = undefined;
      this.r.done = true;
      this.release();
      return this.r as IteratorResult<unknown>;
    }
    renew(): void {
      this.ep = this.t.epoch;
      this.gens = this.t.gens;
      this.c = this.t.takeCursor();
    }
    return(): IteratorResult<unknown> {
      this.s = this.e;
      this.release();
      return { value: undefined, done: true };
    }
    release(): void {
      if (!this.on) return;
      this.on = false;
      this.t.iterators.push(this);
    }
    [Symbol.iterator](): this {
      return this;
    }
  }
  return {
    each: (t, fn) => run(t, undefined, fn),
    filter: (t, pred, fn) => run(t, pred, fn),
    Iterator,
  };
}
