// A loop cursor of a checked table kept past its loop (forEach, where().forEach, for…of, a loop
// whose callback threw) throws StaleViewError at every field and method, good value or bad,
// in both layouts and builders, shared or not (by trap, or by its generation). Its record is
// untouched, and the table goes on. Unchecked tables promise nothing here (see the README).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as t from "../../../schemas/t.ts";
import { Table } from "../../../lib/table/table.ts";
import { StaleViewError } from "../../../lib/errors.ts";

const Inner = t.struct({ x: t.f64(), on: t.bool() }, { name: "Inner" });
const S = t.struct({
  life: t.f32(),
  id: t.u16(),
  big: t.i64(),
  kind: t.enum(["p", "q"]),
  pos: t.vec2f(),
  inner: Inner,
}, { name: "Rec" });

type Rec = ReturnType<Table<typeof S>["get"]> & object;

function touches(kept: Rec): [string, () => unknown][] {
  return [
    ["life", () => kept.life],
    ["life", () => (kept.life = 2.5)],
    ["life", () => (kept.life = "2.5" as unknown as number)],
    ["id", () => (kept.id = 70000)],
    ["big", () => (kept.big = 5n)],
    ["kind", () => kept.kind],
    ["kind", () => (kept.kind = "q")],
    ["pos", () => kept.pos.x],
    ["inner", () => kept.inner.on],
    ["set", () => kept.set({ life: 1 })],
    ["toObject", () => kept.toObject()],
  ];
}

const modes = [
  { checked: true, shared: false },
  { checked: true, shared: true },
];

for (const layout of ["aos", "soa"] as const) {
  for (const jitless of [false, true]) {
    for (const { checked, shared } of modes) {
      const name = `${layout}, ${
        jitless ? "jitless" : "jit"
      }, checked ${checked}, shared ${shared}`;
      describe(`a kept loop cursor (${name})`, () => {
        const loops: [string, (tb: Table<typeof S>) => Rec][] = [
          ["forEach", (tb) => {
            let k: Rec | undefined;
            tb.forEach((p) => (k = p as Rec));
            return k!;
          }],
          ["where().forEach", (tb) => {
            let k: Rec | undefined;
            tb.where(() => true).forEach((p) => (k = p as Rec));
            return k!;
          }],
          ["for…of", (tb) => {
            let k: Rec | undefined;
            for (const p of tb) k = p as Rec;
            return k!;
          }],
          ["a throwing forEach", (tb) => {
            let k: Rec | undefined;
            assert.throws(() =>
              tb.forEach((p) => {
                k = p as Rec;
                throw new Error("boom");
              }), /boom/);
            return k!;
          }],
        ];
        for (const [loop, keep] of loops) {
          it(`throws StaleViewError after ${loop}, and its record is unchanged`, () => {
            const tb = new Table(S, { capacity: 4, layout, jitless, checked, shared });
            const id = tb.create({ life: 0.5, id: 3, kind: "p", inner: { x: 1.5 } });
            const before = tb.get(id)!.toObject();
            const kept = keep(tb);
            for (const [path, touch] of touches(kept)) {
              assert.throws(touch, (e: unknown) => {
                assert.ok(e instanceof StaleViewError, `${path}: ${String(e)}`);
                // A whole-record method names itself, or the first field it touched.
                if (path !== "set" && path !== "toObject") {
                  assert.equal(e.path.split(".")[0], path);
                }
                return true;
              });
            }
            assert.deepEqual(tb.get(id)!.toObject(), before);
            tb.forEach((p) => (p.life = 0.25));
            assert.equal(tb.get(id)!.life, 0.25);
          });
        }
      });
    }
  }
}

// Unchecked tables promise no lifetimes, but a kept cursor still never reaches a record: it
// points at memory of no bytes, where both builders drop a valid scalar write (packed fields,
// read through a DataView, included) and refuse a bad one with the field's error.
const Packed = t.struct(
  { a: t.u8(), b: t.f64(), c: t.i32(), k: t.enum(["p", "q"]), on: t.bool() },
  {
    name: "Packed",
    layout: "packed",
  },
);
for (const layout of ["aos", "soa"] as const) {
  for (const jitless of [false, true]) {
    for (const S2 of layout === "aos" ? [S, Packed] : [S]) {
      it(`an unchecked table's kept cursor drops scalar writes (${layout}, ${S2.name}, ${jitless ? "jitless" : "jit"})`, () => {
        const tb = new Table(S2 as typeof Packed, { capacity: 4, layout, jitless, checked: false });
        const id = tb.create(
          (S2 === Packed ? { a: 1, k: "p" } : { life: 0.5, kind: "p" }) as never,
        );
        const before = tb.get(id)!.toObject();
        let kept: Record<string, unknown> = {};
        tb.forEach((p) => (kept = p as unknown as Record<string, unknown>));
        const fields = S2 === Packed
          ? { a: 2, b: 1.5, c: -3, k: "q", on: true }
          : { life: 2.5, id: 7, big: 5n, kind: "q" };
        for (const [f, v] of Object.entries(fields)) kept[f] = v;
        assert.throws(() => (kept[S2 === Packed ? "c" : "id"] = 0.5), RangeError);
        assert.deepEqual(tb.get(id)!.toObject(), before);
      });
    }
  }
}

