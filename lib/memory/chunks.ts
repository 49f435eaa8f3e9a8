/**
 * The bump allocator under an arena: a chain of chunks, the current chunk and its top, and the
 * counters. Addresses are arena-wide (`chunk.start + offset`), so a mark is one number.
 *
 * @module
 */
import { type Mem, memOf, rebindMem } from "../values/codec.ts";
import { ArenaFullError, SnapshotError } from "../errors.ts";
import type { Pool } from "./pool.ts";
import type { Overflow } from "./arena_options.ts";
import type { Epochs } from "./epochs.ts";

/** Rounds a byte count up to 16, the alignment of every chunk (exact for any safe integer). */
export const roundUp16 = (n: number): number => Math.ceil(n / 16) * 16;

/**
 * The largest chunk an arena makes (just under 2 GiB): every typed array over it has a length
 * below 2³¹, and no single allocation can be larger. Requests beyond it are refused with
 * `ArenaFullError` before any buffer is made.
 */
export const MAX_CHUNK_BYTES = 0x7fff_fff0;

const isShared = (b: ArrayBuffer | SharedArrayBuffer): boolean =>
  typeof SharedArrayBuffer !== "undefined" && b instanceof SharedArrayBuffer;

/** How big chunks are and where extra ones come from. */
export interface ChunkPolicy {
  readonly shared: boolean;
  readonly overflow: Overflow;
  readonly chunkBytes: number;
  readonly maxBytes: number;
  readonly pool: Pool<ArrayBuffer | SharedArrayBuffer> | undefined;
  /**
   * Whether freeing a whole chunk detaches the typed arrays users kept over it (checked arenas
   * over plain ArrayBuffers, where `transfer()` exists).
   */
  readonly detach: boolean;
}

const HAS_TRANSFER =
  typeof (ArrayBuffer.prototype as { transfer?: unknown }).transfer === "function";

/**
 * Whether this runtime can move a buffer's bytes to a new ArrayBuffer and detach the old one:
 * `ArrayBuffer.prototype.transfer()` (Deno, Bun, Node 22+), or `structuredClone` with a transfer
 * list (Node 20), which moves the backing store the same way.
 */
export const CAN_TRANSFER: boolean = HAS_TRANSFER || typeof structuredClone === "function";

// The same bytes in a new buffer; every typed array over the old one now has length 0.
const transfer = (b: ArrayBuffer | SharedArrayBuffer): ArrayBuffer =>
  HAS_TRANSFER
    ? (b as ArrayBuffer & { transfer(): ArrayBuffer }).transfer()
    : structuredClone(b as ArrayBuffer, { transfer: [b as ArrayBuffer] });

/** One chunk of an arena as a snapshot records it. */
export interface ChunkExtent {
  readonly start: number;
  readonly size: number;
}

/** The chunk chain of one arena. */
export class Chunks {
  readonly policy: ChunkPolicy;
  list: Mem[];
  /** Index of the current chunk in `list`. */
  ci = 0;
  /** The current chunk. */
  mem: Mem;
  /** A checked, unshared arena's epochs: what its views read through (see `epochs.ts`). */
  epochs: Epochs | undefined = undefined;
  /** Offset of the first free byte in the current chunk. */
  top = 0;
  /** Allocations since the last `recount`. */
  allocs = 0;
  // Allocations before the last recount: the total is derived, so a bump counts once.
  #allocsBefore = 0;
  // The highest arena address the top reached before it last moved down. The top only rises
  // between such moves, so `peak` is this or the top now, and a bump tracks nothing.
  highWater = 0;
  overflows = 0;

  /** A chain of one new chunk of `firstBytes` bytes, or of the chunks `list` (an opened arena). */
  constructor(firstBytes: number, policy: ChunkPolicy, list?: Mem[]) {
    this.policy = policy;
    this.list = list ?? [memOf(this.buffer(firstBytes), 0)];
    this.mem = this.list[0];
  }

