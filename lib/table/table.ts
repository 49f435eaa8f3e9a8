/**
 * Tables: an ORM-style object pool of struct records with generational ids, in array-of-structs
 * (one buffer, the schema's C layout) or struct-of-arrays (one typed array per field) layout.
 *
 * @module
 */
import type { DeepPartial, Infer, StructSchema, ViewOf } from "../../schemas/types.ts";
import { show } from "../_text.ts";
import { decodeTableSnapshot, encodeTableSnapshot } from "../snapshot/table_section.ts";
import type { SnapshotOptions } from "../snapshot/envelope.ts";
import { AosStorage } from "./aos_storage.ts";
import { Core } from "./core.ts";
import { resolveTableOptions, type TableLayout, type TableOptions } from "./options.ts";
import { type Query, queryOf } from "./query.ts";
import { SoaStorage } from "./soa_storage.ts";
import { TableColumns } from "./columns.ts";
import { Refs, type RefTarget } from "./refs.ts";
import type { TableView } from "./storage.ts";
import { checkTableHandle, type TableHandle } from "./handle.ts";
import { fromWire, toWire } from "../../schemas/wire.ts";

// The records of a Table, for the `refs` of other tables (a Table keeps its core private).
let targetOf: (table: unknown) => RefTarget | undefined;
// The core of a Table, for the worker pool.
let coreOf: (table: unknown) => Core | undefined;
// Set by Table.open for the constructor it calls: the buffers to open instead of making new ones.
let opening: TableHandle | undefined;

/**
 * The handle of the shared table whose core is `core` (what `Table.handle()` returns); throws
 * TypeError for a table that is not shared.
 */
export function handleOf(core: Core): TableHandle {
  if (!core.shared) {
    throw new TypeError(
      `Cannot make a handle of this table: it is not shared (make it with { shared: true })`,
    );
  }
  return Object.freeze(
    {
      kind: "arenakit.table",
      version: 1,
      schema: toWire(core.schema),
      layout: core.storage.layout,
      capacity: core.capacity,
      checked: core.storage.checked,
      jitless: core.jitless,
      core: core.buffers(),
      storage: core.storage.buffers(),
    } as const,
  );
}

/** Binds the reference fields of an opened table after the fact (the pool opens tables first). */
export function bindRefs(core: Core, refs: Readonly<Record<string, unknown>>): void {
  core.refs = new Refs(core, refs, targetOf);
}

/** The core behind `table` (for the worker pool), or undefined for anything else. */
export function tableCore(table: unknown): Core | undefined {
  return coreOf(table);
}

/**
 * An object pool of `schema` records addressed by generational ids, with queries and references,
 * like a small in-memory ORM table.
 *
 * Ids: `create` returns a number (`generation * 2²⁴ + slot`, never 0, a safe integer, so it
 * survives `JSON.stringify` and `postMessage`). Deleting a record bumps its slot's generation,
 * so a stale id never resolves to another record: `get` returns undefined and `has` false. A slot
 * that held 2²² records is retired rather than reused. The generation carries a 6-bit table tag,
 * taken in turn by each new table, so an id of another table does not resolve either (the 65th
 * table shares a tag with the first; a table restored from a snapshot takes the snapshot's tag,
 * so the snapshot's ids resolve in it).
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
 * References: a `t.ref(S)` field stores an id; reading it resolves against the table of `S`
 * records given in the `refs` option (`{ refs: { from: ships } }`, or `{ refs: [ships] }`) and
 * gives the target's view, or `undefined` once the target was deleted (or for an id of another
 * table). Deleting a referenced record is always safe. Fields referring to the table's own schema
 * resolve against the table itself; reading a field no table was given for throws
 * {@linkcode RefError}.
 *
 * Memory: `aos` stores `layoutOf(schema).size` bytes per record, `soa` the sum of the field sizes
 * (no padding); both add 16 bytes per record (generation, free-list link and creation stamp). The
 * first call of
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
 * const bullets = new Table(Bullet, { capacity: 256, refs: { from: ships } });
 * const ship = ships.create({ hp: 100 });
 * const b = bullets.create({ from: ship, x: 0.5 });
 * assert.equal(bullets.get(b)?.from?.hp, 100);
 * ships.delete(ship);
 * assert.equal(bullets.get(b)?.from, undefined);
 * ```
 */
