/**
 * Lifetimes by trap for the records of an unshared checked table, whatever its layout. Each
 * record's views read through a copy of the storage's memory object, made on first use; each
 * loop cursor reads through one of its own. Freeing a record kills its copy (and the copy of any
 * cursor standing on it) in place, so every view holding it fails on its next access, and the
 * generated accessors carry no lifetime test. A shared table cannot do this: its deletes come
 * from any thread.
 *
 * @module
 */
import type { ArenaLike, ArenaState } from "../codegen/runtime.ts";
import type { TableCursor, TableView, TableViewClass } from "./storage.ts";

/** What the traps need of a storage: how to copy its memory object, and how to kill a copy. */
export interface TrapMemory<M extends { readonly live: boolean }> {
  /** A new copy of the current memory object, live, with the same shape. */
  copy(): M;
  /** Ends copy `m` in place: from now on every access through it throws `StaleViewError`. */
  kill(m: M): void;
  /** Calls `fn` for cursor `c` and each child view under it. */
  walk(c: TableView, fn: (v: TableView) => void): void;
  /** Table address units per slot (a cursor's `$o` is `slot * stride`). */
  readonly stride: number;
}

/** The copies of one table's records and loop cursors. */
export class RecordTraps<M extends { readonly live: boolean }> {
  readonly #of: TrapMemory<M>;
  // Per slot, the copy its views read; made on first use, dropped when the record is freed.
  #bySlot: (M | undefined)[] = [];
  // The loops' cursors in use, each reading its own copy.
  // (An array, not a Set: loops rarely nest, and a Set hashes every new cursor it is given.)
  readonly #lent: TableView[] = [];

  constructor(of: TrapMemory<M>) {
    this.#of = of;
  }

  /** The copy views of the record in `slot` read. */
  memAt(slot: number): M {
    let m = this.#bySlot[slot];
    if (m === undefined) m = this.#bySlot[slot] = this.#of.copy();
    return m;
  }

  /** A new copy of the memory object, for a loop cursor to read through (see `lend`). */
  copy(): M {
    return this.#of.copy();
  }

  /** Counts loop cursor `c`, made over a `copy()`, as lent until `end(c)`. */
  lend(c: TableView): void {
    this.#lent.push(c);
  }

  /** Ends a loop cursor: it and its children throw from now on. */
  end(c: TableView): void {
    const lent = this.#lent;
    const i = lent.lastIndexOf(c);
    if (i >= 0) {
      lent[i] = lent[lent.length - 1];
      lent.pop();
    }
    this.#of.kill(c.$m as M);
  }

  /** A cursor whose record was freed under it reads the next one through a fresh copy. */
  revive(c: TableView): void {
    if ((c.$m as M).live === false) {
      const m = this.#of.copy();
      this.#of.walk(c, (v) => {
        v.$m = m;
      });
    }
  }

  /** Record `slot` was deleted: its views, and cursors standing on it, throw from now on. */
  freed(slot: number): void {
    const m = this.#bySlot[slot];
    if (m !== undefined) {
      this.#of.kill(m);
      this.#bySlot[slot] = undefined;
    }
    // Deletes are the churn path: no iterator unless a loop is running.
    if (this.#lent.length === 0) return;
    const o = slot * this.#of.stride;
    for (const c of this.#lent) if (c.$o === o) this.#of.kill(c.$m as M);
  }

  /** Every record was dropped (clear, growth, restore): every view throws from now on. */
  freedAll(): void {
    for (const m of this.#bySlot) if (m !== undefined) this.#of.kill(m);
    this.#bySlot = [];
    for (const c of this.#lent) this.#of.kill(c.$m as M);
  }
}

/**
 * The lifetime half both table storages share: where views and loop cursors read, and what a
 * freed record does to them. `traps` is set (checked, unshared tables) or not; without it every
 * view reads the storage's memory object itself, and a retired cursor reads empty storage.
 */
export abstract class StorageLifetimes<M extends { readonly live: boolean }> {
  /** What views read; replaced by a growth. */
  abstract mem: M;
  /** Storage of no records, for retired cursors of tables without traps. */
  abstract readonly dead: M;
  /** The class of loop cursors. */
  abstract readonly Cursor: TableViewClass;
  /** Calls `fn` for cursor `c` and each child view under it. */
  abstract walk(c: TableView, fn: (v: TableView) => void): void;
  /** The per-record copies, in a checked unshared table. */
  protected traps: RecordTraps<M> | undefined;
  /** The table's generation cell, once attached (the errors of freed records quote it). */
  protected state: ArenaState = { g: 0 };

  /** Gives the storage its table's generation cell. */
  attach(state: ArenaState): void {
    this.state = state;
  }

  /** What a view of the record in `slot` reads. */
  memAt(slot: number): M {
    return this.traps === undefined ? this.mem : this.traps.memAt(slot);
  }

  /** A new loop cursor, at slot 0, live in generation `g` of table `a`. */
  cursor(a: ArenaLike, g: number): TableCursor {
    const C = this.Cursor;
    if (this.traps === undefined) return new C(a, this.mem as never, 0, g, "") as TableCursor;
    // Made here, not by a callback the traps call: a loop takes a cursor on every call.
    const c = new C(a, this.traps.copy() as never, 0, g, "") as TableCursor;
    this.traps.lend(c);
    return c;
  }

  /** Ends a lent cursor and the child views it made. */
  end(c: TableView): void {
    if (this.traps !== undefined) return this.traps.end(c);
    // Generation -1 is never live, and the empty storage has nothing to read even unchecked.
    const dead = this.dead;
    this.walk(c, (v) => {
      v.$g = -1;
      v.$m = dead;
    });
  }

  /** A cursor whose record was freed under it reads the next one through a fresh copy. */
  revive(c: TableView): void {
    this.traps?.revive(c);
  }

  /** Record `slot` was deleted. */
  freed(slot: number): void {
    this.traps?.freed(slot);
  }

  /** Every record was dropped (clear, growth, restore). */
  freedAll(): void {
    this.traps?.freedAll();
  }
}
