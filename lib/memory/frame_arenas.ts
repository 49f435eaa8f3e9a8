/**
 * A ring of arenas for frame loops: each frame allocates in a fresh arena while the previous
 * frames' arenas stay readable (for interpolation and rendering) until the ring comes round.
 *
 * @module
 */
import type { ViewOf } from "../../schemas/types.ts";
import { Arena } from "./arena.ts";
import type { ArenaOptions } from "./arena_options.ts";
import { Pool } from "./pool.ts";
import { roundUp16 } from "./chunks.ts";

/** Options of {@linkcode FrameArenas}: those of each {@linkcode Arena}, plus the ring size. */
export interface FrameArenasOptions extends ArenaOptions {
  /** Number of arenas in the ring (2 = double buffering, 3 = triple), default 2. */
  frames?: number;
  /** Pools (or anything with `cycle()`) to cycle at every `beginFrame()`. */
  pools?: readonly { cycle(): void }[];
}

/** What happened in one frame's arena, recorded when the next frame begins. */
export interface FrameStats {
  /** Frame number (the first `beginFrame()` starts frame 1). */
  frame: number;
  /** Bytes the frame used. */
  bytesUsed: number;
  /** Allocations the frame made. */
  allocations: number;
  /** Chunks its arena had to add because the frame outgrew `bytes`. */
  overflows: number;
  /** Highest `bytesUsed` of any frame so far. */
  highWater: number;
  /** Frames so far that overflowed. */
  overflowFrames: number;
}

/**
 * Double or triple buffered frame arenas. `beginFrame()` resets the oldest arena and makes it
 * current; `previous` (and `ago(k)`) still hold the last frames' data.
 *
 * Lifetimes: views allocated in frame k stay valid during frames k … k + frames − 1 and become
 * stale when frame k + frames begins (its arena is reset). In checked mode a view kept longer
 * throws {@linkcode StaleViewError}; copy what must live on with {@linkcode Arena.copy}.
 *
 * @example Interpolate between last frame and this one
 * ```ts
 * import { FrameArenas, t } from "@arenakit/core";
 * import assert from "node:assert/strict";
 * const Body = t.struct({ x: t.f32() });
 * const frames = new FrameArenas({ bytes: 1 << 16, frames: 2 });
 * let last = frames.beginFrame().alloc(Body, { x: 1 });
 * const now = frames.beginFrame().alloc(Body, { x: last.x + 0.5 });
 * assert.equal((last.x + now.x) / 2, 1.25); // both frames are readable
 * frames.beginFrame();
 * assert.throws(() => last.x); // frame 1's arena was reset
 * ```
 */
