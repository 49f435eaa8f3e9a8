// Regression tests for raw typed arrays kept past their frame (issue #14, item 3): columns and
// numeric array fields are plain typed arrays; a checked arena detaches them at reset.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Arena, bufferOf, FieldRangeError, offsetOf, StaleViewError, t } from "../../../mod.ts";
import { Pool } from "../../../lib/memory/pool.ts";

const P = t.struct({ x: t.f32(), vx: t.f32() });
const H = t.struct({ hist: t.array(t.i16(), 4), life: t.f32() });

for (const jitless of [false, true]) {
  const mode = jitless ? "jitless" : "jit";
  describe(`Arena.reset() and kept raw arrays (${mode})`, () => {
    for (const overflow of ["throw", "grow", "pool"] as const) {
      it(`detaches a kept column, so it cannot write into the next frame (${overflow})`, () => {
        const arena = new Arena({ bytes: 128, overflow, jitless });
        const x = arena.allocArray(P, 16).column("x").array; // fills the first chunk
        const y = overflow === "throw" ? x : arena.allocArray(P, 4).column("vx").array;
        assert.ok(x.length > 0 && y.length > 0);
        arena.reset();
        const qs = arena.allocArray(P, 16);
        const rs = overflow === "throw" ? qs : arena.allocArray(P, 4);
        assert.deepEqual([x.length, y.length], [0, 0]);
        x[0] = 5;
        y[0] = 5;
        assert.deepEqual([x[0], y[0]], [undefined, undefined]);
        assert.deepEqual([qs.at(0).x, rs.at(0).vx], [0, 0]);
        // Asked again, a column is live.
        const again = rs.column("x");
        again.array[0] = 1.5;
        assert.equal(rs.at(0).x, 1.5);
      });
    }

    it("detaches a kept numeric array field, and the view itself throws StaleViewError", () => {
      const arena = new Arena({ bytes: 256, jitless });
      const v = arena.alloc(H, { hist: [1, 2, 3, 4] });
      const hist = v.hist;
      const buffer = bufferOf(v);
      arena.reset();
      const w = arena.alloc(H, { hist: [5, 6, 7, 8] });
      assert.equal(offsetOf(w), offsetOf(v));
      hist[0] = 9;
      assert.deepEqual([hist.length, hist[0], buffer.byteLength], [0, undefined, 0]);
      assert.deepEqual([...w.hist], [5, 6, 7, 8]);
      assert.throws(() => v.hist, StaleViewError);
      assert.throws(() => v.life, StaleViewError);
      assert.throws(() => v.toObject(), StaleViewError);
      assert.equal(bufferOf(w).byteLength, 256);
    });

    it("a pooled chunk given back at reset is detached before another arena takes it", () => {
      const pool = new Pool<ArrayBuffer | SharedArrayBuffer>({ create: () => new ArrayBuffer(64) });
      const a = new Arena({ bytes: 64, overflow: "pool", pool, jitless });
      const b = new Arena({ bytes: 64, overflow: "pool", pool, jitless });
      const R = t.struct({ xs: t.array(t.f64(), 7) });
      a.alloc(R);
      const kept = a.alloc(R).xs; // in a pooled chunk
      a.reset();
      b.alloc(R);
      const r = b.alloc(R); // takes that chunk
      kept[0] = 1;
      assert.equal(r.xs[0], 0);
    });

    it("a cursor re-pointed after a reset reads and writes its array fields in the new frame", () => {
      const arena = new Arena({ bytes: 256, jitless });
      let hs = arena.allocArray(H, 4);
      const c = hs.cursor();
      c.seek(0).hist[0] = 1;
      for (let frame = 2; frame < 5; frame++) {
        arena.reset();
        hs = arena.allocArray(H, 4, hs);
        c.seek(0).hist[0] = frame; // the field at offset 0 of the first record
        assert.equal(hs.at(0).hist[0], frame);
        assert.deepEqual(hs.toObject()[0].hist, [frame, 0, 0, 0]);
      }
    });

    it("a cursor re-pointed into another chunk reads its nested fields there", () => {
      const N = t.struct({ pos: t.vec2f(), hist: t.array(t.f32(), 2) });
      const arena = new Arena({ bytes: 64, overflow: "grow", jitless });
      let ns = arena.allocArray(N, 3);
      const first = ns.buffer;
      const c = ns.cursor();
      assert.equal(c.pos.x, 0);
      assert.equal(c.hist[0], 0);
      ns = arena.allocArray(N, 3, ns); // does not fit: a second chunk
      assert.notEqual(ns.buffer, first);
      c.seek(1).pos.x = 2.5;
      c.hist[1] = 3.5;
      assert.deepEqual(ns.toObject()[1], { pos: { x: 2.5, y: 0 }, hist: [0, 3.5] });
      assert.equal(c.pos.x, 2.5);
    });
  });

  describe(`What kept raw arrays do elsewhere (${mode})`, () => {
    it("numeric array elements are plain typed-array elements: writes convert like Int16Array", () => {
      const arena = new Arena({ bytes: 256, jitless });
      const v = arena.alloc(H);
      v.hist[0] = 40000;
      v.hist[1] = 1.9;
      assert.deepEqual([v.hist[0], v.hist[1]], [-25536, 1]);
      // Whole-field writes are checked.
      assert.throws(() => ((v as { hist: unknown }).hist = [40000, 0, 0, 0]), FieldRangeError);
      assert.throws(() => v.set({ hist: [40000, 0, 0, 0] }), FieldRangeError);
    });

    it("a release does not detach: it cannot free part of a buffer", () => {
      const arena = new Arena({ bytes: 256, jitless });
      const m = arena.mark();
      const hist = arena.alloc(H).hist;
      arena.release(m);
      assert.equal(hist.length, 4);
    });

    it("unchecked arenas keep raw arrays attached, and views read the current bytes", () => {
      const arena = new Arena({ bytes: 256, jitless, checked: false });
      const v = arena.alloc(H, { life: 1 });
      const hist = v.hist;
      arena.reset();
      const w = arena.alloc(H, { life: 2 });
      hist[0] = 3;
      assert.deepEqual([w.hist[0], v.life], [3, 2]);
    });

    it("shared arenas keep raw arrays attached (a SharedArrayBuffer cannot be transferred)", () => {
      if (typeof SharedArrayBuffer === "undefined") return;
      const arena = new Arena({ bytes: 256, jitless, shared: true });
      const hist = arena.alloc(H).hist;
      arena.reset();
      const w = arena.alloc(H);
      hist[0] = 3;
      assert.equal(w.hist[0], 3);
      assert.ok(bufferOf(w) instanceof SharedArrayBuffer);
    });
  });
}

