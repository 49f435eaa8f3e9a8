/**
 * The lifetime record of an arena: every reset, release and restore is a cut at an address,
 * made in a new generation. A view taken in generation `g` at address `pos` is live while no
 * cut since `g` reached down to `pos`.
 *
 * @module
 */
import type { ArenaState } from "../codegen/runtime.ts";
import { type Control, CUT_CAPACITY } from "./control.ts";

/** What marks and arenas ask of a cut stack, in-heap or in a shared control block. */
export interface CutStack {
  readonly state: ArenaState;
  isLive(gen: number, pos: number): boolean;
  lowestSince(gen: number, top: number): number;
  /** Throws before anything changes when a cut at `pos` would not fit. */
  check(pos: number): void;
  cut(pos: number): void;
}

/** A monotonic stack of (generation, address) cuts. */
export class Cuts implements CutStack {
  readonly state: ArenaState;
  // Entries are overwritten in place, so a steady reset/release loop allocates nothing.
  #gen: number[] = [];
  #pos: number[] = [];
  #n = 0;

  constructor(state: ArenaState) {
    this.state = state;
  }

  /** Whether memory at `pos`, last known live in generation `gen`, is still live. */
  isLive(gen: number, pos: number): boolean {
    const gens = this.#gen;
    // Cuts rise with generation, so the first cut after `gen` is the lowest one since then.
    for (let i = 0; i < this.#n; i++) {
      if (gens[i] > gen) return this.#pos[i] > pos;
    }
    return true;
  }

  /** The lowest address cut since generation `gen`, or `top` when none reached below it. */
  lowestSince(gen: number, top: number): number {
    for (let i = 0; i < this.#n; i++) {
      if (this.#gen[i] > gen) return Math.min(top, this.#pos[i]);
    }
    return top;
  }

  /** Always room: the stack grows. */
  check(_pos: number): void {}

  /**
   * Frees everything at and above `pos`: a new generation starts. A reset cuts at -1, below
   * every address, so it also ends what no release can: zero-length arrays, marks at 0.
   */
  cut(pos: number): void {
    const gen = ++this.state.g;
    // A newer, lower cut hides every higher one for all queries that could reach it.
    let n = this.#n;
    while (n > 0 && this.#pos[n - 1] >= pos) n--;
    this.#gen[n] = gen;
    this.#pos[n] = pos;
    this.#n = n + 1;
  }
}

/**
 * The same stack in a shared arena's control block, so opened arenas in other threads answer
 * `liveAt` as the owner does. It holds {@linkcode CUT_CAPACITY} cuts.
 */
export class SharedCuts implements CutStack {
  readonly state: ArenaState;
  readonly #ctl: Control;

  constructor(ctl: Control) {
    this.#ctl = ctl;
    this.state = ctl.state;
  }

  isLive(gen: number, pos: number): boolean {
    const c = this.#ctl;
    const n = c.cutCount();
    for (let i = 0; i < n; i++) {
      if (c.cutGen(i) > gen) return c.cutPos(i) > pos;
    }
    return true;
  }

  lowestSince(gen: number, top: number): number {
    const c = this.#ctl;
    const n = c.cutCount();
    for (let i = 0; i < n; i++) {
      if (c.cutGen(i) > gen) return Math.min(top, c.cutPos(i));
    }
    return top;
  }

  #below(pos: number): number {
    const c = this.#ctl;
    let n = c.cutCount();
    while (n > 0 && c.cutPos(n - 1) >= pos) n--;
    return n;
  }

  check(pos: number): void {
    if (this.#below(pos) < CUT_CAPACITY) return;
    throw new RangeError(
      `Cannot release to ${pos}: a shared arena records at most ${CUT_CAPACITY} releases at ` +
        `rising addresses between resets (release to an earlier mark, or reset)`,
    );
  }

  cut(pos: number): void {
    this.check(pos);
    const n = this.#below(pos) + 1;
    this.#ctl.pushCut(n, this.state.g + 1, pos);
  }
}
