/**
 * The `$h` object every generated class receives: slow paths (errors, stale checks) and the
 * interpretive codecs for compound fields. Hot paths never call through here.
 *
 * @module
 */
import type { LayoutMode, RefSchema, Schema } from "../../schemas/types.ts";
import { layoutOf } from "../../schemas/layout.ts";
import {
  badScalar,
  isValid,
  isView,
  scalarFits,
  scalarProblem,
  stage,
  unknownKey,
  validate,
} from "../values/check.ts";
import {
  elementStride,
  join,
  type Mem,
  readScalar,
  readString,
  readValue,
  writeString,
  writeValue,
} from "../values/codec.ts";
import { StaleViewError } from "../errors.ts";
import type { FieldPlan } from "./plan.ts";
import { jsonOf } from "../json.ts";

/**
 * The generation cell views compare with on every checked access. A plain object, not a typed
 * array: a store into a Float32Array cannot alias an object field, so compilers can keep the
 * generation in a register across a loop of field writes.
 */
export interface ArenaState {
  /** The generation; bumped by every reset and release (and, for tables, delete). */
  g: number;
}

/** What the arena side of a view must offer. */
export interface ArenaLike {
  /** The generation cell. */
  readonly state: ArenaState;
  /** Whether memory at arena address `pos`, allocated in generation `gen`, is still live. */
  liveAt(gen: number, pos: number): boolean;
  /** Tables: the view of the record `id` that the reference field `ref` points at. */
  resolveRef?(ref: RefSchema, id: number): unknown;
  /**
   * Tables: what a view of the record at table address `pos` reads (loop cursors read another
   * memory object, which they share and which outlives the record).
   */
  recordMem?(pos: number): unknown;
}

/**
 * Where a write goes, decided only after every property of the value was read and checked:
 * passed to a class's `$w` as its memory, with address -1. A getter of the value may create,
 * delete or free records meanwhile. Tables (create, update), arenas (alloc) and views (their own
 * `set()`: `$take` tests the view's lifetime again) implement it.
 */
export interface Placement {
  /**
   * The record's address (a new table or arena record comes zeroed), or -1: a full table that
   * may refuse, a record gone meanwhile. Throws for a view freed meanwhile.
   */
  $take(): number;
  /** The storage's memory, read after `$take()` (which may grow it). */
  readonly $mem: unknown;
}

/** The fields every generated view has (all `$`-prefixed, so no field name can clash). */
export interface ViewInternals {
  $a: ArenaLike;
  $s: ArenaState;
  $m: Mem;
  $o: number;
  $g: number;
  /** First record and record count: a cursor's only (a struct array's, or a table loop's). */
  $b?: number;
  $n?: number;
  $p: string;
  $each(fn: (v: unknown, i: number) => void): void;
}

function stale(v: ViewInternals, field: string): void {
  const gen = v.$s.g;
  // A release() bumps the generation without freeing older memory: re-validate, then resync.
  // Generation -1 marks a retired loop cursor, never live again.
  if (v.$g !== -1 && v.$a.liveAt(v.$g, v.$m.start + v.$o)) {
    // A killed epoch whose record the cut did not reach: read through a live one from now on.
    if (v.$m.live === false) v.$m = v.$m.owner!.revive(v.$m.start, v.$m.start + v.$o);
    v.$g = gen;
    return;
  }
  throw new StaleViewError(join(v.$p, field), v.$g, gen, (v.constructor as { name: string }).name);
}

type Planned = { plan: { fields: readonly FieldPlan[] } };

// The raw element a trap getter folds `undefined` out of, read again once the view is live.
function rawOf(v: ViewInternals, f: FieldPlan): unknown {
  const a = f.access;
  const m = v.$m as unknown as Record<string, Record<number, unknown>>;
  const o = v.$o + f.offset;
  if (a.how === "scalar" || (a.how === "enum" && a.dv === undefined)) {
    return m[a.arr][o >> a.shift];
  }
  if (a.how === "bool") return m.u8[o];
  if (a.how === "ref" && a.arr !== undefined) return m.f64[o >> 3];
  throw new TypeError(`no trap read for ${a.how}`);
}

// A trap getter read undefined: its epoch is dead. Throw, or (when the cut missed the record)
// move the view to a live epoch and read the element again.
function trapRead(v: ViewInternals, fieldIndex: number): unknown {
  const f = (v.constructor as unknown as Planned).plan.fields[fieldIndex];
  if (v.$m.live) throw new TypeError(`Cannot read "${join(v.$p, f.name)}": no such element`);
  stale(v, f.name);
  return rawOf(v, f);
}

// The slow path of a trap setter: a dead epoch (throw, or move to a live one) or a value that
// does not fit (throw); a value that fits is then written by the setter itself.
function setTrap(v: ViewInternals, fieldIndex: number, x: unknown): void {
  const f = (v.constructor as unknown as Planned).plan.fields[fieldIndex];
  if (!v.$m.live) stale(v, f.name);
  refuseUnfit(v, f, x, v.$m.live);
  (v as unknown as Record<string, unknown>)[f.name] = x;
}

