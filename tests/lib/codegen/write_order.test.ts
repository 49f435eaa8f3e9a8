/**
 * A checked view's `set(value)` and its struct and array field setters read the value first, and
 * test the record's lifetime again before they write: a getter of the value may free the record
 * and hand its memory to another (delete then create, reset then alloc). The write must then
 * throw StaleViewError and leave the other record as it was, in every kind of table and arena.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as t from "../../../schemas/t.ts";
import { Table } from "../../../lib/table/table.ts";
import { Arena } from "../../../lib/memory/arena.ts";
import { StaleViewError } from "../../../lib/errors.ts";

const Item = t.struct({ a: t.f32() }, { name: "OrderItem" });
const S = t.struct({
  pos: t.vec2f(),
  hist: t.array(t.f32(), 2),
  items: t.array(Item, 2),
  n: t.u16(),
}, { name: "Order" });
// SoA tables hold no arrays of structs.
const SoaS = t.struct({ pos: t.vec2f(), hist: t.array(t.f32(), 2), n: t.u16() }, {
  name: "OrderSoa",
});
const records = (items: boolean) => {
  const first = { pos: { x: 1, y: 2 }, hist: [3, 4], items: [{ a: 1 }, { a: 2 }], n: 5 };
  const next = { pos: { x: 6, y: 7 }, hist: [8, 9], items: [{ a: 3 }, { a: 4 }], n: 10 };
  if (items) return { first, next };
  const { items: _a, ...f } = first;
  const { items: _b, ...n } = next;
  return { first: f, next: n };
};

type Target = {
  set(v: unknown): unknown;
  pos: unknown;
  hist: unknown;
  items: { setAt(i: number, v: unknown): void };
};

interface Place {
  /** The view of a live record holding the first record of `records()`. */
  view(): Target;
  /** Frees that record and makes the next one in its memory; returns a reader of it. */
  reuse(): () => unknown;
}

// A value for each write whose getter runs `during` while it is read.

function hostile(during: () => void): [string, (v: Target) => void][] {
  const once = () => {
    const f = during;
    during = () => {};
    f();
  };
  return [
    ["set()", (v) =>
      v.set({
        get n() {
          once();
          return 11;
        },
      })],
    ["a struct field", (v) => (v.pos = {
      get x() {
        once();
        return 11;
      },
      y: 12,
    })],
    [
      "an array field",
      (v) => (v.hist = new Proxy([11, 12], {
        get(target, key, receiver) {
          if (key === "0") once();
          return Reflect.get(target, key, receiver);
        },
      })),
    ],
    ["an array element", (v) =>
      v.items.setAt(0, {
        get a() {
          once();
          return 11;
        },
      })],
  ];
}

function check(name: string, items: boolean, place: () => Place): void {
  it(name, () => {
    const { next } = records(items);
    const writes = items ? 4 : 3;
    for (let k = 0; k < writes; k++) {
      const p = place();
      const v = p.view();
      let read: (() => unknown) | undefined;
      const [what, write] = hostile(() => (read = p.reuse()))[k];
      assert.throws(() => write(v), StaleViewError, what);
      assert.deepEqual(read!(), next, what);
    }
  });
}

describe("writes through a checked view test its lifetime after reading the value", () => {
  for (const jitless of [false, true]) {
    for (const shared of [false, true]) {
      for (const layout of ["aos", "soa"] as const) {
        const items = layout === "aos";
        const { first, next } = records(items);
        check(`table (${layout}, shared: ${shared}, jitless: ${jitless})`, items, () => {
          const table = new Table((items ? S : SoaS) as typeof S, {
            capacity: 4,
            layout,
            shared,
            jitless,
          });
          const id = table.create(first);
          return {
            view: () => table.get(id)! as never,
            reuse: () => {
              table.delete(id);
              const other = table.create(next);
              assert.equal(table.slotOf(other), table.slotOf(id) ?? 0);
              return () => table.get(other)!.toObject();
            },
          };
        });
      }
      const { first, next } = records(true);
      check(`arena (shared: ${shared}, jitless: ${jitless})`, true, () => {
        const arena = new Arena({ bytes: 256, shared, jitless });
        const view = arena.alloc(S, first);
        return {
          view: () => view as never,
          reuse: () => {
            arena.reset();
            const other = arena.alloc(S, next);
            return () => other.toObject();
          },
        };
      });
    }
  }
});

describe("a struct array's setJSON tests its lifetime after reading the records", () => {
  for (const jitless of [false, true]) {
    for (const shared of [false, true]) {
      it(`shared: ${shared}, jitless: ${jitless}`, () => {
        const { first, next } = records(true);
        const arena = new Arena({ bytes: 256, shared, jitless });
        const arr = arena.allocArray(S, 1);
        arr.at(0).set(first);
        let other: { toObject(): unknown } | undefined;
        const json = [{
          ...first,
          get n() {
            arena.reset();
            other = arena.allocArray(S, 1);
            other = (other as unknown as { at(i: number): { set(v: unknown): unknown } }).at(0)
              .set(next) as never;
            return 11;
          },
        }];
        assert.throws(() => arr.setJSON(json), StaleViewError);
        assert.deepEqual(other!.toObject(), next);
      });
    }
  }
});
