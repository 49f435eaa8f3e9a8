// fromZod mappings and refusals, toZod agreement with checked-mode validation (a fast-check
// property over random schemas and values), the static types of both directions, and equal
// generated code for fromZod- and t.*-built schemas.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { z } from "zod";
import { Arena } from "../../../lib/memory/arena.ts";
import { validate } from "../../../lib/values/check.ts";
import { FieldRangeError, SchemaError } from "../../../lib/errors.ts";
import { fromZod, toZod } from "../../../zod.ts";
import { layoutOf } from "../../../schemas/layout.ts";
import * as t from "../../../schemas/t.ts";
import type { Schema } from "../../../schemas/types.ts";

type IsExact<A, B> = (<G>() => G extends A ? 1 : 2) extends (<G>() => G extends B ? 1 : 2) ? true
  : false;
function assertType<_T extends true>(): void {}

describe("fromZod()", () => {
  const cases: [string, z.ZodType, Schema][] = [
    ["z.float32()", z.float32(), t.f32()],
    ["z.float64()", z.float64(), t.f64()],
    ["z.number()", z.number(), t.f64()],
    ["z.int32()", z.int32(), t.i32()],
    ["z.uint32()", z.uint32(), t.u32()],
    ["z.int()", z.int(), t.i32()],
    ["z.number().int()", z.number().int().min(0), t.i32()],
    ["z.int64()", z.int64(), t.i64()],
    ["z.uint64()", z.uint64(), t.u64()],
    ["z.bigint()", z.bigint(), t.i64()],
    ["z.boolean()", z.boolean(), t.bool()],
    ["z.int() as u8", z.int().meta({ arenakit: "u8" }), t.u8()],
    ["z.int() as i16", z.int().meta({ arenakit: { type: "i16" } }), t.i16()],
    ["z.uint64() as i64", z.uint64().meta({ arenakit: "i64" }), t.i64()],
    ["z.number().readonly()", z.number().readonly(), t.f64()],
  ];
  for (const [name, zs, want] of cases) {
    it(`maps ${name} to ${want.kind}`, () => {
      assert.equal(fromZod(zs), want);
    });
  }

  it("maps z.enum() and string z.literal() to enums", () => {
    assert.deepEqual(fromZod(z.enum(["a", "b", "c"])), t.enum(["a", "b", "c"]));
    assert.deepEqual(fromZod(z.literal("only")), t.enum(["only"]));
    assert.deepEqual(fromZod(z.literal(["x", "y"])), t.enum(["x", "y"]));
  });

  it("maps z.string().max(n) to n UTF-8 bytes, or to the maxBytes hint", () => {
    assert.deepEqual(fromZod(z.string().max(12)), t.string(12));
    assert.deepEqual(fromZod(z.string().length(5)), t.string(5));
    assert.deepEqual(fromZod(z.string().min(2).max(9).max(7)), t.string(7));
    assert.deepEqual(fromZod(z.email().max(40)), t.string(40));
    assert.deepEqual(fromZod(z.string().max(4).meta({ arenakit: { maxBytes: 12 } })), t.string(12));
  });

  it("stores what zod accepts only within the byte capacity", () => {
    const S = fromZod(z.object({ s: z.string().max(3) }));
    const arena = new Arena({ bytes: 64 });
    z.string().max(3).parse("ééé");
    assert.throws(() => arena.alloc(S, { s: "ééé" }), FieldRangeError);
    assert.equal(arena.alloc(S, { s: "abc" }).s, "abc");
  });

  it("maps z.array(T).length(n) to arrays, nested", () => {
    assert.deepEqual(fromZod(z.array(z.float32()).length(4)), t.array(t.f32(), 4));
    assert.deepEqual(
      fromZod(z.array(z.array(z.int().meta({ arenakit: "u8" })).length(2)).length(3)),
      t.array(t.array(t.u8(), 2), 3),
    );
  });

  it("maps z.object() to structs, nested, in key order, with name and layout", () => {
    const Z = z.object({
      pos: z.object({ x: z.float32(), y: z.float32() }).meta({ arenakit: { name: "Vec2" } }),
      hp: z.int().meta({ arenakit: "u8" }),
    });
    const S = fromZod(Z, { name: "Ship", layout: "packed" });
    const want = t.struct({
      pos: t.struct({ x: t.f32(), y: t.f32() }, { name: "Vec2" }),
      hp: t.u8(),
    }, { name: "Ship", layout: "packed" });
    assert.deepEqual(S, want);
    assert.equal(layoutOf(S).size, 9);
  });

  it("maps vector and matrix hints", () => {
    const xyz = z.object({ x: z.number(), y: z.number(), z: z.number() });
    assert.equal(fromZod(xyz.meta({ arenakit: "vec3f" })), t.vec3f());
    assert.equal(fromZod(xyz.meta({ arenakit: "vec3u" })), t.vec3u());
    assert.equal(
      fromZod(z.array(z.number()).length(16).meta({ arenakit: "mat4x4f" })),
      t.mat4x4f(),
    );
  });

  it("takes overrides by path, winning over meta, including whole schemas", () => {
    const Z = z.object({
      a: z.int().meta({ arenakit: "u8" }),
      b: z.object({ c: z.number() }),
      d: z.array(z.int()).length(2),
      e: z.string(),
    });
    const S = fromZod(Z, {
      name: "O",
      overrides: { a: "u16", "b.c": "f32", "d[]": "i8", e: t.string(3), b: { name: "Inner" } },
    });
    assert.deepEqual(
      S,
      t.struct({
        a: t.u16(),
        b: t.struct({ c: t.f32() }, { name: "Inner" }),
        d: t.array(t.i8(), 2),
        e: t.string(3),
      }, { name: "O" }),
    );
  });

  it("reads hints from a custom registry", () => {
    const reg = z.registry<{ arenakit: string }>();
    const n = z.int();
    reg.add(n, { arenakit: "u16" });
    assert.equal(fromZod(n, { registry: reg }), t.u16());
    assert.equal(fromZod(n), t.i32());
  });

  const refusals: [string, () => z.ZodType, RegExp][] = [
    [
      "z.string() without max",
      () => z.object({ s: z.string() }),
      /^Invalid schema at "s": .*\.max\(n\)/,
    ],
    [
      "z.array() without length",
      () => z.object({ a: z.array(z.number()).max(3) }),
      /at "a": .*\.length\(n\)/,
    ],
    [
      "optional",
      () => z.object({ o: z.number().optional() }),
      /at "o": optional .*remove \.optional\(\)/,
    ],
    ["nullable", () => z.object({ o: z.number().nullable() }), /at "o": nullable/],
    ["default", () => z.object({ o: z.number().default(1) }), /at "o": defaults are not stored/],
    ["union", () => z.object({ u: z.union([z.number(), z.string()]) }), /at "u": unions .*z\.enum/],
    ["discriminated union", () =>
      z.object({
        u: z.discriminatedUnion("k", [
          z.object({ k: z.literal("a") }),
          z.object({ k: z.literal("b") }),
        ]),
      }), /at "u": unions/],
    ["record", () => z.object({ r: z.record(z.string(), z.number()) }), /at "r": records/],
    ["map", () => z.object({ m: z.map(z.string(), z.number()) }), /at "m": maps/],
    [
      "tuple",
      () => z.object({ p: z.tuple([z.number(), z.number()]) }),
      /at "p": tuples .*length\(n\)/,
    ],
    [
      "transform",
      () => z.object({ x: z.string().transform((s) => s.length) }),
      /at "x": transforms/,
    ],
    [
      "pipe",
      () => z.object({ x: z.string().pipe(z.string().max(3)) }),
      /at "x": transforms and pipes/,
    ],
    ["lazy", () => z.object({ l: z.lazy(() => z.number()) }), /at "l": lazy/],
    ["any", () => z.object({ q: z.any() }), /at "q": z\.any\(\) has no fixed layout/],
    ["date", () => z.object({ q: z.date() }), /at "q": z\.date\(\)/],
    ["numeric enum", () => z.object({ q: z.literal(1) }), /at "q": only string literals/],
    ["catchall", () => z.object({ a: z.number() }).catchall(z.number()), /catchall/],
    [
      "nested path",
      () => z.object({ a: z.object({ b: z.array(z.string()).length(2) }) }),
      /at "a\.b\[\]"/,
    ],
    [
      "bad hint",
      () => z.object({ b: z.boolean().meta({ arenakit: "u8" }) }),
      /at "b": hint type "u8"/,
    ],
    [
      "bad vec hint",
      () => z.object({ v: z.object({ x: z.number() }).meta({ arenakit: "vec2f" }) }),
      /at "v": a vec2f needs/,
    ],
    [
      "bad field name",
      () => z.object({ toJSON: z.number() }),
      /at "toJSON": field name "toJSON" is reserved/,
    ],
  ];
  for (const [name, make, message] of refusals) {
    it(`refuses ${name} with a SchemaError naming the path`, () => {
      assert.throws(() => fromZod(make()), (e: unknown) => {
        assert.ok(e instanceof SchemaError, String(e));
        assert.match(e.message, message);
        return true;
      });
    });
  }

  it("refuses recursive schemas built with getters", () => {
    const Node = z.object({
      v: z.number(),
      get next() {
        return Node;
      },
    });
    assert.throws(() => fromZod(Node), (e: unknown) => {
      assert.ok(e instanceof SchemaError);
      assert.equal(e.path, "next");
      assert.match(e.message, /recursive/);
      return true;
    });
  });

  it("generates the same accessor source as the equivalent t.* schema", () => {
    const Z = z.object({
      pos: z.object({ x: z.float32(), y: z.float32() }).meta({ arenakit: "vec2f" }),
      life: z.float32(),
      hp: z.int().meta({ arenakit: "u8" }),
      kind: z.enum(["spark", "smoke"]),
      name: z.string().max(12),
      hist: z.array(z.float32()).length(4),
      id: z.uint64(),
    });
    const A = fromZod(Z, { name: "Particle" });
    const B = t.struct({
      pos: t.vec2f(),
      life: t.f32(),
      hp: t.u8(),
      kind: t.enum(["spark", "smoke"]),
      name: t.string(12),
      hist: t.array(t.f32(), 4),
      id: t.u64(),
    }, { name: "Particle" });
    for (const jitless of [false, true]) {
      const arena = new Arena({ bytes: 1024, jitless });
      assert.equal(arena.classOf(A).source, arena.classOf(B).source);
    }
    assert.deepEqual(layoutOf(A), { ...layoutOf(B), schema: A, fields: layoutOf(A).fields });
  });

  it("infers the zod output type", () => {
    const Z = z.object({
      a: z.float32(),
      b: z.enum(["x", "y"]),
      c: z.array(z.int64()).length(2),
      d: z.object({ e: z.boolean(), f: z.string().max(3) }),
    });
    const S = fromZod(Z);
    assertType<IsExact<t.Infer<typeof S>, z.infer<typeof Z>>>();
    const v = new Arena({ bytes: 256 }).alloc(S, { b: "y", d: { e: true } });
    assert.deepEqual(v.toObject(), { a: 0, b: "y", c: [0n, 0n], d: { e: true, f: "" } });
  });
});

