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
  /** Points cursor `c` and each child view under it at `m`. */
  point(c: TableView, m: M): void;
  /** Table address units per slot (a cursor's `$o` is `slot * stride`). */
  readonly stride: number;
  /** The loop cursors lent and not yet ended (the storage's list). */
  readonly lent: readonly TableView[];
  /** The table's generation now (it counts deletes, clears, growths and restores). */
  gen(): number;
}

/**
 * The copies of one table's records and loop cursors. A record's views share a copy of their
 * own, killed in place when the record is freed (nobody keeps a list of views). Loop cursors are
 * listed, so they share one live copy per generation and are ended by pointing them at one
 * killed copy: a loop then makes no copy and kills nothing, which is most of what a `forEach`
 * over a small table costs.
 */
export class RecordTraps<M extends { readonly live: boolean }> {
  readonly #of: TrapMemory<M>;
  // Per slot, the copy its views read; made on first use, dropped when the record is freed.
  #bySlot: (M | undefined)[] = [];
  // The copy loop cursors read, and the generation it was made in.
  #cursors: M | undefined = undefined;
  #cursorsAt = -1;
  // What ended cursors read: a copy killed once, never revived.
  #ended: M | undefined = undefined;
  constructor(of: TrapMemory<M>) {
    this.#of = of;
  }

  /** The copy views of the record in `slot` read. */
  memAt(slot: number): M {
    let m = this.#bySlot[slot];
    if (m === undefined) m = this.#bySlot[slot] = this.#of.copy();
    return m;
  }

  /**
   * The copy loop cursors read: one per generation, so a cursor made after a delete, clear,
   * growth or restore never shares one with a cursor made before it (a growth or restore, which
   * replaces the memory object, bumps the generation once the new one is in place).
   */
  cursorMem(): M {
    const g = this.#of.gen();
    if (this.#cursors === undefined || this.#cursorsAt !== g) {
      this.#cursors = this.#of.copy();
      this.#cursorsAt = g;
    }
    return this.#cursors;
  }

  /** Ends a loop cursor: it and its children throw from now on. */
  end(c: TableView): void {
    this.#of.point(c, this.ended());
  }

  /** What ended cursors read: a copy killed once, made on first use. */
  ended(): M {
    let m = this.#ended;
    if (m === undefined) {
      m = this.#ended = this.#of.copy();
      this.#of.kill(m);
    }
    return m;
  }

  /** A cursor whose record was freed under it reads the next one through a live copy. */
  revive(c: TableView): void {
    if ((c.$m as M).live === false) this.#of.point(c, this.cursorMem());
  }

  /** Record `slot` was deleted: its views, and cursors standing on it, throw from now on. */
  freed(slot: number): void {
    const m = this.#bySlot[slot];
    if (m !== undefined) {
      this.#of.kill(m);
      this.#bySlot[slot] = undefined;
    }
    // Deletes are the churn path: no iterator unless a loop is running.
    const lent = this.#of.lent;
    if (lent.length === 0) return;
    const o = slot * this.#of.stride;
    for (const c of lent) if (c.$o === o) this.end(c);
  }

  /** Every record was dropped (clear, growth, restore): every view throws from now on. */
  freedAll(): void {
    for (const m of this.#bySlot) if (m !== undefined) this.#of.kill(m);
    this.#bySlot = [];
    for (const c of this.#of.lent) this.end(c);
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
  /**
   * The loop cursors lent and not yet ended, oldest first (an array, not a Set: loops rarely
   * nest, and a Set hashes every new cursor it is given).
   */
  readonly lent: TableCursor[] = [];
  // The serial each of `lent` was lent at (see endSince).
  readonly #lentAt: number[] = [];
  #lends = 0;

  /** Points cursor `c` and each child view under it at memory object `m`. */
  point(c: TableView, m: M): void {
    if (this.flat) {
      c.$m = m;
      return;
    }
    this.walk(c, (v) => {
      v.$m = m;
    });
  }

  /** Whether the views have no child views (so a cursor is pointed elsewhere by one store). */
  protected abstract readonly flat: boolean;

  /** Gives the storage its table's generation cell. */
  attach(state: ArenaState): void {
    this.state = state;
  }

  /** What a view of the record in `slot` reads. */
  memAt(slot: number): M {
    return this.traps === undefined ? this.mem : this.traps.memAt(slot);
  }

  /** A new loop cursor, at slot 0, live in generation `g` of table `a`, counted as lent. */
  cursor(a: ArenaLike, g: number): TableCursor {
    return this.lend(new this.Cursor(a, this.cursorMem() as never, 0, g, "") as TableCursor);
  }

  /** What a new loop cursor reads. */
  cursorMem(): M {
    return this.traps === undefined ? this.mem : this.traps.cursorMem();
  }

  /** Counts `c`, a new cursor over {@linkcode cursorMem}, as lent; returns it. */
  lend(c: TableCursor): TableCursor {
    this.lent.push(c);
    this.#lentAt.push(++this.#lends);
    return c;
  }

  /** The serial of the last cursor lent: what {@linkcode endSince} takes. */
  get lends(): number {
    return this.#lends;
  }

  /**
   * Ends every cursor lent after serial `mark` that is still lent. They are the last ones:
   * `end` removes in place, so `lent` stays in the order it was lent.
   */
  endSince(mark: number): void {
    const lent = this.lent;
    const at = this.#lentAt;
    while (lent.length > 0 && at[at.length - 1] > mark) this.end(lent[lent.length - 1]);
  }

  /** Ends a lent cursor and the child views it made. */
  end(c: TableView): void {
    c.$m = this.ending(c);
  }

  /**
   * Ends a lent cursor as {@linkcode end} does, but for one store: the cursor's own `$m`, which
   * the caller makes (`c.$m = ending(c)`). The generated loops do, so that the store sees one
   * cursor class, not every table's.
   */
  ending(c: TableView): M {
    const lent = this.lent;
    // Loops nest, so the cursor ending is nearly always the last one lent (the builtin call that
    // finds any other showed in profiles of loops over small tables).
    const i = lent[lent.length - 1] === c ? lent.length - 1 : lent.lastIndexOf(c as TableCursor);
    if (i === lent.length - 1) {
      lent.pop();
      this.#lentAt.pop();
    } else if (i >= 0) {
      lent.splice(i, 1);
      this.#lentAt.splice(i, 1);
    }
    if (this.traps !== undefined) {
      const m = this.traps.ended();
      if (!this.flat) this.point(c, m);
      return m;
    }
    // Generation -1 is never live, and the empty storage has nothing to read even unchecked.
    const dead = this.dead;
    if (this.flat) {
      c.$g = -1;
      return dead;
    }
    this.walk(c, (v) => {
      v.$g = -1;
      v.$m = dead;
    });
    return dead;
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
