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