describe("toZod()", () => {
  it("has the plain-object type of the schema", () => {
    const S = t.struct({
      a: t.u8(),
      b: t.enum(["x", "y"]),
      c: t.array(t.i64(), 2),
      d: t.struct({ e: t.bool(), f: t.string(3), v: t.vec3f(), m: t.mat2x2f() }),
    });
    assertType<IsExact<t.Infer<typeof S>, z.infer<ReturnType<typeof toZod<typeof S>>>>>();
    const V = toZod(S);
    assertType<IsExact<z.infer<typeof V>, t.Infer<typeof S>>>();
  });

  it("composes inside zod schemas", () => {
    const P = t.struct({ hp: t.u8() });
    const Msg = z.object({ id: z.string(), p: toZod(P) });
    assertType<IsExact<z.infer<typeof Msg>, { id: string; p: { hp: number } }>>();
    assert.equal(Msg.safeParse({ id: "a", p: { hp: 3 } }).success, true);
    assert.equal(Msg.safeParse({ id: "a", p: { hp: 300 } }).success, false);
  });

  const edges: [string, Schema, unknown[], unknown[]][] = [
    ["u8", t.u8(), [0, 255, -0], [-1, 256, 1.5, NaN, "1", 1n]],
    ["i32", t.i32(), [-(2 ** 31), 2 ** 31 - 1], [2 ** 31, 0.5, Infinity]],
    ["u32", t.u32(), [0, 2 ** 32 - 1], [2 ** 32, -1]],
    // Like Float32Array: numbers too large for f32 are accepted and round to ±Infinity.
    ["f32", t.f32(), [
      3.4028234663852886e38,
      2 ** 128 - 2 ** 103 - 2 ** 75,
      2 ** 128 - 2 ** 103,
      -(2 ** 128),
      1e39,
      NaN,
      Infinity,
      -Infinity,
      -0,
    ], ["1", 1n, null]],
    ["f64", t.f64(), [Number.MAX_VALUE, NaN, -Infinity], ["0", 0n, null]],
    ["i64", t.i64(), [-(2n ** 63n), 2n ** 63n - 1n], [2n ** 63n, 1]],
    ["u64", t.u64(), [0n, 2n ** 64n - 1n], [-1n, 2n ** 64n]],
    ["bool", t.bool(), [true, false], [0, "true"]],
    ["enum", t.enum(["a", "b"]), ["a", "b"], ["c", 0]],
    ["string(4)", t.string(4), ["", "abcd", "éé", "😀"], [
      "abcde",
      "ééa",
      "a\0",
      "\ud800",
      "\udc00x",
      1,
    ]],
    ["vec2f", t.vec2f(), [{ x: 1, y: 2 }], [{ x: 1 }, { x: 1, y: 2, z: 3 }, [1, 2]]],
    ["mat2x2f", t.mat2x2f(), [[1, 2, 3, 4]], [[1, 2, 3], [1, 2, 3, "4"]]],
    ["array", t.array(t.u8(), 2), [[1, 2]], [[1], [1, 2, 3], [1, 256], { 0: 1, 1: 2, length: 2 }]],
    ["ref", t.ref(t.struct({ a: t.u8() })), [null, 1, 2 ** 53 - 1], [
      0,
      -1,
      1.5,
      2 ** 53,
      undefined,
    ]],
    ["struct", t.struct({ a: t.u8() }), [{ a: 1 }], [{}, { a: 1, b: 2 }, null, [], {
      a: undefined,
    }]],
  ];
  for (const [name, schema, good, bad] of edges) {
    it(`agrees with checked mode on ${name} edge values`, () => {
      for (const v of [...good, ...bad]) {
        const checked = accepts(schema, v);
        assert.equal(checked, good.includes(v), `checked mode on ${String(v)}`);
        assert.equal(toZod(schema).safeParse(v).success, checked, `toZod on ${String(v)}`);
      }
    });
  }

  it("agrees with checked mode on random schemas and values (property)", () => {
    fc.assert(
      fc.property(
        schemaArb.chain((s) => fc.tuple(fc.constant(s), valueArb(s))),
        ([schema, value]) => {
          assert.equal(toZod(schema).safeParse(value).success, accepts(schema, value));
        },
      ),
      { numRuns: 400 },
    );
  });

  it("finds both verdicts often in the property's values", () => {
    let valid = 0;
    let invalid = 0;
    fc.assert(
      fc.property(schemaArb.chain((s) => fc.tuple(fc.constant(s), valueArb(s))), ([s, v]) => {
        if (accepts(s, v)) valid++;
        else invalid++;
      }),
      { numRuns: 300 },
    );
    assert.ok(valid > 30 && invalid > 30, `valid ${valid}, invalid ${invalid}`);
  });
});

