/**
 * The counters and column access of a table: what hand-written loops over a table's typed
 * arrays use. {@linkcode Table} extends it; it is not made on its own.
 *
 * @module
 */
import type { Column } from "../memory/struct_array.ts";
import type { Core } from "./core.ts";

/**
 * The counters and column access every {@linkcode Table} has (`count`, `slots`, `isLive`,
 * `liveSlots`, `idAt`, `slotOf`, `column`): see there.
 *
 * @example Through a table
 * ```ts
 * import { Table, t } from "@arenakit/core";
 * import assert from "node:assert/strict";
 * const table = new Table(t.struct({ x: t.f32() }), { capacity: 8 });
 * table.create({ x: 1 });
 * assert.deepEqual([table.count, table.slots, table.capacity], [1, 1, 8]);
 * ```
 */
export abstract class TableColumns {
  #core: Core;

  /** Built by `Table`, with its core. */
  protected constructor(core: Core) {
    this.#core = core;
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
   * Bytes of storage: records plus 16 bytes of bookkeeping per record of capacity, plus the
   * `liveSlots()` index (4 bytes per record of capacity) once it was asked for.
   */
  get byteLength(): number {
    const core = this.#core;
    return core.capacity * (core.storage.recordBytes + 16) + core.liveBuf.byteLength;
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
   * assert.deepEqual(table.toArray().map((p) => p.x), [6]);
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
   * assert.deepEqual(table.toArray().map((p) => p.x), [6]);
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
   * assert.equal(table.toArray()[0].x, 3);
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
   * The columns of a `"soa"` table by field path, bitECS style: `fields["pos.x"]` is that
   * field's own typed array, indexed by slot (stride 1), for every number field of one element
   * (scalars, vector components; `bool` as a `Uint8Array`). Throws `LayoutError` for `"aos"`
   * tables, whose records are interleaved (use {@linkcode TableColumns.column}).
   *
   * Lifetimes: the same object until the table grows or is restored (then a new one over the new
   * storage); empty slots hold old values: loop over {@linkcode TableColumns.liveSlots}.
   *
   * @example A system over live slots
   * ```ts
   * import { Table, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const P = t.struct({ pos: t.vec2f(), vel: t.vec2f() });
   * const table = new Table(P, { capacity: 64, layout: "soa" });
   * table.create({ pos: { x: 1, y: 0 }, vel: { x: 2, y: 0 } });
   * const { "pos.x": x, "vel.x": vx } = table.fields as Record<string, Float32Array>;
   * const live = table.liveSlots();
   * for (let k = 0; k < live.length; k++) x[live[k]] += vx[live[k]] * 0.5;
   * assert.equal(table.toArray()[0].pos.x, 2);
   * ```
   */
  get fields(): Readonly<Record<string, ArrayBufferView>> {
    return this.#core.fields();
  }
}
