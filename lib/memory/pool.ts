/**
 * A Go `sync.Pool`-style object pool with a primary and a victim cache, for recycling JS objects
 * that do not fit a fixed struct layout.
 *
 * @module
 */
import { show } from "../_text.ts";

/**
 * Options for {@linkcode Pool}.
 *
 * @example Options for a pool of scratch arrays
 * ```ts
 * import assert from "node:assert/strict";
 * import { Pool, type PoolOptions } from "@arenakit/core";
 *
 * const options: PoolOptions<number[]> = {
 *   create: () => [],
 *   reset: (xs) => {
 *     xs.length = 0;
 *   },
 *   maxSize: 64,
 * };
 * const pool = new Pool(options);
 * assert.equal(pool.maxSize, 64);
 * ```
 */
export interface PoolOptions<T> {
  /**
   * Makes a new object when the pool is empty. Called with no arguments and no `this`. It must
   * not return `undefined` or `null`.
   */
  readonly create: () => T;
  /**
   * Cleans an object as it is put back, so {@linkcode Pool.get} hands out clean objects. Runs
   * only on objects the pool keeps: objects dropped because the primary cache is full are not
   * reset. If it throws, the object is not pooled and the error propagates from `put`.
   */
  readonly reset?: (x: T) => void;
  /**
   * Most objects the primary cache keeps; further puts are dropped (and counted in
   * {@linkcode PoolStats.dropped}). A non-negative integer or `Infinity` (the default). The
   * victim cache holds at most what the primary held at the last {@linkcode Pool.cycle}, so
   * the pool as a whole holds at most `2 * maxSize` objects.
   */
  readonly maxSize?: number;
}

/**
 * A snapshot of a {@linkcode Pool}'s counters, as returned by {@linkcode Pool.stats}.
 *
 * The counters only grow, and at any time `primarySize + victimSize === puts - hits - dropped`.
 * To measure one phase of a program, subtract two snapshots.
 *
 * @example Reading a hit ratio
 * ```ts
 * import assert from "node:assert/strict";
 * import { Pool, type PoolStats } from "@arenakit/core";
 *
 * const pool = new Pool({ create: () => ({ n: 0 }) });
 * pool.put(pool.get()); // miss, then put
 * pool.get(); // hit
 * const s: PoolStats = pool.stats();
 * assert.equal(s.hits / (s.hits + s.misses), 0.5);
 * ```
 */
export interface PoolStats {
  /** Gets served from the pool: `primaryHits + victimHits`. */
  readonly hits: number;
  /** Gets served from objects put since the last cycle. */
  readonly primaryHits: number;
  /** Gets served from objects put before the last cycle. */
  readonly victimHits: number;
  /** Gets that found the pool empty and called `create`. */
  readonly misses: number;
  /** Puts of an object (not `undefined`/`null`), including those then dropped by `maxSize`. */
  readonly puts: number;
  /** Objects the pool let go of: by {@linkcode Pool.cycle}, {@linkcode Pool.clear} or `maxSize`. */
  readonly dropped: number;
  /** Objects in the primary cache now. */
  readonly primarySize: number;
  /** Objects in the victim cache now. */
  readonly victimSize: number;
}

/**
 * A cache of reusable objects in the manner of Go's `sync.Pool`: {@linkcode Pool.get} hands out
 * a pooled object or makes one with `create`, {@linkcode Pool.put} gives one back, and
 * {@linkcode Pool.cycle} ages the cache so objects unused for two cycles go to the garbage
 * collector.
 *
 * Lifetimes: after `put(x)` the pool owns `x` and may hand it to the next `get()` caller, so
 * keep no reference to it. Putting an object that is already in the pool (a double put) is not
 * detected, because that check would cost a `Set` lookup on every put: the object would then be
 * handed out twice and two owners would share it. Objects dropped by {@linkcode Pool.cycle},
 * {@linkcode Pool.clear} or `maxSize` are simply forgotten; nothing like a destructor runs, so
 * do not pool objects that hold resources needing an explicit close.
 *
 * Order: `get` prefers objects put since the last cycle (the primary cache) over older ones (the
 * victim cache). Within one cache the order is unspecified (currently last in, first out); do
 * not rely on getting back a particular object. An object put and not taken stays available
 * through one cycle and is dropped by the second.
 *
 * Memory: both caches are arrays used as stacks with their own length counters and are swapped
 * on cycle, so after warming up `get`, `put` and `cycle` allocate nothing (only `create` and the
 * `stats` snapshot do). The arrays keep their largest capacity; {@linkcode Pool.clear} does not
 * shrink them.
 *
 * A pool is not thread-safe across workers; each worker needs its own.
 *
 * @typeParam T The pooled objects. `undefined` and `null` cannot be pooled.
 *
 * @example Recycle scratch objects across frames
 * ```ts
 * import assert from "node:assert/strict";
 * import { Pool } from "@arenakit/core";
 *
 * const hits = new Pool({
 *   create: () => ({ id: 0, points: [] as number[] }),
 *   reset: (h) => {
 *     h.id = 0;
 *     h.points.length = 0;
 *   },
 * });
 * const a = hits.get(); // pool is empty: created
 * a.id = 7;
 * a.points.push(1, 2);
 * hits.put(a); // reset, then kept
 * const b = hits.get();
 * assert.equal(b, a);
 * assert.deepEqual(b, { id: 0, points: [] });
 * hits.put(b);
 * hits.cycle(); // b moves to the victim cache
 * hits.cycle(); // and is dropped
 * assert.equal(hits.stats().dropped, 1);
 * assert.notEqual(hits.get(), a);
 * ```
 */
