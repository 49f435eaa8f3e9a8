import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Arena, FrameArenas, Pool, StaleViewError, t } from "../../../mod.ts";

const Body = t.struct({ x: t.f32(), vx: t.f32() }, { name: "Body" });

describe("new FrameArenas()", () => {
  it("makes a ring of `frames` arenas, 2 by default", () => {
    assert.equal(new FrameArenas({ bytes: 64 }).frames, 2);
    const ring = new FrameArenas({ bytes: 64, frames: 3 });
    assert.equal(ring.frames, 3);
    const seen = new Set([ring.ago(0), ring.ago(1), ring.ago(2)]);
    assert.equal(seen.size, 3);
    for (const a of seen) assert.ok(a instanceof Arena);
  });
  it("refuses a ring size that is not an integer from 1 to 64", () => {
    for (const frames of [0, -1, 1.5, 65, NaN]) {
      assert.throws(() => new FrameArenas({ bytes: 64, frames }), RangeError);
    }
  });
});

describe("FrameArenas.beginFrame()", () => {
  it("keeps the previous frame readable and makes frame k stale when frame k + frames begins", () => {
    for (const frames of [1, 2, 3, 4]) {
      const ring = new FrameArenas({ bytes: 1024, frames });
      const views: { x: number }[] = [];
      for (let k = 0; k < 10; k++) {
        const arena = ring.beginFrame();
        assert.equal(ring.current, arena);
        views.push(arena.alloc(Body, { x: k + 0.5 }));
        for (let j = 0; j < views.length; j++) {
          const age = k - j;
          if (age < frames) assert.equal(views[j].x, j + 0.5, `frames=${frames} k=${k} j=${j}`);
          else assert.throws(() => views[j].x, StaleViewError);
        }
      }
    }
  });
  it("gives previous and ago(k) the arenas of earlier frames", () => {
    const ring = new FrameArenas({ bytes: 256, frames: 3 });
    const a1 = ring.beginFrame();
    const a2 = ring.beginFrame();
    const a3 = ring.beginFrame();
    assert.equal(ring.previous, a2);
    assert.equal(ring.ago(0), a3);
    assert.equal(ring.ago(2), a1);
    assert.equal(ring.beginFrame(), a1);
    assert.throws(() => ring.ago(3), RangeError);
    assert.equal(ring.frame, 4);
  });
  it("cycles attached pools once per frame, so an unused object is dropped after two frames", () => {
    let created = 0;
    const pool = new Pool({ create: () => ({ id: ++created }) });
    const ring = new FrameArenas({ bytes: 64, pools: [pool] });
    ring.beginFrame();
    const o = pool.get();
    pool.put(o);
    ring.beginFrame(); // o moves to the victim cache
    assert.equal(pool.get(), o);
    pool.put(o);
    ring.beginFrame();
    ring.beginFrame(); // two cycles without a get: dropped
    assert.notEqual(pool.get(), o);
    assert.equal(created, 2);
  });
  it("cycles pools added later with attach()", () => {
    let cycles = 0;
    const ring = new FrameArenas({ bytes: 64 });
    ring.attach({ cycle: () => cycles++ });
    ring.beginFrame();
    ring.beginFrame();
    assert.equal(cycles, 2);
  });
});

describe("FrameArenas.lastFrame()", () => {
  it("records bytes, allocations and overflows of the frame that ended", () => {
    const ring = new FrameArenas({ bytes: 64, overflow: "pool" });
    const a = ring.beginFrame();
    for (let i = 0; i < 3; i++) a.alloc(Body);
    const b = ring.beginFrame();
    let s = ring.lastFrame();
    assert.deepEqual(
      {
        frame: s.frame,
        bytesUsed: s.bytesUsed,
        allocations: s.allocations,
        overflows: s.overflows,
      },
      { frame: 1, bytesUsed: 24, allocations: 3, overflows: 0 },
    );
    // 20 bodies of 8 bytes do not fit in 64: the frame spills into pooled chunks.
    for (let i = 0; i < 20; i++) b.alloc(Body, { x: i });
    ring.beginFrame();
    s = ring.lastFrame();
    assert.equal(s.allocations, 20);
    assert.ok(s.overflows >= 2, `overflows ${s.overflows}`);
    assert.equal(s.overflowFrames, 1);
    assert.ok(s.highWater >= 160);
  });
});

describe('FrameArenas with overflow: "pool"', () => {
  it("serves a spike from pooled chunks and reuses them in later frames", () => {
    const ring = new FrameArenas({ bytes: 64, overflow: "pool", frames: 2 });
    const values: number[] = [];
    for (let frame = 0; frame < 6; frame++) {
      const arena = ring.beginFrame();
      const views: { x: number }[] = [];
      for (let i = 0; i < 40; i++) views.push(arena.alloc(Body, { x: frame * 100 + i + 0.25 }));
      values.push(...views.map((v) => v.x));
      // Nothing lost or overwritten within the frame.
      views.forEach((v, i) => assert.equal(v.x, frame * 100 + i + 0.25));
    }
    assert.equal(values.length, 240);
  });
  it("takes spill chunks from the pool and gives them back, so steady frames create none", () => {
    const pool = new Pool<ArrayBuffer | SharedArrayBuffer>({ create: () => new ArrayBuffer(64) });
    const ring = new FrameArenas({ bytes: 64, overflow: "pool", pool, pools: [pool] });
    const frame = () => {
      const arena = ring.beginFrame();
      for (let i = 0; i < 30; i++) arena.alloc(Body, { x: i + 0.5 });
    };
    for (let i = 0; i < 4; i++) frame();
    const misses = pool.stats().misses;
    assert.ok(misses >= 3, `misses ${misses}`);
    for (let i = 0; i < 20; i++) frame();
    assert.equal(pool.stats().misses, misses);
    assert.ok(pool.stats().hits > 0);
  });
});

describe("FrameArenas.promote()", () => {
  it("copies a view out of the ring so it outlives its frame", () => {
    const level = new Arena({ bytes: 256 });
    const ring = new FrameArenas({ bytes: 256 });
    const v = ring.beginFrame().alloc(Body, { x: 1.25, vx: -2.5 });
    const kept = ring.promote(v, level);
    ring.beginFrame();
    ring.beginFrame();
    assert.throws(() => v.x, StaleViewError);
    assert.deepEqual(kept.toObject(), { x: 1.25, vx: -2.5 });
  });
});

describe("FrameArenas (property)", () => {
  it("never lets a view read another frame's bytes, whatever the ring size and frame lengths", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 12 }),
        (frames, counts) => {
          const ring = new FrameArenas({ bytes: 128, frames, overflow: "grow" });
          const kept: { frame: number; i: number; v: { x: number } }[] = [];
          counts.forEach((n, frame) => {
            const arena = ring.beginFrame();
            for (let i = 0; i < n; i++) {
              kept.push({ frame, i, v: arena.alloc(Body, { x: frame * 1000 + i + 0.5 }) });
            }
            for (const k of kept) {
              if (frame - k.frame < frames) assert.equal(k.v.x, k.frame * 1000 + k.i + 0.5);
              else assert.throws(() => k.v.x, StaleViewError);
            }
          });
        },
      ),
      { numRuns: 60 },
    );
  });
});