// The slow path of an unchecked class's scalar setter: a value that does not fit (throw), or
// memory that is not live (a retired cursor's, of no bytes: nothing to write).
function setUnchecked(v: ViewInternals, fieldIndex: number, x: unknown): void {
  const f = (v.constructor as unknown as Planned).plan.fields[fieldIndex];
  refuseUnfit(v, f, x, true);
  if (v.$m.live) (v as unknown as Record<string, unknown>)[f.name] = x;
}

// Throws the field's error for a value that does not fit. The slow setters then write through
// the setter itself, whose fast test must pass: `live` false (an epoch nothing revived) and an
// unfit value that no problem was found for both go to `bad`, never back to the slow path.
function refuseUnfit(
  v: ViewInternals,
  f: { name: string; schema: Schema },
  x: unknown,
  live: boolean,
): void {
  const p = scalarProblem(f.schema, x, join(v.$p, f.name));
  if (p) throw p;
  if (!live || !scalarFits(f.schema, x)) bad(f.schema, x, join(v.$p, f.name));
}

// The lifetime test of a trap class's other accessors: its epoch is dead.
function revive(v: ViewInternals, field: string): void {
  if (!v.$m.live) stale(v, field);
}

// A write through a dead copy of an SoA table's columns, whose classes test no lifetime before
// the value: the error its column would throw comes first, as the lifetime test does elsewhere.
function deadCopy(v: ViewInternals, field: string): never {
  throw new StaleViewError(join(v.$p, field), -1, v.$s.g, (v.constructor as { name: string }).name);
}

// The slow value path of a checked scalar setter: throw for a value that does not fit, return
// it for a rare one that does (NaN, ±Infinity); the setter then writes what this returns.
function valueSlow(v: ViewInternals, fieldIndex: number, x: unknown): unknown {
  const f =
    (v.constructor as unknown as { plan: { fields: readonly { name: string; schema: Schema }[] } })
      .plan.fields[fieldIndex];
  if (v.$m.live === false) deadCopy(v, f.name);
  const p = scalarProblem(f.schema, x, join(v.$p, f.name));
  if (p) throw p;
  return x;
}

// The slow path of a checked scalar setter: a stale view (resync or throw), a value that does not
// fit (throw), or a rare value that does (NaN, ±Infinity: return, the setter then writes it).
function setSlow(v: ViewInternals, fieldIndex: number, x: unknown): void {
  const f =
    (v.constructor as unknown as { plan: { fields: readonly { name: string; schema: Schema }[] } })
      .plan.fields[fieldIndex];
  if (v.$g !== v.$s.g) stale(v, f.name);
  const p = scalarProblem(f.schema, x, join(v.$p, f.name));
  if (p) throw p;
}

// Like stale(), naming the field by its index in the class plan (keeps accessors short).
function staleAt(v: ViewInternals, fieldIndex: number): void {
  const plan = (v.constructor as unknown as { plan: { fields: readonly { name: string }[] } }).plan;
  stale(v, plan.fields[fieldIndex].name);
}

function checkLive(v: ViewInternals, field: string): void {
  if (v.$g !== v.$s.g) stale(v, field);
}

// Validation for writes: the allocation-free verdict first, the path-building one only to throw.
function check(schema: Schema, v: unknown, path: string, partial: boolean): void {
  if (!isValid(schema, v, partial)) validate(schema, v, path, partial);
}

// A staged field failed its quick test: throw the error naming the field and the value.
function bad(schema: Schema, x: unknown, path: string): never {
  throw scalarProblem(schema, x, path) ??
    new TypeError(`Cannot write ${String(x)} to "${path}": the value checks disagree`);
}

function badIndex(v: ViewInternals, i: unknown): never {
  // A view (of one record, from alloc or at) is not a cursor: it has no record count.
  if (v.$n === undefined) {
    throw new RangeError(
      `Cannot seek to ${String(i)}: a view of one record does not move (a struct array's ` +
        `cursor() does)`,
    );
  }
  throw new RangeError(
    `Cannot seek to ${String(i)}: expected an integer index from 0 to ${v.$n - 1}`,
  );
}

function enumIndexOf(schema: Schema, map: Map<string, number>, x: unknown, path: string): number {
  const i = map.get(x as string);
  if (i === undefined) badScalar(schema, x, path);
  return i;
}

function writeStringChecked(schema: Schema, u8: Uint8Array, o: number, x: unknown, path: string) {
  // Even unchecked views check strings: an over-long one would spill into the next field.
  const p = scalarProblem(schema, x, path);
  if (p) throw p;
  writeString(u8, o, (schema as { maxBytes: number }).maxBytes, x as string);
}

