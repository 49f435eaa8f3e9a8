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
import type { TableView } from "./storage.ts";

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
  readonly #lent = new Set<TableView>();

  constructor(of: TrapMemory<M>) {
    this.#of = of;
  }

  /** The copy views of the record in `slot` read. */
  memAt(slot: number): M {
    let m = this.#bySlot[slot];
    if (m === undefined) m = this.#bySlot[slot] = this.#of.copy();
    return m;
  }

  /** A new loop cursor, made by `make` over a copy of its own. */
  take(make: (m: M) => TableView): TableView {
    const c = make(this.#of.copy());
    this.#lent.add(c);
    return c;
  }

  /** Ends a loop cursor: it and its children throw from now on. */
  end(c: TableView): void {
    this.#lent.delete(c);
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
