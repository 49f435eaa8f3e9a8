/**
 * The handle of a shared table: what `Table.handle()` returns and `Table.open()` takes, and its
 * check (a handle crosses threads as plain structured-clone data, so it is checked like input).
 *
 * @module
 */
import type { StructSchema } from "../../schemas/types.ts";
import type { WireSchema } from "../../schemas/wire.ts";
import { show } from "../_text.ts";
import type { TableLayout } from "./options.ts";
import { type CoreBuffers, CTL, CTL_BYTES } from "./shared.ts";
import { TAGS } from "./ids.ts";

/**
 * A structured-cloneable description of a shared table: its schema, options and buffers. Made by
 * {@linkcode Table.handle}, opened by {@linkcode Table.open}.
 */
export interface TableHandle<S extends StructSchema = StructSchema> {
  /** Always `"arenakit.table"`. */
  readonly kind: "arenakit.table";
  /** Version of this shape. */
  readonly version: 1;
  /** The record schema as structured-clone data (`t.ref()` targets by index). */
  readonly schema: WireSchema<S>;
  /** How the records are stored. */
  readonly layout: TableLayout;
  /** Number of records the table holds (shared tables do not grow). */
  readonly capacity: number;
  /** Whether views check lifetimes. */
  readonly checked: boolean;
  /** Whether accessor classes are built without eval. */
  readonly jitless: boolean;
  /** The bookkeeping: control block, generations, free-list links, birth stamps, live index. */
  readonly core: CoreBuffers;
  /** The records: one buffer (AoS) or one per column (SoA). */
  readonly storage: readonly ArrayBufferLike[];
}

const isShared = (b: unknown): b is SharedArrayBuffer =>
  typeof SharedArrayBuffer !== "undefined" && b instanceof SharedArrayBuffer;

/** Returns `h` if it is a well-formed table handle; throws TypeError naming what is wrong. */
export function checkTableHandle(h: unknown): TableHandle {
  const bad = (what: string): never => {
    throw new TypeError(`Cannot open Table: not a table handle (${what})`);
  };
  if (typeof h !== "object" || h === null) bad(`got ${show(h)}`);
  const o = h as Record<string, unknown>;
  if (o.kind !== "arenakit.table") bad(`"kind" is ${show(o.kind)}`);
  if (o.version !== 1) bad(`"version" is ${show(o.version)}, this library reads 1`);
  const s = o.schema as { kind?: unknown } | null;
  if (typeof s !== "object" || s === null || s.kind !== "arenakit.schema") {
    bad(`"schema" is no wire schema`);
  }
  if (o.layout !== "aos" && o.layout !== "soa") bad(`"layout" is ${show(o.layout)}`);
  const n = o.capacity;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1) bad(`"capacity" is ${show(n)}`);
  const cap = n as number;
  if (typeof o.checked !== "boolean") bad(`"checked" is ${show(o.checked)}`);
  if (typeof o.jitless !== "boolean") bad(`"jitless" is ${show(o.jitless)}`);
  const c = o.core as Record<string, unknown> | null;
  if (typeof c !== "object" || c === null) bad(`"core" is ${show(c)}`);
  const want: Record<keyof CoreBuffers, number> = {
    control: CTL_BYTES,
    gens: cap * 4,
    link: cap * 4,
    born: cap * 8,
    live: cap * 4,
  };
  for (const [k, bytes] of Object.entries(want)) {
    const b = (c as Record<string, unknown>)[k];
    if (!isShared(b)) bad(`"core.${k}" is no SharedArrayBuffer`);
    if ((b as SharedArrayBuffer).byteLength !== bytes) {
      bad(`"core.${k}" has ${(b as SharedArrayBuffer).byteLength} bytes, expected ${bytes}`);
    }
  }
  // The counters must describe a table of this capacity: a handle whose control block was
  // scribbled on is refused before any slot is read through it.
  const ctl = new Int32Array((c as { control: SharedArrayBuffer }).control, 0, CTL.words);
  const [free, hw, count, tag] = [ctl[CTL.free], ctl[CTL.hw], ctl[CTL.count], ctl[CTL.tag]];
  if (!(hw >= 0 && hw <= cap)) bad(`its slots in use (${hw}) exceed its capacity (${cap})`);
  if (!(count >= 0 && count <= hw)) bad(`its count (${count}) is not within its slots (${hw})`);
  if (!(free >= -1 && free < hw)) bad(`its free list starts at slot ${free}, outside ${hw} slots`);
  if (!(tag >= 0 && tag < TAGS)) bad(`its tag is ${tag}`);
  const st = o.storage;
  if (!Array.isArray(st) || st.length === 0 || !st.every(isShared)) {
    bad(`"storage" is no list of SharedArrayBuffers`);
  }
  return h as TableHandle;
}