function deref(v: ViewInternals, schema: RefSchema, id: number): unknown {
  if (id === 0) return undefined;
  // What a reference resolves against is the record's table's business (its `refs` option).
  if (v.$a.resolveRef === undefined) {
    throw new ReferenceError(
      `Cannot resolve "${v.$p}": only records of a Table resolve references ` +
        `(${schema.target().name} ids are kept as numbers: read them with toObject())`,
    );
  }
  return v.$a.resolveRef(schema, id);
}

function refValue(id: number): number | null {
  return id === 0 ? null : id;
}

/**
 * Indexable view of a fixed-length array whose elements are not plain aligned numbers (structs,
 * vectors, enums, strings, bools, nested arrays, or numbers at unaligned packed offsets). It
 * follows its parent view, so a cursor's arrays move with the cursor.
 */
export class ArrayView {
  #parent: ViewInternals;
  #offset: number;
  #schema: Schema;
  #element: Schema;
  #child: (new (...a: unknown[]) => unknown) | undefined;
  #mode: LayoutMode;
  #path: string;
  #stride: number;
  #rows: number;
  #colStride: number;
  /** Number of elements. */
  readonly length: number;
  /** Built by generated getters. */
  constructor(
    parent: ViewInternals,
    offset: number,
    schema: Schema,
    child: (new (...a: unknown[]) => unknown) | undefined,
    mode: LayoutMode,
    path: string,
  ) {
    this.#parent = parent;
    this.#offset = offset;
    this.#schema = schema;
    this.#child = child;
    this.#mode = mode;
    this.#path = path;
    if (schema.kind === "mat") {
      this.#element = { kind: "f32" } as Schema;
      this.length = schema.cols * schema.rows;
      this.#rows = schema.rows;
      this.#colStride = layoutOf(schema, mode).size / schema.cols;
      this.#stride = 4;
    } else if (schema.kind === "array") {
      this.#element = schema.element;
      this.length = schema.length;
      this.#rows = 0;
      this.#colStride = 0;
      this.#stride = elementStride(schema.element, mode);
    } else {
      throw new TypeError(`ArrayView needs an array or matrix schema, got ${schema.kind}`);
    }
  }
  #at(i: number, what: string): number {
    checkLive(this.#parent, this.#path);
    if (!(Number.isInteger(i) && i >= 0 && i < this.length)) {
      throw new RangeError(
        `Cannot ${what} "${this.#path}[${i}]": expected an index from 0 to ${this.length - 1}`,
      );
    }
    const base = this.#parent.$o + this.#offset;
    if (this.#rows > 0) {
      return base + Math.floor(i / this.#rows) * this.#colStride + 4 * (i % this.#rows);
    }
    return base + i * this.#stride;
  }
  /** Element `i`: a value, or a view for struct and vector elements. */
  at(i: number): unknown {
    const o = this.#at(i, "read");
    const p = this.#parent;
    const el = this.#element;
    if (this.#child) {
      // A view of the record, not of the parent: it must not share a loop cursor's memory.
      const m = p.$a.recordMem === undefined ? p.$m : p.$a.recordMem(p.$o);
      return new this.#child(p.$a, m, o, p.$g, `${this.#path}[${i}]`);
    }
    if (el.kind === "array" || el.kind === "mat") return readValue(el, this.#mode, p.$m, o);
    return readScalar(el, p.$m, o);
  }
  /** Writes element `i` (checked like any field write; nothing is written on error). */
  setAt(i: number, value: unknown): void {
    this.#at(i, "write");
    const x = stage(this.#element, value, `${this.#path}[${i}]`, false);
    // Found only now: a getter of the value may have freed the record (and handed its memory
    // to another) meanwhile.
    const o = this.#at(i, "write");
    writeValue(this.#element, this.#mode, this.#parent.$m, o, x);
  }
  /** The elements as plain values. */
  toObject(): unknown[] {
    checkLive(this.#parent, this.#path);
    const p = this.#parent;
    return readValue(this.#schema, this.#mode, p.$m, p.$o + this.#offset) as unknown[];
  }
  /** Iterates the elements (struct elements as fresh views). */
  *[Symbol.iterator](): Iterator<unknown> {
    for (let i = 0; i < this.length; i++) yield this.at(i);
  }
}

/** The helper object generated classes receive as `$h`. */
export const helpers = {
  stale,
  staleAt,
  trapRead,
  setTrap,
  setUnchecked,
  deadCopy,
  revive,
  setSlow,
  valueSlow,
  badIndex,
  check,
  join,
  validate,
  writeValue,
  readValue,
  readString,
  writeStringChecked,
  enumIndexOf,
  deref,
  refValue,
  jsonOf,
  ArrayView,
  scalarProblem,
  scalarFits,
  isValid,
  stage,
  isView,
  unknownKey,
  bad,
  // Taken at load, so a program that replaces them later cannot change what the classes count.
  OP: Object.prototype,
  protoOf: Object.getPrototypeOf,
  ownKeys: Object.keys,
};

/** Type of {@linkcode helpers}. */
export type Helpers = typeof helpers;
