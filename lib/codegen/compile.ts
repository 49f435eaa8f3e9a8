/**
 * The one door to eval: turns a class plan into a class, with `new Function` over the emitted
 * source, or with closures (jitless) where eval is not allowed or not wanted. Both follow the
 * same plan and the same helpers, so they accept, reject and store exactly the same values.
 *
 * @module
 */
import type { EnumSchema, Schema, StructSchema } from "../../schemas/types.ts";
import { enumIndex, type Mem } from "../values/codec.ts";
import { type ArenaLike, helpers, type Placement, type ViewInternals } from "./runtime.ts";
import { type ClassKey, type ClassPlan, planOf } from "./plan.ts";
import { emitAccessors } from "./emit_view.ts";
import { emitSoa } from "./emit_soa.ts";
import { planSoa, soaHelpers, type SoaViewClass } from "./soa_plan.ts";
import {
  emitArrayEach,
  emitTableLoops,
  seesSecondArgument,
  type TableLoops,
} from "./emit_loops.ts";
import { buildJitless, type Deps } from "./jitless_view.ts";
import { buildLoopsJitless } from "./jitless_loops.ts";
import { buildSoaJitless } from "./jitless_soa.ts";

/** A generated accessor class. */
export interface ViewClass {
  /** Builds a view of the record at byte `o` of `m`, taken in generation `g`. */
  new (a: ArenaLike, m: Mem, o: number, g: number, p: string): ViewInternals;
  /** The emitted source (also kept for jitless classes, to read and diff). */
  readonly source: string;
  /** The plan both builders followed. */
  readonly plan: ClassPlan;
  /** The record's size and alignment in bytes (the plan's). */
  readonly $size: number;
  readonly $align: number;
  /**
   * Reads a plain value (or a view) once, checks it and writes its defined fields at (m, o);
   * throws before writing anything when a field is bad. With a placement and -1, asks it for the
   * record only after reading; returns the address written (-1: the placement had none).
   */
  $w(m: Mem | Placement, o: number, v: unknown, p: string): number;
  /** Reads and checks a plain value once into a staged copy (the first half of `$w`). */
  $in(v: unknown, p: string): unknown;
  /** Writes a staged copy at (m, o); cannot throw (the second half of `$w`). */
  $wr(m: Mem, o: number, s: unknown): void;
  /** Reads the record at (m, o) as a plain value. */
  $r(m: Mem, o: number): unknown;
  /** Zeroes the record at (m, o). */
  $z(m: Mem, o: number): void;
}

const cache = new WeakMap<Schema, Map<string, ViewClass>>();
// The classes built by new Function (their loops may be too).
const evaluated = new WeakSet<object>();
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
  const id = `${key.mode}/${key.baseAlign}/${key.checked ? (key.trap ? "t" : "c") : "u"}/${
    key.cursor ? "cursor" : "view"
  }/${useJit ? "jit" : "jitless"}`;
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
    N: plan.name,
    T: undefined,
  };
  const source = emitAccessors(plan);
  const cls = useJit
    ? (new Function("$h", "$d", source)(helpers, deps) as ViewClass)
    : buildJitless(plan, deps);
  Object.defineProperty(cls, "source", { value: source });
  Object.defineProperty(cls, "plan", { value: plan });
  // One load each where an arena allocates, instead of two through the plan.
  Object.defineProperty(cls, "$size", { value: plan.size });
  Object.defineProperty(cls, "$align", { value: plan.align });
  // A flat $w of a class holding this one reads this class's schemas here.
  Object.defineProperty(cls, "deps", { value: deps });
  if (useJit) evaluated.add(cls);
  if (!byKey) cache.set(key.schema, byKey = new Map());
  byKey.set(id, cls);
  return cls;
}

const soaCache = new WeakMap<Schema, Map<string, SoaViewClass>>();

/**
 * Returns the struct-of-arrays accessor class of `schema` (the one `Table` uses with
 * `layout: "soa"`): getters read `column[slot]`. Generated once per schema and mode; `jitless`
 * builds it from closures that follow the same plan (also chosen when eval is forbidden).
 * `cursor` gives the class of a loop's cursor: children made with it and moved by `$at(slot)`.
 */
export function soaViewClass(
  schema: StructSchema,
  checked: boolean,
  jitless: boolean,
  cursor = false,
): SoaViewClass {
  const useJit = !jitless && canEval();
  const id = `${checked ? "c" : "u"}/${useJit ? "jit" : "jitless"}${cursor ? "/cursor" : ""}`;
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
    N: plan.nodes.map((n) => n.name),
    T: [],
  };
  const source = emitSoa(plan, cursor);
  const cls = useJit
    ? (new Function("$h", "$d", source)(helpers, deps) as SoaViewClass)
    : buildSoaJitless(plan, deps.M, cursor);
  Object.defineProperty(cls, "source", { value: source });
  Object.defineProperty(cls, "plan", { value: plan });
  if (!byKey) soaCache.set(schema, byKey = new Map());
  byKey.set(id, cls);
  return cls;
}

const loopCache = new WeakMap<object, TableLoops>();
let loopSerial = 0;

/**
 * Returns the `forEach`, `where` and `for…of` loops of tables whose records are views of class
 * `C` (a loop cursor class, stepping `stride` units per slot), generating them once per class so
 * that each schema's loops keep their own type feedback. `jitless` builds the closure twin instead.
 */
