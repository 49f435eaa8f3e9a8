// Shared tables: the whole state in SharedArrayBuffers, and a second Table opened over it (in this
// thread, standing in for a worker) seeing and changing the same records, ids and counters.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Table } from "../../../lib/table/table.ts";
import { StaleViewError } from "../../../lib/errors.ts";
import { contents, each, Particle } from "./_fixtures.ts";
import { reportFuzz, rng } from "../../_fuzz.ts";

each((layout, jitless) => {
  const make = (capacity = 8) =>
    new Table(Particle, { capacity, layout, jitless, shared: true, resolveRefs: false });

  describe("shared tables: handle() and Table.open()", () => {
    it("keeps records and bookkeeping in SharedArrayBuffers", () => {
      const h = make().handle();
      for (const b of [...Object.values(h.core), ...h.storage]) {
        assert.ok(b instanceof SharedArrayBuffer);
      }
      assert.equal(h.layout, layout);
    });

    it("opens the same records, ids and counters, through structuredClone", () => {
      const a = make();
      const id = a.create({ life: 0.5, name: "ab", kind: "smoke" });
      const b = Table.open(structuredClone(a.handle()));
      assert.deepEqual(contents(b), contents(a));
      const id2 = b.create({ life: 2 });
      assert.deepEqual([a.count, a.slots, a.has(id2), a.get(id2)?.life], [2, 2, true, 2]);
      a.update(id, { hp: 7 });
      assert.equal(b.get(id)?.hp, 7);
      assert.deepEqual([...b.liveSlots()], [...a.liveSlots()]);
    });

    it("makes a view stale in one table when the other deletes its record", () => {
      const a = make();
      const b = Table.open(a.handle());
      const id = a.create({ life: 1 });
      const va = a.get(id)!;
      const vb = b.get(id)!;
      assert.equal(b.delete(id), true);
      assert.throws(() => va.life, StaleViewError);
      assert.throws(() => vb.life, StaleViewError);
      // The slot's next record is not readable through the old views either.
      const id2 = a.create({ life: 9 });
      assert.equal(a.slotOf(id2), 0);
      assert.throws(() => va.life, StaleViewError);
      assert.equal(a.delete(id), false);
      assert.equal(b.get(id2)?.life, 9);
    });

    it("rebuilds the live-slot index once for both sides", () => {
      const a = make();
      const b = Table.open(a.handle());
      const ids = [a.create(), a.create(), a.create()];
      assert.deepEqual([...a.liveSlots()], [0, 1, 2]);
      b.delete(ids[1]);
      assert.deepEqual([...a.liveSlots()], [0, 2]);
      assert.deepEqual([...b.liveSlots()], [0, 2]);
      assert.equal(a.liveSlots().buffer, b.liveSlots().buffer);
    });

    it("refuses to make a handle of a table that is not shared", () => {
      const plain = new Table(Particle, { capacity: 4, layout, jitless, resolveRefs: false });
      assert.throws(() => plain.handle(), /it is not shared/);
    });
  });
});

describe("shared tables: bad options and forged handles", () => {
  it("refuses a shared table that grows", () => {
    assert.throws(
      () => new Table(Particle, { capacity: 4, shared: true, growth: "double" }),
      (e) => e instanceof RangeError && /cannot grow/.test(e.message),
    );
    assert.throws(() => new Table(Particle, { capacity: 4, shared: 1 as never }), TypeError);
  });

  it("refuses anything that is not a table handle, naming what is wrong", () => {
    const good = new Table(Particle, { capacity: 4, shared: true }).handle();
    const soa = new Table(Particle, { capacity: 4, shared: true, layout: "soa" }).handle();
    const cases: [unknown, RegExp][] = [
      [undefined, /got undefined/],
      [{ ...good, kind: "table" }, /"kind"/],
      [{ ...good, version: 2 }, /"version"/],
      [{ ...good, schema: { kind: "f32" } }, /"schema"/],
      [{ ...good, schema: { ...good.schema, structs: [] } }, /struct list is malformed/],
      [{ ...good, layout: "x" }, /"layout"/],
      [{ ...good, capacity: 0 }, /"capacity"/],
      [{ ...good, capacity: 8 }, /"core.gens" has 16 bytes, expected 32/],
      [{ ...good, core: { ...good.core, gens: new ArrayBuffer(16) } }, /no SharedArrayBuffer/],
      [{ ...good, storage: [] }, /"storage"/],
      [{ ...good, storage: [new SharedArrayBuffer(3)] }, /its records have 3 bytes/],
      [{ ...soa, storage: soa.storage.slice(1) }, /column 0 has/],
      [{ ...good, checked: "yes" }, /"checked"/],
    ];
    // A control block with counters no table of this capacity can have.
    const scribbled = new Table(Particle, { capacity: 4, shared: true }).handle();
    new Int32Array(scribbled.core.control)[2] = 99;
    cases.push([scribbled, /slots in use \(99\) exceed its capacity \(4\)/]);
    const loop = new Table(Particle, { capacity: 4, shared: true }).handle();
    new Int32Array(loop.core.control)[1] = 7;
    cases.push([loop, /free list starts at slot 7/]);
    for (const [h, re] of cases) {
      assert.throws(
        () => Table.open(h as never),
        (e) => e instanceof TypeError && re.test(e.message),
      );
    }
  });
});

describe("shared tables: two tables over one handle against a model", () => {
  it("agree with a model through random creates, updates, deletes and clears on either side", () => {
    const seed = Number(globalThis.process?.env?.FUZZ_SEED ?? 16);
    const ops = Number(globalThis.process?.env?.FUZZ_OPS ?? 4000);
    const r = rng(seed);
    for (const layout of ["aos", "soa"] as const) {
      const a = new Table(Particle, { capacity: 32, layout, shared: true });
      const sides = [a, Table.open(a.handle())];
      const model = new Map<number, number>();
      const dead: number[] = [];
      for (let i = 0; i < ops; i++) {
        const side = sides[Math.floor(r() * 2)];
        const ids = [...model.keys()];
        const pick = ids[Math.floor(r() * ids.length)];
        const op = r();
        if (op < 0.45) {
          const life = Math.floor(r() * 100);
          const id = side.tryCreate({ life });
          if (model.size < 32) {
            assert.ok(id !== undefined);
            assert.ok(!model.has(id) && !dead.includes(id));
            model.set(id, life);
          } else assert.equal(id, undefined);
        } else if (op < 0.75 && pick !== undefined) {
          assert.equal(side.delete(pick), true);
          model.delete(pick);
          dead.push(pick);
        } else if (op < 0.95 && pick !== undefined) {
          const life = Math.floor(r() * 100);
          side.update(pick, { life });
          model.set(pick, life);
        } else if (op >= 0.995) {
          side.clear();
          for (const id of model.keys()) dead.push(id);
          model.clear();
        }
        const other = sides[0] === side ? sides[1] : sides[0];
        assert.equal(other.count, model.size);
        if (i % 16 === 0) {
          for (const t of sides) {
            const seen = new Map<number, number>();
            t.forEach((p, id) => seen.set(id, p.life));
            assert.deepEqual([...seen].sort(), [...model].sort());
            for (const id of dead.slice(-8)) assert.equal(t.has(id), false);
          }
        }
      }
    }
    reportFuzz("shared table model fuzz (two tables over one handle, aos+soa)", 2 * ops, seed);
  });
});
