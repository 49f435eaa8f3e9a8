/**
 * The bump allocator of a shared arena. Every Arena object over the same memory (the owner, and
 * each one opened from a handle in any thread) bump-allocates inside a private block of the
 * current chunk, taken from the chunk's shared top in the control block with one atomic
 * operation per block, not per record. Only the owner adds chunks, rewinds and resets.
 *
 * @module
 */
import { type Mem, memOf } from "../values/codec.ts";
import { ArenaFullError } from "../errors.ts";
import {
  type ChunkExtent,
  type ChunkPolicy,
  Chunks,
  MAX_CHUNK_BYTES,
  roundUp16,
} from "./chunks.ts";
import { Control, MAX_SHARED_CHUNKS } from "./control.ts";
import { nextArenaId } from "./arena_options.ts";

/** A chunk as a handle carries it: its memory and the id the owner gave it. */
export interface HandleChunk {
  readonly mem: Mem;
  readonly id: number;
}

const OWNER_ONLY = "and only the arena that made the handle adds chunks";
const MISSING = "and the owner added a chunk since this arena's handle was made " +
  "(pass a newer handle to adopt())";

// Never 0, so a cleared slot of the chunk table matches no chunk.
const nextChunkId = (): number => nextArenaId() || 1;

/** The chunk chain of a shared arena, with this arena's block in it. */
export class SharedChunks extends Chunks {
  readonly ctl: Control;
  /** Whether this arena made the control block (and so may add chunks, rewind and reset). */
  readonly owner: boolean;
  readonly blockBytes: number;
  /** End of this arena's block in `mem`; `top === end` when nothing of it is left. */
  end = 0;
  /** The generation the block was taken in: a cut since then may have freed it. */
  blockGen = -1;
  /** Each chunk's id, as the control block had it when this arena got the chunk. */
  ids: number[];
  // The chunks last published, to tell which entries of `list` are new.
  #known: Mem[];

  /** The owner's chain (a first chunk of `firstBytes`), or one over a handle's `opened` chunks. */
  constructor(
    firstBytes: number,
    policy: ChunkPolicy,
    blockBytes: number,
    opened?: { ctl: Control; chunks: readonly HandleChunk[] },
  ) {
    super(firstBytes, policy, opened?.chunks.map((c) => c.mem));
    this.blockBytes = blockBytes;
    this.owner = opened === undefined;
    if (opened === undefined) {
      this.ctl = Control.create(nextArenaId());
      this.ids = [];
      this.#known = [];
      this.#sync();
    } else {
      this.ctl = opened.ctl;
      this.ids = opened.chunks.map((c) => c.id);
      this.#known = [];
    }
  }

  /** Whether this arena holds chunk `k` as the owner has it now. */
  has(k: number): boolean {
    return k < this.list.length && this.ids[k] === this.ctl.chunkId(k);
  }

  override bump(size: number, align: number, soft: boolean): number {
    // A reset or release by the owner since the block was taken may have freed it.
    if (this.blockGen !== this.ctl.state.g) this.end = this.top;
    // Rounded up by a mask, as in Chunks.bump: tops are below 2³¹, alignments powers of two.
    let o = (this.top + align - 1) & -align;
    if (!(o + size <= this.end)) {
      if (!this.next(size, align, soft)) return -1;
      o = (this.top + align - 1) & -align;
    }
    this.top = o + size;
    this.allocs++;
    return o;
  }

