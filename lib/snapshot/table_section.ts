/**
 * The body of a table snapshot (kind `"table"` of the envelope in `../snapshot.ts`), declared
 * once here:
 *
 * | section | contents |
 * | ------- | -------- |
 * | 0 header | five i32 words, see {@linkcode TABLE_HEADER} |
 * | 1 gens | u32 generation word (tag and counter) of each slot in [0, hw) |
 * | 2 link | i32 free-list link of each slot in [0, hw) (meaningless for live slots) |
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
import { counterOf, RETIRED, SLOTS, TAG_UNIT, tagOf, TAGS } from "../table/ids.ts";
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
  /** The table tag in every generation word (restoring adopts it, so the ids stay valid). */
  tag: 4,
} as const;

/** Words of the header section. */
export const TABLE_HEADER_WORDS = 5;

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
  readonly tag: number;
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
  /** The table tag of every generation word. */
  readonly tag: number;
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
  header[TABLE_HEADER.tag] = table.tag;
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
  const tag = words[TABLE_HEADER.tag];
  const mine = table.storage.layout;
  if (layout !== LAYOUT_CODE[mine]) {
    bad(`it was taken from a "${layoutName(layout)}" table, this one is "${mine}"`);
  }
  if (layout !== LAYOUT_CODE.aos && layout !== LAYOUT_CODE.soa) bad(`layout code ${layout}`);
  if (!(hw >= 0 && hw <= SLOTS)) bad(`${hw} slots is not a valid slot count`);
  if (!(tag >= 0 && tag < TAGS)) bad(`table tag ${tag} is not below ${TAGS}`);
  if (!(count >= 0 && count <= hw)) bad(`it counts ${count} records in ${hw} slots`);
  if (!(free === -1 || (free >= 0 && free < hw))) bad(`free-list head ${free} is not a slot`);
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
  // Every slot below hw was used (counter 1 or more), carries the tag, and is live (odd), free
  // (even) or retired; the free list holds exactly the free slots, each once. Anything else
  // could not come from a table, and would hand out ids that get() refuses or that alias.
  let live = 0;
  let dead = 0;
  for (let s = 0; s < hw; s++) {
    const g = gens[s];
    const c = counterOf(g);
    if (tagOf(g) !== tag || c === 0 || c > RETIRED) {
      bad(
        `slot ${s} has generation ${g}, not one of tag ${tag} (${tag * TAG_UNIT + 1} to ${
          tag * TAG_UNIT + RETIRED
        })`,
      );
    }
    if ((c & 1) === 1) live++;
    else if (c !== RETIRED) dead++;
  }
  if (live !== count) bad(`it counts ${count} records but ${live} slots are live`);
  let steps = 0;
  for (let s = free; s !== -1; s = link[s]) {
    if (
      !(s >= 0 && s < hw) || (gens[s] & 1) === 1 || counterOf(gens[s]) === RETIRED || ++steps > dead
    ) {
      bad("its free list is broken");
    }
  }
  if (steps !== dead) bad(`its free list holds ${steps} of the ${dead} free slots`);
  if (hw > table.maxCapacity) {
    throw new SnapshotError(
      "capacity",
      `it holds ${hw} slots and this table can hold ${table.maxCapacity} records`,
    );
  }
  return { hw, count, free, tag, gens, link, storage: sections.slice(TABLE_SECTION.storage) };
}
