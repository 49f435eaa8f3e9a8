/**
 * The state of one table behind `Table`: slots, generations, the free list, the live-slot index,
 * cursors and loops. What the records look like in memory is the {@linkcode TableStorage}'s
 * business; nothing here depends on the layout.
 *
 * @module
 */
import type { RefSchema, StructSchema } from "../../schemas/types.ts";
import type { ArenaLike, ArenaState, Placement } from "../codegen/runtime.ts";
import { type LoopCopies, loopCopiesOf, loopsFor, tableLoops } from "../codegen/compile.ts";
import type { LoopIterator, LoopTable, TableLoops } from "../codegen/emit_loops.ts";
import { TableFullError } from "../errors.ts";
import type { TableImage } from "../snapshot/table_section.ts";
import type { Column } from "../memory/struct_array.ts";
import { checkedSlotOf, counterOf, idOf, MAX_GEN, slotOf, TAG_UNIT, TAGS } from "./ids.ts";
import type { TableCursor, TableStorage, TableView } from "./storage.ts";
import type { Refs, RefTarget } from "./refs.ts";
import { bufferFor, type CoreBuffers, CTL, CTL_BYTES, SharedState } from "./shared.ts";

// Tables take tags in turn, so ids of tables made one after the other never resolve in each
// other (a counter, not a registry: nothing is looked up by it).
let nextTag = 0;

/**
 * The state of one table, shared by the table, its iterators and its queries. It is also the
 * `ArenaLike` its views check their lifetime against.
 */
export class Core implements ArenaLike, LoopTable, RefTarget {
  // `g` counts deletes, clears, growths and restores; a view compares its generation with it on
  // access. In a shared table it lives in the control block, so every thread sees it.
  readonly state: ArenaState;
  readonly schema: StructSchema;
  readonly storage: TableStorage;
  readonly maxCapacity: number;
  /** Whether the bookkeeping lives in SharedArrayBuffers that other threads may open. */
  readonly shared: boolean;
  capacity: number;
  // The counters (free list head, slots in use, live count, tag, epoch, live index state), in one
  // Int32Array so a shared table keeps them where every thread sees them (see shared.ts).
  readonly ctl: Int32Array;
  // Per slot: generation word (tag and counter, odd while a record lives there) ...
  gens: Uint32Array;
  // ... while free, the next free slot ...
  link: Int32Array;
  // ... and, while live, the state.g value at creation. Full doubles: state.g only grows, and a
  // 32-bit stamp would wrap after 2³¹ deletes and let a stale view read the slot's next record.
  born: Float64Array;
  iterators: LoopIterator[] = [];
  // liveSlots(): the dense list, rebuilt on demand after any change of the live set (ctl says
  // whether it is current); `live` is this thread's subarray of it.
  liveBuf: Uint32Array;
  live: Uint32Array | undefined = undefined;
  // column(): one object per path, made again after a growth replaces the storage.
  cols: Map<string, { -readonly [K in keyof Column<unknown>]: Column<unknown>[K] }> | undefined =
    undefined;
  /** What the schema's `t.ref()` fields resolve against (set once by the table). */
  refs: Refs | undefined = undefined;
  /** forEach, where and for…of, generated for this table's view class. */
  readonly loops: TableLoops;
  readonly jitless: boolean;
  /**
   * Why `create` is refused right now, or undefined: set while a worker pool run owns the table
   * (on the main thread), or in a worker while a system that did not declare creates runs.
   */
  createGuard: string | undefined = undefined;
  /** Likewise for delete, clear and restore. */
  deleteGuard: string | undefined = undefined;
  /**
   * While set (during a worker pool run), `liveSlots()` never rewrites the shared index the run
   * split: a thread that needs a new one builds it in memory of its own.
   */
  privateLive = false;
  #ownLive: Uint32Array = new Uint32Array(0);
  readonly #grownAt: Float64Array;
  // Where create() and a soft create put a record (see Placement); each keeps the id it made.
  readonly #hard: Placer = new Placer(this, false);
  readonly #soft: Placer = new Placer(this, true);
  // Where update() writes: the slot of its id, found once the values are read.
  readonly #update: Updater = new Updater(this);
  // The slot #place took last.
  #taken = 0;

