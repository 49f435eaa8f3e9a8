/**
 * The one door to eval: turns a class plan into a class, with `new Function` over the emitted
 * source, or with closures (jitless) where eval is not allowed or not wanted. Both follow the
 * same plan and the same helpers, so they accept, reject and store exactly the same values.
 *
 * @module
 */
import type { EnumSchema, Schema } from "../schemas/types.ts";
import {
  enumIndex,
  type Mem,
  readScalar,
  readValue,
  scalarProblem,
  writeScalar,
  writeValue,
} from "./_codec.ts";
import { type ArenaLike, helpers, type ViewInternals } from "./_helpers.ts";
import { type ClassKey, type ClassPlan, emitAccessors, type FieldPlan, planOf } from "./emit.ts";

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

const SCALAR_HOW: ReadonlySet<string> = new Set([
  "scalar",
  "dataview",
  "bool",
  "enum",
  "string",
  "ref",
]);

type View = ViewInternals & Record<string, unknown>;

// The jitless twin of emitAccessors: same plan, same helpers, closures instead of source text.
function buildJitless(plan: ClassPlan, d: Deps): ViewClass {
  const { checked, mode } = plan.key;
  const h = helpers;
  const live = (v: View, field: string) => {
    if (checked && v.$g !== v.$s[0]) h.stale(v, field);
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
      // Like the generated code, these two are checked even in unchecked mode.
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
      if (checked) {
        if (SCALAR_HOW.has(a.how)) {
          const p = scalarProblem(f.schema, v, path);
          if (p) throw p;
        } else h.check(f.schema, v, path, true);
      }
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
  };
  Object.assign(C, statics);
  const methods: Record<string, (this: View, ...args: never[]) => unknown> = {
    set(v: unknown) {
      live(this, "set");
      if (checked) h.check(d.S, v, this.$p, true);
      C.$w(this.$m, this.$o, v, this.$p);
      return this;
    },
    toObject() {
      live(this, "toObject");
      return C.$r(this.$m, this.$o);
    },
    toJSON() {
      const o = (this.toObject as () => unknown)();
      return plan.hasBigInt ? h.jsonSafe(o) : o;
    },
    seek(i: number) {
      if (checked && !((i | 0) === i && i >= 0 && i < this.$n)) h.badIndex(this, i);
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
