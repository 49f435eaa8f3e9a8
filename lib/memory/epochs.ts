/**
 * Lifetimes as a trap: a checked, unshared arena hands its views an epoch copy of the chunk's
 * `Mem`, one per run of allocations between cuts, and kills the epochs a reset, release or
 * restore frees. A dead epoch's arrays have length 0, so a stale view's typed-array read gives
 * `undefined` and its accessor throws `StaleViewError`: live accesses carry no generation test.
 *
 * @module
 */
import { epochOf, type EpochOwner, killMem, type Mem } from "../values/codec.ts";

/** The epochs of one arena, oldest first. */
export class Epochs implements EpochOwner {
  readonly #chunks: { readonly list: readonly Mem[] };
  readonly #state: { readonly g: number };
  // Parallel lists, overwritten in place: a steady reset loop makes one epoch object per frame.
  #epoch: Mem[] = [];
  // Arena address of each epoch's first record: a cut at `pos` ends those at or above it.
  #from: number[] = [];
  #n = 0;
  // The epoch new records in chunk `curBase` get. Not private names: `of` is inlined into frame
  // loops, and JavaScriptCore charges each private name's lookup to the inlining cost.
  cur: Mem | undefined = undefined;
  curBase: Mem | undefined = undefined;

  /** The epochs of the chunks in `chunks.list`, in the arena whose generation cell is `state`. */
  constructor(chunks: { readonly list: readonly Mem[] }, state: { readonly g: number }) {
    this.#chunks = chunks;
    this.#state = state;
  }

  /** The epoch new records at arena address `at` in chunk `base` belong to. */
  of(base: Mem, at: number): Mem {
    return this.curBase === base ? this.cur! : this.begin(base, at);
  }

  /** Starts the epoch of the records from arena address `at` in chunk `base`. */
  begin(base: Mem, at: number): Mem {
    const e = this.#add(base, at);
    this.cur = e;
    this.curBase = base;
    return e;
  }

  #add(base: Mem, from: number): Mem {
    const e = epochOf(base, this, this.#state.g);
    const n = this.#n;
    this.#epoch[n] = e;
    this.#from[n] = from;
    this.#n = n + 1;
    return e;
  }

  /** Records made from now on get a new epoch (a mark: a release to it must end only them). */
  split(): void {
    this.curBase = undefined;
    this.cur = undefined;
  }

  /**
   * Kills every epoch that began at or above arena address `pos` (a reset cuts at -1). A raw
   * array taken through an epoch marks its chunk, so the arena's detach still finds it. Exact
   * for releases, since `mark()` splits; a restore cuts at -1 here, and the views whose record
   * it kept move to a live epoch on their next access ({@linkcode Epochs.revive}).
   */
  cut(pos: number): void {
    let k = 0;
    for (let i = 0; i < this.#n; i++) {
      const e = this.#epoch[i];
      if (this.#from[i] >= pos) {
        if (e.raw) this.#baseAt(e.start).raw = true;
        killMem(e);
        continue;
      }
      this.#epoch[k] = e;
      this.#from[k] = this.#from[i];
      k++;
    }
    // Dropped, so the list never keeps a frame's memory reachable.
    for (let i = k; i < this.#n; i++) this.#epoch[i] = undefined as unknown as Mem;
    this.#n = k;
    this.split();
  }

  /** A new epoch for one record at arena address `pos` that a cut did not free (a restore). */
  revive(start: number, pos: number): Mem {
    return this.#add(this.#baseAt(start), pos);
  }

  // The chunk an epoch copies (chunks are few; only raw arrays and revivals ask).
  #baseAt(start: number): Mem {
    const base = this.#chunks.list.find((m) => m.start === start);
    if (base === undefined) throw new TypeError(`No chunk starts at ${start}`);
    return base;
  }
}