export class FrameArenas {
  /** Number of arenas in the ring. */
  readonly frames: number;
  #arenas: Arena[];
  #index = 0;
  #frame = 0;
  #pools: { cycle(): void }[];
  #last: FrameStats = {
    frame: 0,
    bytesUsed: 0,
    allocations: 0,
    overflows: 0,
    highWater: 0,
    overflowFrames: 0,
  };
  #overflowsAtStart = 0;

  /** Makes `frames` arenas with the given options. */
  constructor(options: FrameArenasOptions) {
    const frames = options?.frames ?? 2;
    if (!(Number.isInteger(frames) && frames >= 1 && frames <= 64)) {
      throw new RangeError(
        `Cannot create FrameArenas: option "frames" must be an integer from 1 to 64, got ${
          String(frames)
        }`,
      );
    }
    this.frames = frames;
    this.#pools = [...(options.pools ?? [])];
    let pool = options.pool;
    if (options.overflow === "pool" && pool === undefined) {
      // One pool of chunks for the whole ring: a spike in one frame reuses another's chunks.
      const size = roundUp16(options.chunkBytes ?? options.bytes);
      pool = new Pool({
        create: () => options.shared ? new SharedArrayBuffer(size) : new ArrayBuffer(size),
      });
      this.#pools.push(pool);
    }
    this.#arenas = [];
    for (let i = 0; i < frames; i++) this.#arenas.push(new Arena({ ...options, pool }));
  }

  /**
   * Starts the next frame: records the ending frame's statistics, resets the oldest arena, makes
   * it current and cycles the attached pools. Allocates nothing, unless the reset detaches raw
   * arrays taken from that arena (see {@linkcode Arena.reset}).
   *
   * Lifetimes: everything allocated `frames` frames ago becomes stale.
   */
  beginFrame(): Arena {
    if (this.#frame > 0) this.#record(this.#arenas[this.#index]);
    this.#index = (this.#index + 1) % this.frames;
    const arena = this.#arenas[this.#index];
    arena.reset();
    for (let i = 0; i < this.#pools.length; i++) this.#pools[i].cycle();
    // Counters one by one: a stats() object per frame would be garbage a frame loop need not make.
    this.#overflowsAtStart = arena.overflows;
    this.#frame++;
    return arena;
  }

  #record(arena: Arena): void {
    const last = this.#last;
    const used = arena.used;
    last.frame = this.#frame;
    last.bytesUsed = used;
    last.allocations = arena.allocations;
    last.overflows = arena.overflows - this.#overflowsAtStart;
    if (used > last.highWater) last.highWater = used;
    if (last.overflows > 0) last.overflowFrames++;
  }

  /** The arena of the current frame. */
  get current(): Arena {
    return this.#arenas[this.#index];
  }

  /** The arena of the previous frame (with `frames: 1`, the current one). */
  get previous(): Arena {
    return this.ago(this.frames > 1 ? 1 : 0);
  }

  /** The arena of `k` frames ago (0 = current), for 0 ≤ k < frames. */
  ago(k: number): Arena {
    if (!(Number.isInteger(k) && k >= 0 && k < this.frames)) {
      throw new RangeError(`Cannot look ${String(k)} frames back: this ring keeps ${this.frames}`);
    }
    return this.#arenas[(this.#index - k + this.frames) % this.frames];
  }

  /** Number of frames begun. */
  get frame(): number {
    return this.#frame;
  }

  /** Adds a pool (or anything with `cycle()`) to cycle at every `beginFrame()`. */
  attach(pool: { cycle(): void }): void {
    this.#pools.push(pool);
  }

  /**
   * Copies a view into a longer-lived arena (the explicit escape from the frame ring) and
   * returns the copy.
   *
   * @deprecated Use `arena.copy(view)`: the one name for copying a record into an arena.
   *
   * @example Keep the winner of a frame
   * ```ts
   * import { Arena, FrameArenas, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const Score = t.struct({ points: t.f64() });
   * const frames = new FrameArenas({ bytes: 4096 });
   * const level = new Arena({ bytes: 4096 });
   * const best = frames.promote(frames.beginFrame().alloc(Score, { points: 1.5 }), level);
   * frames.beginFrame();
   * frames.beginFrame();
   * assert.equal(best.points, 1.5);
   * ```
   */
  promote<V extends ViewOf<never> | object>(view: V, arena: Arena): V {
    return arena.copy(view);
  }

  /** Statistics of the last completed frame, plus running totals (a copy). */
  lastFrame(): FrameStats {
    return { ...this.#last };
  }
}

/**
 * Copies a view's record into `arena` and returns the copy: the explicit escape of a value from
 * a frame (or any arena) into a longer-lived one. Same as `arena.copy(view)`.
 *
 * @deprecated Use `arena.copy(view)`: the one name for copying a record into an arena.
 *
 * Lifetimes: the copy lives as long as `arena`'s memory; the original is unaffected.
 *
 * @example Keep a contact past the frame it was found in
 * ```ts
 * import { Arena, copyTo, t } from "@arenakit/core";
 * import assert from "node:assert/strict";
 * const Contact = t.struct({ depth: t.f32() });
 * const frame = new Arena({ bytes: 256 });
 * const log = new Arena({ bytes: 256 });
 * const kept = copyTo(frame.alloc(Contact, { depth: 0.25 }), log);
 * frame.reset();
 * assert.equal(kept.depth, 0.25);
 * ```
 */
export function copyTo<V extends object>(view: V, arena: Arena): V {
  return arena.copy(view);
}
