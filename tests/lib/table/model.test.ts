import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import * as t from "../../../schemas/t.ts";
import { Table } from "../../../lib/table/table.ts";
import { LAYOUTS } from "./_fixtures.ts";

describe("Table against a Map model (fast-check)", () => {
  const Rec = t.struct({ a: t.f32(), b: t.u16() }, { name: "Rec" });
  type Op =
    | { op: "create"; a: number; b: number }
    | { op: "delete"; pick: number }
    | { op: "update"; pick: number; a: number }
    | { op: "stale"; pick: number }
    | { op: "clear" };
  const f32 = fc.float({ noNaN: true, noDefaultInfinity: true });
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    {
      weight: 5,
      arbitrary: fc.record({
        op: fc.constant("create" as const),
        a: f32,
        b: fc.integer({ min: 0, max: 65535 }),
      }),
    },
    { weight: 3, arbitrary: fc.record({ op: fc.constant("delete" as const), pick: fc.nat() }) },
    {
      weight: 2,
      arbitrary: fc.record({ op: fc.constant("update" as const), pick: fc.nat(), a: f32 }),
    },
    { weight: 1, arbitrary: fc.record({ op: fc.constant("stale" as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant("clear" as const) }) },
  );
  for (const layout of LAYOUTS) {
    for (const jitless of [false, true]) {
      for (const growth of ["fixed", "double"] as const) {
        it(`agrees with the model (${layout}, jitless ${jitless}, ${growth})`, () => {
          fc.assert(
            fc.property(fc.array(opArb, { maxLength: 120 }), (ops) => {
              const table = new Table(Rec, {
                capacity: 4,
                layout,
                jitless,
                growth,
                resolveRefs: false,
              });
              const model = new Map<number, { a: number; b: number }>();
              const everIssued = new Set<number>();
              const dead: number[] = [];
              for (const o of ops) {
                const live = [...model.keys()];
                if (o.op === "create") {
                  const id = table.tryCreate({ a: o.a, b: o.b });
                  if (id === undefined) {
                    assert.equal(growth, "fixed");
                    assert.equal(model.size, 4);
                    continue;
                  }
                  assert.ok(!everIssued.has(id), "ids never alias");
                  everIssued.add(id);
                  model.set(id, { a: Math.fround(o.a), b: o.b });
                } else if (o.op === "delete" && live.length > 0) {
                  const id = live[o.pick % live.length];
                  assert.equal(table.delete(id), true);
                  assert.equal(table.delete(id), false);
                  model.delete(id);
                  dead.push(id);
                } else if (o.op === "update" && live.length > 0) {
                  const id = live[o.pick % live.length];
                  assert.equal(table.update(id, { a: o.a }), true);
                  model.get(id)!.a = Math.fround(o.a);
                } else if (o.op === "stale" && dead.length > 0) {
                  const id = dead[o.pick % dead.length];
                  assert.equal(table.get(id), undefined);
                  assert.equal(table.has(id), false);
                  assert.equal(table.update(id, { a: 1 }), false);
                } else if (o.op === "clear") {
                  table.clear();
                  for (const id of model.keys()) dead.push(id);
                  model.clear();
                }
                assert.equal(table.count, model.size);
                const slots = [...model.keys()].map((id) => table.slotOf(id)!);
                assert.deepEqual([...table.liveSlots()], slots.sort((x, y) => x - y));
              }
              for (const [id, v] of model) {
                assert.ok(table.has(id));
                assert.deepEqual(table.get(id)!.toObject(), v);
              }
              for (const id of dead) assert.equal(table.get(id), undefined);
              const seen = new Map<number, unknown>();
              table.forEach((p, id) => seen.set(id, p.toObject()));
              assert.deepEqual(seen, new Map([...model].map(([k, v]) => [k, v])));
            }),
            { numRuns: 60 },
          );
        });
      }
    }
  }
});
