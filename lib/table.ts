/**
 * Tables: an ORM-style object pool of struct records with generational ids, in array-of-structs
 * (one buffer, the schema's C layout) or struct-of-arrays (one typed array per field) layout.
 *
 * @module
 */
import { layoutOf } from "../schemas/layout.ts";
import type { DeepPartial, Infer, StructSchema, ViewOf } from "../schemas/types.ts";
import { type Mem, memOf, validate } from "./_codec.ts";
import { type ArenaLike, type ArenaState, refResolvers } from "./_helpers.ts";
import { soaViewClass, tableLoops, type ViewClass, viewClass } from "./compile.ts";
import type { SoaMem, SoaPlan, SoaViewClass } from "./emit_soa.ts";
import type { LoopIterator, LoopTable, TableLoops } from "./emit_table.ts";
import {
  decodeSnapshot,
  encodeSnapshot,
  layoutFingerprint,
  SnapshotError,
  type SnapshotOptions,
} from "./snapshot.ts";
import { aosColumn, ARRAY_OF, type Column } from "./struct_array.ts";

/** How a table stores its records. */
export type TableLayout = "aos" | "soa";

/** What a table does when it is full. */
export type TableGrowth = "fixed" | "double";

/** Options of {@linkcode Table}. */
export interface TableOptions {
  /** Number of records the table holds (the initial number, when it grows). */
  capacity: number;
  /**
   * `"aos"` (default): records back to back in one buffer, in the schema's own layout (C, packed
   * or WGSL), ready for FFI or a GPU upload. `"soa"`: one typed array per leaf field (`pos.x`,
   * `pos.y`, …), the fastest for loops that touch a few fields of many records.
   */
  layout?: TableLayout;
  /**
   * `"fixed"` (default): a full table throws {@linkcode TableFullError} (`tryCreate` returns
   * undefined). `"double"`: a full table doubles its capacity, up to `maxCapacity`. Ids stay
   * valid across growth; views and cursors taken before it do not (see {@linkcode Table}).
   */
  growth?: TableGrowth;
  /** Upper bound of `capacity` with `growth: "double"` (default and limit: 2²⁴ records). */
  maxCapacity?: number;
  /**
   * Resolve `t.ref()` fields pointing at this schema to this table's records (default true).
   * One table per schema resolves references; the table created last with this option wins.
   */
  resolveRefs?: boolean;
  /**
   * Check lifetimes on every view access (default true). Unchecked views skip the stale check: a
   * view of a deleted record then reads whatever the slot holds next. Values are checked either
   * way, and `create` and `update` always validate their input in full.
   */
  checked?: boolean;
  /** Build accessor classes from closures instead of `new Function` (same behaviour, slower). */
  jitless?: boolean;
}

/** Largest number of records a table can hold: the slot part of an id has 24 bits. */
export const MAX_TABLE_CAPACITY = 0x100_0000;

// An id is `generation * SLOTS + slot`. Generations of live records are odd, so an id is never
// 0, and 29 generation bits keep every id a safe integer (it survives JSON and postMessage).
const SLOTS = MAX_TABLE_CAPACITY;
const MAX_GEN = 2 ** 29 - 1;

/**
 * A table had no free slot for a new record: it is full and its `growth` is `"fixed"`, or it
 * reached `maxCapacity`.
 *
 * @example Catching a full table
 * ```ts
 * import { Table, TableFullError, t } from "@arenakit/core";
 * import assert from "node:assert/strict";
 * const table = new Table(t.struct({ hp: t.f32() }), { capacity: 1 });
 * table.create();
 * assert.throws(() => table.create(), (e) => e instanceof TableFullError && e.capacity === 1);
 * ```
 */
export class TableFullError extends RangeError {
  /** Always `"TableFullError"`. */
  override name = "TableFullError";
  /** The capacity the table was full at. */
  readonly capacity: number;
  /** Builds the error for a table of `capacity` records. */
  constructor(capacity: number) {
    super(`Cannot create a record: table is full at its capacity of ${capacity} records`);
    this.capacity = capacity;
  }
}

/**
 * A value passed as an id is not one: not a number, or a number no table ever returns (NaN,
 * negative, fractional, below 2²⁴, above `Number.MAX_SAFE_INTEGER`). Well-formed ids of deleted
 * or never-created records are not errors: `get` returns undefined and `has` false for those.
 *
 * @example Passing an index instead of an id
 * ```ts
 * import { InvalidIdError, Table, t } from "@arenakit/core";
 * import assert from "node:assert/strict";
 * const table = new Table(t.struct({ hp: t.f32() }), { capacity: 8 });
 * assert.throws(() => table.get(0), (e) => e instanceof InvalidIdError && e.id === 0);
 * ```
 */
export class InvalidIdError extends TypeError {
  /** Always `"InvalidIdError"`. */
  override name = "InvalidIdError";
  /** The value that was passed. */
  readonly id: unknown;
  /** Builds the error for operation `op` (`"get"`, `"delete"`, …). */
  constructor(op: string, id: unknown) {
    super(
      `Cannot ${op} ${show(id)}: expected an id returned by Table.create() (a positive integer)`,
    );
    this.id = id;
  }
}

function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "number" || typeof value === "boolean" || value == null) {
    return String(value);
  }
  return `a value of type ${typeof value}`;
}

function count(name: string, v: unknown, min: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > MAX_TABLE_CAPACITY) {
    throw new RangeError(
      `Cannot create Table: option "${name}" must be an integer from ${min} to ` +
        `${MAX_TABLE_CAPACITY}, got ${show(v)}`,
    );
  }
  return v;
}

/** What table code needs of any view (AoS or SoA); `$o` is `slot * stride`. */
interface AnyView {
  $a: ArenaLike;
  $m: unknown;
  $o: number;
  $g: number;
}
type AnyClass = {
  new (a: ArenaLike, m: never, o: number, g: number, p: string): AnyView;
  $v(v: unknown): boolean;
};

