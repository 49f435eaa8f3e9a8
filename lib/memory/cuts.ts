/**
 * The lifetime record of an arena: every reset, release and restore is a cut at an address,
 * made in a new generation. A view taken in generation `g` at address `pos` is live while no
 * cut since `g` reached down to `pos`.
 *
 * @module
 */
import type { ArenaState } from "../codegen/runtime.ts";

/** A monotonic stack of (generation, address) cuts. */
export class Cuts {
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