describe('ArenaOptions.rawArrays: "keep"', () => {
  const P = t.struct({ x: t.f32(), hist: t.array(t.i16(), 2) });
  for (const jitless of [false, true]) {
    it(`keeps the buffers, so a kept column sees the next frame; views still go stale (jitless: ${jitless})`, () => {
      const arena = new Arena({ bytes: 1024, rawArrays: "keep", jitless });
      let ps = arena.allocArray(P, 4);
      const x = ps.column("x").array as Float32Array;
      const buffer = bufferOf(ps.at(0));
      const v = ps.at(1);
      arena.reset();
      ps = arena.allocArray(P, 4, ps);
      assert.equal(bufferOf(ps.at(0)), buffer);
      assert.equal(x.length > 0, true);
      x[0] = 2.5; // the documented hazard: it writes the new frame's record
      assert.equal(ps.at(0).x, 2.5);
      assert.throws(() => v.x, StaleViewError);
    });
  }
  it('is "detach" by default, and refuses other values', () => {
    const arena = new Arena({ bytes: 1024 });
    const x = arena.allocArray(P, 4).column("x").array as Float32Array;
    arena.reset();
    assert.equal(x.length, 0);
    assert.throws(
      () => new Arena({ bytes: 64, rawArrays: "drop" as never }),
      /option "rawArrays" must be "detach" or "keep", got "drop"/,
    );
  });
});