/**
 * The state of one table, shared by the table, its iterators and its queries. It is also the
 * `ArenaLike` its views check their lifetime against.
 */
class Core implements ArenaLike, LoopTable {
  // [0] counts deletes, clears and growths; a view compares its generation with it on access.
  readonly state: ArenaState = { g: 0 };
  readonly schema: StructSchema;
  readonly soa: boolean;
  readonly growth: TableGrowth;
  readonly maxCapacity: number;
  readonly C: AnyClass;
  /** AoS: bytes per record; SoA: 1 (a view's `$o` is its slot). */
  readonly stride: number;
  readonly recordBytes: number;
  capacity: number;
  // Per slot: generation (odd while a record lives there) ...
  gens: Uint32Array;
  // ... and, while live, the state.g value at creation; while free, the next free slot.
  link: Int32Array;
  mem: Mem | SoaMem;
  free = -1;
  hw = 0;
  count = 0;
  grownAt = 0;
  epoch = 0;
  cursors: AnyView[] = [];
  iterators: LoopIterator[] = [];
  // liveSlots(): the dense list, rebuilt on demand after any change of the live set.
  liveBuf: Uint32Array = new Uint32Array(0);
  live: Uint32Array | undefined = undefined;
  // column(): one object per path, made again after a growth replaces the storage.
  cols: Map<string, { -readonly [K in keyof Column<unknown>]: Column<unknown>[K] }> | undefined =
    undefined;
  /** forEach, where and for…of, generated for this table's view class. */
  readonly loops: TableLoops;

  constructor(schema: StructSchema, options: TableOptions) {
    this.schema = schema;
    const layout = options.layout ?? "aos";
    if (layout !== "aos" && layout !== "soa") {
      throw new RangeError(
        `Cannot create Table: option "layout" must be "aos" or "soa", got ${show(layout)}`,
      );
    }
    const growth = options.growth ?? "fixed";
    if (growth !== "fixed" && growth !== "double") {
      throw new RangeError(
        `Cannot create Table: option "growth" must be "fixed" or "double", got ${show(growth)}`,
      );
    }
    this.growth = growth;
    this.capacity = count("capacity", options.capacity, 1);
    this.maxCapacity = growth === "fixed"
      ? this.capacity
      : count("maxCapacity", options.maxCapacity ?? MAX_TABLE_CAPACITY, this.capacity);
    const checked = options.checked ?? true;
    const jitless = options.jitless ?? false;
    this.soa = layout === "soa";
    if (this.soa) {
      const C = soaViewClass(schema, checked, jitless);
      this.C = C as unknown as AnyClass;
      this.stride = 1;
      this.recordBytes = C.plan.columns.reduce((n, c) => n + c.width * bytesOf(c.ctor), 0);
      this.mem = soaMem(C.plan, this.capacity);
    } else {
      const l = layoutOf(schema);
      const C = viewClass({ schema, mode: l.mode, baseAlign: l.align, checked }, jitless);
      this.C = C as unknown as AnyClass;
      this.stride = C.plan.size;
      this.recordBytes = C.plan.size;
      this.mem = memOf(new ArrayBuffer(this.capacity * this.stride), 0);
    }
    this.gens = new Uint32Array(this.capacity);
    this.link = new Int32Array(this.capacity);
    this.loops = tableLoops(this.C, this.stride, jitless);
  }

  /** Whether the record at table address `pos`, live at generation `gen`, is still there. */
  isLive(gen: number, pos: number): boolean {
    // Views taken before a growth point into the old storage.
    if (((gen - this.grownAt) | 0) < 0) return false;
    const slot = this.stride === 1 ? pos : Math.floor(pos / this.stride);
    if (!(slot >= 0 && slot < this.hw) || (this.gens[slot] & 1) === 0) return false;
    // A record created after the view was last validated is another occupant of the slot.
    return ((gen - this.link[slot]) | 0) >= 0;
  }

  /** The live slot of `id`, or -1. Never throws, whatever `id` is. */
  slotOf(id: number): number {
    const slot = id % SLOTS;
    if (!((slot | 0) === slot && slot >= 0 && slot < this.hw)) return -1;
    const gen = (id - slot) / SLOTS;
    return this.gens[slot] === gen && (gen & 1) === 1 ? slot : -1;
  }

  /** Like slotOf, but throws InvalidIdError for values that cannot be ids. */
  checkedSlotOf(id: unknown, op: string): number {
    if (
      typeof id !== "number" || !Number.isSafeInteger(id) || id < SLOTS ||
      (Math.floor(id / SLOTS) & 1) === 0
    ) {
      throw new InvalidIdError(op, id);
    }
    return this.slotOf(id);
  }

  idAt(slot: number): number {
    return this.gens[slot] * SLOTS + slot;
  }

  view(slot: number): AnyView {
    return new this.C(this, this.mem as never, slot * this.stride, this.state.g, "");
  }

  create(init: unknown, soft: boolean): number | undefined {
    // The generated verdict first; the interpreter only runs to throw the detailed error.
    if (init !== undefined && !this.C.$v(init)) validate(this.schema, init, "", true);
    let slot = this.free;
    if (slot !== -1) this.free = this.link[slot];
    else if (this.hw < this.capacity || this.grow()) slot = this.hw++;
    else if (soft) return undefined;
    else throw new TableFullError(this.capacity);
    const o = slot * this.stride;
    if (this.soa) (this.C as unknown as SoaViewClass).$z(this.mem as SoaMem, slot);
    else (this.mem as Mem).u8.fill(0, o, o + this.stride);
    if (init !== undefined) (this.C as unknown as ViewClass).$w(this.mem as never, o, init, "");
    const gen = this.gens[slot] + 1;
    this.gens[slot] = gen;
    this.link[slot] = this.state.g;
    this.count++;
    this.live = undefined;
    return gen * SLOTS + slot;
  }

