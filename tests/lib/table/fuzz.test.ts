/**
 * Model-based fuzzing of tables: a seeded loop of create / delete / update / get / has / where /
 * clear / snapshot / restore, with hostile inputs (forged ids, ids of another table, deleted ids,
 * non-numbers, values that change between reads), checked against a plain Map after every step.
 * `FUZZ_SEED=<n>` replays another seed; `FUZZ_OPS=<n>` changes the operation count.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as t from "../../../schemas/t.ts";
import { Table } from "../../../lib/table/table.ts";
import { InvalidIdError, StaleViewError, TableFullError } from "../../../lib/errors.ts";
import { LAYOUTS } from "./_fixtures.ts";
import { reportFuzz, rng } from "../../_fuzz.ts";

const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env;
const SEED = Number(env?.FUZZ_SEED ?? 42);
const OPS = Number(env?.FUZZ_OPS ?? 100_000);
const SLOTS = 2 ** 24;

/** mulberry32: a small seeded generator, the same in every runtime. */

const Rec = t.struct({ a: t.f32(), b: t.u16() }, { name: "FuzzRec" });
type Value = { a: number; b: number };

function run(layout: "aos" | "soa", jitless: boolean, seed: number, ops: number): void {
  const r = rng(seed);
  const int = (n: number) => Math.floor(r() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  const CAP = 24;
  const table = new Table(Rec, { capacity: CAP, layout, jitless });
  const other = new Table(Rec, { capacity: CAP, layout, jitless });
  const otherIds = Array.from({ length: 8 }, (_, i) => other.create({ a: i, b: i }));
  let model = new Map<number, Value>();
  let dead: number[] = [];
  let saved: { bytes: Uint8Array; model: Map<number, Value>; dead: number[] } | undefined;
  let kept: { id: number; view: { a: number } } | undefined;
  // Views held across operations: each reads its record while it lives and throws once it ends,
  // whatever happens to the other records (lifetimes by trap must end exactly these).
  let held = new Map<number, { toObject(): unknown }>();
  const value = (): Value => ({ a: Math.fround((int(2001) - 1000) / 8), b: int(65536) });
  const step = (n: number) => `op ${n} (seed ${seed}, ${layout}, jitless ${jitless})`;

  // Anything that is not a live id: get/has/update/delete find nothing and change nothing.
  const hostile = (): unknown => {
    const live = [...model.keys()];
    switch (int(9)) {
      case 0:
        return dead.length > 0 ? pick(dead) : 12345;
      case 1:
        return pick(otherIds);
      case 2: // another generation of a live slot
        return live.length > 0 ? pick(live) + 2 * SLOTS * (1 + int(3)) : 1;
      case 3: // the next slot under a live generation
        return live.length > 0 ? pick(live) + 1 + int(CAP) : 2;
      case 4:
        return pick([NaN, -1, 0, 1.5, Infinity, 2 ** 53, -(2 ** 40), SLOTS, 3 * SLOTS - 1]);
      case 5:
        return pick(["1", null, undefined, {}, [], 1n, true, Symbol("id")]);
      case 6:
        return int(2 ** 29) * SLOTS + int(CAP) + (int(2) === 0 ? 0 : SLOTS);
      case 7:
        return live.length > 0 ? pick(live) - SLOTS * 2 : SLOTS + 1;
      default:
        return { valueOf: () => (live.length > 0 ? live[0] : 1) };
    }
  };

  for (let n = 0; n < ops; n++) {
    const op = int(100);
    const live = [...model.keys()];
    if (op < 22) {
      const v = value();
      const id = table.tryCreate(v);
      if (id === undefined) assert.equal(model.size, CAP, step(n));
      else {
        assert.ok(!model.has(id), step(n));
        assert.ok(Number.isSafeInteger(id) && id > 0);
        model.set(id, v);
        dead = dead.filter((d) => d !== id);
      }
    } else if (op < 25) {
      // A value whose getter answers once, then throws: create succeeds or changes nothing.
      let reads = 0;
      const flaky = {
        get a() {
          if (++reads > 1) throw new Error("changed");
          return 0.5;
        },
      };
      const before = table.count;
      try {
        const id = table.create(flaky as never);
        model.set(id, { a: 0.5, b: 0 });
        dead = dead.filter((d) => d !== id);
      } catch (e) {
        if (e instanceof TableFullError) assert.equal(model.size, CAP, step(n));
        else assert.ok(!(e instanceof RangeError), `${step(n)}: ${e}`);
        assert.equal(table.count, before, step(n));
      }
    } else if (op < 37 && live.length > 0) {
      const id = pick(live);
      if (kept === undefined && int(4) === 0) kept = { id, view: table.get(id)! };
      assert.equal(table.delete(id), true, step(n));
      assert.equal(table.delete(id), false, step(n));
      model.delete(id);
      dead.push(id);
      if (dead.length > 64) dead.shift();
    } else if (op < 47 && live.length > 0) {
      const id = pick(live);
      const v = value();
      assert.equal(table.update(id, v), true, step(n));
      model.set(id, v);
    } else if (op < 60 && live.length > 0) {
      const id = pick(live);
      const v = table.get(id)!;
      assert.deepEqual(v.toObject(), model.get(id), step(n));
      assert.equal(table.has(id), true);
      if (held.size < 8) held.set(id, v);
    } else if (op < 78) {
      const x = hostile();
      if (typeof x === "number" && model.has(x)) continue;
      const count = table.count;
      for (const f of ["get", "update", "delete"] as const) {
        try {
          const got = f === "update"
            ? table.update(x as number, { b: 1 })
            : (table[f] as (id: unknown) => unknown)(x);
          assert.ok(got === undefined || got === false, `${step(n)}: ${f}(${String(x)})`);
        } catch (e) {
          assert.ok(e instanceof InvalidIdError, `${step(n)}: ${f}(${String(x)}) threw ${e}`);
        }
      }
      assert.equal(table.has(x as number), false, step(n));
      assert.equal(table.slotOf(x as number), undefined, step(n));
      assert.equal(table.count, count, step(n));
    } else if (op < 86) {
      const limit = (int(2001) - 1000) / 8;
      const want = [...model].filter(([, v]) => v.a < limit).map(([id]) => id).sort((x, y) =>
        x - y
      );
      const q = table.where((p) => p.a < limit);
      const got = q.ids().sort((x, y) => x - y);
      assert.deepEqual(got, want, step(n));
      if (int(6) === 0) {
        assert.equal(q.delete(), want.length, step(n));
        for (const id of want) {
          model.delete(id);
          dead.push(id);
        }
      }
    } else if (op < 91) {
      saved = { bytes: table.snapshot(), model: new Map(model), dead: [...dead] };
    } else if (op < 96 && saved !== undefined) {
      table.restore(saved.bytes);
      model = new Map(saved.model);
      dead = [...saved.dead];
      kept = undefined;
      // A restore ends every view, the restored records' included.
      for (const v of held.values()) assert.throws(() => v.toObject(), StaleViewError, step(n));
      held = new Map();
    } else if (op < 97) {
      table.clear();
      for (const id of model.keys()) dead.push(id);
      model.clear();
    } else if (kept !== undefined && !model.has(kept.id)) {
      // A view of a deleted record throws, even once its slot holds another record.
      assert.throws(() => kept!.view.a, StaleViewError, step(n));
      kept = undefined;
    }
    assert.equal(table.count, model.size, step(n));
    if ((n & 15) === 0) {
      for (const [id, v] of held) {
        if (model.has(id)) assert.deepEqual(v.toObject(), model.get(id), step(n));
        else {
          assert.throws(() => v.toObject(), StaleViewError, step(n));
          held.delete(id);
        }
      }
    }
    if ((n & 63) === 0) {
      assert.deepEqual(new Set(table.ids()), new Set(model.keys()), step(n));
      for (const [id, v] of model) assert.deepEqual(table.get(id)!.toObject(), v, step(n));
      for (const id of dead) if (!model.has(id)) assert.equal(table.get(id), undefined, step(n));
    }
  }
}

describe("Table against a Map model, seeded (fuzz)", () => {
  it(`agrees over ${OPS} operations (seed ${SEED})`, () => {
    const configs = LAYOUTS.flatMap((layout) =>
      [false, true].map((jitless) => ({ layout, jitless }))
    );
    const per = Math.ceil(OPS / configs.length);
    configs.forEach(({ layout, jitless }, i) => run(layout, jitless, SEED + i, per));
    reportFuzz("table fuzz", per * configs.length, SEED);
  });
});
