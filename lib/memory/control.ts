/**
 * The control block of a shared arena: the generation, the cut stack, the chunk table and each
 * chunk's shared top, in one SharedArrayBuffer, so an arena opened in another thread allocates
 * from and checks lifetimes against the same numbers as its owner.
 *
 * @module
 */
import type { ArenaState } from "../codegen/runtime.ts";

/** How many cuts (releases at rising addresses since the last reset) a shared arena records. */
export const CUT_CAPACITY = 256;

/** How many chunks a shared arena can have at once. */
export const MAX_SHARED_CHUNKS = 1024;

// Tells a control block from any other SharedArrayBuffer of the same size ("arnk").
const MAGIC = 0x6b6e7261;

// Float64 slots.
const GEN = 0;
const HIGH = 1;
// Int32 slots, after the two floats.
const MAGIC_AT = 4;
const CI = 5;
const COUNT = 6;
const CUTS = 7;
const OVERFLOWS = 8;
const RESETS = 9;
const ID = 10;
// Float64 arrays: cut generations, cut addresses, chunk starts.
const CUT_GEN = 8;
const CUT_POS = CUT_GEN + CUT_CAPACITY;
const STARTS = CUT_POS + CUT_CAPACITY;
// Int32 arrays after them: chunk sizes, chunk tops, chunk ids.
const SIZES = (STARTS + MAX_SHARED_CHUNKS) * 2;
/** Index in the control block's Int32Array of chunk 0's shared top. */
export const TOPS = SIZES + MAX_SHARED_CHUNKS;
const IDS = TOPS + MAX_SHARED_CHUNKS;

/** Bytes of a control block. */
export const CONTROL_BYTES = (IDS + MAX_SHARED_CHUNKS) * 4;

/**
 * The generation of a shared arena, read from its control block on every access, so a view in
 * any thread sees the owner's reset or release at its next access.
 */
export class SharedState implements ArenaState {
  readonly #f64: Float64Array;
  /** Reads the generation from `f64[0]`. */
  constructor(f64: Float64Array) {
    this.#f64 = f64;
  }
  /** The generation. */
  get g(): number {
    return this.#f64[GEN];
  }
  set g(v: number) {
    this.#f64[GEN] = v;
  }
}

/** Typed views over one control block. */
export class Control {
  readonly buffer: SharedArrayBuffer;
  readonly f64: Float64Array;
  readonly i32: Int32Array;
  readonly u32: Uint32Array;
  readonly state: SharedState;
  /** Bytes the last successful {@linkcode Control.take} handed out. */
  taken = 0;

  /** A fresh control block for a new arena with id `id`. */
  static create(id: number): Control {
    const c = new Control(new SharedArrayBuffer(CONTROL_BYTES));
    c.i32[MAGIC_AT] = MAGIC;
    c.u32[ID] = id;
    return c;
  }

