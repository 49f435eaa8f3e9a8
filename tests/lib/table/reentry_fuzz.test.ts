/**
 * Model-based fuzzing of writes whose value runs code while it is read: `create`, `tryCreate`,
 * `update`, a view's `set()` and a nested struct setter get values with a getter that creates,
 * updates or deletes records of the same table, or clears it, in the middle of the read. The
 * table must end as a plain Map model says: the outer write lands in its own record or fails as
 * the state after the getter says (full: TableFullError or undefined; gone: false or
 * StaleViewError), and no other record changes. `FUZZ_SEED=<n>` replays another seed.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Table } from "../../../lib/table/table.ts";
import { StaleViewError, TableFullError } from "../../../lib/errors.ts";
import { reportFuzz, rng } from "../../_fuzz.ts";
import * as R from "../../_reentrant.ts";

const SEED = R.fuzzSeed(7);
const OPS = 1500;
const CAP = 6;

function run(layout: "aos" | "soa", jitless: boolean, shared: boolean, seed: number): void {
  const r = rng(seed);
  const int = (n: number) => Math.floor(r() * n);
  const table = new Table(R.Rec, { capacity: CAP, layout, jitless, shared });
  const model = new Map<number, R.Value>();
  const value = (): R.Partial => R.randomValue(int);
  const pick = () => {
    const live = [...model.keys()];
    return live.length > 0 ? live[int(live.length)] : undefined;
  };
  // The nested operation a getter runs, mirrored in the model.
  const nested = () => {
    switch (int(5)) {
      case 0: {
        const v = value();
        const id = table.tryCreate(v);
        if (id === undefined) assert.equal(model.size, CAP);
        else model.set(id, R.merge(R.ZERO, v));
        return;
      }
      case 1: {
        const id = pick();
        if (id !== undefined) {
          assert.equal(table.delete(id), true);
          model.delete(id);
        }
        return;
      }
      case 2: {
        const id = pick();
        const v = value();
        if (id !== undefined) {
          assert.equal(table.update(id, v), true);
          model.set(id, R.merge(model.get(id)!, v));
        }
        return;
      }
      case 3:
        table.clear();
        model.clear();
        return;
      default:
        return;
    }
  };
  const hostile = (v: R.Partial): R.Partial => R.withGetter(v, int, nested);
  const step = (n: number, what: string) =>
    `op ${n} ${what} (seed ${seed}, ${layout}, jitless ${jitless}, shared ${shared})`;

  for (let n = 0; n < OPS; n++) {
    const kind = int(7);
    const plain = value();
    const v = hostile(plain);
    const what = ["create", "tryCreate", "update", "set", "nested set", "create", "delete"][kind];
    if (kind === 0 || kind === 1 || kind === 5) {
      let id: number | undefined;
      try {
        id = kind === 1 ? table.tryCreate(v) : table.create(v);
      } catch (e) {
        assert.ok(e instanceof TableFullError, step(n, `${what}: ${e}`));
      }
      if (id === undefined) assert.equal(model.size, CAP, step(n, what));
      else {
        assert.ok(!model.has(id), step(n, what));
        model.set(id, R.merge(R.ZERO, plain));
      }
    } else if (kind === 2) {
      const id = pick();
      if (id === undefined) continue;
      const ok = table.update(id, v);
      assert.equal(ok, model.has(id), step(n, what));
      if (ok) model.set(id, R.merge(model.get(id)!, plain));
    } else if (kind === 3 || kind === 4) {
      const id = pick();
      if (id === undefined) continue;
      const view = table.get(id)!;
      try {
        if (kind === 3) view.set(v);
        else (view as unknown as { p: unknown }).p = v.p ?? { x: 2, y: 3 };
        assert.ok(model.has(id), step(n, `${what} wrote a gone record`));
        const written = kind === 3 ? plain : { p: plain.p ?? { x: 2, y: 3 } };
        model.set(id, R.merge(model.get(id)!, written));
      } catch (e) {
        assert.ok(e instanceof StaleViewError, step(n, `${what}: ${e}`));
        assert.ok(!model.has(id), step(n, `${what} refused a live record`));
      }
    } else {
      const id = pick();
      if (id !== undefined) {
        table.delete(id);
        model.delete(id);
      }
    }
    assert.deepEqual(new Set(table.ids()), new Set(model.keys()), step(n, what));
    for (const [id, want] of model) {
      assert.deepEqual(table.get(id)!.toObject(), want, step(n, what));
    }
  }
}

describe("writes whose value changes the table while it is read (fuzz)", () => {
  it(`agree with a Map model (seed ${SEED})`, () => {
    let i = 0;
    for (const layout of ["aos", "soa"] as const) {
      for (const jitless of [false, true]) {
        for (const shared of [false, true]) run(layout, jitless, shared, SEED + i++);
      }
    }
    reportFuzz("re-entrant write fuzz", OPS * i, SEED);
  });
});
