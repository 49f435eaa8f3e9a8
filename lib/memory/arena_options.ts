/**
 * What an arena's users see besides the class: its options (and how they are checked), its
 * statistics, scopes and accessor classes.
 *
 * @module
 */
import type { Pool } from "./pool.ts";
import type { ArenaMark } from "./mark.ts";
import { booleanOption, show } from "../_text.ts";
import { roundUp16 } from "./chunks.ts";

/** Bytes a shared arena takes from the shared top at a time, unless `blockBytes` says otherwise. */
export const DEFAULT_BLOCK_BYTES = 4096;

/** What an arena does when an allocation does not fit. */
export type Overflow = "throw" | "grow" | "pool";

/** Options of {@linkcode Arena}. */
export interface ArenaOptions {
  /** Size of the first chunk in bytes. */
  bytes: number;
  /**
   * Back the arena with SharedArrayBuffer, and keep its allocator state and generation in a
   * control block beside it, so another thread can open it from `arena.handle()` with
   * `Arena.open` and allocate in it too (in blocks of `blockBytes`). A shared buffer
   * cannot be transferred, so `reset()` does not detach raw typed arrays kept over it (columns,
   * numeric array fields): they read and write whatever records occupy those bytes next.
   */
  shared?: boolean;
  /**
   * `"throw"` (default): a full arena throws {@linkcode ArenaFullError} (`tryAlloc` returns
   * undefined). `"grow"`: chain new chunks, kept for reuse after `reset()`. `"pool"`: take extra
   * chunks from a {@linkcode Pool} of buffers and hand them back at `reset()`.
   */
  overflow?: Overflow;
  /** Upper bound of all chunks together, for `"grow"` and `"pool"` (default: no bound). */
  maxBytes?: number;
  /** Size of each extra chunk (default: `bytes`; larger allocations get a chunk of their own). */
  chunkBytes?: number;
  /**
   * For `"pool"`: the pool extra chunks come from, to share one among several arenas. Share it
   * among arenas of one chunk size and sharedness: a buffer of another size (or an ArrayBuffer
   * for a shared arena, and the reverse) is dropped when it comes out, never used.
   */
  pool?: Pool<ArrayBuffer | SharedArrayBuffer>;
  /**
   * Check lifetimes (default true). With `false`, views skip the generation check, so a view kept
   * past `reset()` reads and writes whatever now occupies its bytes: use it only for loops you
   * have tested checked. Unchecked arenas also keep their buffers at `reset()` (checked ones move
   * a chunk raw arrays were taken of to a new buffer, detaching them), so even a column loop
   * allocates nothing per frame. Values, strings, enum literals and cursor indices are checked either
   * way, so bad input still throws before a byte is written.
   */
  checked?: boolean;
  /**
   * What `reset()` does to raw typed arrays taken from a checked arena (columns, numeric array
   * fields, `bufferOf`): `"detach"` (default) moves their chunk to a new buffer, so a kept array
   * has length 0 and cannot write into the next frame's records; `"keep"` leaves them over the
   * memory the next frame reuses. Detaching makes a few objects per reset; in Bun the moved
   * buffers also count as new memory, so a column loop that re-fetches its columns every frame
   * collects often. Choose `"keep"` for such a loop only if no array outlives its frame. Views
   * and cursors are checked either way. Unchecked and shared arenas always keep.
   */
  rawArrays?: "detach" | "keep";
  /** Build accessor classes from closures instead of `new Function` (same behaviour, slower). */
  jitless?: boolean;
  /**
   * For shared arenas: bytes each Arena object over the memory (the owner, and every one opened
   * from a handle) takes from the shared top at a time, to bump-allocate in privately (default
   * 4096, rounded up to 16; a larger allocation takes a block of its size). Each block costs one
   * atomic operation; what a thread leaves of its last block stays unused until the next reset.
   */
  blockBytes?: number;
}