  /** Views over an existing control block (see {@linkcode controlProblem}). */
  constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.f64 = new Float64Array(buffer);
    this.i32 = new Int32Array(buffer);
    this.u32 = new Uint32Array(buffer);
    this.state = new SharedState(this.f64);
  }

  /** The id of the arena that made this block. */
  get id(): number {
    return this.u32[ID];
  }
  /** Index of the chunk blocks are taken from. */
  get ci(): number {
    return Atomics.load(this.i32, CI);
  }
  set ci(k: number) {
    Atomics.store(this.i32, CI, k);
  }
  /** Number of chunks the owner has. */
  get count(): number {
    return Atomics.load(this.i32, COUNT);
  }
  set count(n: number) {
    Atomics.store(this.i32, COUNT, n);
  }
  get overflows(): number {
    return Atomics.load(this.i32, OVERFLOWS);
  }
  set overflows(n: number) {
    Atomics.store(this.i32, OVERFLOWS, n);
  }
  get resets(): number {
    return Atomics.load(this.i32, RESETS);
  }
  set resets(n: number) {
    Atomics.store(this.i32, RESETS, n);
  }
  /** The largest address any arena over this block has reported allocating up to. */
  get high(): number {
    return this.f64[HIGH];
  }
  /** A statistic: a race between two threads can lose one report, never corrupt anything. */
  raise(address: number): void {
    if (address > this.f64[HIGH]) this.f64[HIGH] = address;
  }

  start(k: number): number {
    return this.f64[STARTS + k];
  }
  size(k: number): number {
    return this.i32[SIZES + k];
  }
  chunkId(k: number): number {
    return Atomics.load(this.u32, IDS + k);
  }
  top(k: number): number {
    return Atomics.load(this.i32, TOPS + k);
  }
  setTop(k: number, top: number): void {
    Atomics.store(this.i32, TOPS + k, top);
  }
  /** Publishes chunk `k`; its id goes last, so a reader that sees the id sees the rest. */
  setChunk(k: number, start: number, size: number, id: number): void {
    this.f64[STARTS + k] = start;
    this.i32[SIZES + k] = size;
    Atomics.store(this.i32, TOPS + k, 0);
    Atomics.store(this.u32, IDS + k, id);
  }

  /**
   * Takes a block of chunk `k` (of `chunkSize` bytes) from its shared top: `want` bytes, or
   * enough for `size` bytes aligned to `align` when that is more, clamped to what is left.
   * Returns the block's start (its length in `taken`), or -1 when `size` no longer fits. One
   * compare-and-swap per block; it is retried only when another thread took a block meanwhile.
   */
  take(k: number, chunkSize: number, want: number, size: number, align: number): number {
    const tops = this.i32;
    let top = Atomics.load(tops, TOPS + k);
    for (;;) {
      const r = top % align;
      const o = r === 0 ? top : top + align - r;
      if (!(top >= 0 && o + size <= chunkSize)) return -1;
      const end = Math.min(chunkSize, Math.max(top + want, o + size));
      const seen = Atomics.compareExchange(tops, TOPS + k, top, end);
      if (seen === top) {
        this.taken = end - top;
        return top;
      }
      top = seen;
    }
  }

  /**
   * Hands the tail `[top, end)` of a block of chunk `k` back, when no block was taken after it
   * (the shared top is still `end`), so a lone owner's `used` and marks are exact.
   */
  giveBack(k: number, top: number, end: number): void {
    Atomics.compareExchange(this.i32, TOPS + k, end, top);
  }

  /** The cut stack, for {@linkcode SharedCuts}. */
  cutCount(): number {
    return Atomics.load(this.i32, CUTS);
  }
  cutGen(i: number): number {
    return this.f64[CUT_GEN + i];
  }
  cutPos(i: number): number {
    return this.f64[CUT_POS + i];
  }
  /** Writes cut `n - 1` and the count, then the generation, so a view sees the cut first. */
  pushCut(n: number, gen: number, pos: number): void {
    this.f64[CUT_GEN + n - 1] = gen;
    this.f64[CUT_POS + n - 1] = pos;
    Atomics.store(this.i32, CUTS, n);
    this.f64[GEN] = gen;
  }
}

/** What is wrong with `buffer` as a control block, or undefined when nothing is. */
export function controlProblem(buffer: unknown): string | undefined {
  if (
    typeof SharedArrayBuffer === "undefined" || !(buffer instanceof SharedArrayBuffer) ||
    buffer.byteLength !== CONTROL_BYTES
  ) {
    return `"control" must be a SharedArrayBuffer of ${CONTROL_BYTES} bytes`;
  }
  const i32 = new Int32Array(buffer);
  if (i32[MAGIC_AT] !== MAGIC) return `"control" is not an arena's control block`;
  const count = Atomics.load(i32, COUNT);
  const ci = Atomics.load(i32, CI);
  const cuts = Atomics.load(i32, CUTS);
  if (!(count >= 1 && count <= MAX_SHARED_CHUNKS && ci >= 0 && ci < count)) {
    return `"control" holds a chunk table of ${count} chunks at chunk ${ci}`;
  }
  if (!(cuts >= 0 && cuts <= CUT_CAPACITY)) return `"control" holds ${cuts} cuts`;
  return undefined;
}
