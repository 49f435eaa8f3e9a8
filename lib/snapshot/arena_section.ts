/**
 * The arena section of a snapshot: one meta section, then one section per chunk.
 *
 * | meta word | field |
 * | --------- | ----- |
 * | 0 | arena id (tells this arena's snapshots from others') |
 * | 1 | generation when taken |
 * | 2 | allocations since the last reset |
 * | 3 | chunk count `k` |
 * | 4 | fingerprint count `f` |
 * | 5 | reserved, 0 |
 * | 6 … 6 + 3k | per chunk: start, size, bytes kept |
 * | … + f | the layout fingerprints, sorted |
 *
 * @module
 */
import { SnapshotError } from "../errors.ts";
import { decodeSnapshot, encodeSnapshot, type SnapshotOptions } from "./envelope.ts";
import { layoutSetFingerprint } from "./fingerprint.ts";

const ID = 0;
const GENERATION = 1;
const ALLOCS = 2;
const CHUNKS = 3;
const FINGERPRINTS = 4;
const META_WORDS = 6;
const CHUNK_WORDS = 3;
// The largest chunk an arena makes: its "bytes" and "chunkBytes" options stop there.
const MAX_CHUNK_BYTES = 0x7fff_fff0;

/** One chunk of an arena image. */
export interface ChunkImage {
  readonly start: number;
  readonly size: number;
  /** The chunk's kept bytes: all of it for earlier chunks, up to the top for the last one. */
  readonly bytes: Uint8Array;
}

/** What an arena snapshot holds. */
export interface ArenaImage {
  readonly id: number;
  readonly generation: number;
  readonly allocs: number;
  readonly chunks: readonly ChunkImage[];
  readonly fingerprints: readonly number[];
}

/** Writes an arena image as a snapshot. */
export function encodeArena(image: ArenaImage, options?: SnapshotOptions): Uint8Array {
  const { chunks, fingerprints } = image;
  const k = chunks.length;
  const last = chunks[k - 1];
  if (last.start + last.size > 0xffff_ffff) {
    throw new RangeError(
      `Cannot snapshot an arena of ${last.start + last.size} bytes: the format holds 4 GiB at most`,
    );
  }
  const meta = new Uint32Array(META_WORDS + CHUNK_WORDS * k + fingerprints.length);
  meta[ID] = image.id;
  meta[GENERATION] = image.generation;
  meta[ALLOCS] = image.allocs;
  meta[CHUNKS] = k;
  meta[FINGERPRINTS] = fingerprints.length;
  const sections: Uint8Array[] = [new Uint8Array(meta.buffer)];
  chunks.forEach((c, i) => {
    const w = META_WORDS + CHUNK_WORDS * i;
    meta[w] = c.start;
    meta[w + 1] = c.size;
    meta[w + 2] = c.bytes.length;
    sections.push(c.bytes);
  });
  meta.set(fingerprints, META_WORDS + CHUNK_WORDS * k);
  return encodeSnapshot("arena", layoutSetFingerprint(fingerprints), sections, options);
}

/**
 * Reads and checks an arena snapshot: envelope, meta section, chunk table, and that every layout
 * it lists is `known` to the target. Throws {@linkcode SnapshotError} on any problem; whether the
 * target's chunks can hold it is the caller's to check.
 */
export function decodeArena(bytes: Uint8Array, known: ReadonlySet<number>): ArenaImage {
  const snap = decodeSnapshot(bytes, "arena");
  const [metaBytes, ...data] = snap.sections;
  if (
    metaBytes === undefined || metaBytes.length < 4 * META_WORDS || metaBytes.length % 4 !== 0
  ) {
    throw new SnapshotError("format", "the arena section is missing or malformed");
  }
  const dv = new DataView(metaBytes.buffer, metaBytes.byteOffset, metaBytes.byteLength);
  const word = (i: number) => dv.getUint32(4 * i, true);
  const k = word(CHUNKS);
  const f = word(FINGERPRINTS);
  if (
    k < 1 || data.length !== k ||
    metaBytes.length !== 4 * (META_WORDS + CHUNK_WORDS * k + f)
  ) {
    throw new SnapshotError("format", `the chunk table does not match its ${data.length} sections`);
  }
  const fingerprints: number[] = [];
  for (let i = 0; i < f; i++) fingerprints.push(word(META_WORDS + CHUNK_WORDS * k + i));
  if (layoutSetFingerprint(fingerprints) !== snap.fingerprint) {
    throw new SnapshotError("format", "the listed layouts do not match the header fingerprint");
  }
  for (const fp of fingerprints) {
    if (!known.has(fp)) {
      throw new SnapshotError(
        "fingerprint",
        `it holds records of a layout (fingerprint 0x${fp.toString(16).padStart(8, "0")}) ` +
          `this arena has not used: allocate, or call classOf(), with the same schemas first`,
      );
    }
  }
  const chunks: ChunkImage[] = [];
  let start = 0;
  for (let i = 0; i < k; i++) {
    const w = META_WORDS + CHUNK_WORDS * i;
    const c = { start: word(w), size: word(w + 1), bytes: data[i] };
    const len = word(w + 2);
    // No arena makes a chunk above MAX_CHUNK_BYTES, nor ends past the format's 4 GiB: a forged
    // size beyond either would only fail later, when the arena allocates the chunk.
    if (
      c.start !== start || c.size === 0 || c.size % 16 !== 0 || len !== data[i].length ||
      (i < k - 1 ? len !== c.size : len > c.size) || c.size > MAX_CHUNK_BYTES ||
      c.start + c.size > 0xffff_ffff
    ) {
      throw new SnapshotError("format", `chunk ${i} of the chunk table is inconsistent`);
    }
    chunks.push(c);
    start += c.size;
  }
  return {
    id: word(ID),
    generation: word(GENERATION) | 0,
    allocs: word(ALLOCS),
    chunks,
    fingerprints,
  };
}
