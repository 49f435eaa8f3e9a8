/**
 * `update(id, values)` reads and checks every value before it writes, and finds the record's slot
 * only then: a getter of the values may delete the record, or delete it and create another in
 * its slot, and the update must then write nothing and return false.
 */
import { it } from "node:test";
import assert from "node:assert/strict";
import * as t from "../../../schemas/t.ts";
import { Table } from "../../../lib/table/table.ts";
import { each } from "./_fixtures.ts";

const P = t.struct({ pos: t.vec2f(), hp: t.u16(), tags: t.array(t.u8(), 2) }, { name: "UpP" });
// The first is written from locals, the second staged (its array field): both must behave.
const Flat = t.struct({ pos: t.vec2f(), hp: t.u16() }, { name: "UpFlat" });

each((layout, jitless) => {
  for (const S of [Flat, P]) {
    const make = () => new Table(S as typeof P, { capacity: 4, layout, jitless });
    const full = (hp: number) =>
      S === P
        ? { pos: { x: hp, y: -hp }, hp, tags: [hp & 255, 1] }
        : { pos: { x: hp, y: -hp }, hp };

    it(`${S.name}: a getter that deletes the record: update writes nothing, returns false`, () => {
      const table = make();
      const id = table.create(full(1) as never);
      const other = table.create(full(2) as never);
      let afterDelete: Uint8Array | undefined;
      const values = {
        get hp() {
          table.delete(id);
          afterDelete = table.snapshot();
          return 9;
        },
      };
      assert.equal(table.update(id, values), false);
      assert.equal(table.has(id), false);
      assert.deepEqual(table.get(other)?.toObject(), full(2));
      // Nothing changed after the delete, byte for byte.
      assert.deepEqual(table.snapshot(), afterDelete);
    });

    it(`${S.name}: a getter that deletes the record and reuses its slot: the new one is untouched`, () => {
      const table = make();
      const id = table.create(full(1) as never);
      let next: number | undefined;
      const values = {
        pos: { x: 7, y: 7 },
        get hp() {
          table.delete(id);
          next = table.create(full(3) as never);
          return 9;
        },
      };
      assert.equal(table.update(id, values), false);
      assert.equal(table.slotOf(next!), table.slotOf(id) ?? 0);
      assert.deepEqual(table.get(next!)?.toObject(), full(3));
    });

    it(`${S.name}: a getter that updates other records (one throws, caught): each gets its own`, () => {
      const table = make();
      const [a, b, c] = [1, 2, 3].map((i) => table.create(full(i) as never));
      const values = {
        get hp() {
          try {
            table.update(b, {
              get hp(): number {
                throw new Error("no");
              },
            });
          } catch { /* the getter carries on */ }
          assert.equal(table.update(c, { hp: 5 }), true);
          return 9;
        },
      };
      assert.equal(table.update(a, values), true);
      assert.deepEqual(table.get(a)?.toObject(), { ...full(1), hp: 9 });
      assert.deepEqual(table.get(b)?.toObject(), full(2));
      assert.deepEqual(table.get(c)?.toObject(), { ...full(3), hp: 5 });
    });

    it(`${S.name}: a getter that grows the table: the update lands in the grown storage`, () => {
      const table = new Table(S as typeof P, {
        capacity: 2,
        layout,
        jitless,
        growth: "double",
        maxCapacity: 16,
      });
      const id = table.create(full(1) as never);
      const values = {
        get hp() {
          for (let i = 0; i < 4; i++) table.create(full(10 + i) as never);
          return 9;
        },
      };
      assert.equal(table.update(id, values), true);
      assert.ok(table.capacity > 2);
      assert.deepEqual(table.get(id)?.toObject(), { ...full(1), hp: 9 });
    });
  }
});