  /** Takes a new block that fits `size` bytes aligned to `align` (the owner adds a chunk if need be). */
  override next(size: number, align: number, soft: boolean): boolean {
    this.giveUp();
    const c = this.ctl;
    for (;;) {
      // Read before the take: a cut after it shows at the next bump.
      const g = c.state.g;
      const k = c.ci;
      if (!this.has(k)) return this.#refuse(size, soft, MISSING);
      const m = this.list[k];
      const at = c.take(k, m.size, this.blockBytes, size, align);
      if (at >= 0) {
        this.ci = k;
        this.mem = m;
        this.top = at;
        this.end = at + c.taken;
        this.blockGen = g;
        return true;
      }
      if (!this.owner) return this.#refuse(size, soft, OWNER_ONLY);
      if (!this.#grow(size, align, soft)) return false;
    }
  }

  // The owner moves on to the next chunk, or adds one, as the overflow policy allows.
  #grow(size: number, align: number, soft: boolean): boolean {
    const p = this.policy;
    const c = this.ctl;
    const k = c.ci;
    const next = this.list[k + 1];
    if (next !== undefined && next.size >= size) {
      c.ci = k + 1;
      return true;
    }
    if (p.overflow === "throw") return this.#refuse(size, soft, "");
    const m = this.list[k];
    const bytes = Math.max(p.chunkBytes, roundUp16(size + align));
    const start = m.start + m.size;
    if (!(Number.isSafeInteger(size) && bytes <= MAX_CHUNK_BYTES && start + bytes <= p.maxBytes)) {
      return this.#refuse(size, soft, "");
    }
    if (k + 1 >= MAX_SHARED_CHUNKS) {
      return this.#refuse(
        size,
        soft,
        `and a shared arena holds at most ${MAX_SHARED_CHUNKS} chunks`,
      );
    }
    let buffer: ArrayBuffer | SharedArrayBuffer;
    try {
      buffer = this.take(bytes);
    } catch (e) {
      // The runtime could not provide the memory (a RangeError): the arena is full.
      if (!(e instanceof RangeError)) throw e;
      return this.#refuse(size, soft, "");
    }
    // Chunks past the current one were freed by a reset or release; drop the too-small one.
    this.drop(k + 1);
    this.list.push(memOf(buffer, start));
    this.overflows++;
    c.overflows = this.overflows;
    this.#sync();
    c.ci = k + 1;
    return true;
  }

  #refuse(size: number, soft: boolean, detail: string): false {
    if (soft) return false;
    throw new ArenaFullError(size, this.available, detail);
  }

  /**
   * Gives up what is left of this arena's block, handing it back when no block was taken after
   * it. Afterwards every address at or above the shared top is allocated later than now.
   */
  giveUp(): void {
    const c = this.ctl;
    if (this.blockGen === c.state.g) {
      c.raise(this.mem.start + this.top);
      if (this.end > this.top) c.giveBack(this.ci, this.top, this.end);
    }
    this.end = this.top;
  }

  /**
   * The address the next mark would have: the shared top, less this arena's unused tail when
   * its block is the last one handed out (so a lone owner reads exactly what it allocated).
   */
  override get mark(): number {
    const c = this.ctl;
    const k = c.ci;
    const top = c.top(k);
    if (k === this.ci && top === this.end && this.blockGen === c.state.g) {
      return this.mem.start + this.top;
    }
    return c.start(k) + top;
  }

  /** Bytes this arena can still allocate: its block, and what is left of the current chunk. */
  override get available(): number {
    const c = this.ctl;
    const k = c.ci;
    const mine = this.blockGen === c.state.g ? this.end - this.top : 0;
    return (this.has(k) ? Math.max(0, c.size(k) - c.top(k)) : 0) + mine;
  }

  override get peak(): number {
    const c = this.ctl;
    return Math.max(c.high, this.blockGen === c.state.g ? this.mem.start + this.top : 0);
  }

  override get capacity(): number {
    const c = this.ctl;
    const n = c.count;
    return c.start(n - 1) + c.size(n - 1);
  }

  override settle(): number {
    this.giveUp();
    return this.mark;
  }

  /** The owner's rewind, published: every chunk after the new current one is empty again. */
  override rewind(mark: number): void {
    const c = this.ctl;
    // The owner's own top is a real allocation even when its block is stale by its own cut.
    c.raise(this.mem.start + this.top);
    super.rewind(mark);
    c.setTop(this.ci, this.top);
    for (let j = this.ci + 1; j < this.list.length; j++) c.setTop(j, 0);
    c.ci = this.ci;
    this.end = this.top;
  }

  override drop(from: number): void {
    super.drop(from);
    if (this.owner) this.#sync();
  }

  override replace(
    plan: readonly ChunkExtent[],
    data: readonly Uint8Array[],
    allocs: number,
  ): void {
    super.replace(plan, data, allocs);
    this.#sync();
    const c = this.ctl;
    const list = this.list;
    for (let j = 0; j < list.length; j++) {
      c.setTop(j, j < this.ci ? list[j].size : j === this.ci ? this.top : 0);
    }
    c.ci = this.ci;
    this.end = this.top;
    c.raise(this.mem.start + this.top);
  }

  /** The chunks up to the shared current one, the last up to the shared top. */
  override images(): { start: number; size: number; bytes: Uint8Array }[] {
    this.giveUp();
    const c = this.ctl;
    const k = c.ci;
    for (let i = 0; i <= k; i++) {
      if (!this.has(i)) {
        throw new TypeError(
          "Cannot snapshot this arena: the owner added a chunk since its handle was made " +
            "(pass a newer handle to adopt())",
        );
      }
    }
    return this.list.slice(0, k + 1).map((m, i) => ({
      start: m.start,
      size: m.size,
      bytes: m.u8.subarray(0, i === k ? c.top(k) : m.size),
    }));
  }

  /** Takes the chunks of a newer handle of the same arena that this one lacks or has stale. */
  adopt(chunks: readonly HandleChunk[]): void {
    for (let i = 0; i < chunks.length; i++) {
      if (this.ids[i] === chunks[i].id) continue;
      this.list[i] = chunks[i].mem;
      this.ids[i] = chunks[i].id;
    }
    // The block's chunk was replaced: the owner dropped it in a reset, so the block is freed.
    if (this.mem !== this.list[this.ci]) {
      this.mem = this.list[this.ci];
      this.top = this.end = 0;
    }
  }

  // Publishes the chunk table: entries of `list` not published before get a new id.
  #sync(): void {
    const c = this.ctl;
    const list = this.list;
    const before = c.count;
    for (let i = 0; i < list.length; i++) {
      if (this.#known[i] === list[i]) continue;
      this.#known[i] = list[i];
      this.ids[i] = nextChunkId();
      c.setChunk(i, list[i].start, list[i].size, this.ids[i]);
    }
    // Dropped entries match no chunk from now on.
    for (let i = list.length; i < before; i++) c.setChunk(i, 0, 0, 0);
    this.#known.length = list.length;
    this.ids.length = list.length;
    c.count = list.length;
  }
}
