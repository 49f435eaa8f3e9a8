// Schemas as structured-clone data: what a table handle carries across threads.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as t from "../../schemas/t.ts";
import { layoutOf } from "../../schemas/layout.ts";
import { fromWire, toWire, type WireSchema } from "../../schemas/wire.ts";
import type { StructSchema } from "../../schemas/types.ts";
import { Table } from "../../lib/table/table.ts";

const Ship = t.struct({ hp: t.f32(), v: t.vec2f(), tag: t.string(4), k: t.enum(["a", "b"]) }, {
  name: "Ship",
});
const Bullet = t.struct({
  from: t.ref(Ship),
  x: t.f32(),
  hits: t.array(t.ref(Ship), 2),
  self: t.ref((): StructSchema => Bullet),
}, { name: "Bullet", layout: "packed" });

// What another thread receives: the same data under ids this thread never made.
function foreign<S extends StructSchema>(w: WireSchema<S>, tag: string): WireSchema<S> {
  const c = structuredClone(w);
  return { ...c, ids: c.ids.map((id) => `${tag}/${id}`) };
}

describe("toWire() / fromWire()", () => {
  it("survives structuredClone, which a schema with t.ref() does not", () => {
    assert.throws(() => structuredClone(Bullet));
    const w = structuredClone(toWire(Bullet));
    assert.deepEqual(w.structs.length, 2);
  });

  it("gives back the very schema objects in the thread that made them", () => {
    assert.equal(fromWire(structuredClone(toWire(Bullet))), Bullet);
  });

  it("rebuilds a foreign schema with the same layout, references and identity per struct", () => {
    const w = foreign(toWire(Bullet), "x");
    const b = fromWire(w);
    assert.notEqual(b, Bullet);
    // (Layouts hold their field schemas, whose t.ref() functions differ: compare them as JSON.)
    const same = (x: StructSchema, y: StructSchema) =>
      assert.equal(JSON.stringify(layoutOf(x)), JSON.stringify(layoutOf(y)));
    same(b, Bullet);
    const from = b.fields.from as { kind: "ref"; target(): StructSchema };
    const self = b.fields.self as { kind: "ref"; target(): StructSchema };
    assert.equal(self.target(), b);
    same(from.target(), Ship);
    assert.deepEqual(b.fields.x, Bullet.fields.x);
    assert.deepEqual((from.target().fields as Record<string, unknown>).v, Ship.fields.v);
    // The same struct decodes to the same object, in this wire and in the next.
    const hits = b.fields.hits as { element: { target(): StructSchema } };
    assert.equal(hits.element.target(), from.target());
    assert.equal(fromWire(foreign(toWire(Ship), "x")), from.target());
    assert.ok(Object.isFrozen(b) && Object.isFrozen(b.fields));
  });

  it("refuses malformed wire data", () => {
    const w = toWire(Bullet);
    for (
      const bad of [
        undefined,
        { ...w, kind: "x" },
        { ...w, ids: [] },
        {
          ...w,
          ids: ["a", "b"],
          structs: [{ kind: "struct", fields: { r: { kind: "ref", struct: 9 } } }, {}],
        },
        { ...w, ids: ["c"], structs: [{ kind: "f32" }] },
      ]
    ) {
      assert.throws(() => fromWire(bad as never), TypeError);
    }
  });

  it("lets a table with references cross threads and resolve them", () => {
    const ships = new Table(Ship, { capacity: 4, shared: true });
    const bullets = new Table(Bullet, { capacity: 4, shared: true, refs: [ships] });
    const s = ships.create({ hp: 7 });
    const b = bullets.create({ from: s, x: 1 });
    // Both handles decoded as another thread would: new schema objects, shared between them.
    const away = <H extends { schema: WireSchema }>(h: H): H => ({
      ...structuredClone(h),
      schema: foreign(h.schema, "y"),
    });
    const theirShips = Table.open(away(ships.handle()));
    const there = Table.open(away(bullets.handle()), { refs: [theirShips] });
    assert.notEqual(there.schema, Bullet);
    assert.equal((there.get(b) as unknown as { from: { hp: number } }).from.hp, 7);
  });
});