export class Table<S extends StructSchema> extends TableColumns implements Iterable<ViewOf<S>> {
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
    const o = resolveTableOptions(options);
    const from = opening;
    opening = undefined;
    const Storage = o.layout === "soa" ? SoaStorage : AosStorage;
    const storage = new Storage(schema, { ...o, from: from?.storage });
    const core = new Core(
      schema,
      storage,
      o.capacity,
      o.maxCapacity,
      o.jitless,
      o.shared,
      from?.core,
    );
    core.refs = new Refs(core, options.refs, targetOf);
    super(core);
    this.#core = core;
    this.schema = schema;
    this.layout = o.layout;
  }

  static {
    targetOf = (table) => table instanceof Table ? table.#core : undefined;
    coreOf = targetOf as (table: unknown) => Core | undefined;
  }

  /** Whether the table lives in SharedArrayBuffers (option `shared`), so workers can open it. */
  get shared(): boolean {
    return this.#core.shared;
  }

  /**
   * A structured-cloneable description of a shared table (its schema, options and buffers): post
   * it to a worker and {@linkcode Table.open} it there. Throws TypeError for a table that is not
   * shared.
   *
   * Lifetimes: the handle stays valid as long as the table (a shared table never grows, so its
   * buffers never change).
   *
   * @example Open a table twice over the same bytes
   * ```ts
   * import { Table, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const P = t.struct({ x: t.f32() }, { name: "P" });
   * const table = new Table(P, { capacity: 8, shared: true });
   * const id = table.create({ x: 1.5 });
   * const there = Table.open(structuredClone(table.handle()));
   * assert.equal(there.get(id)?.x, 1.5);
   * there.delete(id);
   * assert.equal(table.has(id), false);
   * ```
   */
  handle(): TableHandle<S> {
    return handleOf(this.#core) as TableHandle<S>;
  }

  /**
   * Opens the shared table `handle` describes (from {@linkcode Table.handle}, usually in a
   * worker): the same records, ids and counters over the same bytes, with the whole table API.
   * Creates and deletes in any thread are atomic; a view in one thread of a record another thread
   * deleted throws {@linkcode StaleViewError} on its next access. References (`t.ref`) resolve
   * against the tables given in `options.refs`, as for a new table. Throws TypeError for a value
   * that is not a table handle.
   *
   * Lifetimes: as for the table itself; the opened table is another object over the same memory.
   *
   * @example Refuse a forged handle
   * ```ts
   * import { Table } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * assert.throws(() => Table.open({ kind: "arenakit.table" } as never), TypeError);
   * ```
   */
  static open<S extends StructSchema>(
    handle: TableHandle<S>,
    options?: Pick<TableOptions, "refs">,
  ): Table<S> {
    const h = checkTableHandle(handle);
    opening = h;
    try {
      return new Table(fromWire(h.schema) as S, {
        capacity: h.capacity,
        layout: h.layout,
        checked: h.checked,
        jitless: h.jitless,
        shared: true,
        refs: options?.refs,
      });
    } finally {
      opening = undefined;
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
   * gone. `values` is validated in full first: on error nothing is written. The record is looked
   * up only then, so a getter of `values` that deletes it makes the update write nothing and
   * return false. Throws {@linkcode InvalidIdError} for values that cannot be ids.
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
    // Read and checked once, even for a deleted id, before anything is written.
    return this.#core.update(id, values);
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
    return this.#core.delete(id, "delete");
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
    const v = view as unknown as TableView;
    if (typeof v !== "object" || v === null || v.$a !== core || !core.storage.reads(v.$m)) {
      return undefined;
    }
    return this.idAt(core.slotAt(v.$o));
  }

  /**
   * Calls `fn` with a cursor at each live record and its id, in slot order, allocating nothing
   * per record. Deleting records (the current one included) from `fn` is safe.
   *
   * Lifetimes: the cursor is re-pointed at the next record after `fn` returns, and retired
   * (throws {@linkcode StaleViewError}) once the loop ends, or `fn` throws; keep the id, not the
   * cursor.
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
    core.runLoop(core.loopsFor(fn), undefined, fn as never, 0, core.hw);
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
    return queryOf<S>(this.#core, pred);
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
   * A view of each live record, in slot order: one object per record, so the views can be kept,
   * mapped or sorted (what `[...table]` cannot do: `for…of` lends one cursor that moves, and
   * that cursor throws {@linkcode StaleViewError} once its loop has ended).
   *
   * Lifetimes: each view is like one from {@linkcode Table.get}: stale once its record is
   * deleted, or after the table grows or is cleared or restored.
   *
   * @example Map the records
   * ```ts
   * import { StaleViewError, Table, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const table = new Table(t.struct({ x: t.f32() }), { capacity: 8 });
   * for (const x of [1, 2, 3]) table.create({ x });
   * assert.deepEqual(table.toArray().map((p) => p.x), [1, 2, 3]);
   * assert.throws(() => [...table].map((p) => p.x), StaleViewError);
   * ```
   */
  toArray(): ViewOf<S>[] {
    const core = this.#core;
    const out: ViewOf<S>[] = [];
    for (let s = 0; s < core.hw; s++) {
      if ((core.gens[s] & 1) === 1) out.push(core.view(s) as unknown as ViewOf<S>);
    }
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
    if (core.storage.layout === "soa") {
      throw new TypeError(`Cannot take the bytes of a "soa" table: its fields are columns`);
    }
    return core.storage.byteViews(core.hw)[0];
  }

  /**
   * The table as bytes: every slot's generation, the free list and the records (see
   * `snapshot/table_section.ts` for the format), so {@linkcode Table.restore} brings back exactly the ids
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
    return encodeTableSnapshot(this.#core, options);
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
    const core = this.#core;
    core.load(decodeTableSnapshot(bytes, core));
  }

  /**
   * Iterates the live records in slot order with one cursor per loop, moved from record to record
   * (no allocation per record).
   *
   * Lifetimes: the loop variable is the same cursor at every step, valid until the next one; when
   * the loop ends (or breaks) the cursor is retired and throws {@linkcode StaleViewError}, so
   * `[...table].map(...)` fails loudly instead of reading the last record N times. Use
   * {@linkcode Table.toArray} to keep views.
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