/** A generated accessor class, as users see it. */
export interface AccessorClass {
  /** The struct's name. */
  readonly name: string;
  /** The generated source (kept for jitless classes too). */
  readonly source: string;
}

/** Counters of an arena, as a plain snapshot. */
export interface ArenaStats {
  /** Bytes of all chunks. */
  capacity: number;
  /** Bytes consumed since the last reset, padding and skipped chunk tails included. */
  used: number;
  /** Largest `used` ever seen. */
  highWater: number;
  /** Allocations since the last reset. */
  allocations: number;
  /** Allocations since the arena was made. */
  totalAllocations: number;
  /** Chunks added because the arena was full, since it was made. */
  overflows: number;
  /** Number of resets. */
  resets: number;
  /** Current generation (bumped by every reset and release). */
  generation: number;
}

/** A stack-like scope of an arena: releasing it frees what was allocated since it was opened. */
export interface ArenaScope extends Disposable {
  /** The mark the scope releases to. */
  readonly mark: ArenaMark;
  /** Frees every allocation since the scope opened (once; later calls do nothing). */
  release(): void;
}

function positiveInt(name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > 0x7fff_fff0) {
    throw new RangeError(
      `Cannot create Arena: option "${name}" must be a positive integer, got ${show(v)}`,
    );
  }
  return v;
}

// A random base keeps ids of arenas in different processes apart; the counter, within one.
let arenaIds = (Math.random() * 0x1_0000_0000) >>> 0;
/** A new arena id. */
export function nextArenaId(): number {
  arenaIds = (arenaIds + 1) >>> 0;
  return arenaIds;
}

/** Arena options, checked, with their defaults applied. */
export interface ParsedArenaOptions {
  readonly bytes: number;
  readonly overflow: Overflow;
  readonly shared: boolean;
  readonly checked: boolean;
  readonly jitless: boolean;
  readonly chunkBytes: number;
  readonly maxBytes: number;
  readonly rawArrays: "detach" | "keep";
  readonly blockBytes: number;
}

/** Checks `options` and applies the defaults; throws a `RangeError` naming a bad option. */
export function parseArenaOptions(options: ArenaOptions): ParsedArenaOptions {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`Cannot create Arena: expected an options object like { bytes: 65536 }`);
  }
  const bytes = roundUp16(positiveInt("bytes", options.bytes));
  const overflow = options.overflow ?? "throw";
  if (overflow !== "throw" && overflow !== "grow" && overflow !== "pool") {
    throw new RangeError(
      `Cannot create Arena: option "overflow" must be "throw", "grow" or "pool", got ${
        show(overflow)
      }`,
    );
  }
  const shared = booleanOption("Arena", "shared", options.shared, false);
  const checked = booleanOption("Arena", "checked", options.checked, true);
  const jitless = booleanOption("Arena", "jitless", options.jitless, false);
  if (shared && typeof SharedArrayBuffer === "undefined") {
    throw new TypeError("Cannot create a shared Arena: SharedArrayBuffer is not available here");
  }
  const chunkBytes = roundUp16(positiveInt("chunkBytes", options.chunkBytes ?? bytes));
  const maxBytes = options.maxBytes ?? Infinity;
  if (typeof maxBytes !== "number" || !(maxBytes >= bytes)) {
    throw new RangeError(
      `Cannot create Arena: option "maxBytes" must be at least "bytes" (${bytes}), got ${
        show(maxBytes)
      }`,
    );
  }
  const rawArrays = options.rawArrays ?? "detach";
  if (rawArrays !== "detach" && rawArrays !== "keep") {
    throw new RangeError(
      `Cannot create Arena: option "rawArrays" must be "detach" or "keep", got ${show(rawArrays)}`,
    );
  }
  const blockBytes = roundUp16(
    positiveInt("blockBytes", options.blockBytes ?? DEFAULT_BLOCK_BYTES),
  );
  return { bytes, overflow, shared, checked, jitless, chunkBytes, maxBytes, rawArrays, blockBytes };
}
