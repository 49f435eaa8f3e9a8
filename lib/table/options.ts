/**
 * The options of `Table`, and their checks.
 *
 * @module
 */
import { booleanOption, show } from "../_text.ts";
import { SLOTS } from "./ids.ts";
import type { Table } from "./table.ts";

/**
 * What the `t.ref()` fields of a table resolve against: field paths (`"from"`, `"owner.ship"`,
 * `"list[].target"`) mapped to tables, or a list of tables, each bound to the fields that refer
 * to its schema (two tables of one schema in the list are refused).
 */
// deno-lint-ignore no-explicit-any
export type TableRefs = Readonly<Record<string, Table<any>>> | readonly Table<any>[];

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
   * The tables this table's `t.ref()` fields resolve against (see {@linkcode TableRefs}). A field
   * that refers to the table's own schema resolves against the table itself unless given here.
   * Reading a reference no table was given for throws {@linkcode RefError}; nothing is looked
   * up by schema, so other tables of the target schema never change what a field resolves to.
   */
  refs?: TableRefs;
  /**
   * @deprecated Has no effect: references resolve against the tables given in `refs`, not
   * against the last table made of the target schema.
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
  /**
   * Keep records and bookkeeping (generations, free list, counters, the `liveSlots()` index) in
   * SharedArrayBuffers, so {@linkcode Table.handle} can hand the table to workers, which
   * {@linkcode Table.open} it over the same bytes. A shared table does not grow (`growth` must be
   * `"fixed"`): a growth would move the records out from under the other threads.
   */
  shared?: boolean;
}

/** Largest number of records a table can hold: the slot part of an id has 24 bits. */
export const MAX_TABLE_CAPACITY: 0x100_0000 = SLOTS;

/** {@linkcode TableOptions} checked, with every default filled in. */
export interface ResolvedTableOptions {
  readonly layout: TableLayout;
  readonly capacity: number;
  /** Equal to `capacity` when the table does not grow. */
  readonly maxCapacity: number;
  readonly checked: boolean;
  readonly jitless: boolean;
  readonly resolveRefs: boolean;
  readonly shared: boolean;
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

/** Checks `options` (a non-null object) and fills in the defaults; throws RangeError. */
export function resolveTableOptions(options: TableOptions): ResolvedTableOptions {
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
  const shared = booleanOption("Table", "shared", options.shared, false);
  if (shared && typeof SharedArrayBuffer === "undefined") {
    throw new TypeError(
      `Cannot create Table: option "shared" needs SharedArrayBuffer, which this runtime does not ` +
        `offer (browsers offer it only to cross-origin isolated pages)`,
    );
  }
  if (shared && growth !== "fixed") {
    throw new RangeError(
      `Cannot create Table: a shared table cannot grow (option "growth" must be "fixed", got ` +
        `${show(growth)}): a growth would move its records out from under the other threads`,
    );
  }
  const capacity = count("capacity", options.capacity, 1);
  const maxCapacity = growth === "fixed"
    ? capacity
    : count("maxCapacity", options.maxCapacity ?? MAX_TABLE_CAPACITY, capacity);
  return {
    layout,
    capacity,
    maxCapacity,
    checked: booleanOption("Table", "checked", options.checked, true),
    jitless: booleanOption("Table", "jitless", options.jitless, false),
    resolveRefs: booleanOption("Table", "resolveRefs", options.resolveRefs, true),
    shared,
  };
}
