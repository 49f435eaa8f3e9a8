/**
 * Arena marks: an arena address that remembers which arena it belongs to and when it was taken,
 * so a release can tell a mark that is still safe from a stale, foreign or forged one.
 *
 * @module
 */

let make: (arena: object, generation: number, position: number) => ArenaMark;
let isMarkImpl: (x: unknown) => x is ArenaMark;
let arenaImpl: (m: ArenaMark) => object;
let generationImpl: (m: ArenaMark) => number;

/**
 * A point to release an arena back to, from {@linkcode Arena.mark}. It is opaque apart from its
 * `position`: it carries its arena and the generation it was taken in, so `release()` refuses
 * it with {@linkcode InvalidMarkError} once releasing to it could free a live allocation (after a
 * `reset()`, after a release to an earlier mark, in another arena), and refuses anything that
 * was not made by `mark()`.
 *
 * A mark stays good for any number of releases while it is valid, so one mark can rewind a loop
 * body every iteration.
 *
 * @example A mark rewinds a loop body
 * ```ts
 * import { Arena, t } from "@arenakit/core";
 * import assert from "node:assert/strict";
 * const V = t.struct({ v: t.f64() });
 * const arena = new Arena({ bytes: 256 });
 * arena.alloc(V);
 * const m = arena.mark();
 * for (let i = 0; i < 10; i++) {
 *   arena.alloc(V, { v: i });
 *   arena.release(m);
 * }
 * assert.deepEqual([m.position, arena.used], [8, 8]);
 * ```
 */
export class ArenaMark {
  /** The arena address of the mark: the arena's `used` when it was taken. */
  readonly position: number;
  readonly #arena: object;
  readonly #generation: number;

  private constructor(arena: object, generation: number, position: number) {
    this.#arena = arena;
    this.#generation = generation;
    this.position = position;
    Object.freeze(this);
  }

  static {
    make = (arena, generation, position) => new ArenaMark(arena, generation, position);
    // A brand check: proxies, copies and objects with ArenaMark.prototype all fail it.
    isMarkImpl = (x): x is ArenaMark => typeof x === "object" && x !== null && #arena in x;
    arenaImpl = (m) => m.#arena;
    generationImpl = (m) => m.#generation;
  }
}

/** Internal (not exported from mod.ts): a new mark of `arena`. */
export const newMark = (arena: object, generation: number, position: number): ArenaMark =>
  make(arena, generation, position);

/** Internal: whether `x` was made by `newMark` (no getter or proxy trap of `x` runs). */
export const isMark = (x: unknown): x is ArenaMark => isMarkImpl(x);

/** Internal: the arena a mark belongs to. */
export const markArena = (m: ArenaMark): object => arenaImpl(m);

/** Internal: the generation a mark was taken in. */
export const markGeneration = (m: ArenaMark): number => generationImpl(m);