  remove(slot: number): void {
    const gen = this.gens[slot] + 1;
    this.gens[slot] = gen;
    this.count--;
    this.state.g++;
    this.live = undefined;
    // A slot whose generations are used up is retired, so its ids can never come back.
    if (gen < MAX_GEN) {
      this.link[slot] = this.free;
      this.free = slot;
    }
  }

  clear(): void {
    this.state.g++;
    this.live = undefined;
    const gens = this.gens;
    this.free = -1;
    // Pushed from the top, so the free list hands out low slots first.
    for (let s = this.hw - 1; s >= 0; s--) {
      if ((gens[s] & 1) === 1) gens[s]++;
      if (gens[s] < MAX_GEN) {
        this.link[s] = this.free;
        this.free = s;
      }
    }
    this.count = 0;
  }

  liveSlots(): Uint32Array {
    if (this.live !== undefined) return this.live;
    if (this.liveBuf.length < this.count) this.liveBuf = new Uint32Array(this.capacity);
    const out = this.liveBuf;
    const gens = this.gens;
    let n = 0;
    for (let s = 0, hw = this.hw; s < hw; s++) if ((gens[s] & 1) === 1) out[n++] = s;
    return (this.live = out.subarray(0, n));
  }

  grow(): boolean {
    const next = Math.min(this.capacity * 2, this.maxCapacity);
    if (next <= this.capacity) return false;
    const gens = new Uint32Array(next);
    gens.set(this.gens);
    const link = new Int32Array(next);
    link.set(this.link);
    if (this.soa) {
      const plan = (this.C as unknown as SoaViewClass).plan;
      const mem = soaMem(plan, next);
      for (const c of plan.columns) {
        (mem[`c${c.index}`] as Uint8Array).set(this.mem[`c${c.index}` as never] as Uint8Array);
      }
      this.mem = mem;
    } else {
      const mem = memOf(new ArrayBuffer(next * this.stride), 0);
      mem.u8.set((this.mem as Mem).u8);
      this.mem = mem;
    }
    this.cols = undefined;
    this.gens = gens;
    this.link = link;
    this.capacity = next;
    this.grownAt = ++this.state.g;
    this.epoch++;
    this.live = undefined;
    this.cursors.length = 0;
    return true;
  }

  /** Byte views of the record storage of slots [0, n): one per column (SoA) or one (AoS). */
  storage(n: number): Uint8Array[] {
    if (!this.soa) return [(this.mem as Mem).u8.subarray(0, n * this.stride)];
    return (this.C as unknown as SoaViewClass).plan.columns.map((c) => {
      const a = this.mem[`c${c.index}` as never] as Uint8Array;
      return new Uint8Array(a.buffer, a.byteOffset, n * c.width * bytesOf(c.ctor));
    });
  }

  snapshot(options?: SnapshotOptions): Uint8Array {
    const hw = this.hw;
    const meta = new Int32Array([this.soa ? 1 : 0, hw, this.count, this.free]);
    const bytes = (a: ArrayBufferView, n: number) => new Uint8Array(a.buffer, a.byteOffset, n);
    return encodeSnapshot(
      "table",
      layoutFingerprint(this.schema),
      [
        bytes(meta, 16),
        bytes(this.gens, hw * 4),
        bytes(this.link, hw * 4),
        ...this.storage(hw),
      ],
      options,
    );
  }

  restore(snap: Uint8Array): void {
    const { sections } = decodeSnapshot(snap, "table", layoutFingerprint(this.schema));
    const bad = (detail: string): never => {
      throw new SnapshotError("format", detail);
    };
    // Views where the section is 4-byte aligned (it is, in a snapshot at an aligned offset),
    // copies otherwise: an Int32Array cannot start at an odd byte.
    const ints = (b: Uint8Array) =>
      b.byteOffset % 4 === 0
        ? new Int32Array(b.buffer, b.byteOffset, b.length >> 2)
        : new Int32Array(b.slice().buffer);
    if (sections.length < 4 || sections[0].length !== 16) {
      bad("the table header section is missing");
    }
    const [layout, hw, count, free] = ints(sections[0]);
    if (layout !== (this.soa ? 1 : 0)) {
      bad(
        `it was taken from a "${layout === 1 ? "soa" : "aos"}" table, this one is "${
          this.soa ? "soa" : "aos"
        }"`,
      );
    }
    if (!(hw >= 0 && hw <= MAX_TABLE_CAPACITY)) bad(`${hw} slots is not a valid slot count`);
    const sizes = !this.soa
      ? [hw * this.stride]
      : (this.C as unknown as SoaViewClass).plan.columns.map((c) => hw * c.width * bytesOf(c.ctor));
    const want = [16, hw * 4, hw * 4, ...sizes];
    if (sections.length !== want.length || sections.some((sec, i) => sec.length !== want[i])) {
      bad("its sections do not match the table's storage");
    }
    const g = sections[1];
    const gens = g.byteOffset % 4 === 0
      ? new Uint32Array(g.buffer, g.byteOffset, g.length >> 2)
      : new Uint32Array(g.slice().buffer);
    const link = ints(sections[2]);
    let live = 0;
    for (let s = 0; s < hw; s++) {
      if (gens[s] > MAX_GEN + 1) bad(`slot ${s} has generation ${gens[s]}, above ${MAX_GEN + 1}`);
      live += gens[s] & 1;
    }
    if (live !== count) bad(`it counts ${count} records but ${live} slots are live`);
    // The free list must visit dead slots only, each once.
    let steps = 0;
    for (let s = free; s !== -1; s = link[s]) {
      if (!(s >= 0 && s < hw) || (gens[s] & 1) === 1 || ++steps > hw) {
        bad("its free list is broken");
      }
    }
    if (hw > this.capacity) {
      if (hw > this.maxCapacity) {
        throw new SnapshotError(
          "capacity",
          `it holds ${hw} slots and this table can hold ${this.maxCapacity} records`,
        );
      }
      while (this.capacity < hw) this.grow();
    }
    // Every earlier view and cursor ends, like at a growth; restored records start now.
    this.grownAt = ++this.state.g;
    this.epoch++;
    this.live = undefined;
    this.cursors.length = 0;
    this.gens.set(gens);
    this.gens.fill(0, hw);
    this.link.set(link);
    for (let s = 0; s < hw; s++) if ((gens[s] & 1) === 1) this.link[s] = this.state.g;
    const storage = this.storage(hw);
    for (let i = 0; i < storage.length; i++) storage[i].set(sections[3 + i]);
    this.hw = hw;
    this.count = count;
    this.free = free;
  }

