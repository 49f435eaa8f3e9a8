/** Regression tests of issue #14 ("Every promise holds under attack") for tables. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as t from "../../../schemas/t.ts";
import type { StructSchema } from "../../../schemas/types.ts";
import { Table } from "../../../lib/table/table.ts";
import { LayoutError, RefError, StaleViewError, TableFullError } from "../../../lib/errors.ts";
import { Arena } from "../../../lib/memory/arena.ts";
import { copyTo, FrameArenas } from "../../../lib/memory/frame_arenas.ts";
import { bufferOf, offsetOf } from "../../../lib/memory/views.ts";
import { layoutOf } from "../../../schemas/layout.ts";
import { decodeSnapshot, encodeSnapshot } from "../../../lib/snapshot/envelope.ts";
import { TABLE_SECTION } from "../../../lib/snapshot/table_section.ts";
import { MAX_GEN, TAG_UNIT, tagOf } from "../../../lib/table/ids.ts";
import { each, Particle } from "./_fixtures.ts";

// A value that passes the check, then fails on a later read: what create() must survive.
function flaky(): unknown {
  let reads = 0;
  return {
    get hp() {
      if (++reads > 1) throw new Error("changed its mind");
      return 1;
    },
  };
}

describe("Table.create() that fails", () => {
  each((layout, jitless) => {
    it("gives its slot back (issue #14, item 7)", () => {
      const S = t.struct({ hp: t.u8() }, { name: "LeakProbe" });
      const table = new Table(S, { capacity: 2, layout, jitless });
      // Whether create() reads its input once or twice, a failure must not use up a slot.
      const made = new Set<number>();
      const attempt = () => {
        try {
          made.add(table.create(flaky() as never));
        } catch (e) {
          assert.ok(!(e instanceof TableFullError), "a failed create leaked a slot");
        }
      };
      attempt();
      attempt();
      assert.equal(table.count, made.size);
      for (const id of made) table.delete(id);
      made.clear();
      attempt(); // on a free-list slot now
      assert.equal(table.count, made.size);
      while (table.count < 2) made.add(table.create({ hp: 4 }));
      assert.equal(made.size, 2);
      for (const id of made) assert.ok(table.get(id)!.hp >= 1);
      assert.throws(() => table.create(), TableFullError);
    });
  });
});

describe("Table views across 2³¹ generations", () => {
  each((layout, jitless) => {
    it("a view of a deleted record stays stale, whatever the counter (issue #14, item 2)", () => {
      const S = t.struct({ hp: t.u8() }, { name: "WrapProbe" });
      const table = new Table(S, { capacity: 1, layout, jitless });
      const a = table.create({ hp: 1 });
      const v = table.get(a)!;
      // 2³¹ deletes or clears take minutes; move the table's generation cell (what the view
      // compares with) there instead, as they would.
      (v as unknown as { $s: { g: number } }).$s.g += 2 ** 31 + 5;
      table.delete(a);
      const b = table.create({ hp: 2 });
      assert.equal(table.get(b)!.hp, 2);
      assert.throws(() => v.hp, StaleViewError);
      assert.throws(() => {
        v.hp = 3;
      }, StaleViewError);
      assert.equal(table.get(b)!.hp, 2);
      // And a view taken now keeps working as the counter goes on.
      const w = table.get(b)!;
      for (let i = 0; i < 3; i++) {
        table.clear();
        table.create({ hp: 9 });
      }
      assert.throws(() => w.hp, StaleViewError);
    });
  });
});

describe("Table ids of another table", () => {
  each((layout, jitless) => {
    it("do not resolve, and restored tables keep the snapshot's ids (issue #14, item 14)", () => {
      const S = t.struct({ hp: t.u8() }, { name: "TagProbe" });
      const a = new Table(S, { capacity: 4, layout, jitless });
      const b = new Table(S, { capacity: 4, layout, jitless });
      const ia = a.create({ hp: 1 });
      const ib = b.create({ hp: 2 });
      assert.equal(a.slotOf(ia), b.slotOf(ib), "same slot, same counter");
      assert.notEqual(ia, ib);
      assert.equal(b.get(ia), undefined);
      assert.equal(b.has(ia), false);
      assert.equal(b.update(ia, { hp: 7 }), false);
      assert.equal(b.delete(ia), false);
      assert.equal(b.get(ib)!.hp, 2);
      assert.equal(a.get(ib), undefined);
      // Ids survive JSON, and a table restored from a's snapshot resolves a's ids (not b's).
      const c = new Table(S, { capacity: 4, layout, jitless });
      c.restore(a.snapshot());
      assert.equal(c.get(JSON.parse(JSON.stringify(ia)))!.hp, 1);
      assert.equal(c.get(ib), undefined);
      const ic = c.create({ hp: 3 });
      assert.equal(a.get(ic), undefined, "new records of c may alias new ones of a only");
      assert.notEqual(ic, ia);
    });
  });

  it("differ for 64 tables made one after the other", () => {
    const S = t.struct({ hp: t.u8() }, { name: "TagProbe64" });
    const firsts = new Set<number>();
    const tables: Table<typeof S>[] = [];
    for (let i = 0; i < 64; i++) {
      const table = new Table(S, { capacity: 1 });
      firsts.add(table.create());
      tables.push(table);
    }
    assert.equal(firsts.size, 64);
    for (const table of tables) {
      assert.equal([...firsts].filter((id) => table.has(id)).length, 1);
    }
  });
});

describe("Table references (refs option)", () => {
  const Ship = t.struct({ hp: t.f32() }, { name: "RefShip" });
  const Bullet = t.struct({ from: t.ref(Ship), x: t.f32() }, { name: "RefBullet" });
  const refError = (path: string) => (e: unknown) =>
    e instanceof RefError && e instanceof ReferenceError && e.path === path &&
    e.message.startsWith(`Cannot resolve "${path}": `);

  each((layout, jitless) => {
    it("resolve against the given table; a second table of the target schema changes nothing (issue #14, item 12)", () => {
      const ships = new Table(Ship, { capacity: 4, layout, jitless });
      const bullets = new Table(Bullet, { capacity: 4, layout, jitless, refs: { from: ships } });
      const s = ships.create({ hp: 7 });
      const b = bullets.create({ from: s, x: 1 });
      const other = new Table(Ship, { capacity: 4, layout, jitless });
      const o = other.create({ hp: 99 });
      assert.equal(bullets.get(b)!.from?.hp, 7);
      bullets.update(b, { from: o });
      assert.equal(bullets.get(b)!.from, undefined, "an id of another Ship table");
      const listed = new Table(Bullet, { capacity: 4, layout, jitless, refs: [other] });
      assert.equal(listed.get(listed.create({ from: o }))!.from?.hp, 99);
    });

    it("refuse ambiguity and unbound reads with RefError naming the field", () => {
      const a = new Table(Ship, { capacity: 4, layout, jitless });
      const b = new Table(Ship, { capacity: 4, layout, jitless });
      assert.throws(() => new Table(Bullet, { capacity: 4, refs: [a, b] }), refError("from"));
      assert.throws(
        () => new Table(Bullet, { capacity: 4, refs: { x: a } as never }),
        refError("x"),
      );
      const bullets = new Table(Bullet, { capacity: 4, layout, jitless, refs: { from: a } });
      assert.throws(
        () => new Table(Bullet, { capacity: 4, refs: { from: bullets } as never }),
        refError("from"),
      );
      assert.throws(
        () => new Table(Bullet, { capacity: 4, refs: { from: {} } as never }),
        refError("from"),
      );
      const unbound = new Table(Bullet, { capacity: 4, layout, jitless });
      const id = unbound.create({ from: a.create({ hp: 1 }) });
      assert.throws(() => unbound.get(id)!.from, refError("from"));
      assert.equal(unbound.get(unbound.create())!.from, undefined, "a null ref reads undefined");
      assert.deepEqual(unbound.get(id)!.toObject().x, 0);
    });

    it("resolve a field of the table's own schema against itself, and nested fields by path", () => {
      const Node: StructSchema = t.struct({
        v: t.f32(),
        next: t.ref(() => Node),
      }, { name: "RefNode" });
      const nodes = new Table(Node, { capacity: 4, layout, jitless });
      const n1 = nodes.create({ v: 1 });
      const n2 = nodes.create({ v: 2, next: n1 });
      assert.equal((nodes.get(n2) as { next?: { v: number } }).next?.v, 1);
      const Fleet = t.struct({ lead: t.struct({ ship: t.ref(Ship) }) }, { name: "RefFleet" });
      const ships = new Table(Ship, { capacity: 4 });
      const fleets = new Table(Fleet, {
        capacity: 4,
        layout,
        jitless,
        refs: { "lead.ship": ships },
      });
      const f = fleets.create({ lead: { ship: ships.create({ hp: 5 }) } });
      assert.equal(fleets.get(f)!.lead.ship?.hp, 5);
    });
  });
});

describe("Copying table records into arenas; bufferOf / offsetOf", () => {
  each((layout, jitless) => {
    it("copy, copyTo and promote copy a record of either layout (issue #14, item 13)", () => {
      const table = new Table(Particle, { capacity: 4, layout, jitless });
      const init = {
        pos: { x: 1.5, y: -2 },
        vel: { x: 0.25, y: 4 },
        life: 0.5,
        hp: 7,
        kind: "smoke",
        name: "ada",
        hist: [1, 2, 3],
        big: -5n,
        alive: true,
      } as const;
      const id = table.create(init);
      const v = table.get(id)!;
      const arena = new Arena({ bytes: 1024 });
      const copies = [
        arena.copy(v),
        copyTo(v, arena),
        new FrameArenas({ bytes: 256 }).promote(v, arena),
      ];
      table.update(id, { life: 9, pos: { x: 0 } });
      for (const c of copies) {
        assert.deepEqual(c.toObject(), init);
        assert.equal(new DataView(bufferOf(c)).getFloat32(offsetOf(c), true), 1.5);
      }
      const pos = arena.copy(v.pos);
      assert.deepEqual(pos.toObject(), { x: 0, y: -2 });
      table.delete(id);
      assert.throws(() => arena.copy(v), StaleViewError);
    });

    it("bufferOf and offsetOf answer for AoS records and throw LayoutError for SoA ones", () => {
      const table = new Table(Particle, { capacity: 4, layout, jitless });
      table.create();
      const v = table.get(table.create({ life: 0.75 }))!;
      const life = layoutOf(Particle).fields.find((f) => f.name === "life")!.offset;
      if (layout === "aos") {
        assert.equal(new DataView(bufferOf(v)).getFloat32(offsetOf(v) + life, true), 0.75);
        assert.equal(offsetOf(v), layoutOf(Particle).size);
      } else {
        for (const f of [bufferOf, offsetOf]) {
          for (const target of [v, v.pos]) {
            assert.throws(() => f(target), (e: unknown) => {
              assert.ok(e instanceof LayoutError && e instanceof TypeError);
              assert.equal(e.layout, "soa");
              assert.match(e.message, /^Cannot take the (buffer|offset) of a "soa" table record: /);
              return true;
            });
          }
        }
        assert.throws(() => arena().copy(v.vel), LayoutError);
      }
    });
  });
});

const arena = () => new Arena({ bytes: 256 });

describe("Table slot retirement", () => {
  each((layout, jitless) => {
    it("retires a slot at its last generation instead of carrying into the tag", () => {
      const S = t.struct({ hp: t.u8() }, { name: "RetireProbe" });
      const a = new Table(S, { capacity: 1, layout, jitless });
      a.delete(a.create());
      // A snapshot whose only slot is one life from retirement (forged through the documented
      // format: section 1 holds the generation words).
      const { fingerprint, sections } = decodeSnapshot(a.snapshot(), "table");
      const secs = sections.map((s) => s.slice());
      const gens = new Uint32Array(secs[TABLE_SECTION.gens].buffer);
      gens[0] = tagOf(gens[0]) * TAG_UNIT + MAX_GEN - 1;
      a.restore(encodeSnapshot("table", fingerprint, secs));
      const last = a.create({ hp: 1 });
      assert.equal(tagOf(Math.floor(last / 2 ** 24)), tagOf(gens[0]));
      assert.equal(a.get(last)!.hp, 1);
      a.delete(last);
      assert.equal(a.get(last), undefined);
      assert.throws(() => a.create(), TableFullError, "the retired slot is not reused");
      a.clear();
      assert.throws(() => a.create(), TableFullError, "not even after clear()");
      const snap = a.snapshot();
      const b = new Table(S, { capacity: 1, layout, jitless });
      b.restore(snap);
      assert.throws(() => b.create(), TableFullError, "nor after a restore");
    });
  });
});