  buffer(bytes: number): ArrayBuffer | SharedArrayBuffer {
    return this.policy.shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  }

  /** What views of a record at offset `o` of the current chunk read through. */
  memFor(o: number): Mem {
    const e = this.epochs;
    return e === undefined ? this.mem : e.of(this.mem, this.mem.start + o);
  }

  /** The arena address of the top. */
  get mark(): number {
    return this.mem.start + this.top;
  }

  /** Bytes left in the current chunk. */
  get available(): number {
    return this.mem.size - this.top;
  }

  /** Largest `mark` ever seen. */
  get peak(): number {
    return Math.max(this.highWater, this.mark);
  }

  /** Allocations since the arena was made. */
  get totalAllocs(): number {
    return this.#allocsBefore + this.allocs;
  }

  /** Starts the count of allocations since the last reset again at `n`; the total keeps on. */
  recount(n: number): void {
    this.#allocsBefore += this.allocs - n;
    this.allocs = n;
  }

  /** Keeps the top's height before the top moves down. */
  protected seeTop(): void {
    const used = this.mem.start + this.top;
    if (used > this.highWater) this.highWater = used;
  }

  /** The top as a mark position (a shared arena first gives up its block). */
  settle(): number {
    return this.mark;
  }

  /** Bytes of all chunks. */
  get capacity(): number {
    const last = this.list[this.list.length - 1];
    return last.start + last.size;
  }

  /** Offset of `size` bytes aligned to `align` in `this.mem`, or -1 when `soft` and full. */
  bump(size: number, align: number, soft: boolean): number {
    // The top is an offset in one chunk (at most MAX_CHUNK_BYTES, below 2³¹) and alignments
    // are powers of two, so a mask rounds it; sizes may be larger, so they take plain arithmetic.
    const top = this.top;
    let o = (top + align - 1) & -align;
    if (!(o + size <= this.mem.size)) {
      if (!this.next(size, align, soft)) return -1;
      o = 0;
    }
    this.top = o + size;
    this.allocs++;
    return o;
  }

  next(size: number, align: number, soft: boolean): boolean {
    const p = this.policy;
    const next = this.list[this.ci + 1];
    if (next !== undefined && next.size >= size) {
      this.ci++;
      this.mem = next;
      this.top = 0;
      return true;
    }
    const m = this.mem;
    const left = Math.max(0, m.size - this.top);
    if (p.overflow === "throw") {
      if (soft) return false;
      throw new ArenaFullError(size, left);
    }
    const bytes = Math.max(p.chunkBytes, roundUp16(size + align));
    const start = m.start + m.size;
    if (!(Number.isSafeInteger(size) && bytes <= MAX_CHUNK_BYTES && start + bytes <= p.maxBytes)) {
      if (soft) return false;
      throw new ArenaFullError(size, left);
    }
    let buffer: ArrayBuffer | SharedArrayBuffer;
    try {
      buffer = this.take(bytes);
    } catch (e) {
      // The runtime could not provide the memory (a RangeError): the arena is full.
      if (!(e instanceof RangeError)) throw e;
      if (soft) return false;
      throw new ArenaFullError(size, left);
    }
    // Chunks past the current one were freed by a reset or release; drop the too-small one.
    this.drop(this.ci + 1);
    this.list.push(memOf(buffer, start));
    this.ci++;
    this.mem = this.list[this.ci];
    this.top = 0;
    this.overflows++;
    return true;
  }

  /**
   * A buffer for a new chunk: from the pool when it has the pool's size. A pool shared with
   * arenas of another chunk size (or sharedness) may hand out a buffer that does not fit: it is
   * dropped, never used, and a fresh buffer is made instead.
   */
  take(bytes: number): ArrayBuffer | SharedArrayBuffer {
    const p = this.policy;
    if (p.pool !== undefined && bytes === p.chunkBytes) {
      const b = p.pool.get();
      if (b.byteLength === bytes && isShared(b) === p.shared) return b;
    }
    return this.buffer(bytes);
  }

