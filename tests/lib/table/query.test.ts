import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Table } from "../../../lib/table/table.ts";
import { each, Particle } from "./_fixtures.ts";

each((layout, jitless) => {
  const make = (capacity = 8, extra = {}) =>
    new Table(Particle, { capacity, layout, jitless, resolveRefs: false, ...extra });

  describe("Table.where()", () => {
    it("forEach, ids, count and delete see the matching records", () => {
      const table = make();
      const ids = [0.05, 0.5, 0.01, 0.9].map((life) => table.create({ life }));
      const q = table.where((p) => p.life < 0.1);
      assert.equal(q.count(), 2);
      assert.deepEqual(q.ids(), [ids[0], ids[2]]);
      const lives: number[] = [];
      q.forEach((p) => lives.push(Math.fround(p.life)));
      assert.deepEqual(lives, [Math.fround(0.05), Math.fround(0.01)]);
      assert.equal(q.delete(), 2);
      assert.equal(table.count, 2);
      assert.deepEqual(table.ids(), [ids[1], ids[3]]);
    });
  });
});
