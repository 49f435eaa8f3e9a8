/**
 * Contiguous arrays of structs in an arena, with a reusable cursor and typed-array columns for
 * loops that must create no garbage.
 *
 * @module
 */
import type { Infer, StructSchema, ViewOf } from "../../schemas/types.ts";
import { deadMem, type Mem } from "../values/codec.ts";
import { SCALAR_SIZE } from "../../schemas/layout.ts";
import { KINDS, type ScalarKind } from "../../schemas/kinds.ts";
import type { ArenaLike, ViewInternals } from "../codegen/runtime.ts";
import { eachFor, type ViewClass } from "../codegen/compile.ts";
import { type ClassPlan, planOf, SCALAR_HOW } from "../codegen/plan.ts";
import { FieldTypeError, StaleViewError } from "../errors.ts";
import { decodeJSON, jsonOf } from "../json.ts";

/** A view that can be moved along a struct array with `seek(i)`. */
export type Cursor<S extends StructSchema> = ViewOf<S> & {
  /** Points this cursor at record `i` and returns it (no allocation). */
  seek(i: number): Cursor<S>;
};

/**
 * One scalar field across many records: record `i`'s value is `array[i * stride]`.
 *
 * Lifetimes: `array` is a raw typed array; see {@linkcode StructArray.column} for what one kept
 * past a reset or release does.
 *
 * Every column starts at record 0's field, so a loop over several columns computes `i * stride`
 * once and uses it in each array.
 */
export interface Column<A> {
  /** Typed array over the records' buffer whose element 0 is record 0's field. */
  readonly array: A;
  /** Always 0 (so `array[index + i * stride]` reads the same as `array[i * stride]`). */
  readonly index: number;
  /** Elements between consecutive records (the struct size over the element size). */
  readonly stride: number;
  /** Number of records. */
  readonly length: number;
}

// What a retired cursor reads: see deadMem (generation -1 is what a lean view reads as its own).
const DEAD: Mem = deadMem();

/** Ends a lent cursor: generation -1 is never live again, and it points at no memory. */
export function retire(c: ViewInternals): void {
  c.$g = -1;
  c.$m = DEAD;
}

/** The `Mem` typed array each column-able kind (numbers, bigints, bool) is read through. */
export const ARRAY_OF: Readonly<Record<string, keyof Mem>> = Object.fromEntries(
  Object.entries(KINDS).filter(([k]) => k !== "ref").map(([k, info]) => [k, info.mem]),
);

type Repoint = <S extends StructSchema>(
  array: StructArray<S>,
  arena: ArenaLike,
  C: ViewClass,
  m: Mem,
  byteOffset: number,
  length: number,
  gen: number,
) => StructArray<S>;
let repointImpl: Repoint;

/**
 * Internal (not exported from mod.ts): points a struct array and its cursor at a new
 * allocation, for `Arena.allocArray(schema, length, reuse)`.
 */
export const repoint: Repoint = (array, arena, C, m, byteOffset, length, gen) =>
  repointImpl(array, arena, C, m, byteOffset, length, gen);

/**
 * `length` records of one struct schema, back to back (`stride` bytes apart) in one arena.
 *
 * Lifetimes: the array, its cursor, the views from `at()` and its columns live until the arena
 * is reset or a `release()` covers them. In checked mode the array, cursor and views then throw
 * {@linkcode StaleViewError}. A column is a plain typed array and cannot throw: a reset detaches
 * it (length 0, writes dropped), a release does not (see {@linkcode StructArray.column}). An
 * array of zero records holds no bytes and lives until the next reset.
 *
 * @example Integrate without creating objects
 * ```ts
 * import { Arena, t } from "@arenakit/core";
 * import assert from "node:assert/strict";
 * const P = t.struct({ x: t.f32(), vx: t.f32() });
 * const arena = new Arena({ bytes: 1 << 16 });
 * const ps = arena.allocArray(P, 100);
 * const c = ps.cursor();
 * for (let i = 0; i < ps.length; i++) {
 *   c.seek(i);
 *   c.vx = 0.5;
 *   c.x += c.vx * 0.016;
 * }
 * const x = ps.column("x");
 * assert.equal(x.array[99 * x.stride], Math.fround(0.5 * 0.016));
 * ```
 */
