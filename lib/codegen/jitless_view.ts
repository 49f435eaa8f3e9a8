/**
 * The jitless twin of `emit_view.ts`: the same class plan built from closures instead of source
 * text, for hosts that forbid eval (or `jitless: true`). It must accept, reject and store exactly
 * what the generated class does; the differential tests hold it to that.
 *
 * @module
 */
import { type ArenaLike, helpers, type Placement, type ViewInternals } from "./runtime.ts";
import { type ClassPlan, type FieldPlan, SCALAR_HOW } from "./plan.ts";
import { scalarProblem, stage } from "../values/check.ts";
import { type Mem, readScalar, readValue, writeScalar, writeValue } from "../values/codec.ts";
import type { Schema } from "../../schemas/types.ts";
import { isScalarKind, KINDS } from "../../schemas/kinds.ts";
import type { ViewClass } from "./compile.ts";

type View = ViewInternals & Record<string, unknown>;

/** What a generated AoS class receives as `$d`. */
export interface Deps {
  S: Schema;
  F: Schema[];
  C: ViewClass[];
  E: (readonly string[])[];
  M: Map<string, number>[];
  /** The class name (the user's struct name is only ever a string). */
  N: string;
  /** The staging tree of `$w`, made on first use. */
  T: unknown;
}

/** What the jitless record methods need of a view, in either layout. */
interface RecordView {
  $m: unknown;
  $o: number;
  $p: string;
}

/**
 * Where a jitless `$w` writes once it has read the value: address `o`, or, for -1, the one the
 * placement `m` takes only now (see {@linkcode Placement}); -1 when there is none.
 */
export function placedAt(m: unknown, o: number): number {
  return o < 0 ? (m as Placement).$take() : o;
}

/** The memory a jitless `$w` writes: `m`, or the placement's (read after {@linkcode placedAt}). */
export function placedMem<M>(m: M | Placement, o: number): M {
  return (o < 0 ? (m as Placement).$mem : m) as M;
}

/** The `$mem` of a view as its own placement (see `placementMethods` in `checks.ts`). */
export function definePlacementMem(proto: object): void {
  Object.defineProperty(proto, "$mem", {
    get(this: RecordView) {
      return this.$m;
    },
    configurable: true,
  });
}