export class Pool<T extends NonNullable<unknown>> {
  // Stacks with their own length counters instead of push/pop and `length = 0`: V8 gives a
  // truncated array a fresh backing store, so every cycle would allocate. Slots above the
  // count always hold `undefined` so the pool keeps no references to objects it let go.
  #primary: (T | undefined)[] = [];
  #primaryLength = 0;
  #victim: (T | undefined)[] = [];
  #victimLength = 0;
  readonly #create: () => T;
  readonly #reset: ((x: T) => void) | undefined;
  readonly #maxSize: number;
  #primaryHits = 0;
  #victimHits = 0;
  #misses = 0;
  #puts = 0;
  #dropped = 0;

  /**
   * Makes an empty pool.
   *
   * @throws {TypeError} If `create` is not a function, or `reset` is given and is not one.
   * @throws {RangeError} If `maxSize` is not a non-negative integer or `Infinity`.
   *
   * @example A pool capped at 2 objects
   * ```ts
   * import assert from "node:assert/strict";
   * import { Pool } from "@arenakit/core";
   *
   * const pool = new Pool({ create: () => new Map<string, number>(), maxSize: 2 });
   * pool.put(new Map());
   * pool.put(new Map());
   * pool.put(new Map()); // the primary cache is full: dropped
   * assert.equal(pool.stats().primarySize, 2);
   * assert.equal(pool.stats().dropped, 1);
   * assert.throws(() => new Pool({ create: () => ({}), maxSize: -1 }), RangeError);
   * ```
   */
  constructor(options: PoolOptions<T>) {
    const { create, reset, maxSize = Infinity } = options ?? {};
    if (typeof create !== "function") {
      throw new TypeError(
        `Cannot create Pool: option "create" must be a function, got ${show(create)}`,
      );
    }
    if (reset !== undefined && typeof reset !== "function") {
      throw new TypeError(
        `Cannot create Pool: option "reset" must be a function, got ${show(reset)}`,
      );
    }
    if (typeof maxSize !== "number") {
      throw new TypeError(
        `Cannot create Pool: option "maxSize" must be a number, got ${show(maxSize)}`,
      );
    }
    if (!(maxSize >= 0 && (Number.isInteger(maxSize) || maxSize === Infinity))) {
      throw new RangeError(
        `Cannot create Pool: option "maxSize" must be a non-negative integer, got ${maxSize}`,
      );
    }
    this.#create = create;
    this.#reset = reset;
    this.#maxSize = maxSize;
  }

  /**
   * The most objects the primary cache keeps (`Infinity` if unlimited).
   *
   * @example Default is unlimited
   * ```ts
   * import assert from "node:assert/strict";
   * import { Pool } from "@arenakit/core";
   *
   * assert.equal(new Pool({ create: () => ({}) }).maxSize, Infinity);
   * ```
   */
  get maxSize(): number {
    return this.#maxSize;
  }

  /**
   * Takes an object from the pool, or makes one with `create` if the pool is empty.
   *
   * Objects put since the last {@linkcode Pool.cycle} are taken before older ones; otherwise the
   * order is unspecified.
   *
   * @throws {TypeError} If `create` returns `undefined` or `null`. Errors thrown by `create`
   * propagate.
   *
   * @example Get, use, put back
   * ```ts
   * import assert from "node:assert/strict";
   * import { Pool } from "@arenakit/core";
   *
   * let made = 0;
   * const pool = new Pool({ create: () => ({ serial: ++made }) });
   * const a = pool.get();
   * pool.put(a);
   * assert.equal(pool.get(), a); // reused, not created
   * assert.equal(made, 1);
   * ```
   */
  get(): T {
    const pooled = this.tryGet();
    if (pooled !== undefined) return pooled;
    this.#misses++;
    const create = this.#create;
    const x = create();
    if (x === undefined || x === null) {
      throw new TypeError(
        `Cannot get from Pool: option "create" returned ${x}, which cannot be pooled`,
      );
    }
    return x;
  }