  constructor(
    schema: StructSchema,
    storage: TableStorage,
    capacity: number,
    maxCapacity: number,
    jitless: boolean,
    shared: boolean,
    from?: CoreBuffers,
  ) {
    this.schema = schema;
    this.storage = storage;
    this.capacity = capacity;
    this.maxCapacity = maxCapacity;
    this.shared = shared;
    // (A handle's buffers were checked against its capacity before it got here.)
    const buf = (bytes: number, have: ArrayBufferLike | undefined) =>
      bufferFor(bytes, shared, have, "");
    const control = buf(CTL_BYTES, from?.control);
    this.ctl = new Int32Array(control, 0, CTL.words);
    this.#grownAt = new Float64Array(control, CTL.grownAt, 1);
    this.state = shared ? new SharedState(control) : { g: 0 };
    storage.attach(this.state);
    this.gens = new Uint32Array(buf(capacity * 4, from?.gens));
    this.link = new Int32Array(buf(capacity * 4, from?.link));
    this.born = new Float64Array(buf(capacity * 8, from?.born));
    // A shared table needs its index in the handle, so it has one from the start.
    this.liveBuf = new Uint32Array(buf(shared ? capacity * 4 : 0, from?.live));
    if (from === undefined) {
      this.ctl[CTL.free] = -1;
      this.ctl[CTL.tag] = nextTag;
      nextTag = (nextTag + 1) % TAGS;
      this.gens.fill(this.tag * TAG_UNIT);
    }
    this.loops = tableLoops(storage.Cursor, storage.stride, jitless);
    this.jitless = jitless;
  }

  /** Head of the free list, or -1. */
  get free(): number {
    return this.ctl[CTL.free];
  }
  set free(v: number) {
    this.ctl[CTL.free] = v;
  }
  /** Slots ever used: every live record is below. */
  get hw(): number {
    return this.ctl[CTL.hw];
  }
  set hw(v: number) {
    this.ctl[CTL.hw] = v;
  }
  /** Number of live records. */
  get count(): number {
    return this.ctl[CTL.count];
  }
  set count(v: number) {
    this.ctl[CTL.count] = v;
  }
  /** The tag in every generation word of this table (see ids.ts); a restore may change it. */
  get tag(): number {
    return this.ctl[CTL.tag];
  }
  set tag(v: number) {
    this.ctl[CTL.tag] = v;
  }
  /** Bumped when the storage is replaced (growth, restore): cursors must be renewed. */
  get epoch(): number {
    return this.ctl[CTL.epoch];
  }
  set epoch(v: number) {
    this.ctl[CTL.epoch] = v;
  }
  /** The generation of the last growth or restore: views taken before it are stale. */
  get grownAt(): number {
    return this.#grownAt[0];
  }
  set grownAt(v: number) {
    this.#grownAt[0] = v;
  }

  /** The buffers another thread opens this table over (shared tables only). */
  buffers(): CoreBuffers {
    return {
      control: this.ctl.buffer,
      gens: this.gens.buffer,
      link: this.link.buffer,
      born: this.born.buffer,
      live: this.liveBuf.buffer,
    };
  }

