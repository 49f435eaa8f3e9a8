/**
 * Model-based fuzzing of arena writes whose value runs code while it is read: `alloc(S, init)`,
 * `tryAlloc(S, init)`, a view's `set()` and a nested struct setter get values with a getter that
 * allocates, marks, releases or resets the same arena in the middle of the read. Every view must
 * then read what a plain model says, or throw StaleViewError when its memory was freed; a write
 * through a view freed meanwhile throws and changes nothing. `FUZZ_SEED=<n>` replays another seed.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Arena } from "../../../lib/memory/arena.ts";
import type { ArenaMark } from "../../../lib/memory/mark.ts";
import { StaleViewError } from "../../../lib/errors.ts";
import { reportFuzz, rng } from "../../_fuzz.ts";
import * as R from "../../_reentrant.ts";

const SEED = R.fuzzSeed(11);
const OPS = 1500;
const MAX = 64;

type View = { toObject(): unknown; set(v: unknown): unknown; p: unknown };

function run(shared: boolean, jitless: boolean, seed: number): void {
  const r = rng(seed);
  const int = (n: number) => Math.floor(r() * n);
  const arena = new Arena({ bytes: 16 * (MAX + 8), shared, jitless });
  // Live records in allocation order, and the marks: how many records each found.
  let live: { view: View; want: R.Value }[] = [];
  let dead: View[] = [];
  let marks: { mark: ArenaMark; count: number }[] = [];
  const value = (): R.Partial => R.randomValue(int);
  const reset = () => {
    arena.reset();
    dead = dead.concat(live.map((l) => l.view));
    live = [];
    marks = [];
  };
  const alloc = (v: R.Partial, view: View) => live.push({ view, want: R.merge(R.ZERO, v) });
  const nested = () => {
    switch (int(5)) {
      case 0: {
        const v = value();
        alloc(v, arena.alloc(R.Rec, v) as unknown as View);
        return;
      }
      case 1:
        marks.push({ mark: arena.mark(), count: live.length });
        return;
      case 2: {
        const m = marks.pop();
        if (m === undefined) return;
        arena.release(m.mark);
        dead = dead.concat(live.slice(m.count).map((l) => l.view));
        live = live.slice(0, m.count);
        return;
      }
      case 3:
        reset();
        return;
      default:
        return;
    }
  };
  const hostile = (v: R.Partial): R.Partial => R.withGetter(v, int, nested);
  const step = (n: number, what: string) =>
    `op ${n} ${what} (seed ${seed}, shared ${shared}, jitless ${jitless})`;

  for (let n = 0; n < OPS; n++) {
    if (live.length > MAX - 4) reset();
    const kind = int(5);
    const plain = value();
    const v = hostile(plain);
    const what = ["alloc", "tryAlloc", "set", "nested set", "mark"][kind];
    if (kind === 0 || kind === 1) {
      const view = kind === 0 ? arena.alloc(R.Rec, v) : arena.tryAlloc(R.Rec, v);
      assert.ok(view !== undefined, step(n, what));
      alloc(plain, view as unknown as View);
    } else if (kind === 2 || kind === 3) {
      if (live.length === 0) continue;
      const target = live[int(live.length)];
      try {
        if (kind === 2) target.view.set(v);
        else target.view.p = v.p ?? { x: 2, y: 3 };
        assert.ok(live.includes(target), step(n, `${what} wrote a freed record`));
        target.want = R.merge(target.want, kind === 2 ? plain : { p: plain.p ?? { x: 2, y: 3 } });
      } catch (e) {
        assert.ok(e instanceof StaleViewError, step(n, `${what}: ${e}`));
        assert.ok(!live.includes(target), step(n, `${what} refused a live record`));
      }
    } else {
      marks.push({ mark: arena.mark(), count: live.length });
    }
    for (const l of live) assert.deepEqual(l.view.toObject(), l.want, step(n, what));
    if ((n & 7) === 0) {
      for (const d of dead) assert.throws(() => d.toObject(), StaleViewError, step(n, what));
      dead = [];
    }
  }
}

describe("arena writes whose value changes the arena while it is read (fuzz)", () => {
  it(`agree with a model (seed ${SEED})`, () => {
    let i = 0;
    for (const shared of [false, true]) {
      for (const jitless of [false, true]) run(shared, jitless, SEED + i++);
    }
    reportFuzz("arena re-entrant write fuzz", OPS * i, SEED);
  });
});
