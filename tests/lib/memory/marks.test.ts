// Regression tests for hostile marks (issue #14, item 1): a release must never free memory a
// live allocation holds.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Arena, InvalidMarkError, offsetOf, StaleViewError, t } from "../../../mod.ts";

const U = t.struct({ a: t.u32() });
const Big = t.struct({ a: t.f64(), b: t.f64() });

// A mark at 4, then the memory under it is freed and a 16-byte record placed over it.
function straddled(arena: Arena) {
  const big = arena.alloc(Big, { a: 1, b: 2 });
  assert.deepEqual([offsetOf(big), arena.used], [0, 16]);
  return big;
}

function refuses(arena: Arena, mark: unknown, reason: string, big: { a: number; b: number }) {
  const used = arena.used;
  const gen = arena.generation;
  assert.throws(() => arena.release(mark as never), (e: unknown) => {
    assert.ok(e instanceof InvalidMarkError);
    assert.ok(e instanceof RangeError);
    assert.equal(e.name, "InvalidMarkError");
    assert.equal(e.reason, reason);
    assert.equal(e.mark, mark);
    return true;
  });
  // Nothing was freed: the next allocation does not overlap the live record.
  assert.deepEqual([arena.used, arena.generation], [used, gen]);
  const next = arena.alloc(U, { a: 7 });
  assert.ok(offsetOf(next) >= 16);
  assert.deepEqual([big.a, big.b, next.a], [1, 2, 7]);
}

for (const jitless of [false, true]) {
  describe(`Arena.release() with hostile marks (${jitless ? "jitless" : "jit"})`, () => {
    it("refuses a mark taken before a reset", () => {
      const arena = new Arena({ bytes: 256, jitless });
      arena.alloc(U);
      const m = arena.mark();
      arena.reset();
      refuses(arena, m, "reset", straddled(arena));
    });

    it("refuses a mark at 0 taken before a reset", () => {
      const arena = new Arena({ bytes: 256, jitless });
      const m = arena.mark();
      arena.reset();
      const big = straddled(arena);
      assert.throws(() => arena.release(m), { name: "InvalidMarkError", reason: "reset" });
      assert.equal(big.b, 2);
    });

    it("refuses a mark of another arena", () => {
      const other = new Arena({ bytes: 256, jitless });
      other.alloc(U);
      const arena = new Arena({ bytes: 256, jitless });
      refuses(arena, other.mark(), "foreign", straddled(arena));
    });

    it("refuses an inner mark after its outer mark was released", () => {
      const arena = new Arena({ bytes: 256, jitless });
      const outer = arena.mark();
      arena.alloc(U);
      const inner = arena.mark();
      arena.release(outer);
      refuses(arena, inner, "released", straddled(arena));
    });

    it("refuses an inner mark after a restore to before it", () => {
      const arena = new Arena({ bytes: 256, jitless });
      const snap = arena.snapshot();
      arena.alloc(U);
      const inner = arena.mark();
      arena.restore(snap);
      refuses(arena, inner, "released", straddled(arena));
    });

    it("refuses forged marks: numbers, plain objects, proxies, prototypes", () => {
      const arena = new Arena({ bytes: 256, jitless });
      const big = straddled(arena);
      const real = arena.mark();
      const forged = [
        4,
        0,
        -1,
        0.5,
        "4",
        null,
        undefined,
        { position: 4 },
        { ...real },
        Object.create(Object.getPrototypeOf(real)),
        new Proxy(real, {}),
      ];
      for (const f of forged) refuses(arena, f, "forged", big);
      assert.throws(() => arena.release(4 as never), {
        message: "Cannot release to 4: expected a mark returned by Arena.mark()",
      });
    });

    it("names the mark and the freed address in the message", () => {
      const arena = new Arena({ bytes: 256, jitless });
      arena.alloc(U);
      const m = arena.mark();
      arena.reset();
      assert.throws(() => arena.release(m), {
        message: "Cannot release to the mark at 4: the arena was reset since it was taken",
      });
      const outer = arena.mark();
      arena.alloc(U);
      const inner = arena.mark();
      arena.release(outer);
      assert.throws(() => arena.release(inner), (e: unknown) => {
        assert.ok(e instanceof InvalidMarkError);
        assert.equal(e.position, 4);
        assert.match(e.message, /^Cannot release to the mark at 4: memory from 0 on was freed/);
        return true;
      });
    });

    it("accepts a mark any number of times while it is valid, and inner marks in order", () => {
      const arena = new Arena({ bytes: 256, jitless });
      const keep = arena.alloc(U, { a: 1 });
      const m = arena.mark();
      for (let i = 0; i < 5; i++) {
        const tmp = arena.alloc(Big, { a: i });
        const inner = arena.mark();
        arena.alloc(U);
        arena.release(inner);
        assert.equal(tmp.a, i);
        arena.release(m);
        assert.throws(() => tmp.a, StaleViewError);
        assert.equal(arena.used, 4);
      }
      // An inner mark at the same address as its released outer one frees nothing live.
      const same = arena.mark();
      arena.release(m);
      arena.release(same);
      assert.equal(keep.a, 1);
    });

    it("mark() hands back the same mark while nothing moved", () => {
      const arena = new Arena({ bytes: 256, jitless });
      const m = arena.mark();
      assert.equal(arena.mark(), m);
      arena.alloc(U);
      const m2 = arena.mark();
      assert.notEqual(m2, m);
      arena.release(m);
      assert.equal(arena.mark(), m);
      assert.ok(Object.isFrozen(m));
    });

    it("keeps a zero-length array allocated before the mark live across the release", () => {
      const arena = new Arena({ bytes: 256, jitless });
      arena.alloc(U);
      const empty = arena.allocArray(U, 0);
      const m = arena.mark();
      arena.alloc(U);
      arena.release(m);
      assert.deepEqual(empty.toObject(), []);
      assert.equal(empty.bytes().length, 0);
      arena.reset();
      assert.throws(() => empty.toObject(), StaleViewError);
    });

    it("scopes closed out of order, or after a reset, free nothing newer", () => {
      const arena = new Arena({ bytes: 256, jitless });
      const outer = arena.scope();
      arena.alloc(U);
      const inner = arena.scope();
      outer.release();
      const big = straddled(arena);
      inner.release();
      assert.equal(arena.used, 16);
      assert.equal(big.b, 2);
      const s = arena.scope();
      arena.reset();
      const again = straddled(arena);
      s.release();
      assert.deepEqual([arena.used, again.b], [16, 2]);
    });
  });
}
