/**
 * The body of a table snapshot (kind `"table"` of the envelope in `../snapshot.ts`), declared
 * once here:
 *
 * | section | contents |
 * | ------- | -------- |
 * | 0 header | four i32 words, see {@linkcode TABLE_HEADER} |
 * | 1 gens | u32 generation of each slot in [0, hw) |
 * | 2 link | i32 free-list link of each slot in [0, hw) (a creation stamp for live slots) |
 * | 3… storage | the records of slots [0, hw): one section (`"aos"`) or one per column (`"soa"`) |
 *
 * All numbers are little-endian, like the envelope's.
 *
 * @module
 */
import type { StructSchema } from "../../schemas/types.ts";
import { SnapshotError } from "../errors.ts";
import { decodeSnapshot, encodeSnapshot, type SnapshotOptions } from "./envelope.ts";
import { layoutFingerprint } from "./fingerprint.ts";
import { MAX_GEN, SLOTS } from "../table/ids.ts";
import type { TableLayout } from "../table/options.ts";
import type { TableStorage } from "../table/storage.ts";

/** Section indices of a table snapshot; the storage sections start at `storage`. */
export const TABLE_SECTION = { header: 0, gens: 1, link: 2, storage: 3 } as const;

/** Word indices of the header section (i32 words). */
export const TABLE_HEADER = {
  /** {@linkcode LAYOUT_CODE} of the table's layout. */
  layout: 0,
  /** Slots ever used: every other section covers slots [0, hw). */
  hw: 1,
  /** Live records (slots with an odd generation). */
  count: 2,
  /** First slot of the free list, -1 when it is empty. */
  free: 3,
} as const;

/** Words of the header section. */
export const TABLE_HEADER_WORDS = 4;

/** How the header's `layout` word spells each layout. */
export const LAYOUT_CODE: Readonly<Record<TableLayout, number>> = { aos: 0, soa: 1 };

/** What a table snapshot is taken from and checked against (a table's core). */
export interface TableSource {
  readonly schema: StructSchema;
  readonly storage: TableStorage;
  /** Largest number of slots the table can hold (growing if it must). */
  readonly maxCapacity: number;
  readonly hw: number;
  readonly count: number;
  readonly free: number;
  readonly gens: Uint32Array;
  readonly link: Int32Array;
}

/** A table's contents read back from a snapshot, checked and ready to load. */
export interface TableImage {
  /** Slots ever used. */
  readonly hw: number;
  /** Live records. */
  readonly count: number;
  /** Head of the free list, -1 when empty. */
  readonly free: number;
  /** Generation of each of the `hw` slots. */
  readonly gens: Uint32Array;
  /** Free-list link of each of the `hw` slots (values of live slots are stale stamps). */
  readonly link: Int32Array;
  /** The records' bytes, one array per {@linkcode TableStorage.byteViews} view. */
  readonly storage: readonly Uint8Array[];
}

const bytesOf = (a: ArrayBufferView, n: number) => new Uint8Array(a.buffer, a.byteOffset, n);

// A view where the section is 4-byte aligned (it is, in a snapshot at an aligned offset), a copy
// otherwise: a 32-bit array cannot start at an odd byte.
function wordsOf<A>(
  b: Uint8Array,
  Words: new (buffer: ArrayBufferLike, byteOffset?: number, length?: number) => A,
): A {
  return b.byteOffset % 4 === 0
    ? new Words(b.buffer, b.byteOffset, b.length >> 2)
    : new Words(b.slice().buffer);
}

const layoutName = (code: number): TableLayout => code === LAYOUT_CODE.soa ? "soa" : "aos";

/** Writes `table` as a snapshot (see the module doc for the sections). */
export function encodeTableSnapshot(table: TableSource, options?: SnapshotOptions): Uint8Array {
  const hw = table.hw;
  const header = new Int32Array(TABLE_HEADER_WORDS);
  header[TABLE_HEADER.layout] = LAYOUT_CODE[table.storage.layout];
  header[TABLE_HEADER.hw] = hw;
  header[TABLE_HEADER.count] = table.count;
  header[TABLE_HEADER.free] = table.free;
  const sections: Uint8Array[] = [];
  sections[TABLE_SECTION.header] = bytesOf(header, header.byteLength);
  sections[TABLE_SECTION.gens] = bytesOf(table.gens, hw * 4);
  sections[TABLE_SECTION.link] = bytesOf(table.link, hw * 4);
  sections.push(...table.storage.byteViews(hw));
  return encodeSnapshot("table", layoutFingerprint(table.schema), sections, options);
}

/**
 * Checks a snapshot against `table` (envelope, schema, layout, section sizes, generations, the
 * live count and the free list, then the capacity) and returns its contents. Reads only: throws
 * {@linkcode SnapshotError} before anything is written.
 */
export function decodeTableSnapshot(snap: Uint8Array, table: TableSource): TableImage {
  const { sections } = decodeSnapshot(snap, "table", layoutFingerprint(table.schema));
  const bad = (detail: string): never => {
    throw new SnapshotError("format", detail);
  };
  const head = sections[TABLE_SECTION.header];
  if (sections.length < TABLE_SECTION.storage + 1 || head.length !== TABLE_HEADER_WORDS * 4) {
    bad("the table header section is missing");
  }
  const words = wordsOf(head, Int32Array);
  const layout = words[TABLE_HEADER.layout];
  const hw = words[TABLE_HEADER.hw];
  const count = words[TABLE_HEADER.count];
  const free = words[TABLE_HEADER.free];
  const mine = table.storage.layout;
  if (layout !== LAYOUT_CODE[mine]) {
    bad(`it was taken from a "${layoutName(layout)}" table, this one is "${mine}"`);
  }
  if (!(hw >= 0 && hw <= SLOTS)) bad(`${hw} slots is not a valid slot count`);
  const want: number[] = [];
  want[TABLE_SECTION.header] = TABLE_HEADER_WORDS * 4;
  want[TABLE_SECTION.gens] = hw * 4;
  want[TABLE_SECTION.link] = hw * 4;
  want.push(...table.storage.byteLengths(hw));
  if (sections.length !== want.length || sections.some((sec, i) => sec.length !== want[i])) {
    bad("its sections do not match the table's storage");
  }
  const gens = wordsOf(sections[TABLE_SECTION.gens], Uint32Array);
  const link = wordsOf(sections[TABLE_SECTION.link], Int32Array);
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
  if (hw > table.maxCapacity) {
    throw new SnapshotError(
      "capacity",
      `it holds ${hw} slots and this table can hold ${table.maxCapacity} records`,
    );
  }
  return { hw, count, free, gens, link, storage: sections.slice(TABLE_SECTION.storage) };
}