  takeCursor(): AnyView {
    return this.cursors.pop() ?? this.view(0);
  }

  putCursor(c: AnyView): void {
    if (c.$m === this.mem) this.cursors.push(c);
  }

  /** The typed array, start index (0) and stride of a scalar number field. */
  column(path: string): Column<unknown> {
    const cols = this.cols ??= new Map();
    let c = cols.get(path);
    if (c === undefined) {
      c = this.soa
        ? this.soaColumn(path)
        : aosColumn((this.C as unknown as ViewClass).plan, this.mem as Mem, 0, path, this.hw);
      cols.set(path, c);
    }
    c.length = this.hw;
    return c;
  }

  soaColumn(path: string): Column<unknown> {
    const plan = (this.C as unknown as SoaViewClass).plan;
    const c = plan.columns.find((x) => x.path === path);
    if (c === undefined) {
      throw new RangeError(`Cannot find column "${path}": ${plan.name} has no such field`);
    }
    if (c.width !== 1 || !(c.schema.kind in ARRAY_OF)) {
      throw new RangeError(`Cannot make a column of "${path}": it is not a number field`);
    }
    return { array: this.mem[`c${c.index}` as never], index: 0, stride: 1, length: this.hw };
  }
}

function bytesOf(ctor: string): number {
  return (globalThis as unknown as Record<string, { BYTES_PER_ELEMENT: number }>)[ctor]
    .BYTES_PER_ELEMENT;
}

function soaMem(plan: SoaPlan, capacity: number): SoaMem {
  // Same member order for every table of a schema, so the columns object has one shape.
  const m: Record<string, unknown> = { start: 0 };
  for (const c of plan.columns) {
    const Ctor = (globalThis as unknown as Record<string, new (n: number) => ArrayBufferView>)[
      c.ctor
    ];
    m[`c${c.index}`] = new Ctor(capacity * c.width);
  }
  return m as unknown as SoaMem;
}

/**
 * A filtered pass over a table: `table.where(pred)` runs `pred` with a cursor at each live
 * record when one of its methods is called (nothing is computed before).
 *
 * Lifetimes: as for {@linkcode Table.forEach}: the record passed to callbacks is a cursor, valid
 * during the call only.
 *
 * @example Ids of the dying particles
 * ```ts
 * import { Table, t } from "@arenakit/core";
 * import assert from "node:assert/strict";
 * const P = t.struct({ life: t.f32() });
 * const ps = new Table(P, { capacity: 16 });
 * for (const life of [0.05, 0.5, 0.01]) ps.create({ life });
 * assert.equal(ps.where((p) => p.life < 0.1).count(), 2);
 * ```
 */
export class Query<S extends StructSchema> {
  #core: Core;
  #pred: (record: ViewOf<S>, id: number) => boolean;

  /** Built by {@linkcode Table.where}. */
  constructor(core: unknown, pred: (record: ViewOf<S>, id: number) => boolean) {
    this.#core = core as Core;
    this.#pred = pred;
  }

