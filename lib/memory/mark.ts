/**
 * Arena marks: an arena address that remembers which arena it belongs to and when it was taken,
 * so a release can tell a mark that is still safe from a stale, foreign or forged one.
 *
 * @module
 */
import { InvalidMarkError, type InvalidMarkReason } from "../errors.ts";
import type { CutStack } from "./cuts.ts";
import type { Chunks } from "./chunks.ts";
import type { ArenaScope } from "./arena_options.ts";

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

/**
 * Why releasing `arena` to `mark` could free memory a live allocation holds (a reason for
 * {@linkcode InvalidMarkError} and its detail), or undefined when it is safe.
 */
export function markProblem(
  mark: unknown,
  arena: object,
  cuts: CutStack,
): [InvalidMarkReason, string] | undefined {
  if (!isMark(mark)) return ["forged", "expected a mark returned by Arena.mark()"];
  if (markArena(mark) !== arena) return ["foreign", "it is a mark of another arena"];
  // Safe while no cut since the mark reached below it: then nothing allocated since straddles
  // it, and the top is at or above it.
  const lowest = cuts.lowestSince(markGeneration(mark), Infinity);
  if (lowest >= mark.position) return undefined;
  return lowest < 0 ? ["reset", "the arena was reset since it was taken"] : [
    "released",
    `memory from ${lowest} on was freed since it was taken (a release to an earlier mark or` +
    ` scope, or a restore), and may hold newer allocations`,
  ];
}

const dispose: symbol = (Symbol as { dispose?: symbol }).dispose ?? Symbol.for("Symbol.dispose");

/** The marks of one arena: making them, checking them, releasing to them, scopes. */
export class Marks {
  readonly #arena: object;
  readonly #chunks: Chunks;
  readonly #cuts: CutStack;
  #last: ArenaMark | undefined = undefined;

  constructor(arena: object, chunks: Chunks, cuts: CutStack) {
    this.#arena = arena;
    this.#chunks = chunks;
    this.#cuts = cuts;
  }

  /** A mark at the top: the last one handed out when it is still there and valid. */
  mark(): ArenaMark {
    // A shared arena gives up its block first: everything at or above the mark comes later.
    const pos = this.#chunks.settle();
    // Records made after a mark get an epoch of their own, so a release to it kills only them.
    this.#chunks.epochs?.split();
    const last = this.#last;
    // A valid mark at the top releases exactly as a new one would.
    if (last !== undefined && last.position === pos && this.#problem(last) === undefined) {
      return last;
    }
    return this.#last = newMark(this.#arena, this.#cuts.state.g, pos);
  }

  #problem(mark: unknown): [InvalidMarkReason, string] | undefined {
    return markProblem(mark, this.#arena, this.#cuts);
  }

  /** Frees everything above `mark`, or throws {@linkcode InvalidMarkError} and frees nothing. */
  release(mark: ArenaMark): void {
    const problem = this.#problem(mark);
    if (problem !== undefined) {
      const position = isMark(mark) ? mark.position : undefined;
      throw new InvalidMarkError(problem[0], mark, position, problem[1]);
    }
    // A shared arena's cut stack is bounded: refuse before anything moves.
    this.#cuts.check(mark.position);
    this.#chunks.rewind(mark.position);
    this.#cuts.cut(mark.position);
    this.#chunks.epochs?.cut(mark.position);
    this.#last = mark;
  }

  /** A scope at the top; closing it after its memory was freed already does nothing. */
  scope(): ArenaScope {
    const mark = this.mark();
    let open = true;
    const release = () => {
      if (!open) return;
      open = false;
      if (this.#problem(mark) === undefined) this.release(mark);
    };
    return { mark, release, [dispose]: release } as unknown as ArenaScope;
  }
}
