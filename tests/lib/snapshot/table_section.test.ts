import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as t from "../../../schemas/t.ts";
import { Table } from "../../../lib/table/table.ts";
import { StaleViewError } from "../../../lib/errors.ts";
import { contents, LAYOUTS, Particle } from "../table/_fixtures.ts";

describe("Table.snapshot() / restore()", () => {
  for (const layout of LAYOUTS) {
    it(`restores exactly the ids, values and free list (${layout})`, () => {
      const make = () => new Table(Particle, { capacity: 8, layout, resolveRefs: false });
      const a = make();
      const ids = [1, 2, 3, 4].map((life) => a.create({ life, name: `p${life}`, big: 7n }));
      a.delete(ids[1]);
      const snap = a.snapshot();
      const next = a.create({ life: 9 });
      const b = make();
      b.create();
      b.restore(snap);
      assert.equal(b.count, 3);
      assert.equal(b.get(ids[1]), undefined);
      for (const i of [0, 2, 3]) {
        assert.deepEqual(b.get(ids[i])!.toObject(), a.get(ids[i])!.toObject());
      }
      assert.equal(b.create({ life: 9 }), next, "the same free slot and generation come next");
      assert.deepEqual(contents(b), contents(a));
    });

    it(`leaves the table unchanged on a corrupted or foreign snapshot (${layout})`, () => {
      const a = new Table(Particle, { capacity: 8, layout, resolveRefs: false });
      a.create({ life: 1 });
      const snap = a.snapshot();
      const b = new Table(Particle, { capacity: 8, layout, resolveRefs: false });
      const id = b.create({ life: 5 });
      const before = contents(b);
      const v = b.get(id)!;
      const flipped = snap.slice();
      flipped[flipped.length - 1] ^= 1;
      assert.throws(() => b.restore(flipped), { name: "SnapshotError" });
      assert.throws(() => b.restore(snap.subarray(0, 40)), { name: "SnapshotError" });
      const other = new Table(Particle, {
        capacity: 8,
        layout: layout === "aos" ? "soa" : "aos",
        resolveRefs: false,
      });
      assert.throws(() => other.restore(snap), { name: "SnapshotError" });
      const small = new Table(Particle, { capacity: 1, layout, resolveRefs: false });
      a.create();
      assert.throws(() => small.restore(a.snapshot()), { name: "SnapshotError" });
      assert.deepEqual(contents(b), before);
      assert.equal(v.life, 5);
    });

    it(`grows a growable table to fit, and ends earlier views (${layout})`, () => {
      const a = new Table(Particle, { capacity: 8, layout, resolveRefs: false });
      const ids = [1, 2, 3, 4, 5].map((life) => a.create({ life }));
      const b = new Table(Particle, { capacity: 2, layout, growth: "double", resolveRefs: false });
      const v = b.get(b.create())!;
      b.restore(a.snapshot());
      assert.equal(b.capacity, 8);
      assert.throws(() => v.life, StaleViewError);
      assert.deepEqual(ids.map((id) => b.get(id)!.life), [1, 2, 3, 4, 5]);
    });
  }
});

describe("Table.snapshot({ into })", () => {
  it("writes into the given buffer and returns a view of it", () => {
    const S = t.struct({ v: t.f64() }, { name: "IntoProbe" });
    const table = new Table(S, { capacity: 4 });
    const id = table.create({ v: 1.25 });
    const size = table.snapshot().length;
    const ring = new Uint8Array(size + 64);
    const snap = table.snapshot({ into: ring });
    assert.equal(snap.buffer, ring.buffer);
    assert.equal(snap.length, size);
    table.update(id, { v: 8 });
    table.restore(snap);
    assert.equal(table.get(id)?.v, 1.25);
    assert.throws(() => table.snapshot({ into: new Uint8Array(size - 1) }), RangeError);
  });
});
