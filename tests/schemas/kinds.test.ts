// The kind registry: every entry's facts agree with each other and with the platform, and the
// generated check (fitsSource) agrees with the jitless one (fits) on edge values of every kind.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { isScalarKind, KINDS, type ScalarKind } from "../../schemas/kinds.ts";
import { Arena } from "../../lib/memory/arena.ts";
import { bufferOf, offsetOf } from "../../lib/memory/views.ts";
import * as t from "../../schemas/t.ts";

const kinds = Object.keys(KINDS) as ScalarKind[];

const EDGES: unknown[] = [
  0,
  -0,
  1,
  -1,
  0.5,
  127,
  128,
  -129,
  255,
  256,
  32767,
  65536,
  2 ** 31,
  -(2 ** 31) - 1,
  2 ** 32,
  Number.MAX_SAFE_INTEGER,
  3.4028234663852886e38,
  1e39,
  -1e39,
  NaN,
  Infinity,
  -Infinity,
  0n,
  -1n,
  2n ** 63n,
  2n ** 64n,
  -(2n ** 63n) - 1n,
  true,
  false,
  null,
  undefined,
  "1",
  {},
  [],
];

describe("KINDS", () => {
  it("has one entry per scalar kind, each sized like its typed array and DataView method", () => {
    assert.deepEqual(kinds.sort(), [
      "bool",
      "f32",
      "f64",
      "i16",
      "i32",
      "i64",
      "i8",
      "ref",
      "u16",
      "u32",
      "u64",
      "u8",
    ]);
    for (const k of kinds) {
      const info = KINDS[k];
      const Ctor = (globalThis as unknown as Record<string, { BYTES_PER_ELEMENT: number }>)[
        info.typedArray
      ];
      assert.equal(Ctor.BYTES_PER_ELEMENT, info.size, k);
      const proto = DataView.prototype as unknown as Record<string, unknown>;
      assert.equal(typeof proto[`get${info.dataView}`], "function", k);
      assert.equal(typeof proto[`set${info.dataView}`], "function", k);
      assert.ok(isScalarKind(k));
    }
    assert.equal(isScalarKind("struct"), false);
    assert.equal(isScalarKind("toString"), false);
  });

  it("agrees between the generated test and the jitless one on edge and random values", () => {
    for (const k of kinds) {
      const info = KINDS[k];
      const fits = new Function("v", `return ${info.fitsSource};`) as (v: unknown) => boolean;
      const bad = new Function("v", `return ${info.badSource};`) as (v: unknown) => boolean;
      const check = (v: unknown) => {
        // A generated setter only sees what its kind's JS type test lets through, so the
        // source tests are compared on values of the kind's own JS type.
        const js = info.js === "id" ? "number" : info.js;
        if (v !== null && typeof v !== js) return;
        if (v === null && info.js !== "id") return;
        assert.equal(fits(v), info.fits(v), `${k} fits ${String(v)}`);
        assert.equal(bad(v), !info.fits(v), `${k} bad ${String(v)}`);
      };
      for (const v of EDGES) check(v);
      fc.assert(fc.property(fc.oneof(fc.double(), fc.integer(), fc.bigInt()), (v) => check(v)), {
        numRuns: 300,
      });
    }
  });
});

describe("f32 fields (decision: round like Float32Array and C)", () => {
  for (const jitless of [false, true]) {
    it(`store too-large finite numbers as ±Infinity, NaN and ±Infinity as given (jitless: ${jitless})`, () => {
      const S = t.struct({ a: t.f32(), b: t.f32(), c: t.f32(), d: t.f32() });
      const arena = new Arena({ bytes: 64, jitless });
      const v = arena.alloc(S, { a: 1e39, b: -1e39 });
      v.c = NaN;
      v.d = 3.4028235677973366e38;
      const dv = new DataView(bufferOf(v), offsetOf(v));
      assert.equal(dv.getFloat32(0, true), Infinity);
      assert.equal(dv.getFloat32(4, true), -Infinity);
      assert.ok(Number.isNaN(dv.getFloat32(8, true)));
      assert.equal(dv.getFloat32(12, true), Infinity);
      assert.equal(v.a, Math.fround(1e39));
      // Non-numbers are still refused, and nothing is written.
      assert.throws(() => ((v as unknown as { a: unknown }).a = "1"), { name: "FieldTypeError" });
      assert.throws(() => ((v as unknown as { a: unknown }).a = 1n), { name: "FieldTypeError" });
      assert.equal(dv.getFloat32(0, true), Infinity);
    });
  }
});
