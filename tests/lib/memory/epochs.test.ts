// Lifetimes by trap: a checked arena's views read through epochs that resets, releases and
// restores kill. Every kind of field must still throw StaleViewError naming its struct and field
// on read and on write, leave the new owner's bytes alone, survive the cuts that did not reach
// it (a release above it, a restore that kept it), and behave the same jit and jitless.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import * as t from "../../../schemas/t.ts";
import { layoutOf } from "../../../schemas/layout.ts";
import { Arena } from "../../../lib/memory/arena.ts";
import { FrameArenas } from "../../../lib/memory/frame_arenas.ts";
import { bufferOf, offsetOf } from "../../../lib/memory/views.ts";
import { StaleViewError } from "../../../lib/errors.ts";

const Color = t.enum(["red", "green", "blue"]);
const Inner = t.struct({ a: t.f32(), b: t.u16() }, { name: "Inner" });
const Every = t.struct({
  f32: t.f32(),
  f64: t.f64(),
  u8: t.u8(),
  i16: t.i16(),
  u32: t.u32(),
  i64: t.i64(),
  ok: t.bool(),
  color: Color,
  name: t.string(8),
  inner: Inner,
  list: t.array(t.f32(), 3),
}, { name: "Every" });
const Loose = t.struct({ a: t.u8(), b: t.f32(), c: t.f64() }, { name: "Loose", layout: "packed" });

const VALUES = {
  f32: 1.5,
  f64: -2.25,
  u8: 200,
  i16: -300,
  u32: 4_000_000_000,
  i64: -5n,
  ok: true,
  color: "blue" as const,
  name: "abc",
  inner: { a: 0.5, b: 7 },
};
const WRITES: Record<string, unknown> = { ...VALUES, inner: { a: 1, b: 1 }, list: [1, 2, 3] };

type Any = Record<string, unknown>;

function bytes(view: object, size: number): number[] {
  return [...new Uint8Array(bufferOf(view), offsetOf(view), size)];
}

function staleOn(f: () => unknown, struct: string, field: string): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof StaleViewError, String(e));
    assert.equal(e.struct, struct);
    assert.match(e.message, new RegExp(`"${field.replace(".", "\\.")}" of ${struct}`));
    return true;
  });
}