export function tableLoops(
  C: { readonly name: string },
  stride: number,
  jitless: boolean,
): TableLoops {
  let loops = loopCache.get(C);
  if (loops) return loops;
  loops = !jitless && canEval()
    ? new Function("$Cursor", emitTableLoops(C.name, stride, ++loopSerial))(C) as TableLoops
    : buildLoopsJitless(stride);
  loopCache.set(C, loops);
  return loops;
}

type Each = (c: unknown, fn: unknown) => void;

const MAX_CALLBACK_LOOPS = 32;

/**
 * The loop copies of one class, one per callback source, at most MAX_CALLBACK_LOOPS: found by the
 * last callback seen (a loop called every frame with one hoisted callback), then by closure, then
 * by source (a closure made anew every frame has the same source). Only the first closure of a
 * source goes into the closure map: a closure made anew every frame would otherwise add an entry
 * per frame for the collector to clear. The last callback stays reachable, one per class.
 */
class Specialised<T> {
  #lastFn: unknown = undefined;
  #lastPred: unknown = undefined;
  #last: T | undefined = undefined;
  // The source of #last: a closure made anew every call, with the source of the one before,
  // skips the map (comparing two equal strings costs less than hashing a new one).
  #lastSrc: string | undefined = undefined;
  readonly #byClosure = new WeakMap<object, T>();
  readonly #bySource = new Map<string, T>();

  /** The copy for callback `fn` (and filter `pred`), made by `make` for a new source. */
  get(fn: object, pred: object | undefined, make: (src: string) => T): T | undefined {
    if (this.#lastFn === fn && this.#lastPred === pred && this.#last !== undefined) {
      return this.#last;
    }
    let t = pred === undefined ? this.#byClosure.get(fn) : undefined;
    if (t !== undefined) this.#lastSrc = undefined;
    else {
      const src = pred === undefined
        ? Function.prototype.toString.call(fn)
        : `${Function.prototype.toString.call(pred)}\n\0\n${Function.prototype.toString.call(fn)}`;
      t = src === this.#lastSrc ? this.#last : this.#bySource.get(src);
      if (t === undefined) {
        if (this.#bySource.size >= MAX_CALLBACK_LOOPS) return undefined;
        t = make(src);
        this.#bySource.set(src, t);
        if (pred === undefined) this.#byClosure.set(fn, t);
      }
      this.#lastSrc = src;
    }
    this.#lastFn = fn;
    this.#lastPred = pred;
    this.#last = t;
    return t;
  }
}

/** The `Specialised` of class `C` in `all`, made on first use. */
function specialisedOf<T>(all: WeakMap<object, Specialised<T>>, C: object): Specialised<T> {
  let k = all.get(C);
  if (k === undefined) all.set(C, k = new Specialised<T>());
  return k;
}

const eachLoops = new WeakMap<object, Specialised<Each>>();

/**
 * The `forEach` loop of struct arrays of class `C` specialised for callback `fn`, as
 * {@linkcode loopsFor} does for tables; `undefined` for a jitless class, past the limit, or for a
 * non-function (the class's own `$each` then runs).
 */
export function eachFor(C: ViewClass, fn: unknown): Each | undefined {
  if (!evaluated.has(C) || typeof fn !== "function") return undefined;
  return specialisedOf(eachLoops, C).get(
    fn,
    undefined,
    () => new Function(emitArrayEach(C.plan.name, C.plan.size, ++loopSerial))() as Each,
  );
}

const callbackLoops = new WeakMap<object, Specialised<TableLoops>>();

/** The loop copies of one cursor class, by callback: what {@linkcode loopsFor} looks in. */
export type LoopCopies = Specialised<TableLoops>;

/**
 * The loop copies of cursor class `C` (one object per class, made on first use): a table keeps
 * it, so that each `forEach` skips looking it up by class.
 */
export function loopCopiesOf(C: object): LoopCopies {
  return specialisedOf(callbackLoops, C);
}

/**
 * The loops of class `C` specialised for callback `fn` (and `pred`, for `where`): a copy of the
 * loops of its own, so the call of `fn` inside sees one function and V8 can inline it. Two
 * closures of the same source share one copy; two classes never do (each keeps its cursor's
 * type feedback). Jitless, past the limit, or for a non-function, the class's shared loops.
 */
export function loopsFor(
  C: { readonly name: string },
  stride: number,
  jitless: boolean,
  fn: unknown,
  pred?: unknown,
  copies: LoopCopies = loopCopiesOf(C),
): TableLoops {
  const special = jitless || typeof fn !== "function" || !canEval() ||
      (pred !== undefined && typeof pred !== "function")
    ? undefined
    : copies.get(
      fn,
      pred as object | undefined,
      // A callback gets no id when it cannot see one (the source of a filter copy is its pred's
      // and its fn's, joined as Specialised does).
      (src) => {
        const parts = pred === undefined ? ["", src] : src.split("\n\0\n");
        // (A source holding the separator itself gets ids everywhere.)
        const [p, f] = parts.length === 2 ? parts : ["", ""];
        const ids = { fn: seesSecondArgument(f), pred: seesSecondArgument(p) };
        return new Function("$Cursor", emitTableLoops(C.name, stride, ++loopSerial, ids))(
          C,
        ) as TableLoops;
      },
    );
  // The class's shared loops only when no copy applies (one lookup fewer per call).
  return special ?? tableLoops(C, stride, jitless);
}