export class StructArray<S extends StructSchema> implements Iterable<Cursor<S>> {
  /** The record schema. */
  readonly schema: S;
  /** Number of records. */
  readonly length: number;
  /** Bytes from one record to the next. */
  readonly stride: number;
  /** Byte offset of record 0 in `buffer`. */
  readonly byteOffset: number;
  #arena: ArenaLike;
  #C: ViewClass;
  #m: Mem;
  #g: number;
  #cursor: (ViewInternals & Cursor<S>) | undefined;
  // column() results by path, and the re-pointing serial each was last placed at.
  #cols: Map<string, MutableColumn> | undefined;
  #placed: Map<string, number> | undefined;
  #serial = 0;

  /** Built by `Arena.allocArray()`. */
  constructor(
    arena: ArenaLike,
    C: ViewClass,
    m: Mem,
    byteOffset: number,
    length: number,
    gen: number,
  ) {
    this.schema = C.plan.key.schema as S;
    this.length = length;
    this.stride = C.plan.size;
    this.byteOffset = byteOffset;
    this.#arena = arena;
    this.#C = C;
    this.#m = m;
    this.#g = gen;
  }

  static {
    // The private fields are only reachable in here; repoint() is the module's door to them.
    repointImpl = (array, arena, C, m, byteOffset, length, gen) => {
      (array as { length: number }).length = length;
      (array as { byteOffset: number }).byteOffset = byteOffset;
      array.#arena = arena;
      if (array.#C.plan !== C.plan) {
        array.#cols = undefined;
        array.#placed = undefined;
      }
      array.#C = C;
      array.#m = m;
      array.#g = gen;
      array.#serial++;
      const c = array.#cursor;
      if (c !== undefined && c.constructor !== C) {
        // A cursor of another class (the other checking mode) cannot follow: it ends here, and
        // cursor() makes one of the new class.
        retire(c);
        array.#cursor = undefined;
      } else if (c !== undefined) {
        // Cached nested views and arrays hold their chunk: drop them when the records move to
        // another one (a chunk's Mem is re-pointed in place at a reset; a checked arena's views
        // hold an epoch of it, which their getters pass on to nested views).
        const moved = c.$m.owner === undefined
          ? c.$m !== m
          : c.$m.start !== m.start || c.$a !== arena;
        if (moved) {
          const r = c as unknown as Record<string, unknown>;
          for (const f of C.plan.fields) {
            if (!SCALAR_HOW.has(f.access.how)) r[`$c${f.fieldIndex}`] = undefined;
          }
        }
        c.$a = arena;
        c.$s = arena.state;
        c.$m = m;
        c.$o = byteOffset;
        c.$b = byteOffset;
        c.$g = gen;
        c.$n = length;
      }
      return array;
    };
  }

  /** The buffer the records live in. */
  get buffer(): ArrayBuffer | SharedArrayBuffer {
    this.#m.raw = true;
    return this.#m.buffer;
  }

