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

const S = t.struct({ pos: t.vec2f(), hist: t.array(t.f32(), 2), n: t.u16() }, { name: "Order" });
const first = { pos: { x: 1, y: 2 }, hist: [3, 4], n: 5 };
const next = { pos: { x: 6, y: 7 }, hist: [8, 9], n: 10 };

type Target = { set(v: unknown): unknown; pos: unknown; hist: unknown };

interface Place {
  /** The view of a live record holding `first`. */
  view(): Target;
  /** Frees that record and makes another, holding `next`, in its memory; returns a reader. */
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
  ];
}

function check(name: string, place: () => Place): void {
  it(name, () => {
    for (let k = 0; k < 3; k++) {
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
        check(`table (${layout}, shared: ${shared}, jitless: ${jitless})`, () => {
          const table = new Table(S, { capacity: 4, layout, shared, jitless });
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
      check(`arena (shared: ${shared}, jitless: ${jitless})`, () => {
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
