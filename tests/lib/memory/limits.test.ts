// Regression tests for arena size arithmetic and shared pools (issue #14, items 10 and 11).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Arena, ArenaFullError, bufferOf, FrameArenas, offsetOf, t } from "../../../mod.ts";
import { Pool } from "../../../lib/memory/pool.ts";

const S = t.struct({ a: t.f64(), b: t.f64() });

for (const jitless of [false, true]) {
  describe(`Arena size arithmetic (${jitless ? "jitless" : "jit"})`, () => {
    for (const overflow of ["throw", "grow", "pool"] as const) {
      it(`allocArray() refuses requests no chunk can hold, leaving the arena as it was (${overflow})`, () => {
        const arena = new Arena({ bytes: 1024, overflow, jitless });
        arena.alloc(S);
        for (const n of [2 ** 27, 2 ** 28, 2 ** 31 - 1]) {
          assert.throws(() => arena.allocArray(S, n), (e: unknown) => {
            assert.ok(e instanceof ArenaFullError);
            assert.equal(e.requested, n * 16);
            assert.equal(e.available, 1024 - 16);
            return true;
          });
          assert.deepEqual([arena.used, arena.capacity, arena.allocations], [16, 1024, 1]);
        }
        const big = t.struct({ xs: t.array(t.f64(), 2 ** 20) });
        assert.throws(() => arena.allocArray(big, 2 ** 31 - 1), ArenaFullError);
        assert.equal(arena.used, 16);
        assert.equal(arena.allocArray(S, 4).length, 4);
        assert.equal(arena.used, 80);
      });
    }

    it("allocArray() refuses lengths that are not counts with a RangeError", () => {
      const arena = new Arena({ bytes: 64, overflow: "grow", jitless });
      for (const n of [-1, 0.5, 2 ** 31, NaN, Infinity]) {
        assert.throws(() => arena.allocArray(S, n), (e: unknown) => {
          return e instanceof RangeError && !(e instanceof ArenaFullError);
        });
      }
      assert.equal(arena.used, 0);
    });

    it("maxBytes bounds growth exactly", () => {
      const arena = new Arena({ bytes: 64, overflow: "grow", maxBytes: 64 + 256, jitless });
      arena.allocArray(S, 4);
      // The next chunk needs room for the records plus their alignment: 240 + 16 fits in 256.
      assert.equal(arena.allocArray(S, 15).length, 15);
      assert.equal(arena.capacity, 320);
      assert.equal(arena.allocArray(S, 1).length, 1);
      assert.equal(arena.used, 320);
      assert.throws(() => arena.allocArray(S, 1), ArenaFullError);
      const other = new Arena({ bytes: 64, overflow: "grow", maxBytes: 64 + 256, jitless });
      assert.throws(() => other.allocArray(S, 16), ArenaFullError);
      assert.equal(other.tryAlloc(t.struct({ xs: t.array(t.f64(), 64) })), undefined);
      assert.deepEqual([other.used, other.capacity], [0, 64]);
    });
  });

  describe(`Arena when the runtime has no memory (${jitless ? "jitless" : "jit"})`, () => {
    it("a buffer that cannot be made is ArenaFullError, or undefined from tryAlloc", () => {
      const pool = new Pool<ArrayBuffer | SharedArrayBuffer>({
        create: () => {
          throw new RangeError("Array buffer allocation failed");
        },
      });
      const arena = new Arena({ bytes: 64, overflow: "pool", pool, jitless });
      const R = t.struct({ xs: t.array(t.f64(), 7) });
      arena.alloc(R);
      assert.equal(arena.tryAlloc(R), undefined);
      assert.throws(() => arena.alloc(R), ArenaFullError);
      assert.deepEqual([arena.used, arena.capacity, arena.allocations], [56, 64, 1]);
    });
  });

  describe(`Arena with a shared Pool (${jitless ? "jitless" : "jit"})`, () => {
    it("never takes a pooled chunk of another size", () => {
      const pool = new Pool<ArrayBuffer | SharedArrayBuffer>({ create: () => new ArrayBuffer(64) });
      const small = new Arena({ bytes: 64, overflow: "pool", pool, jitless });
      const large = new Arena({ bytes: 96, overflow: "pool", pool, jitless });
      // Records of chunk size minus alignment: a second one takes a pooled chunk.
      const R96 = t.struct({ xs: t.array(t.f64(), 11) });
      const R64 = t.struct({ xs: t.array(t.f64(), 7) });
      small.alloc(R64);
      small.alloc(R64); // a second 64-byte chunk, from the pool
      small.reset(); // ... and back into it
      large.alloc(R96);
      const r = large.alloc(R96); // must not land in the pooled 64-byte chunk
      assert.equal(bufferOf(r).byteLength, 96);
      r.xs[10] = 1.5;
      assert.equal(r.toObject().xs[10], 1.5);
      large.reset();
      // The 96-byte chunk given back is not handed to the 64-byte arena either.
      small.alloc(R64);
      const s = small.alloc(R64);
      assert.equal(bufferOf(s).byteLength, 64);
      assert.equal(offsetOf(s), 0);
    });

    it("never takes a pooled chunk of the other sharedness", () => {
      if (typeof SharedArrayBuffer === "undefined") return;
      const pool = new Pool<ArrayBuffer | SharedArrayBuffer>({ create: () => new ArrayBuffer(64) });
      const shared = new Arena({ bytes: 64, overflow: "pool", pool, shared: true, jitless });
      const R64 = t.struct({ xs: t.array(t.f64(), 7) });
      shared.alloc(R64);
      const r = shared.alloc(R64);
      assert.ok(bufferOf(r) instanceof SharedArrayBuffer);
    });

    it("FrameArenas rounds the pooled chunk size like the arenas do", () => {
      const ring = new FrameArenas({ bytes: 50, overflow: "pool", jitless });
      const R = t.struct({ xs: t.array(t.f64(), 7) });
      const a = ring.beginFrame();
      a.alloc(R);
      assert.equal(bufferOf(a.alloc(R)).byteLength, 64);
    });
  });
}
