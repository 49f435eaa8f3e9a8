/**
 * `alloc(S, init)` reads and checks the whole init before it allocates, then writes it from
 * locals: a getter of the init that allocates, resets or fills the same arena meanwhile never
 * has its record overwritten, and a bad value at any depth allocates nothing.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as t from "../../../schemas/t.ts";
import { Arena } from "../../../lib/memory/arena.ts";
import { ArenaFullError } from "../../../lib/errors.ts";

const P = t.struct({ pos: t.vec2f(), hp: t.u16(), tag: t.enum(["a", "b"]) }, { name: "AllocP" });
const Q = t.struct({ w: t.f64(), n: t.u8() }, { name: "AllocQ" });
const full = (i: number) => ({ pos: { x: i + 0.5, y: -i }, hp: i, tag: "b" as const });

for (const jitless of [false, true]) {
  for (const checked of [true, false]) {
    describe(`alloc(S, init) (jitless: ${jitless}, checked: ${checked})`, () => {
      const make = (bytes = 256, overflow: "throw" | "grow" = "throw") =>
        new Arena({ bytes, jitless, checked, overflow });

      it("a getter that allocates other records meanwhile: each keeps its own values", () => {
        const arena = make();
        const inner: unknown[] = [];
        const init = {
          ...full(2),
          get hp() {
            inner.push(arena.alloc(P, full(3)).toObject());
            inner.push(arena.alloc(Q, { w: 1.25, n: 7 }).toObject());
            return 2;
          },
        };
        const v = arena.alloc(P, init);
        assert.deepEqual(v.toObject(), full(2));
        assert.deepEqual(inner, [full(3), { w: 1.25, n: 7 }]);
        assert.equal(arena.allocations, 3);
        // The bytes taken are those of the same three records allocated one after the other.
        const twin = make();
        twin.alloc(P, full(3));
        twin.alloc(Q, { w: 1.25, n: 7 });
        twin.alloc(P, full(2));
        assert.equal(arena.used, twin.used);
      });

      it("a getter that resets the arena: the record is allocated after the reset", () => {
        const arena = make();
        const old = arena.alloc(P, full(1));
        const init = {
          ...full(4),
          get tag(): "a" | "b" {
            arena.reset();
            return "a";
          },
        };
        const v = arena.alloc(P, init);
        assert.deepEqual(v.toObject(), { ...full(4), tag: "a" });
        if (checked) assert.throws(() => old.hp, /stale|freed|reset/i);
        assert.equal(arena.allocations, 1);
      });

      it("a getter that fills the arena: alloc throws, tryAlloc gives undefined, no write", () => {
        const size = 16;
        const arena = make(2 * size);
        arena.alloc(P, full(1));
        let second: unknown;
        const init = {
          get hp() {
            second ??= arena.alloc(P, full(5)).toObject();
            return 9;
          },
        };
        assert.equal(arena.tryAlloc(P, init), undefined);
        assert.deepEqual(second, full(5));
        assert.throws(() => arena.alloc(P, init), ArenaFullError);
        assert.equal(arena.allocations, 2);
      });

      it("a getter that makes the arena grow: the record lands in the new chunk", () => {
        const arena = make(32, "grow");
        const made: unknown[] = [];
        const init = {
          ...full(6),
          get hp() {
            for (let i = 0; i < 4; i++) made.push(arena.alloc(P, full(10 + i)));
            return 6;
          },
        };
        const v = arena.alloc(P, init);
        assert.deepEqual(v.toObject(), full(6));
        assert.deepEqual(
          made.map((m) => (m as { toObject(): unknown }).toObject()),
          [10, 11, 12, 13].map(full),
        );
      });

      it("a bad value at any depth: an error naming it, and nothing allocated", () => {
        const arena = make();
        arena.alloc(P, full(1));
        const used = arena.used;
        const bad: [unknown, RegExp][] = [
          [{ pos: { x: "1" } }, /pos\.x/],
          [{ pos: { x: 1, z: 2 } }, /pos\.z/],
          [{ pos: 3 }, /pos/],
          [{ hp: -1 }, /hp/],
          [{ tag: "c" }, /tag/],
          [{ zz: 1 }, /zz/],
        ];
        for (const [value, names] of bad) {
          assert.throws(() => arena.alloc(P, value as never), names);
          assert.throws(() => arena.tryAlloc(P, value as never), names);
        }
        assert.equal(arena.used, used);
        assert.equal(arena.allocations, 1);
        assert.deepEqual(arena.alloc(P, full(2)).toObject(), full(2));
      });
    });
  }
}