  // Create, delete, clear and index rebuilds of a shared table run under one spin lock: each
  // holds it for a handful of array writes, so waiting threads spin briefly rather than sleep.
  #lock(): void {
    const ctl = this.ctl;
    while (Atomics.compareExchange(ctl, CTL.lock, 0, 1) !== 0) { /* spin */ }
  }

  #unlock(): void {
    Atomics.store(this.ctl, CTL.lock, 0);
  }

  #changed(): void {
    this.ctl[CTL.liveOk] = 0;
    this.live = undefined;
  }

  /** The loops specialised for callback `fn` (and filter `pred`): see `loopsFor`. */
  loopsFor(fn: unknown, pred?: unknown): TableLoops {
    const s = this.storage;
    if (this.#copiesOf !== s.Cursor) {
      this.#copies = loopCopiesOf(s.Cursor);
      this.#copiesOf = s.Cursor;
    }
    return loopsFor(s.Cursor, s.stride, this.jitless, fn, pred, this.#copies);
  }

  // The loop copies of the storage's cursor class (a restore may bring another storage).
  #copies: LoopCopies | undefined = undefined;
  #copiesOf: unknown = undefined;

  /** Whether the record at table address `pos`, live at generation `gen`, is still there. */
  liveAt(gen: number, pos: number): boolean {
    // Views taken before a growth point into the old storage.
    if (gen < this.grownAt) return false;
    const slot = this.slotAt(pos);
    if (!(slot >= 0 && slot < this.hw) || (this.gens[slot] & 1) === 0) return false;
    // A record created after the view was last validated is another occupant of the slot.
    return gen >= this.born[slot];
  }

  /** The live slot of `id`, or -1. Never throws, whatever `id` is. */
  slotOf(id: number): number {
    return slotOf(this.gens, this.hw, id);
  }

  recordMem(pos: number): unknown {
    return this.storage.memAt(this.slotAt(pos));
  }

  /** The view of live record `id`, or undefined (what references to this table resolve to). */
  resolve(id: number): unknown {
    const slot = typeof id === "number" ? this.slotOf(id) : -1;
    return slot < 0 ? undefined : this.view(slot);
  }

  resolveRef(ref: RefSchema, id: number): unknown {
    return (this.refs as Refs).resolve(ref, id);
  }

  /** Like slotOf, but throws InvalidIdError for values that cannot be ids. */
  checkedSlotOf(id: unknown, op: string): number {
    return checkedSlotOf(this.gens, this.hw, id, op);
  }

  /** The slot a view or cursor at table address `pos` points at. */
  slotAt(pos: number): number {
    const stride = this.storage.stride;
    return stride === 1 ? pos : Math.floor(pos / stride);
  }

  idAt(slot: number): number {
    return idOf(this.gens[slot], slot);
  }

  view(slot: number): TableView {
    const s = this.storage;
    return new s.C(this, s.memAt(slot) as never, slot * s.stride, this.state.g, "");
  }

  create(init: unknown, soft: boolean): number | undefined {
    if (this.createGuard !== undefined) throw new TypeError(`Cannot create: ${this.createGuard}`);
    // Read and checked once before a slot is taken: a bad init changes nothing. Unshared tables
    // let the class take the slot (through take()) between its reads and its writes, so the
    // value goes from locals to the slot with no staged copy between.
    if (init !== undefined && !this.shared) {
      const t = soft ? this.#soft : this.#hard;
      return this.storage.C.$w(t, -1, init, "") < 0 ? undefined : t.id;
    }
    const staged = init === undefined ? undefined : this.storage.C.$in(init, "");
    // Unshared tables skip the lock (and the try it needs): create and delete are their hot path.
    if (!this.shared) return this.#place(staged, soft);
    this.#lock();
    try {
      return this.#place(staged, soft);
    } finally {
      this.#unlock();
    }
  }

  // The counters are read and written through `ctl` directly here and in remove(): the hot path
  // of churn, where each accessor would reload the array.
  #place(staged: unknown, soft: boolean): number | undefined {
    let ctl = this.ctl;
    let slot = ctl[CTL.free];
    if (slot !== -1) ctl[CTL.free] = this.link[slot];
    else if (ctl[CTL.hw] < this.capacity || this.grow()) {
      ctl = this.ctl;
      slot = ctl[CTL.hw]++;
    } else if (soft) return undefined;
    else throw new TableFullError(this.capacity);
    this.storage.zero(slot);
    if (staged !== undefined) this.storage.commit(slot, staged);
    this.#taken = slot;
    const gens = this.gens;
    const gen = gens[slot] + 1;
    gens[slot] = gen;
    this.born[slot] = this.state.g;
    ctl[CTL.count]++;
    ctl[CTL.liveOk] = 0;
    this.live = undefined;
    return idOf(gen, slot);
  }

  /**
   * Takes a zeroed slot for a create through placement `t` (the class calls it once the init
   * is read and checked): returns its table address, or -1 when the table is full and `t` soft.
   */
  take(t: Placer): number {
    const id = this.#place(undefined, t.soft);
    if (id === undefined) return -1;
    t.id = id;
    return this.#taken * this.storage.stride;
  }

  /**
   * Writes the fields `values` gives into record `id`; returns false when the record is gone by
   * the time they have all been read and checked (a getter of `values` may delete it, and may
   * create another in its slot). Throws InvalidIdError for values that cannot be ids, before
   * reading anything.
   */
  update(id: number, values: unknown): boolean {
    this.checkedSlotOf(id, "update");
    const t = this.#update;
    // A getter of `values` may update another record of this table meanwhile.
    const outer = t.id;
    t.id = id;
    try {
      return this.storage.C.$w(t, -1, values, "") >= 0;
    } finally {
      t.id = outer;
    }
  }

  /**
   * Deletes the record of `id` if it is live; returns whether it was. Under the lock in a shared
   * table, so two threads deleting one id delete it once.
   */
  delete(id: number, op: string): boolean {
    if (this.deleteGuard !== undefined) throw new TypeError(`Cannot ${op}: ${this.deleteGuard}`);
    const slot = this.checkedSlotOf(id, op);
    if (slot < 0) return false;
    if (!this.shared) {
      this.remove(slot);
      return true;
    }
    this.#lock();
    try {
      // Another thread may have deleted it between the test and the lock.
      if (this.slotOf(id) !== slot) return false;
      this.remove(slot);
      return true;
    } finally {
      this.#unlock();
    }
  }

  /** Deletes the record in live `slot` (the caller holds the lock or the table is not shared). */
  remove(slot: number): void {
    const ctl = this.ctl;
    const gens = this.gens;
    const gen = gens[slot] + 1;
    gens[slot] = gen;
    ctl[CTL.count]--;
    this.state.g++;
    this.storage.freed(slot);
    ctl[CTL.liveOk] = 0;
    this.live = undefined;
    // A slot whose generations are used up is retired, so its ids can never come back.
    if (counterOf(gen) < MAX_GEN) {
      this.link[slot] = ctl[CTL.free];
      ctl[CTL.free] = slot;
    }
  }

  clear(): void {
    if (this.deleteGuard !== undefined) throw new TypeError(`Cannot clear: ${this.deleteGuard}`);
    if (!this.shared) return this.#clear();
    this.#lock();
    try {
      this.#clear();
    } finally {
      this.#unlock();
    }
  }

  #clear(): void {
    this.state.g++;
    this.storage.freedAll();
    this.#changed();
    const gens = this.gens;
    this.free = -1;
    // Pushed from the top, so the free list hands out low slots first.
    for (let s = this.hw - 1; s >= 0; s--) {
      if ((gens[s] & 1) === 1) gens[s]++;
      if (counterOf(gens[s]) < MAX_GEN) {
        this.link[s] = this.free;
        this.free = s;
      }
    }
    this.count = 0;
  }

  liveSlots(): Uint32Array {
    const ctl = this.ctl;
    if (ctl[CTL.liveOk] === 1) {
      // Another thread may have rebuilt the shared index: same buffer, maybe another length.
      const n = ctl[CTL.liveN];
      if (this.live !== undefined && this.live.length === n) return this.live;
      return (this.live = this.liveBuf.subarray(0, n));
    }
    if (this.privateLive) return this.#privateLiveSlots();
    if (!this.shared) return this.#rebuild();
    this.#lock();
    try {
      return this.#rebuild();
    } finally {
      this.#unlock();
    }
  }

  #rebuild(): Uint32Array {
    if (this.liveBuf.length < this.count) this.liveBuf = new Uint32Array(this.capacity);
    const out = this.liveBuf;
    const n = this.#fill(out);
    this.ctl[CTL.liveN] = n;
    this.ctl[CTL.liveOk] = 1;
    return (this.live = out.subarray(0, n));
  }

  #privateLiveSlots(): Uint32Array {
    if (this.#ownLive.length < this.capacity) this.#ownLive = new Uint32Array(this.capacity);
    const out = this.#ownLive;
    return out.subarray(0, this.#fill(out));
  }

  /** Writes the live slots, in order, into `out`; returns how many. */
  #fill(out: Uint32Array): number {
    const gens = this.gens;
    let n = 0;
    for (let s = 0, hw = this.hw; s < hw; s++) if ((gens[s] & 1) === 1) out[n++] = s;
    return n;
  }

  grow(): boolean {
    const next = Math.min(this.capacity * 2, this.maxCapacity);
    if (next <= this.capacity) return false;
    const gens = new Uint32Array(next).fill(this.tag * TAG_UNIT);
    gens.set(this.gens);
    const link = new Int32Array(next);
    link.set(this.link);
    const born = new Float64Array(next);
    born.set(this.born);
    this.storage.grow(next);
    this.storage.freedAll();
    this.cols = undefined;
    this.gens = gens;
    this.link = link;
    this.born = born;
    this.capacity = next;
    this.grownAt = ++this.state.g;
    this.epoch++;
    this.#changed();
    return true;
  }

  /**
   * Replaces the contents with `image`, growing first when it has more slots than the capacity
   * (the caller checked that `maxCapacity` allows it).
   *
   * Lifetimes: every earlier view and cursor ends, like at a growth; restored records start now.
   */
  load(image: TableImage): void {
    if (this.deleteGuard !== undefined) {
      throw new TypeError(`Cannot restore: ${this.deleteGuard}`);
    }
    if (!this.shared) return this.#load(image);
    this.#lock();
    try {
      this.#load(image);
    } finally {
      this.#unlock();
    }
  }

  #load(image: TableImage): void {
    const { hw, gens } = image;
    while (this.capacity < hw) this.grow();
    this.grownAt = ++this.state.g;
    this.epoch++;
    this.#changed();
    this.storage.freedAll();
    this.tag = image.tag;
    this.gens.set(gens);
    this.gens.fill(image.tag * TAG_UNIT, hw);
    this.link.set(image.link);
    for (let s = 0; s < hw; s++) if ((gens[s] & 1) === 1) this.born[s] = this.state.g;
    const views = this.storage.byteViews(hw);
    for (let i = 0; i < views.length; i++) views[i].set(image.storage[i]);
    this.hw = hw;
    this.count = image.count;
    this.free = image.free;
  }

  takeCursor(): TableCursor {
    return this.storage.cursor(this, this.state.g);
  }

  cursorMem(): unknown {
    return this.storage.cursorMem();
  }

  lend(c: TableCursor): TableCursor {
    return this.storage.lend(c);
  }

  resync(c: TableCursor, g: number): void {
    this.storage.revive(c);
    this.storage.walk(c, (v) => {
      v.$g = g;
    });
  }

  retire(c: TableCursor): void {
    this.storage.end(c);
  }

  ending(c: TableCursor): unknown {
    return this.storage.ending(c);
  }

  /**
   * Runs `loops.each` (or, given a filter `pred`, `loops.filter`) over slots [from, to). A
   * callback that throws ends the loop as a return does: the cursors it lent are retired before
   * the error goes on, so a cursor kept from it throws `StaleViewError` and is not counted as
   * lent any more.
   */
  runLoop(
    loops: TableLoops,
    pred: ((record: unknown, id: number) => boolean) | undefined,
    fn: (record: unknown, id: number) => void,
    from: number,
    to: number,
  ): void {
    const mark = this.storage.lends;
    try {
      if (pred === undefined) loops.each(this, fn, from, to);
      else loops.filter(this, pred, fn, from, to);
    } catch (e) {
      this.storage.endSince(mark);
      throw e;
    }
  }

  #fields: Readonly<Record<string, ArrayBufferView>> | undefined = undefined;
  #fieldsOf: unknown = undefined;

  /** The SoA columns by path: the same object until a growth or restore replaces the storage. */
  fields(): Readonly<Record<string, ArrayBufferView>> {
    if (this.#fields === undefined || this.#fieldsOf !== this.storage.mem) {
      this.#fields = this.storage.fields();
      this.#fieldsOf = this.storage.mem;
    }
    return this.#fields;
  }

  /** The typed array, start index (0) and stride of a scalar number field. */
  column(path: string): Column<unknown> {
    const cols = this.cols ??= new Map();
    let c = cols.get(path);
    if (c === undefined) {
      c = this.storage.column(path, this.hw);
      cols.set(path, c);
    }
    c.length = this.hw;
    return c;
  }
}

/** Where a table's class writes a record: see {@linkcode Placement}. */
abstract class TablePlacement implements Placement {
  /** The id the placement is for (update), or made (create). */
  id = 0;
  protected readonly core: Core;

  constructor(core: Core) {
    this.core = core;
  }

  abstract $take(): number;

  get $mem(): unknown {
    return this.core.storage.mem;
  }
}

/** Create's placement: a new slot, taken once the init is read. */
class Placer extends TablePlacement {
  readonly soft: boolean;

  constructor(core: Core, soft: boolean) {
    super(core);
    this.soft = soft;
  }

  $take(): number {
    return this.core.take(this);
  }
}

/** Update's placement: the slot of record `id` as it is once the values are read, or -1. */
class Updater extends TablePlacement {
  $take(): number {
    const slot = this.core.slotOf(this.id);
    return slot < 0 ? -1 : slot * this.core.storage.stride;
  }
}
