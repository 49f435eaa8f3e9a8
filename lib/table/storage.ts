/**
 * What a table needs of its record storage, whatever the layout: the two strategies are
 * `AosStorage` (records back to back in one buffer) and `SoaStorage` (one typed array per leaf
 * field). The slot bookkeeping in `core.ts` never asks which one it has.
 *
 * @module
 */
import type { ArenaLike, ArenaState, Placement } from "../codegen/runtime.ts";
import type { Column } from "../memory/struct_array.ts";
import type { TableLayout } from "./options.ts";

/** What table code needs of any view (AoS or SoA); `$o` is `slot * stride`. */
export interface TableView {
  /** The table core it checks its lifetime against. */
  $a: ArenaLike;
  /** The storage it reads (compared by identity: a growth replaces it). */
  $m: unknown;
  /** Table address: `slot * stride`. */
  $o: number;
  /** Generation the view was last known live in. */
  $g: number;
}

/** A loop's cursor: a view that moves, with the nested views it made, by `$at(address)`. */
export interface TableCursor extends TableView {
  /** Moves the cursor and its nested views to table address `o`. */
  $at(o: number): void;
}

/** The accessor class of a table's records, as the table uses it. */
export interface TableViewClass {
  /** Builds a view of the record at table address `o` of storage `m`, taken in generation `g`. */
  new (a: ArenaLike, m: never, o: number, g: number, p: string): TableView;
  /** Class name, for the generated loops. */
  readonly name: string;
  /** Reads and checks a partial plain value once into a staged copy; throws for a bad one. */
  $in(v: unknown, p: string): unknown;
  /**
   * Reads and checks a partial plain value once, then takes a slot from `t` and writes the value
   * there (address -1: see {@linkcode Placement}); returns the address, or -1 when `t` is full.
   * Throws for a bad value before taking anything.
   */
  $w(t: Placement, o: -1, v: unknown, p: string): number;
}

/** What a storage is made with: its size and mode, and a handle's buffers when it is opened. */
export interface StorageInit {
  readonly capacity: number;
  readonly checked: boolean;
  readonly jitless: boolean;
  /** Whether its buffers are SharedArrayBuffers. */
  readonly shared: boolean;
  /** The buffers of an opened handle (one, or one per column), checked for size. */
  readonly from?: readonly ArrayBufferLike[];
}

/** The record storage of one table: `capacity` records, zeroed, in one layout. */
export interface TableStorage {
  /** Which strategy this is (also the layout code snapshots record). */
  readonly layout: TableLayout;
  /** The accessor class of the records' views. */
  readonly C: TableViewClass;
  /** The class of loop cursors: the same accessors, children made with it, moved by `$at`. */
  readonly Cursor: TableViewClass;
  /** Table address units per slot: bytes per record (AoS) or 1 (SoA, `$o` is the slot). */
  readonly stride: number;
  /** Whether its views check lifetimes. */
  readonly checked: boolean;
  /** Bytes of storage per record (no padding for SoA). */
  readonly recordBytes: number;
  /** What views read (their `$m`); replaced by {@linkcode TableStorage.grow}. */
  readonly mem: unknown;
  /** Storage of no records, for cursors whose loop ended: nothing to read, nothing to write. */
  readonly dead: unknown;
  /**
   * Calls `fn` for cursor `c` and each child view under it, making the children it lacks first
   * (a loop's cursor moves and retires them all together).
   */
  walk(c: TableView, fn: (v: TableView) => void): void;
  /** Gives the storage its table's generation cell (for the errors of freed records). */
  attach(state: ArenaState): void;
  /** Whether a view whose `$m` is `m` reads the current storage and its record is not freed. */
  reads(m: unknown): boolean;
  /** What a view of the record in `slot` reads (its `$m`). */
  memAt(slot: number): unknown;
  /** A new cursor for a loop, at slot 0, live in generation `g` of table `a`. */
  cursor(a: ArenaLike, g: number): TableCursor;
  /** What a new loop cursor reads (its `$m`). */
  cursorMem(): unknown;
  /** Counts `c`, a new cursor over {@linkcode cursorMem}, as lent (as `cursor()` does). */
  lend(c: TableCursor): TableCursor;
  /** Ends a lent cursor: any later access throws (or, unchecked, reads nothing). */
  end(c: TableView): void;
  /** Ends a lent cursor but for its own `$m`: returns what the caller must store there. */
  ending(c: TableView): unknown;
  /** The serial of the last cursor lent (each `cursor()` is one more). */
  readonly lends: number;
  /** Ends every cursor lent after serial `mark` that is not ended yet. */
  endSince(mark: number): void;
  /** Called when a loop resyncs its cursor: a cursor whose record was freed reads afresh. */
  revive(c: TableView): void;
  /** Record `slot` was deleted: its views (and cursors on it) must fail from now on. */
  freed(slot: number): void;
  /** Every record was dropped (clear, growth, restore): every view must fail from now on. */
  freedAll(): void;
  /** Zeroes every byte of record `slot`. */
  zero(slot: number): void;
  /** Writes the defined fields of a value staged by `C.$in` into record `slot`; cannot throw. */
  commit(slot: number, staged: unknown): void;
  /** Replaces the storage by one of `capacity` records that starts with the current ones. */
  grow(capacity: number): void;
  /** Byte lengths of the storage of slots [0, n), one per byte view (need not fit yet). */
  byteLengths(n: number): number[];
  /** Byte views of the storage of slots [0, n): one per column (SoA) or one (AoS). */
  byteViews(n: number): Uint8Array[];
  /**
   * A new column of the scalar number field `path` over the current storage, `length` records
   * long. Throws RangeError for paths that are not number fields.
   */
  column(path: string, length: number): Column<unknown>;
  /** The buffers of the records (one per column for SoA), for a shared table's handle. */
  buffers(): ArrayBufferLike[];
  /** SoA: every one-element number column by field path; AoS: throws `LayoutError`. */
  fields(): Record<string, ArrayBufferView>;
}