  /**
   * Calls `fn` with a cursor at each matching record, in slot order. Deleting records from the
   * callback is safe.
   *
   * @example Age the young ones
   * ```ts
   * import { Table, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const ps = new Table(t.struct({ life: t.f32() }), { capacity: 8 });
   * ps.create({ life: 0.25 });
   * ps.where((p) => p.life < 0.5).forEach((p) => { p.life += 0.5; });
   * assert.deepEqual([...ps].map((p) => p.life), [0.75]);
   * ```
   */
  forEach(fn: (record: ViewOf<S>, id: number) => void): void {
    const core = this.#core;
    core.loops.filter(core, this.#pred as never, fn as never);
  }

  /**
   * The ids of the matching records, in slot order.
   *
   * @example Collect ids
   * ```ts
   * import { Table, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const ps = new Table(t.struct({ life: t.f32() }), { capacity: 8 });
   * const a = ps.create({ life: 0.5 });
   * ps.create({ life: 2 });
   * assert.equal(ps.where((p) => p.life < 1).ids().length, 1);
   * assert.equal(ps.has(a), true);
   * ```
   */
  ids(): number[] {
    const core = this.#core;
    const out: number[] = [];
    core.loops.filter(core, this.#pred as never, (_, id) => out.push(id));
    return out;
  }

  /**
   * Number of matching records.
   *
   * @example Count
   * ```ts
   * import { Table, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const ps = new Table(t.struct({ hp: t.u8() }), { capacity: 8 });
   * ps.create({ hp: 0 });
   * ps.create({ hp: 3 });
   * assert.equal(ps.where((p) => p.hp === 0).count(), 1);
   * ```
   */
  count(): number {
    const core = this.#core;
    let n = 0;
    core.loops.filter(core, this.#pred as never, () => n++);
    return n;
  }

  /**
   * Deletes the matching records and returns how many.
   *
   * @example Remove the dead
   * ```ts
   * import { Table, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const ps = new Table(t.struct({ life: t.f32() }), { capacity: 8 });
   * ps.create({ life: 0 });
   * ps.create({ life: 1 });
   * assert.deepEqual([ps.where((p) => p.life <= 0).delete(), ps.count], [1, 1]);
   * ```
   */
  delete(): number {
    const core = this.#core;
    let n = 0;
    core.loops.filter(core, this.#pred as never, (_, id) => {
      core.remove(core.slotOf(id));
      n++;
    });
    return n;
  }
}

/**
 * An object pool of `schema` records addressed by generational ids, with queries and references,
 * like a small in-memory ORM table.
 *
 * Ids: `create` returns a number (`generation * 2²⁴ + slot`, never 0, a safe integer, so it
 * survives `JSON.stringify` and `postMessage`). Deleting a record bumps its slot's generation,
 * so a stale id never resolves to another record: `get` returns undefined and `has` false. A slot
 * that used up its 2²⁸ reuses is retired rather than reused.
 *
 * Lifetimes: `get(id)` returns a fresh view of the record, valid until the record is deleted
 * (or the table cleared). In checked mode (the default) touching it afterwards throws
 * {@linkcode StaleViewError}, never reads the slot's next occupant. With `growth: "double"`, a
 * growth moves every record: views and cursors taken before it throw `StaleViewError` too, while
 * ids stay valid (take a new view with `get(id)`). Columns from `column()` are plain typed
 * arrays that cannot tell: take them again after the table grows.
 *
 * Iteration (`for…of`, `forEach`, `where`) visits live records in slot order with one cursor,
 * re-pointed at each record, so it allocates nothing per record; the cursor is only valid until
 * the next step (keep the id, from `forEach`'s second argument or `idOf(cursor)`). Deleting any
 * record during an iteration is safe: the current one becomes stale, later ones are skipped.
 * Records created during an iteration may or may not be visited (a freed slot ahead of the
 * cursor is reused first).
 *
 * References: a `t.ref(S)` field stores an id; reading it resolves through the table registered
 * for `S` (the last table of `S` created with `resolveRefs` left on) and gives the target's view,
 * or `undefined` once the target was deleted. Deleting a referenced record is always safe.
 *
 * Memory: `aos` stores `layoutOf(schema).size` bytes per record, `soa` the sum of the field sizes
 * (no padding); both add 8 bytes per record (generation and free-list link). The first call of
 * {@linkcode Table.liveSlots} adds an index of 4 bytes per record of capacity.
 *
 * @example Particles
 * ```ts
 * import { Table, t } from "@arenakit/core";
 * import assert from "node:assert/strict";
 * const Particle = t.struct({ pos: t.vec2f(), life: t.f32() }, { name: "Particle" });
 * const particles = new Table(Particle, { capacity: 100_000, layout: "soa" });
 * const id = particles.create({ pos: { x: 1.5, y: 2 }, life: 1 });
 * particles.update(id, { life: 0.5 });
 * assert.equal(particles.get(id)?.life, 0.5);
 * for (const p of particles) p.pos.x += 0.25;
 * particles.delete(id);
 * assert.equal(particles.get(id), undefined);
 * assert.equal(particles.count, 0);
 * ```
 *
 * @example References between tables
 * ```ts
 * import { Table, t } from "@arenakit/core";
 * import assert from "node:assert/strict";
 * const Ship = t.struct({ hp: t.f32() }, { name: "Ship" });
 * const Bullet = t.struct({ from: t.ref(Ship), x: t.f32() }, { name: "Bullet" });
 * const ships = new Table(Ship, { capacity: 16 });
 * const bullets = new Table(Bullet, { capacity: 256 });
 * const ship = ships.create({ hp: 100 });
 * const b = bullets.create({ from: ship, x: 0.5 });
 * assert.equal(bullets.get(b)?.from?.hp, 100);
 * ships.delete(ship);
 * assert.equal(bullets.get(b)?.from, undefined);
 * ```
 */
export class Table<S extends StructSchema> implements Iterable<ViewOf<S>> {
  /** The record schema. */
  readonly schema: S;
  /** How records are stored. */
  readonly layout: TableLayout;
  #core: Core;

  /** Makes an empty table of `options.capacity` records. */
  constructor(schema: S, options: TableOptions) {
    if (typeof schema !== "object" || schema === null || schema.kind !== "struct") {
      throw new TypeError(
        `Cannot create Table: expected a struct schema (t.struct(...)), got ${show(schema)}`,
      );
    }
    if (typeof options !== "object" || options === null) {
      throw new TypeError(
        `Cannot create Table: expected an options object like { capacity: 1024 }`,
      );
    }
    this.schema = schema;
    this.#core = new Core(schema, options);
    this.layout = this.#core.soa ? "soa" : "aos";
    if (options.resolveRefs ?? true) {
      const core = this.#core;
      refResolvers.set(schema, (id) => {
        const slot = typeof id === "number" ? core.slotOf(id) : -1;
        return slot < 0 ? undefined : core.view(slot);
      });
    }
  }

  /**
   * Adds a record (zeroed, then `init` written) and returns its id. `init` is validated in full
   * first: unknown fields or values a field cannot hold throw, and the table is unchanged.
   * Throws {@linkcode TableFullError} when there is no room.
   *
   * @example Create and read back
   * ```ts
   * import { Table, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const table = new Table(t.struct({ hp: t.u8(), name: t.string(8) }), { capacity: 4 });
   * const id = table.create({ name: "ada" });
   * assert.deepEqual(table.get(id)?.toObject(), { hp: 0, name: "ada" });
   * ```
   */
  create(init?: DeepPartial<Infer<S>>): number {
    return this.#core.create(init, false) as number;
  }

  /**
   * Like {@linkcode Table.create}, but returns `undefined` instead of throwing when the table is
   * full (bad values still throw).
   *
   * @example Spawn only while there is room
   * ```ts
   * import { Table, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const table = new Table(t.struct({ hp: t.f32() }), { capacity: 1 });
   * assert.equal(typeof table.tryCreate(), "number");
   * assert.equal(table.tryCreate(), undefined);
   * ```
   */
  tryCreate(init?: DeepPartial<Infer<S>>): number | undefined {
    return this.#core.create(init, true);
  }

  /**
   * A fresh view of the record `id`, or `undefined` when it was deleted (or never existed).
   * Throws {@linkcode InvalidIdError} for values that cannot be ids.
   *
   * Lifetimes: the view lives until the record is deleted, the table cleared or grown.
   *
   * @example Get, or undefined once deleted
   * ```ts
   * import { Table, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const table = new Table(t.struct({ hp: t.f32() }), { capacity: 4 });
   * const id = table.create({ hp: 2.5 });
   * assert.equal(table.get(id)?.hp, 2.5);
   * table.delete(id);
   * assert.equal(table.get(id), undefined);
   * ```
   */
  get(id: number): ViewOf<S> | undefined {
    const core = this.#core;
    const slot = core.checkedSlotOf(id, "get");
    return slot < 0 ? undefined : core.view(slot) as unknown as ViewOf<S>;
  }

  /**
   * Whether `id` is the id of a live record of this table. Never throws: anything else gives
   * false.
   *
   * @example Has
   * ```ts
   * import { Table, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const table = new Table(t.struct({ hp: t.f32() }), { capacity: 4 });
   * const id = table.create();
   * assert.deepEqual([table.has(id), table.has(NaN)], [true, false]);
   * ```
   */
  has(id: number): boolean {
    return typeof id === "number" && this.#core.slotOf(id) >= 0;
  }

  /**
   * Writes the given fields of record `id` and returns true, or returns false when the record is
   * gone. `values` is validated in full first: on error nothing is written. Throws
   * {@linkcode InvalidIdError} for values that cannot be ids.
   *
   * @example Update two fields
   * ```ts
   * import { Table, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const table = new Table(t.struct({ hp: t.f32(), x: t.f32() }), { capacity: 4 });
   * const id = table.create();
   * table.update(id, { hp: 0.5, x: 2 });
   * assert.deepEqual(table.get(id)?.toObject(), { hp: 0.5, x: 2 });
   * ```
   */
  update(id: number, values: DeepPartial<Infer<S>>): boolean {
    const core = this.#core;
    const slot = core.checkedSlotOf(id, "update");
    if (!core.C.$v(values)) validate(this.schema, values, "", true);
    if (slot < 0) return false;
    (core.C as unknown as ViewClass).$w(core.mem as never, slot * core.stride, values, "");
    return true;
  }

  /**
   * Deletes record `id` and returns true, or returns false when it was already gone. Its slot is
   * reused by a later `create`, under a new generation. Throws {@linkcode InvalidIdError} for
   * values that cannot be ids.
   *
   * Lifetimes: views of the record become stale; references to it resolve to `undefined`.
   *
   * @example Delete twice
   * ```ts
   * import { Table, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const table = new Table(t.struct({ hp: t.f32() }), { capacity: 4 });
   * const id = table.create();
   * assert.deepEqual([table.delete(id), table.delete(id)], [true, false]);
   * ```
   */
  delete(id: number): boolean {
    const core = this.#core;
    const slot = core.checkedSlotOf(id, "delete");
    if (slot < 0) return false;
    core.remove(slot);
    return true;
  }

  /**
   * Deletes every record, in O(slots used).
   *
   * Lifetimes: every view of the table becomes stale; every id stops resolving.
   *
   * @example Clear
   * ```ts
   * import { Table, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const table = new Table(t.struct({ hp: t.f32() }), { capacity: 4 });
   * const id = table.create();
   * table.clear();
   * assert.deepEqual([table.count, table.has(id)], [0, false]);
   * ```
   */
  clear(): void {
    this.#core.clear();
  }

  /** Number of live records. */
  get count(): number {
    return this.#core.count;
  }

  /** Number of records the table can hold before it is full (or grows). */
  get capacity(): number {
    return this.#core.capacity;
  }

  /**
   * Number of slots ever used: every live record's slot is below it, so loops over columns run
   * from 0 to `slots`, skipping empty slots with {@linkcode Table.idAt}.
   */
  get slots(): number {
    return this.#core.hw;
  }

  /**
   * Bytes of storage: records plus 8 bytes of bookkeeping per record of capacity, plus the
   * `liveSlots()` index (4 bytes per record of capacity) once it was asked for.
   */
  get byteLength(): number {
    const core = this.#core;
    return core.capacity * (core.recordBytes + 8) + core.liveBuf.byteLength;
  }

  /**
   * Whether `slot` holds a live record: the cheapest liveness test for hand-written column loops
   * (one array read, no id arithmetic). Out-of-range and non-integer slots are not live.
   *
   * @example Integrate a column, skipping empty slots
   * ```ts
   * import { Table, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const P = t.struct({ x: t.f32(), vx: t.f32() });
   * const table = new Table(P, { capacity: 8, layout: "soa" });
   * const a = table.create({ x: 1, vx: 2 });
   * table.create({ x: 5, vx: 2 });
   * table.delete(a);
   * const x = table.column("x").array;
   * const vx = table.column("vx").array;
   * for (let s = 0, n = table.slots; s < n; s++) {
   *   if (!table.isLive(s)) continue;
   *   x[s] += vx[s] * 0.5;
   * }
   * assert.deepEqual([...table].map((p) => p.x), [6]);
   * ```
   */
  isLive(slot: number): boolean {
    // Live generations are odd; an out-of-range read gives undefined, and undefined & 1 is 0.
    return (this.#core.gens[slot] & 1) === 1;
  }

  /**
   * The slots of all live records, in slot order: the dense index list of a hand-written column
   * loop (what an ECS query returns), so the loop tests no liveness per slot.
   *
   * Hazard: the array is the table's own and is only valid until the live set changes. The next
   * `create`, `delete`, `clear`, `restore` or growth makes it stale, and the call after that
   * rebuilds the list in the same memory (one pass over {@linkcode Table.slots}), so an array kept
   * across a change may show the new list or a mix. Deleting during the loop is safe for the
   * records still to come (their slots do not move), but the deleted slot is then empty: test
   * {@linkcode Table.isLive} if the loop body deletes. Calls with no change in between return the
   * same array and allocate nothing.
   *
   * Memory: the list lives in an index of 4 bytes per record of capacity, made at the first call
   * (counted in {@linkcode Table.byteLength}).
   *
   * @example Integrate two columns over the live records
   * ```ts
   * import { Table, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const P = t.struct({ x: t.f32(), vx: t.f32() });
   * const table = new Table(P, { capacity: 8, layout: "soa" });
   * const a = table.create({ x: 1, vx: 2 });
   * table.create({ x: 5, vx: 2 });
   * table.delete(a);
   * const x = table.column("x").array;
   * const vx = table.column("vx").array;
   * const live = table.liveSlots();
   * assert.deepEqual([...live], [1]);
   * for (let k = 0; k < live.length; k++) {
   *   const s = live[k];
   *   x[s] += vx[s] * 0.5;
   * }
   * assert.deepEqual([...table].map((p) => p.x), [6]);
   * assert.equal(table.liveSlots(), live); // no change since: the same array
   * ```
   */
  liveSlots(): Uint32Array {
    return this.#core.liveSlots();
  }

  /**
   * The id of the live record in `slot`, or `undefined` when the slot is empty (or out of range).
   *
   * @example Loop over a column
   * ```ts
   * import { Table, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const table = new Table(t.struct({ x: t.f32() }), { capacity: 8, layout: "soa" });
   * table.create({ x: 1.5 });
   * const x = table.column("x");
   * for (let s = 0; s < table.slots; s++) {
   *   if (table.idAt(s) !== undefined) x.array[s * x.stride] *= 2;
   * }
   * assert.equal([...table][0].x, 3);
   * ```
   */
  idAt(slot: number): number | undefined {
    const core = this.#core;
    if (!((slot | 0) === slot && slot >= 0 && slot < core.hw)) return undefined;
    return (core.gens[slot] & 1) === 1 ? core.idAt(slot) : undefined;
  }

  /**
   * The slot of record `id` (its index in columns), or `undefined` when it is gone.
   *
   * @example Index a column by id
   * ```ts
   * import { Table, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const table = new Table(t.struct({ x: t.f32() }), { capacity: 8, layout: "soa" });
   * const id = table.create({ x: 0.5 });
   * const x = table.column("x");
   * assert.equal(x.array[table.slotOf(id)! * x.stride], 0.5);
   * ```
   */
  slotOf(id: number): number | undefined {
    const slot = typeof id === "number" ? this.#core.slotOf(id) : -1;
    return slot < 0 ? undefined : slot;
  }

  /**
   * The id of the record a view or cursor of this table points at, or `undefined` when that
   * record is gone (or the view is not from this table). Use it to keep a record found in a
   * loop, or to store it in a `t.ref()` field.
   *
   * @example Keep the record a loop found
   * ```ts
   * import { Table, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const table = new Table(t.struct({ hp: t.f32() }), { capacity: 8 });
   * table.create({ hp: 1 });
   * const strong = table.create({ hp: 9.5 });
   * let found: number | undefined;
   * for (const p of table) if (p.hp > 5) found = table.idOf(p);
   * assert.equal(found === strong, true);
   * ```
   */
  idOf(view: ViewOf<S>): number | undefined {
    const core = this.#core;
    const v = view as unknown as AnyView;
    if (typeof v !== "object" || v === null || v.$a !== core || v.$m !== core.mem) return undefined;
    const slot = core.stride === 1 ? v.$o : Math.floor(v.$o / core.stride);
    return this.idAt(slot);
  }

  /**
   * Calls `fn` with a cursor at each live record and its id, in slot order, allocating nothing
   * per record. Deleting records (the current one included) from `fn` is safe.
   *
   * Lifetimes: the cursor is re-pointed at the next record after `fn` returns; keep the id.
   *
   * @example Sum a field
   * ```ts
   * import { Table, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const table = new Table(t.struct({ hp: t.f32() }), { capacity: 8 });
   * table.create({ hp: 1.5 });
   * table.create({ hp: 2 });
   * let sum = 0;
   * table.forEach((p) => { sum += p.hp; });
   * assert.equal(sum, 3.5);
   * ```
   */
  forEach(fn: (record: ViewOf<S>, id: number) => void): void {
    const core = this.#core;
    core.loops.each(core, fn as never);
  }

  /**
   * A lazy filtered pass over the live records: see {@linkcode Query}.
   *
   * @example Delete the expired
   * ```ts
   * import { Table, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const table = new Table(t.struct({ life: t.f32() }), { capacity: 8 });
   * table.create({ life: 0.05 });
   * table.create({ life: 0.5 });
   * table.where((p) => p.life < 0.1).delete();
   * assert.equal(table.count, 1);
   * ```
   */
  where(pred: (record: ViewOf<S>, id: number) => boolean): Query<S> {
    if (typeof pred !== "function") {
      throw new TypeError(
        `Cannot query with ${show(pred)}: expected a function (record, id) => boolean`,
      );
    }
    return new Query<S>(this.#core, pred);
  }

  /**
   * The ids of all live records, in slot order.
   *
   * @example All ids
   * ```ts
   * import { Table, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const table = new Table(t.struct({ hp: t.f32() }), { capacity: 8 });
   * const a = table.create();
   * const b = table.create();
   * assert.equal(table.ids().join() === `${a},${b}`, true);
   * ```
   */
  ids(): number[] {
    const core = this.#core;
    const out: number[] = [];
    for (let s = 0; s < core.hw; s++) if ((core.gens[s] & 1) === 1) out.push(core.idAt(s));
    return out;
  }

  /**
   * The record bytes of slots `[0, slots)` of an `"aos"` table, a view over its storage (not a
   * copy), for uploading to a GPU or passing to C: slot `s` starts at byte `s * stride`. Empty
   * slots hold old or zero bytes. Throws a TypeError for `"soa"` tables (use `column()`).
   *
   * Lifetimes: valid until the table grows (a growth moves the records to a new buffer).
   *
   * @example The bytes of two records
   * ```ts
   * import { Table, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const table = new Table(t.struct({ hp: t.f32() }), { capacity: 8 });
   * table.create({ hp: 1.5 });
   * table.create({ hp: 2 });
   * const bytes = table.bytes();
   * assert.equal(bytes.byteLength, 8);
   * assert.equal(new DataView(bytes.buffer, bytes.byteOffset).getFloat32(4, true), 2);
   * ```
   */
  bytes(): Uint8Array {
    const core = this.#core;
    if (core.soa) {
      throw new TypeError(`Cannot take the bytes of a "soa" table: its fields are columns`);
    }
    return core.storage(core.hw)[0];
  }

  /**
   * The typed array, start index and stride of a scalar number field (a dotted path such as
   * `"pos.x"`, vector components included), for hand-written loops: record `slot`'s value is
   * `array[slot * stride]` (`index` is always 0 for tables). With `layout: "soa"`, `array` is
   * that field's own column (stride 1); with `"aos"`, it is a typed array over the table's
   * buffer that starts at record 0's field (stride: the record size in elements), so loops
   * over several fields compute `slot * stride` once. `length` is {@linkcode Table.slots}.
   *
   * Lifetimes: a plain typed array, valid until the table grows; empty slots hold old values
   * (check with {@linkcode Table.idAt}, or loop over {@linkcode Table.liveSlots}). Each path
   * gives the same object until a growth (a frame loop that asks every frame allocates
   * nothing); its `length` follows `slots`.
   *
   * @example The x column of a SoA table
   * ```ts
   * import { Table, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const P = t.struct({ pos: t.vec2f(), life: t.f32() });
   * const table = new Table(P, { capacity: 1024, layout: "soa" });
   * table.create({ pos: { x: 0.5, y: 1 } });
   * const x = table.column<Float32Array>("pos.x");
   * assert.ok(x.array instanceof Float32Array);
   * assert.equal(x.array[0], 0.5);
   * ```
   *
   * @example Integrate an AoS table: one index for every column
   * ```ts
   * import { Table, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const P = t.struct({ x: t.f32(), vx: t.f32(), hp: t.u8() });
   * const table = new Table(P, { capacity: 64, layout: "aos" });
   * table.create({ x: 1, vx: 0.5 });
   * const gone = table.create({ x: 7, vx: 1 });
   * table.create({ x: 2, vx: -0.25 });
   * table.delete(gone);
   * const { array: x, stride } = table.column("x");
   * const vx = table.column("vx").array;
   * const live = table.liveSlots();
   * for (let k = 0; k < live.length; k++) {
   *   const o = live[k] * stride;
   *   x[o] += vx[o] * 2;
   * }
   * assert.deepEqual(table.ids().map((id) => table.get(id)!.x), [2, 1.5]);
   * assert.equal(table.column("x"), table.column("x"));
   * ```
   */
  column<A = Float32Array>(path: string): Column<A> {
    return this.#core.column(path) as Column<A>;
  }

  /**
   * The table as bytes: every slot's generation, the free list and the records (see
   * `snapshot.ts` for the format), so {@linkcode Table.restore} brings back exactly the ids
   * that resolved when it was taken. `options.into` reuses a buffer instead of allocating one;
   * `options.checksum: false` skips the body checksum for trusted in-memory rollback.
   *
   * @example Save and restore
   * ```ts
   * import { Table, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const P = t.struct({ hp: t.f32() });
   * const table = new Table(P, { capacity: 8 });
   * const a = table.create({ hp: 1.5 });
   * const snap = table.snapshot();
   * table.delete(a);
   * table.restore(snap);
   * assert.equal(table.get(a)?.hp, 1.5);
   * ```
   */
  snapshot(options?: SnapshotOptions): Uint8Array {
    return this.#core.snapshot(options);
  }

  /**
   * Replaces the table's contents with a snapshot taken by {@linkcode Table.snapshot} of a table
   * of the same schema and layout: the same ids resolve to the same values, deleted ids stay
   * dead, and the free list is the same. Everything is checked before anything is written:
   * a truncated, corrupted or foreign snapshot throws {@linkcode SnapshotError} and leaves the
   * table as it was. A growable table grows to hold the snapshot.
   *
   * Lifetimes: every view and cursor taken before the restore becomes stale.
   *
   * @example Refuse a snapshot of another schema
   * ```ts
   * import { SnapshotError, Table, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const a = new Table(t.struct({ hp: t.f32() }), { capacity: 8 });
   * const b = new Table(t.struct({ hp: t.u32() }), { capacity: 8 });
   * assert.throws(
   *   () => b.restore(a.snapshot()),
   *   (e) => e instanceof SnapshotError && e.reason === "fingerprint",
   * );
   * ```
   */
  restore(bytes: Uint8Array): void {
    this.#core.restore(bytes);
  }

  /**
   * Iterates the live records in slot order with a pooled cursor (no allocation per record, nor
   * per loop once the pool is warm); the loop variable is only valid until the next step.
   *
   * @example for…of
   * ```ts
   * import { Table, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const table = new Table(t.struct({ x: t.f32(), vx: t.f32() }), { capacity: 8 });
   * table.create({ vx: 0.5 });
   * for (const p of table) p.x += p.vx;
   * assert.equal(table.get(table.ids()[0])?.x, 0.5);
   * ```
   */
  [Symbol.iterator](): IterableIterator<ViewOf<S>> {
    const core = this.#core;
    const it = core.iterators.pop() ?? new core.loops.Iterator(core);
    return it.start() as IterableIterator<ViewOf<S>>;
  }
}
