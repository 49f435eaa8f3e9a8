/**
 * The control block of a shared table: the counters `Core` keeps, laid out in one
 * SharedArrayBuffer so every thread that opens the table reads and writes the same ones, and
 * the generation cell views read through it.
 *
 * @module
 */
import type { ArenaState } from "../codegen/runtime.ts";

/** Where each counter lives: Int32 word indices, and the byte offsets of the two doubles. */
export const CTL = {
  /** 0 free, 1 held: create, delete, clear and index rebuilds of a shared table. */
  lock: 0,
  /** Head of the free list, or -1. */
  free: 1,
  /** Slots ever used. */
  hw: 2,
  /** Live records. */
  count: 3,
  /** The table tag (see ids.ts). */
  tag: 4,
  /** Bumped when the storage is replaced. */
  epoch: 5,
  /** 1 while the live-slot index matches the live set. */
  liveOk: 6,
  /** Length of the live-slot index. */
  liveN: 7,
  /** Int32 words before the doubles. */
  words: 8,
  /** Byte offset of the generation (a double: it only grows). */
  g: 32,
  /** Byte offset of the generation of the last growth or restore. */
  grownAt: 40,
} as const;

/** Bytes of a control block. */
export const CTL_BYTES = 48;

/** The buffers of a table's bookkeeping, as a handle carries them. */
export interface CoreBuffers {
  /** The counters and the generation ({@linkcode CTL}). */
  readonly control: ArrayBufferLike;
  /** Generation word per slot (Uint32). */
  readonly gens: ArrayBufferLike;
  /** Free-list link per slot (Int32). */
  readonly link: ArrayBufferLike;
  /** Creation stamp per slot (Float64). */
  readonly born: ArrayBufferLike;
  /** The `liveSlots()` index (Uint32 per slot). */
  readonly live: ArrayBufferLike;
}

/**
 * The generation cell of a shared table: `g` is read from (and written to) the control block, so
 * a view in any thread sees a delete made by another on its next access.
 */
export class SharedState implements ArenaState {
  readonly #g: Float64Array;

  constructor(control: ArrayBufferLike) {
    this.#g = new Float64Array(control, CTL.g, 1);
  }

  get g(): number {
    return this.#g[0];
  }

  set g(v: number) {
    this.#g[0] = v;
  }
}

/**
 * The buffer of `bytes` bytes a table's part `what` lives in: `have`, from the handle being
 * opened (which must be exactly that big, or TypeError), or a new one, shared or not.
 */
export function bufferFor(
  bytes: number,
  shared: boolean,
  have: ArrayBufferLike | undefined,
  what: string,
): ArrayBufferLike {
  if (have === undefined) return shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  if (have.byteLength !== bytes) {
    throw new TypeError(
      `Cannot open Table: not a table handle (${what} ${have.byteLength} bytes, expected ${bytes})`,
    );
  }
  return have;
}