  #live(what: string): void {
    const s = this.#arena.state;
    if (this.#g === s.g) return;
    // Only a stale-looking array pays for the probe: the release path may still find it live.
    // Zero records hold no bytes that a release could hand to anyone: only a reset ends them.
    const pos = this.length === 0 ? -1 : this.#m.start + this.byteOffset;
    if (!this.#arena.liveAt(this.#g, pos)) throw new StaleViewError(what, this.#g, s.g);
    // A restore ends every epoch; records it kept read through a new one.
    const m = this.#m;
    if (m.live === false) this.#m = m.owner!.revive(m.start, m.start + this.byteOffset);
    this.#g = s.g;
  }

  /** A fresh view of record `i` (use `cursor()` in hot loops: it does not allocate). */
  at(i: number): ViewOf<S> {
    this.#live(`[${i}]`);
    if (!(Number.isInteger(i) && i >= 0 && i < this.length)) {
      throw new RangeError(
        `Cannot read record ${i}: expected an index from 0 to ${this.length - 1}`,
      );
    }
    return new this.#C(this.#arena, this.#m, this.byteOffset + i * this.stride, this.#g, "") as
      & ViewInternals
      & ViewOf<S>;
  }

  /** The array's one cursor, at record 0 the first time; `seek(i)` moves it. */
  cursor(): Cursor<S> {
    this.#live("cursor");
    let c = this.#cursor;
    if (c === undefined) {
      c = new this.#C(this.#arena, this.#m, this.byteOffset, this.#g, "") as
        & ViewInternals
        & Cursor<S>;
      c.$b = this.byteOffset;
      c.$n = this.length;
      this.#cursor = c;
    }
    return c;
  }

  /** Calls `fn` with the cursor at each record in order (no allocation per record). */
  forEach(fn: (record: Cursor<S>, index: number) => void): void {
    const c = this.cursor() as unknown as ViewInternals;
    const each = eachFor(this.#C, fn);
    if (each !== undefined) each(c, fn);
    else c.$each(fn as (v: unknown, i: number) => void);
  }

  /**
   * Iterates with a cursor of its own, moved from record to record (prefer `forEach` or `seek`
   * where garbage matters).
   *
   * Lifetimes: the loop variable is valid until the next step; when the loop ends (or breaks)
   * its cursor is retired and throws {@linkcode StaleViewError}, so `[...array].map(...)` fails
   * loudly instead of reading the last record N times. Use `at(i)` to keep views.
   */
  *[Symbol.iterator](): Iterator<Cursor<S>> {
    this.#live("cursor");
    const c = new this.#C(this.#arena, this.#m, this.byteOffset, this.#g, "") as
      & ViewInternals
      & Cursor<S>;
    c.$b = this.byteOffset;
    c.$n = this.length;
    try {
      for (let i = 0; i < this.length; i++) yield c.seek(i);
    } finally {
      retire(c);
    }
  }

  /**
   * The typed array and stride of a scalar field (a dotted path such as `"pos.x"`, vector
   * components included), for hand-written loops: record `i`'s value is `array[i * stride]`
   * (`index` is always 0), so one `i * stride` indexes every column. Throws for fields whose
   * offset is not aligned to their size (packed layouts): use a cursor there.
   *
   * Lifetimes: a column's `array` is a plain typed array (fast in loops, but it cannot check
   * anything), so ask for the column again each frame. The same object comes back, moved to the
   * new records when `allocArray(S, n, reuse)` re-pointed this array.
   * - After `reset()` of a checked arena, an array kept from before is detached (the chunk's
   *   bytes move to a new ArrayBuffer in O(1)): its `length` is 0, reads give `undefined` and
   *   writes are dropped, without an error. Asking again gives a live array over the new buffer
   *   (so a column loop makes one typed array per column per frame, and the reset a dozen
   *   objects per chunk).
   * - Unchecked arenas (`checked: false`) and shared arenas (a SharedArrayBuffer cannot be
   *   transferred) do not detach: a kept array reads and writes whatever records occupy those
   *   bytes now.
   * - A `release()` or scope frees only part of a buffer and cannot detach: an array over
   *   released records stays writable, into whatever is allocated there next. Do not keep one
   *   past the scope that allocated its records.
   * - Element writes convert like the typed array does (an `i16` column wraps 40000 to -25536,
   *   a `u8` one truncates 1.9 to 1): no value check. Write through a view or cursor to check.
   *
   * @example A frame loop over columns
   * ```ts
   * import { Arena, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const P = t.struct({ x: t.f32(), vx: t.f32() });
   * const arena = new Arena({ bytes: 1024 });
   * let ps = arena.allocArray(P, 10);
   * const first = ps.column("x");
   * const kept = first.array;
   * for (let frame = 0; frame < 3; frame++) {
   *   arena.reset();
   *   ps = arena.allocArray(P, 10, ps);
   *   const { array: x, stride } = ps.column("x");
   *   const vx = ps.column("vx").array;
   *   for (let i = 0; i < ps.length; i++) {
   *     const o = i * stride;
   *     vx[o] = 0.5;
   *     x[o] = frame + vx[o];
   *   }
   * }
   * assert.equal(ps.column("x"), first);
   * assert.equal(ps.at(9).x, 2.5);
   * assert.equal(kept.length, 0); // kept across a reset: detached
   * kept[0] = 1; // dropped
   * assert.equal(ps.at(0).x, 2.5);
   * ```
   */
  column<A = Float32Array>(path: string): Column<A> {
    this.#live(path);
    const cols = this.#cols ??= new Map();
    const placed = this.#placed ??= new Map();
    let c = cols.get(path);
    if (c === undefined) {
      c = aosColumn(this.#C.plan, this.#m, this.byteOffset, path, this.length) as MutableColumn;
      cols.set(path, c);
      placed.set(path, this.#serial);
    } else if (placed.get(path) !== this.#serial) {
      // Re-pointed by allocArray(..., reuse): move the same object, so a frame loop that asks
      // for its columns every frame allocates nothing.
      const plan = this.#C.plan;
      placeColumn(c, columnSpot(plan, path), plan, this.#m, this.byteOffset, this.length, path);
      placed.set(path, this.#serial);
    }
    return c as Column<A>;
  }

  /** The records' bytes (a view, not a copy). */
  bytes(): Uint8Array {
    this.#live("bytes");
    this.#m.raw = true;
    return new Uint8Array(this.#m.buffer, this.byteOffset, this.length * this.stride);
  }

  /** Copies all records out as plain objects. */
  toObject(): Infer<S>[] {
    this.#live("toObject");
    const out: Infer<S>[] = [];
    for (let i = 0; i < this.length; i++) {
      out.push(this.#C.$r(this.#m, this.byteOffset + i * this.stride) as Infer<S>);
    }
    return out;
  }

  /**
   * The records in their exact JSON form (see `jsonOf`): 64-bit integers as decimal strings,
   * non-finite floats and -0 as strings, so `JSON.stringify` loses nothing.
   *
   * @example Save records as JSON text
   * ```ts
   * import { Arena, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const P = t.struct({ id: t.u64(), v: t.f32() });
   * const ps = new Arena({ bytes: 256 }).allocArray(P, 2);
   * ps.at(1).set({ id: 5n, v: 0.1 });
   * assert.equal(JSON.stringify(ps), '[{"id":"0","v":0},{"id":"5","v":0.10000000149011612}]');
   * ```
   */
  toJSON(): unknown {
    const schema = this.schema;
    return this.toObject().map((r) => jsonOf(schema, r));
  }

  /**
   * Overwrites every record from the JSON form (`toJSON()`, parsed). The input must be an array
   * of exactly `length` complete records; all of them are validated, as checked mode validates
   * `alloc(S, init)`, before any byte is written.
   *
   * @example Load records back
   * ```ts
   * import { Arena, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const P = t.struct({ id: t.u64(), v: t.f32() });
   * const arena = new Arena({ bytes: 256 });
   * const a = arena.allocArray(P, 2);
   * a.at(0).set({ id: 9n, v: 1.5 });
   * const b = arena.allocArray(P, 2).setJSON(JSON.parse(JSON.stringify(a)));
   * assert.deepEqual([b.at(0).id, b.at(0).v], [9n, 1.5]);
   * ```
   */
  setJSON(json: unknown): this {
    this.#live("setJSON");
    if (!Array.isArray(json) || json.length !== this.length) {
      throw new FieldTypeError("", json, `an array of ${this.length} ${this.schema.name} records`);
    }
    const values = json.map((r, i) => decodeJSON(this.schema, r, `[${i}]`));
    // Again: a getter of the records may have freed the array (and handed its memory to another).
    this.#live("setJSON");
    for (let i = 0; i < values.length; i++) {
      this.#C.$w(this.#m, this.byteOffset + i * this.stride, values[i], "");
    }
    return this;
  }
}

/** Where one column's values sit in a record: the typed array, its element size, the offset. */
interface ColumnSpot {
  readonly arr: keyof Mem;
  readonly size: number;
  readonly offset: number;
}

const spotCache = new WeakMap<ClassPlan, Map<string, ColumnSpot>>();

// Resolves a dotted path once per plan; bad paths throw and are not cached.
function columnSpot(plan: ClassPlan, path: string): ColumnSpot {
  let spots = spotCache.get(plan);
  if (spots === undefined) spotCache.set(plan, spots = new Map());
  const known = spots.get(path);
  if (known !== undefined) return known;
  let offset = 0;
  let layout = plan;
  let kind: string | undefined;
  const parts = path.split(".");
  for (const [i, part] of parts.entries()) {
    const f = layout.fields.find((x) => x.name === part);
    if (!f) {
      throw new RangeError(`Cannot find column "${path}": ${layout.name} has no field "${part}"`);
    }
    offset += f.offset;
    if (f.access.how === "child" && i < parts.length - 1) {
      layout = planOf(layout.children[f.access.childIndex]);
      continue;
    }
    if (i !== parts.length - 1 || !(f.schema.kind in ARRAY_OF)) {
      throw new RangeError(`Cannot make a column of "${path}": it is not a number field`);
    }
    kind = f.schema.kind;
  }
  const size = SCALAR_SIZE[kind as ScalarKind];
  if (plan.size % size !== 0) {
    throw new RangeError(`Cannot make a column of "${path}": it is not ${size}-byte aligned`);
  }
  const spot = { arr: ARRAY_OF[kind!], size, offset };
  spots.set(path, spot);
  return spot;
}

type MutableColumn = { -readonly [K in keyof Column<unknown>]: Column<unknown>[K] };

// Points `c` at the column of `spot` in records from `byteOffset`; allocates nothing.
function placeColumn(
  c: MutableColumn,
  spot: ColumnSpot,
  plan: ClassPlan,
  m: Mem,
  byteOffset: number,
  length: number,
  path: string,
): void {
  const at = byteOffset + spot.offset;
  if (at % spot.size !== 0) {
    throw new RangeError(`Cannot make a column of "${path}": it is not ${spot.size}-byte aligned`);
  }
  // Starting each array at its field spares the loop an index add per access (measured: ~15% of
  // a churn frame). A steady frame loop lands at the same place each frame and keeps its array.
  const prev = c.array as Float32Array | undefined;
  if (prev === undefined || prev.buffer !== m.buffer || prev.byteOffset !== at) {
    c.array = (m[spot.arr] as Float32Array).subarray(at / spot.size);
  }
  m.raw = true;
  c.stride = plan.size / spot.size;
  c.length = length;
}

/**
 * The column of a scalar number field (dotted path) of records laid out `plan.size` bytes apart
 * from `byteOffset` in `m`: shared by struct arrays and array-of-structs tables.
 */
export function aosColumn(
  plan: ClassPlan,
  m: Mem,
  byteOffset: number,
  path: string,
  length: number,
): Column<unknown> {
  const c: MutableColumn = { array: undefined, index: 0, stride: 0, length: 0 };
  placeColumn(c, columnSpot(plan, path), plan, m, byteOffset, length, path);
  return c;
}