for (const jitless of [false, true]) {
  describe(`lifetimes by trap (${jitless ? "jitless" : "jit"})`, () => {
    it("checked arenas' getters carry no generation test, unchecked and table classes keep theirs", () => {
      const src = new Arena({ bytes: 256 }).classOf(Every).source;
      const getters = src.match(/get "\w+"\(\) \{\n.*\n/g) ?? [];
      assert.ok(getters.length >= 8);
      for (const g of getters) assert.doesNotMatch(g, /\$s\.g|\$c\(/);
      assert.match(src, /return this\.\$m\.f32\[\(this\.\$o \+ 0\) >> 2\] \?\? this\.\$t0;/);
    });

    it("views are lean: generation and cell come from the epoch and the arena", () => {
      const arena = new Arena({ bytes: 1024, jitless });
      const v = arena.alloc(Loose, { a: 1 }) as unknown as Record<string, unknown>;
      assert.deepEqual(Object.keys(v).sort(), ["$a", "$m", "$o", "$p"]);
      assert.equal(v.$g, 0);
      assert.equal(v.$s, arena.state);
      const m = arena.mark();
      arena.release(m);
      const w = arena.alloc(Loose) as unknown as Record<string, unknown>;
      assert.equal(w.$g, 1);
      assert.equal(v.$g, 0);
      arena.reset();
      assert.throws(() => v.a, (e: unknown) => {
        assert.ok(e instanceof StaleViewError);
        assert.equal(e.viewGeneration, 0);
        assert.equal(e.arenaGeneration, 2);
        return true;
      });
    });

    it("every field throws StaleViewError naming it after a reset, on read and on write", () => {
      const arena = new Arena({ bytes: 1024, jitless });
      const v = arena.alloc(Every, VALUES) as unknown as Any;
      assert.equal(v.f32, 1.5);
      assert.equal(v.i64, -5n);
      arena.reset();
      const fresh = arena.alloc(Every, VALUES);
      const before = bytes(fresh, layoutOf(Every).size);
      for (const field of Object.keys(WRITES)) {
        staleOn(() => v[field], "Every", field);
        staleOn(
          () => {
            v[field] = WRITES[field];
          },
          "Every",
          field,
        );
      }
      staleOn(() => (v as { toObject(): unknown }).toObject(), "Every", "toObject");
      staleOn(() => (v as { set(x: unknown): unknown }).set({ f32: 1 }), "Every", "set");
      // A stale write with a bad value still reports staleness first, and nothing moved.
      staleOn(
        () => {
          v.u8 = "bad";
        },
        "Every",
        "u8",
      );
      assert.deepEqual(bytes(fresh, layoutOf(Every).size), before);
    });

    it("DataView fields of packed structs trap too", () => {
      const arena = new Arena({ bytes: 256, jitless });
      const v = arena.alloc(Loose, { a: 1, b: 2.5, c: 3 }) as unknown as Any;
      assert.equal(v.b, 2.5);
      arena.reset();
      for (const f of ["a", "b", "c"]) {
        staleOn(() => v[f], "Loose", f);
        staleOn(
          () => {
            v[f] = 1;
          },
          "Loose",
          f,
        );
      }
    });

    it("a nested view follows its parent and dies with it", () => {
      const arena = new Arena({ bytes: 1024, jitless });
      const v = arena.alloc(Every, VALUES) as unknown as { inner: Any };
      const inner = v.inner;
      assert.equal(inner.b, 7);
      arena.reset();
      staleOn(() => inner.b, "Inner", "inner.b");
      staleOn(() => v.inner, "Every", "inner");
    });

    it("a release ends what came after the mark, and only that", () => {
      const arena = new Arena({ bytes: 1024, jitless });
      const keep = arena.alloc(Every, VALUES) as unknown as Any;
      const m = arena.mark();
      for (let round = 0; round < 3; round++) {
        const temp = arena.alloc(Every, { f32: round }) as unknown as Any;
        assert.equal(temp.f32, round);
        arena.release(m);
        staleOn(() => temp.f32, "Every", "f32");
        assert.equal(keep.f32, round === 0 ? 1.5 : round - 1);
        keep.f32 = round;
        assert.equal(keep.f32, round);
      }
      const inner = arena.mark();
      const a = arena.alloc(Every) as unknown as Any;
      const m2 = arena.mark();
      const b = arena.alloc(Every) as unknown as Any;
      arena.release(m2);
      assert.equal(a.u8, 0);
      staleOn(() => b.u8, "Every", "u8");
      arena.release(inner);
      staleOn(() => a.u8, "Every", "u8");
      assert.equal(keep.u8, 200);
    });

    it("a scope ends its records when it closes", () => {
      const arena = new Arena({ bytes: 1024, jitless });
      const outside = arena.alloc(Every, VALUES) as unknown as Any;
      let inside: Any | undefined;
      {
        using _ = arena.scope();
        inside = arena.alloc(Every, VALUES) as unknown as Any;
        assert.equal(inside.color, "blue");
      }
      staleOn(() => inside!.color, "Every", "color");
      assert.equal(outside.color, "blue");
    });

    it("a restore of the arena's own snapshot keeps the views below what it rewrote", () => {
      const arena = new Arena({ bytes: 1024, jitless });
      const old = arena.alloc(Every, VALUES) as unknown as Any;
      const snap = arena.snapshot();
      const later = arena.alloc(Every, VALUES) as unknown as Any;
      old.f32 = 9;
      arena.restore(snap);
      // The restore ended every epoch; old's record is still live, so old moves to a new one.
      assert.equal(old.f32, 1.5);
      old.u32 = 5;
      assert.equal(old.u32, 5);
      assert.equal((old.inner as Any).b, 7);
      staleOn(() => later.f32, "Every", "f32");
      arena.reset();
      staleOn(() => old.f32, "Every", "f32");
    });

    it("cursors of a reset arena are stale until their array is reused", () => {
      const arena = new Arena({ bytes: 4096, jitless });
      let ps = arena.allocArray(Every, 4);
      const c = ps.cursor() as unknown as Any & { seek(i: number): unknown };
      c.seek(2);
      c.f64 = 4.5;
      arena.reset();
      staleOn(() => c.f64, "Every", "f64");
      ps = arena.allocArray(Every, 4, ps);
      assert.equal(ps.cursor(), c);
      c.seek(2);
      assert.equal(c.f64, 0);
      c.f64 = 1.25;
      assert.equal(ps.at(2).f64, 1.25);
    });

    it("a FrameArenas ring keeps last frame readable and ends the one before", () => {
      const ring = new FrameArenas({ bytes: 1024, frames: 2, jitless });
      const a = ring.beginFrame().alloc(Every, VALUES) as unknown as Any;
      const b = ring.beginFrame().alloc(Every, VALUES) as unknown as Any;
      assert.equal(a.f32, 1.5);
      ring.beginFrame();
      staleOn(() => a.f32, "Every", "f32");
      assert.equal(b.f32, 1.5);
    });

    it("property: after random allocs, marks, releases and resets, exactly the freed views trap", () => {
      type Op = { kind: "alloc" | "mark" | "release" | "reset"; n: number };
      const op = fc.oneof(
        fc.record({ kind: fc.constant("alloc" as const), n: fc.integer({ min: 0, max: 255 }) }),
        fc.record({ kind: fc.constant("mark" as const), n: fc.constant(0) }),
        fc.record({ kind: fc.constant("release" as const), n: fc.nat() }),
        fc.record({ kind: fc.constant("reset" as const), n: fc.constant(0) }),
      );
      fc.assert(
        fc.property(fc.array(op, { maxLength: 60 }), (ops: Op[]) => {
          const arena = new Arena({ bytes: 1 << 14, jitless });
          // The model: each view's value and whether its memory is still ours.
          const views: { v: Any; value: number; live: boolean; depth: number }[] = [];
          const marks: { m: ReturnType<Arena["mark"]>; at: number }[] = [];
          for (const o of ops) {
            if (o.kind === "alloc") {
              views.push({
                v: arena.alloc(Every, { u8: o.n }) as unknown as Any,
                value: o.n,
                live: true,
                depth: marks.length,
              });
            } else if (o.kind === "mark") {
              marks.push({ m: arena.mark(), at: views.length });
            } else if (o.kind === "release" && marks.length > 0) {
              const k = o.n % marks.length;
              arena.release(marks[k].m);
              for (let i = marks[k].at; i < views.length; i++) views[i].live = false;
              marks.length = k;
            } else if (o.kind === "reset") {
              arena.reset();
              for (const x of views) x.live = false;
              marks.length = 0;
            }
          }
          for (const x of views) {
            if (x.live) assert.equal(x.v.u8, x.value);
            else assert.throws(() => x.v.u8, StaleViewError);
          }
        }),
        { numRuns: 200 },
      );
    });
  });
}

describe("lifetimes by trap: the other modes", () => {
  it("unchecked and shared arenas make classes that test no epoch", () => {
    const code = (src: string) => src.replace(/\/\/.*$/gm, "");
    const unchecked = code(new Arena({ bytes: 256, checked: false }).classOf(Every).source);
    assert.doesNotMatch(unchecked, /\$m\.live|\$t0/);
    const shared = code(new Arena({ bytes: 256, shared: true }).classOf(Every).source);
    assert.doesNotMatch(shared, /\$t0/);
    assert.match(shared, /\$s\.g/);
  });
});