// An element view a loop cursor hands out (`cursor.items.at(i)`) is a view of its record, not
// of the cursor: it outlives the loop while the record lives, and throws once the record is
// deleted, even when another record then takes the slot (loop cursors share their memory
// object, so the element view must not take the cursor's).
const El = t.struct({ x: t.f32(), y: t.f32() }, { name: "El" });
const WithItems = t.struct({ life: t.f32(), items: t.array(El, 3) }, { name: "WithItems" });
for (const jitless of [false, true]) {
  for (const { checked, shared } of modes) {
    it(
      `an element view from a loop cursor lives as long as its record (aos, ${
        jitless ? "jitless" : "jit"
      }, shared ${shared})`,
      () => {
        const tb = new Table(WithItems, { capacity: 4, layout: "aos", jitless, checked, shared });
        const a = tb.create({ life: 1, items: [{ x: 1, y: 2 }, { x: 3, y: 4 }, { x: 5, y: 6 }] });
        tb.create({ life: 2 });
        let kept: { x: number } | undefined;
        tb.forEach((p) => {
          if (p.life === 1) kept = p.items.at(1) as { x: number };
        });
        assert.equal(kept!.x, 3);
        tb.forEach(() => {});
        assert.equal(kept!.x, 3);
        tb.delete(a);
        const c = tb.create({
          life: 3,
          items: [{ x: 7, y: 8 }, { x: 9, y: 10 }, { x: 11, y: 12 }],
        });
        assert.equal(tb.get(c)!.items.at(1).x, 9);
        assert.throws(() => kept!.x, StaleViewError);
        assert.throws(() => (kept!.x = 0.5), StaleViewError);
        assert.equal(tb.get(c)!.items.at(1).x, 9);
      },
    );
  }
}

// Loop cursors of one generation read one memory object: ending or freeing one of them must
// leave the others, and a cursor ended earlier, as they were.
for (const layout of ["aos", "soa"] as const) {
  for (const jitless of [false, true]) {
    it(
      `nested loops end and free their own cursors only (${layout}, ${
        jitless ? "jitless" : "jit"
      })`,
      () => {
        const tb = new Table(S, { capacity: 8, layout, jitless });
        const a = tb.create({ life: 1 });
        const b = tb.create({ life: 2 });
        tb.create({ life: 3 });
        const old = (() => {
          let k: Rec | undefined;
          tb.forEach((p) => (k = p as Rec));
          return k!;
        })();
        const seen: number[] = [];
        let inner: Rec | undefined;
        tb.forEach((outer, id) => {
          if (id !== a) return;
          tb.forEach((p, id2) => {
            if (id2 === b) {
              inner = p as Rec;
              tb.delete(b);
            }
          });
          // The inner loop ended, and freed the record under its cursor: the outer goes on.
          seen.push(outer.life);
          outer.life = 1.5;
          assert.throws(() => inner!.life, StaleViewError);
          assert.throws(() => old.life, StaleViewError);
        });
        assert.deepEqual(seen, [1]);
        assert.equal(tb.get(a)!.life, 1.5);
        assert.equal(tb.count, 2);
        assert.throws(() => (old.life = 2), StaleViewError);
        tb.forEach((p) => seen.push(p.life));
        assert.deepEqual(seen, [1, 1.5, 3]);
      },
    );
  }
}

// A schema of scalars only: its loop cursor has no child views, so ending it is one store of
// its memory object, which the generated loops make themselves.
const Flat = t.struct({ life: t.f32(), id: t.u16(), kind: t.enum(["p", "q"]) }, { name: "Flat" });
for (const layout of ["aos", "soa"] as const) {
  for (const jitless of [false, true]) {
    for (const { checked, shared } of modes) {
      it(
        `a kept loop cursor of a flat schema throws after each loop (${layout}, ${
          jitless ? "jitless" : "jit"
        }, shared ${shared})`,
        () => {
          const tb = new Table(Flat, { capacity: 4, layout, jitless, checked, shared });
          const id = tb.create({ life: 0.5, id: 3, kind: "p" });
          const before = tb.get(id)!.toObject();
          type F = { life: number; id: number; kind: string; set(v: unknown): unknown };
          const kept: F[] = [];
          tb.forEach((p) => void kept.push(p as unknown as F));
          tb.where(() => true).forEach((p) => void kept.push(p as unknown as F));
          for (const p of tb) kept.push(p as unknown as F);
          for (const k of kept) {
            assert.throws(() => k.life, StaleViewError);
            assert.throws(() => (k.life = 2), StaleViewError);
            assert.throws(() => (k.id = 4), StaleViewError);
            assert.throws(() => (k.kind = "q"), StaleViewError);
            assert.throws(() => k.set({ life: 1 }), StaleViewError);
          }
          assert.deepEqual(tb.get(id)!.toObject(), before);
        },
      );
    }
  }
}

// Loop cursors share their memory object only within a generation: a loop after a delete must
// not take the copy an earlier loop made, or the arrays of a record created since then look
// freed (AoS copies carry the generation they were made in).
for (const jitless of [false, true]) {
  for (const { checked, shared } of modes) {
    it(
      `a loop after a delete reads records created since (aos, ${
        jitless ? "jitless" : "jit"
      }, shared ${shared})`,
      () => {
        const tb = new Table(WithItems, { capacity: 8, layout: "aos", jitless, checked, shared });
        tb.create({ life: 1, items: [{ x: 1, y: 1 }, { x: 2, y: 2 }, { x: 0, y: 0 }] });
        const b = tb.create({ life: 2 });
        tb.forEach(() => {});
        tb.delete(b);
        tb.create({ life: 3, items: [{ x: 3, y: 3 }, { x: 4, y: 4 }, { x: 0, y: 0 }] });
        const seen: unknown[] = [];
        tb.forEach((p, id) => {
          seen.push(p.life, (p.items.at(1) as { x: number }).x, tb.idOf(p) === id);
        });
        for (const p of tb) seen.push((p.items.at(0) as { x: number }).x);
        assert.deepEqual(seen, [1, 2, true, 3, 4, true, 1, 3]);
      },
    );
  }
}