  /**
   * Takes an object from the pool, or returns `undefined` if the pool is empty. Never calls
   * `create`; an empty result counts as neither a hit nor a miss.
   *
   * @example Reuse when possible, without making new objects
   * ```ts
   * import assert from "node:assert/strict";
   * import { Pool } from "@arenakit/core";
   *
   * const pool = new Pool({ create: () => new Float64Array(16) });
   * assert.equal(pool.tryGet(), undefined);
   * const buf = new Float64Array(16);
   * pool.put(buf);
   * assert.equal(pool.tryGet(), buf);
   * assert.equal(pool.stats().misses, 0);
   * ```
   */
  tryGet(): T | undefined {
    if (this.#primaryLength > 0) {
      const i = --this.#primaryLength;
      const x = this.#primary[i];
      this.#primary[i] = undefined;
      this.#primaryHits++;
      return x;
    }
    if (this.#victimLength > 0) {
      const i = --this.#victimLength;
      const x = this.#victim[i];
      this.#victim[i] = undefined;
      this.#victimHits++;
      return x;
    }
    return undefined;
  }

  /**
   * Gives an object back to the pool: runs `reset` on it and keeps it in the primary cache, or
   * drops it if the primary cache already holds `maxSize` objects. `put(undefined)` and
   * `put(null)` do nothing, like Go's `Put(nil)`.
   *
   * Lifetimes: the pool owns `x` from now on. Putting an object that is already pooled is not
   * detected and makes two later `get` calls return the same object.
   *
   * @example Pooled objects come back clean
   * ```ts
   * import assert from "node:assert/strict";
   * import { Pool } from "@arenakit/core";
   *
   * const pool = new Pool({
   *   create: () => new Set<number>(),
   *   reset: (s) => s.clear(),
   * });
   * const s = pool.get();
   * s.add(1);
   * pool.put(s);
   * pool.put(undefined); // ignored
   * assert.equal(pool.get().size, 0);
   * assert.equal(pool.stats().puts, 1);
   * ```
   */
  put(x: T | undefined | null): void {
    if (x === undefined || x === null) return;
    if (this.#primaryLength >= this.#maxSize) {
      this.#puts++;
      this.#dropped++;
      return;
    }
    const reset = this.#reset;
    if (reset !== undefined) reset(x);
    this.#puts++;
    this.#primary[this.#primaryLength++] = x;
  }

  /**
   * Ages the pool by one generation: drops the victim cache and makes the primary cache the new
   * victim, so an object not taken for two cycles is released to the garbage collector.
   * `FrameArenas.beginFrame()` calls this for pools attached to it; otherwise call it at a
   * natural boundary such as the end of a frame or request batch.
   *
   * Lifetimes: dropped objects are forgotten, not reset or closed.
   *
   * @example Objects survive one cycle, not two
   * ```ts
   * import assert from "node:assert/strict";
   * import { Pool } from "@arenakit/core";
   *
   * const pool = new Pool({ create: () => ({}) });
   * const x = {};
   * pool.put(x);
   * pool.cycle();
   * assert.deepEqual([pool.stats().primarySize, pool.stats().victimSize], [0, 1]);
   * pool.cycle();
   * assert.deepEqual([pool.stats().primarySize, pool.stats().victimSize], [0, 0]);
   * assert.equal(pool.stats().dropped, 1);
   * ```
   */
  cycle(): void {
    const old = this.#victim;
    old.fill(undefined, 0, this.#victimLength);
    this.#dropped += this.#victimLength;
    // Swap rather than allocate: the emptied victim array, with its capacity, becomes the new
    // primary.
    this.#victim = this.#primary;
    this.#victimLength = this.#primaryLength;
    this.#primary = old;
    this.#primaryLength = 0;
  }

  /**
   * Drops every pooled object at once (counted in {@linkcode PoolStats.dropped}). The counters
   * are kept.
   *
   * @example Empty the pool
   * ```ts
   * import assert from "node:assert/strict";
   * import { Pool } from "@arenakit/core";
   *
   * const pool = new Pool({ create: () => ({}) });
   * pool.put({});
   * pool.cycle();
   * pool.put({});
   * pool.clear();
   * assert.equal(pool.tryGet(), undefined);
   * assert.equal(pool.stats().dropped, 2);
   * ```
   */
  clear(): void {
    this.cycle();
    this.cycle();
  }

  /**
   * A snapshot of the pool's counters and cache sizes, as a new plain object.
   *
   * @example Watch the pool warm up
   * ```ts
   * import assert from "node:assert/strict";
   * import { Pool } from "@arenakit/core";
   *
   * const pool = new Pool({ create: () => ({}) });
   * pool.put(pool.get());
   * pool.get();
   * assert.deepEqual(pool.stats(), {
   *   hits: 1,
   *   primaryHits: 1,
   *   victimHits: 0,
   *   misses: 1,
   *   puts: 1,
   *   dropped: 0,
   *   primarySize: 0,
   *   victimSize: 0,
   * });
   * ```
   */
  stats(): PoolStats {
    return {
      hits: this.#primaryHits + this.#victimHits,
      primaryHits: this.#primaryHits,
      victimHits: this.#victimHits,
      misses: this.#misses,
      puts: this.#puts,
      dropped: this.#dropped,
      primarySize: this.#primaryLength,
      victimSize: this.#victimLength,
    };
  }
}