function accepts(schema: Schema, value: unknown): boolean {
  try {
    validate(schema, value, "", false);
    return true;
  } catch (e) {
    if (e instanceof TypeError || e instanceof RangeError) return false;
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// Arbitraries: random schemas, and values that are valid about half of the time.

const scalarArb: fc.Arbitrary<Schema> = fc.oneof(
  fc.constantFrom<Schema>(
    t.i8(),
    t.u8(),
    t.i16(),
    t.u16(),
    t.i32(),
    t.u32(),
    t.f32(),
    t.f64(),
    t.i64(),
    t.u64(),
    t.bool(),
    t.vec2f(),
    t.vec3i(),
    t.vec4u(),
    t.mat2x2f(),
    t.ref(t.struct({ a: t.u8() })),
  ),
  fc.uniqueArray(fc.string({ minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 4 })
    .map((vs) => t.enum(vs as [string, ...string[]])),
  fc.integer({ min: 1, max: 6 }).map((n) => t.string(n)),
);

const schemaArb: fc.Arbitrary<Schema> = fc.letrec<{ s: Schema }>((tie) => ({
  s: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalarArb,
    fc.tuple(tie("s"), fc.integer({ min: 1, max: 3 })).map(([e, n]) => t.array(e, n) as Schema),
    fc.uniqueArray(fc.constantFrom("a", "b", "c", "d"), { minLength: 1, maxLength: 4 })
      .chain((keys) =>
        fc.tuple(
          fc.constant(keys),
          fc.array(tie("s"), { minLength: keys.length, maxLength: keys.length }),
        )
      )
      .map(([keys, fields]) => t.struct(Object.fromEntries(keys.map((k, i) => [k, fields[i]])))),
  ),
})).s;

const INT: Record<string, [number, number]> = {
  i8: [-128, 127],
  u8: [0, 255],
  i16: [-32768, 32767],
  u16: [0, 65535],
  i32: [-(2 ** 31), 2 ** 31 - 1],
  u32: [0, 2 ** 32 - 1],
};
const junk = fc.constantFrom<unknown>(undefined, null, "1", 1n, true, 0.5, NaN, {}, []);
const F32_EDGE = [
  3.4028234663852886e38,
  2 ** 128 - 2 ** 103,
  2 ** 128 - 2 ** 103 - 2 ** 75,
  2 ** 128,
];

function valueArb(schema: Schema): fc.Arbitrary<unknown> {
  const bad = fc.oneof({ weight: 1, arbitrary: junk });
  switch (schema.kind) {
    case "i8":
    case "u8":
    case "i16":
    case "u16":
    case "i32":
    case "u32": {
      const [lo, hi] = INT[schema.kind];
      return fc.oneof(
        { weight: 6, arbitrary: fc.integer({ min: lo, max: hi }) },
        { weight: 2, arbitrary: fc.constantFrom(lo - 1, hi + 1, lo, hi, -0) },
        { weight: 1, arbitrary: bad },
      );
    }
    case "f32":
      return fc.oneof(
        { weight: 6, arbitrary: fc.float() },
        { weight: 2, arbitrary: fc.double() },
        { weight: 2, arbitrary: fc.constantFrom(...F32_EDGE, ...F32_EDGE.map((x) => -x)) },
        { weight: 1, arbitrary: bad },
      );
    case "f64":
      return fc.oneof({ weight: 6, arbitrary: fc.double() }, { weight: 1, arbitrary: bad });
    case "i64":
    case "u64": {
      const lo = schema.kind === "i64" ? -(2n ** 63n) : 0n;
      const hi = schema.kind === "i64" ? 2n ** 63n - 1n : 2n ** 64n - 1n;
      return fc.oneof(
        { weight: 6, arbitrary: fc.bigInt({ min: lo, max: hi }) },
        { weight: 2, arbitrary: fc.constantFrom(lo - 1n, hi + 1n, lo, hi) },
        { weight: 1, arbitrary: bad },
      );
    }
    case "bool":
      return fc.oneof({ weight: 6, arbitrary: fc.boolean() }, { weight: 1, arbitrary: bad });
    case "enum":
      return fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom(...schema.values) },
        { weight: 1, arbitrary: fc.string({ maxLength: 3 }) },
        { weight: 1, arbitrary: bad },
      );
    case "string": {
      const unit = fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom("a", "é", "€", "😀", " ") },
        { weight: 1, arbitrary: fc.constantFrom("\0", "\ud800", "\udfff") },
      );
      return fc.oneof(
        { weight: 6, arbitrary: fc.string({ unit, maxLength: schema.maxBytes + 1 }) },
        { weight: 1, arbitrary: bad },
      );
    }
    case "ref":
      return fc.oneof(
        { weight: 3, arbitrary: fc.constant(null) },
        { weight: 3, arbitrary: fc.integer({ min: 1, max: 2 ** 31 }) },
        { weight: 1, arbitrary: fc.constantFrom(0, -1, 1.5, 2 ** 53, Number.MAX_SAFE_INTEGER) },
        { weight: 1, arbitrary: bad },
      );
    case "vec": {
      const el = valueArb({ kind: schema.element } as Schema);
      const keys = ["x", "y", "z", "w"].slice(0, schema.length);
      return fc.oneof(
        {
          weight: 6,
          arbitrary: fc.tuple(...keys.map(() => el)).map((vs) =>
            Object.fromEntries(keys.map((k, i) => [k, vs[i]]))
          ),
        },
        { weight: 1, arbitrary: fc.constant(Object.fromEntries(keys.slice(1).map((k) => [k, 1]))) },
        { weight: 1, arbitrary: bad },
      );
    }
    case "mat":
    case "array": {
      const n = schema.kind === "mat" ? schema.cols * schema.rows : schema.length;
      const el = valueArb(schema.kind === "mat" ? t.f32() : schema.element);
      return fc.oneof(
        { weight: 6, arbitrary: fc.array(el, { minLength: n, maxLength: n }) },
        { weight: 1, arbitrary: fc.array(el, { minLength: Math.max(0, n - 1), maxLength: n + 1 }) },
        { weight: 1, arbitrary: bad },
      );
    }
    case "struct": {
      const keys = Object.keys(schema.fields);
      const full = fc.tuple(...keys.map((k) => valueArb(schema.fields[k])))
        .map((vs) => Object.fromEntries(keys.map((k, i) => [k, vs[i]])));
      return fc.oneof(
        { weight: 6, arbitrary: full },
        { weight: 1, arbitrary: full.map((o) => ({ ...o, extra: 1 })) },
        { weight: 1, arbitrary: full.map((o) => Object.fromEntries(Object.entries(o).slice(1))) },
        { weight: 1, arbitrary: bad },
      );
    }
  }
}