// set / $take / toObject / toJSON of jitless classes, the same for both layouts.
export function recordMethods<V extends RecordView>(
  C: { $w(m: never, o: number, v: unknown, p: string): number; $r(m: never, o: number): unknown },
  schema: Schema,
  live: (v: V, field: string) => void,
): Record<string, (this: V, ...args: never[]) => unknown> {
  return {
    set(this: V, v: unknown) {
      live(this, "set");
      // The view is where the value goes: $take tests its lifetime again once it is read.
      C.$w(this as never, -1, v, this.$p);
      return this;
    },
    $take(this: V): number {
      live(this, "set");
      return this.$o;
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

// A Mem's typed array by name, indexable by element.
const arrayOf = (m: Mem, name: string): Record<number, unknown> =>
  m[name as keyof Mem] as unknown as Record<number, unknown>;

// The jitless twin of emitAccessors: same plan, same helpers, closures instead of source text.
export function buildJitless(plan: ClassPlan, d: Deps): ViewClass {
  const { checked, mode } = plan.key;
  const h = helpers;
  // A trap class tests its epoch where the generated one folds a read of undefined: the same
  // errors at the same moments, and the same revival when a cut missed the record.
  const live = plan.key.trap === true && checked
    ? (v: View, field: string) => {
      if (v.$m.live !== true) h.revive(v, field);
    }
    : (v: View, field: string) => {
      if (checked && v.$g !== v.$s.g) h.stale(v, field);
    };
  const childFields = plan.fields.filter((f) => !SCALAR_HOW.has(f.access.how));
  const lean = plan.key.trap === true && checked;
  // As generated: $b and $n are a table loop cursor's, or given by a struct array to its cursor.
  const cursor = plan.key.cursor === true;
  const C = function (this: View, a: ArenaLike, m: Mem, o: number, g: number, p: string) {
    this.$a = a;
    if (!lean) this.$s = a.state;
    this.$m = m;
    this.$o = o;
    if (!lean) this.$g = g;
    if (cursor) {
      this.$b = o;
      this.$n = 1;
    }
    this.$p = p;
    for (const f of childFields) this[`$c${f.fieldIndex}`] = undefined;
  } as unknown as ViewClass & { prototype: Record<string, unknown> };
  Object.defineProperty(C, "name", { value: plan.name });
  // One field's setter: scalars are one value, checked then written; compound values are read
  // once into a checked copy (by the child's $w, or by stage) before anything is written.
  const writeField = (f: FieldPlan, m: Mem, o: number, x: unknown, path: string) => {
    const a = f.access;
    if (SCALAR_HOW.has(a.how)) {
      const p = scalarProblem(f.schema, x, path);
      if (p) throw p;
      // Memory that is not live here is a retired cursor's, of no bytes: nothing to write (the
      // generated setters skip it the same way).
      if (m.live) writeScalar(f.schema, m, o, x);
    } else if (a.how === "child") d.C[a.childIndex].$w(m, o, x, path);
    else writeValue(f.schema, mode, m, o, stage(f.schema, x, path, true));
  };
  for (const f of plan.fields) {
    const a = f.access;
    const key = `$c${f.fieldIndex}`;
    const kind = f.schema.kind;
    const fits = isScalarKind(kind) ? KINDS[kind].fits : () => false;
    let get: (this: View) => unknown;
    if (a.how === "ref") {
      get = function () {
        live(this, f.name);
        const id = this.$m.dv.getFloat64(this.$o + f.offset, true);
        return h.deref(this, f.schema as never, id);
      };
    } else if (a.how === "scalar") {
      // The typed array the generated class reads, not the generic DataView path: same bytes.
      const { arr, shift } = a;
      get = function () {
        live(this, f.name);
        return arrayOf(this.$m, arr)[(this.$o + f.offset) >> shift];
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
        if (lean) c.$m = this.$m;
        else c.$g = this.$g;
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
        if (c === undefined || c.byteOffset !== this.$o + f.offset || c.buffer !== this.$m.buffer) {
          c = this[key] = new Ctor(this.$m.buffer, this.$o + f.offset, a.length);
          this.$m.raw = true;
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
    const set = a.how === "scalar" && isScalarKind(f.schema.kind)
      ? function (this: View, v: unknown) {
        live(this, f.name);
        // A value that fits goes straight to the typed array; anything else takes the checked
        // path, which throws the error naming the field.
        const o = this.$o + f.offset;
        if (fits(v)) arrayOf(this.$m, a.arr)[o >> a.shift] = v;
        else writeField(f, this.$m, o, v, h.join(this.$p, f.name));
      }
      : function (this: View, v: unknown) {
        live(this, f.name);
        const path = h.join(this.$p, f.name);
        if (SCALAR_HOW.has(a.how)) writeField(f, this.$m, this.$o + f.offset, v, path);
        // The nested view is where the value goes (see $take).
        else if (a.how === "child") d.C[a.childIndex].$w(this[f.name] as never, -1, v, path);
        else {
          const x = stage(f.schema, v, path, true);
          // A getter of the value may have freed the record meanwhile.
          live(this, f.name);
          writeValue(f.schema, mode, this.$m, this.$o + f.offset, x);
        }
      };
    Object.defineProperty(C.prototype, f.name, { get, set, configurable: true });
  }
  const statics = {
    // Read once into a checked copy, then written: nothing is written when a field is bad.
    $in(v: unknown, p: string): unknown {
      return stage(d.S, v, p, true);
    },
    $wr(m: Mem, o: number, s: unknown): void {
      writeValue(d.S, mode, m, o, s);
    },
    $w(m: Mem | Placement, o: number, v: unknown, p: string): number {
      const s = stage(d.S, v, p, true);
      const at = placedAt(m, o);
      if (at >= 0) writeValue(d.S, mode, placedMem<Mem>(m, o), at, s);
      return at;
    },
    $r(m: Mem, o: number): unknown {
      return readValue(d.S, mode, m, o);
    },
    $z(m: Mem, o: number): void {
      m.u8.fill(0, o, o + plan.size);
    },
  };
  Object.assign(C, statics);
  const methods: Record<string, (this: View, ...args: never[]) => unknown> = {
    ...recordMethods(C, d.S, live),
    seek(i: number) {
      // A view (no $n) moves nowhere.
      if (!((i | 0) === i && i >= 0 && i < (this.$n ?? 0))) h.badIndex(this, i);
      this.$o = this.$b! + i * plan.size;
      return this;
    },
    $each(fn: (v: unknown, i: number) => void) {
      const b = this.$b ?? 0;
      const n = this.$n ?? 0;
      for (let i = 0; i < n; i++) {
        this.$o = b + i * plan.size;
        fn(this, i);
      }
    },
  };
  if (plan.key.cursor === true) {
    // As generated: moves the view and the nested views it has made (the getters here re-point
    // a nested view whenever it is reached, so one made later starts at the right offset).
    const nested = plan.fields.filter((f) => f.access.how === "child");
    methods.$at = function (this: View, o: number): void {
      this.$o = o;
      this.$b = o;
      for (const f of nested) {
        (this[`$c${f.fieldIndex}`] as { $at(o: number): void } | undefined)?.$at(o + f.offset);
      }
    };
  }
  for (const [name, fn] of Object.entries(methods)) {
    Object.defineProperty(C.prototype, name, { value: fn, writable: true, configurable: true });
  }
  definePlacementMem(C.prototype);
  if (lean) {
    // As generated: the generation is the epoch's, the cell the arena's; writes are dropped.
    Object.defineProperty(C.prototype, "$g", {
      get(this: View) {
        return this.$m.gen;
      },
      set() {},
      configurable: true,
    });
    Object.defineProperty(C.prototype, "$s", {
      get(this: View) {
        return this.$a.state;
      },
      set() {},
      configurable: true,
    });
  }
  return C;
}