  /**
   * Removes the chunks from index `from` on, handing pooled ones back: detached first, so an
   * array a user kept over one cannot write into the next arena that takes it (and so that
   * kept arrays are inert however their chunk went).
   */
  drop(from: number): void {
    const gone = this.list.splice(from);
    const p = this.policy;
    for (const m of gone) {
      const buffer = p.detach && m.raw ? transfer(m.buffer) : m.buffer;
      if (p.pool !== undefined && m.size === p.chunkBytes) p.pool.put(buffer);
    }
  }

  /**
   * Moves the bytes of every chunk a raw array was taken of to a new buffer (zero-copy) and
   * re-points its `Mem` in place, so views follow while the typed arrays users kept (columns,
   * numeric array fields, buffers) go inert.
   */
  detachAll(): void {
    if (!this.policy.detach) return;
    // Chunks nobody took a raw array or buffer of keep theirs: a cursor loop allocates nothing.
    for (const m of this.list) if (m.raw) rebindMem(m, transfer(m.buffer));
  }

  /** Moves the top down to arena address `mark` (a reset is `rewind(0)`). */
  rewind(mark: number): void {
    this.seeTop();
    let k = this.ci;
    while (k > 0 && this.list[k].start > mark) k--;
    this.ci = k;
    this.mem = this.list[k];
    this.top = mark - this.mem.start;
  }

  /**
   * Lays the chunks out as `plan` says, keeping those that already match, and copies `data`
   * into them: the last step of a restore, after everything was validated.
   */
  replace(plan: readonly ChunkExtent[], data: readonly Uint8Array[], allocs: number): void {
    this.seeTop();
    let reuse = this.matching(plan);
    if (reuse < plan.length) {
      this.drop(reuse);
      for (; reuse < plan.length; reuse++) {
        this.list.push(memOf(this.take(plan[reuse].size), plan[reuse].start));
      }
    }
    for (let i = 0; i < plan.length; i++) this.list[i].u8.set(data[i]);
    const k = plan.length - 1;
    this.ci = k;
    this.mem = this.list[k];
    this.top = data[k].length;
    this.recount(allocs);
    this.seeTop();
  }

  /** The chunks up to the current one as a snapshot records them. */
  images(): { start: number; size: number; bytes: Uint8Array }[] {
    return this.list.slice(0, this.ci + 1).map((m, i) => ({
      start: m.start,
      size: m.size,
      // Earlier chunks are kept whole: their skipped tails are not tracked, and they are short.
      bytes: m.u8.subarray(0, i === this.ci ? this.top : m.size),
    }));
  }

  /** Throws a "capacity" {@linkcode SnapshotError} when this chain cannot take `plan`'s chunks. */
  checkFits(plan: readonly ChunkExtent[]): void {
    const k = plan.length;
    const first = this.list[0].size;
    if (plan[0].size !== first) {
      throw new SnapshotError(
        "capacity",
        `its first chunk has ${plan[0].size} bytes, this arena's has ${first}`,
      );
    }
    const { overflow, maxBytes } = this.policy;
    const end = plan[k - 1].start + plan[k - 1].size;
    if (this.matching(plan) < k && (overflow === "throw" || end > maxBytes)) {
      throw new SnapshotError(
        "capacity",
        overflow === "throw"
          ? `it spans ${k} chunks and this arena has overflow "throw"`
          : `it needs ${end} bytes and this arena's maxBytes is ${maxBytes}`,
      );
    }
  }

  /** How many leading chunks of `plan` this chain already has, at the same place and size. */
  matching(plan: readonly ChunkExtent[]): number {
    let reuse = 1;
    while (
      reuse < plan.length && this.list[reuse] !== undefined &&
      this.list[reuse].start === plan[reuse].start && this.list[reuse].size === plan[reuse].size
    ) reuse++;
    return reuse;
  }
}
