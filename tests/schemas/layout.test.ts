// The layout compiler. C and packed layouts are compared with what the system C compiler gives
// the equivalent struct (fixed schemas and random ones); WGSL layouts with the examples and
// rules of the WGSL spec (section "Memory layout").
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import * as t from "../../schemas/t.ts";
import { type FieldLayout, type Layout, layoutOf } from "../../schemas/layout.ts";
import { SchemaError } from "../../lib/errors.ts";
import type { LayoutMode, Schema, StructSchema } from "../../schemas/types.ts";
import { cLayouts, cSource, findCC } from "./_gcc.ts";
import { BIG_ENUM, names, structArb } from "./_arbitraries.ts";

const CC = findCC();
const NO_CC = CC === undefined ? "no C compiler (cc, gcc) is installed" : false;

/** `[name, offset, size, align]` of each field, for compact expectations. */
function offsets(l: Layout): [string, number, number, number][] {
  return l.fields.map((f) => [f.name, f.offset, f.size, f.align]);
}

function refuses(fn: () => unknown, path: string, message: string | RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof SchemaError, `expected a SchemaError, got ${String(e)}`);
    assert.equal(e.path, path);
    if (typeof message === "string") assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

/** Every layout reachable from `l` (itself, nested structs, struct array elements). */
function allLayouts(l: Layout): Layout[] {
  const out = [l];
  for (const f of l.fields) if (f.layout) out.push(...allLayouts(f.layout));
  return out;
}

// ---------------------------------------------------------------------------------------------

describe("layoutOf() in C mode", () => {
  it("pads like a C compiler on x86-64", () => {
    const S = t.struct({ a: t.u8(), b: t.f64(), c: t.u16() }, { name: "S" });
    const l = layoutOf(S);
    assert.equal(l.name, "S");
    assert.equal(l.mode, "c");
    assert.deepEqual(offsets(l), [["a", 0, 1, 1], ["b", 8, 8, 8], ["c", 16, 2, 2]]);
    assert.equal(l.size, 24);
    assert.equal(l.align, 8);
    assert.equal(l.schema, S);
  });

  it("mixes 64-bit integers, bools, strings and enums", () => {
    const S = t.struct({
      flag: t.bool(),
      id: t.u64(),
      name: t.string(5),
      kind: BIG_ENUM,
      small: t.enum(["x", "y"]),
      delta: t.i64(),
      tail: t.i8(),
    });
    assert.deepEqual(offsets(layoutOf(S)), [
      ["flag", 0, 1, 1],
      ["id", 8, 8, 8],
      ["name", 16, 5, 1],
      ["kind", 22, 2, 2],
      ["small", 24, 1, 1],
      ["delta", 32, 8, 8],
      ["tail", 40, 1, 1],
    ]);
    assert.equal(layoutOf(S).size, 48);
  });

  it("stores enums of 257 literals in a u16, fewer in a u8", () => {
    assert.deepEqual([layoutOf(BIG_ENUM).size, layoutOf(BIG_ENUM).align], [2, 2]);
    const small = t.enum(names(256));
    assert.deepEqual([layoutOf(small).size, layoutOf(small).align], [1, 1]);
  });

  it("lays vectors and matrices out as float arrays", () => {
    const S = t.struct({ a: t.u8(), v: t.vec3f(), m: t.mat3x3f(), q: t.mat2x2f() });
    const l = layoutOf(S);
    assert.deepEqual(offsets(l), [["a", 0, 1, 1], ["v", 4, 12, 4], ["m", 16, 36, 4], [
      "q",
      52,
      16,
      4,
    ]]);
    assert.equal(l.fields[2].stride, 12);
    assert.equal(l.size, 68);
  });

  it("nests structs and arrays of structs, with strides", () => {
    const V = t.struct({ x: t.f32(), flag: t.u8() }, { name: "V" });
    const S = t.struct({ tag: t.u8(), v: V, list: t.array(V, 3), d: t.f64() });
    const l = layoutOf(S);
    assert.deepEqual(offsets(l), [["tag", 0, 1, 1], ["v", 4, 8, 4], ["list", 12, 24, 4], [
      "d",
      40,
      8,
      8,
    ]]);
    assert.equal(l.fields[1].layout, layoutOf(V));
    assert.equal(l.fields[2].stride, 8);
    assert.equal(l.fields[2].layout, layoutOf(V));
    assert.equal(l.size, 48);
  });
});

describe("layoutOf() in packed mode", () => {
  it("leaves no padding and aligns to 1", () => {
    const S = t.struct({ a: t.u8(), b: t.f64(), c: t.u16(), v: t.vec3f() }, { layout: "packed" });
    const l = layoutOf(S);
    assert.deepEqual(offsets(l), [["a", 0, 1, 1], ["b", 1, 8, 1], ["c", 9, 2, 1], [
      "v",
      11,
      12,
      1,
    ]]);
    assert.deepEqual([l.size, l.align, l.mode], [23, 1, "packed"]);
  });

  it("packs nested structs without a mode of their own, like #pragma pack(1)", () => {
    const Inner = t.struct({ a: t.u8(), b: t.u32() }, { name: "Inner" });
    const Pinned = t.struct({ a: t.u8(), b: t.u32() }, { name: "Pinned", layout: "c" });
    const S = t.struct({ x: t.u8(), i: Inner, p: Pinned }, { layout: "packed" });
    const l = layoutOf(S);
    assert.deepEqual(offsets(l), [["x", 0, 1, 1], ["i", 1, 5, 1], ["p", 6, 8, 1]]);
    assert.equal(l.fields[1].layout?.mode, "packed");
    assert.equal(l.fields[2].layout?.mode, "c");
    assert.equal(l.size, 14);
    // The same Inner at the root keeps C rules: layouts are per (schema, mode).
    assert.equal(layoutOf(Inner).size, 8);
    assert.equal(layoutOf(Inner, "packed").size, 5);
  });

  it("aligns a packed struct to 1 inside a C struct", () => {
    const P = t.struct({ a: t.u8(), b: t.u32() }, { layout: "packed" });
    const S = t.struct({ x: t.u8(), p: P, y: t.u16() });
    assert.deepEqual(offsets(layoutOf(S)), [["x", 0, 1, 1], ["p", 1, 5, 1], ["y", 6, 2, 2]]);
  });
});

describe("layoutOf() agrees with the C compiler", () => {
  const V = t.struct({ x: t.f32(), flag: t.u8() }, { name: "V" });
  const fixed: StructSchema[] = [
    t.struct({ a: t.u8(), b: t.f64(), c: t.u16() }, { name: "Padded" }),
    t.struct({ a: t.u8(), b: t.f64(), c: t.u16() }, { name: "Packed", layout: "packed" }),
    t.struct({ a: t.bool(), id: t.u64(), n: t.string(7), k: BIG_ENUM, e: t.enum(["a"]) }),
    t.struct({ a: t.u8(), v: t.vec3f(), m: t.mat3x3f(), m4: t.mat4x4f(), vi: t.vec2i() }),
    t.struct({ tag: t.u8(), v: V, list: t.array(V, 3), d: t.f64(), r: t.ref(V) }),
    t.struct({ x: t.u8(), v: V, list: t.array(V, 2), s: t.array(t.string(3), 2) }, {
      name: "PackedNest",
      layout: "packed",
    }),
    t.struct({
      x: t.u8(),
      p: t.struct({ a: t.u8(), b: t.u32() }, { layout: "packed" }),
      y: t.u16(),
    }),
    t.struct({ x: t.i8(), grid: t.array(t.array(t.i16(), 3), 2), tail: t.i64() }),
  ];

  /** Asserts every struct type in `roots` has the layout gcc gives it. */
  function agree(roots: StructSchema[], note = ""): void {
    for (const ty of cLayouts(CC!, roots)) {
      const l = layoutOf(ty.schema, ty.mode);
      const where = `${ty.schema.name} (${ty.mode})${note}`;
      assert.equal(l.mode, ty.mode, where);
      assert.deepEqual(
        { size: l.size, align: l.align, fields: offsets(l) },
        {
          size: ty.size,
          align: ty.align,
          fields: ty.fields.map((f) => [f.name, f.offset, f.size, f.align]),
        },
        `${where}\n${cSource([ty.schema]).source}`,
      );
    }
  }

  it("writes the C declarations the comparison relies on", () => {
    const { source } = cSource([fixed[5]]);
    const lines = (...l: string[]) => l.join("\n");
    assert.ok(
      source.includes(lines(
        "struct __attribute__((packed)) T0_PackedNest {",
        "  uint8_t x;",
        "  struct T1_V v;",
        "  struct T1_V list[2];",
        "  char s[2][3];",
        "};",
      )),
      source,
    );
    assert.ok(
      source.includes(
        lines("struct __attribute__((packed)) T1_V {", "  float x;", "  uint8_t flag;", "};"),
      ),
      source,
    );
    const mats = cSource([fixed[3]]).source;
    assert.ok(
      mats.includes(
        lines("  float v[3];", "  float m[3][3];", "  float m4[4][4];", "  int32_t vi[2];"),
      ),
      mats,
    );
  });

  it("for fixed schemas with every kind", { skip: NO_CC }, () => {
    agree(fixed);
  });

  it("for 25 random C schemas and 25 random packed ones", { skip: NO_CC }, () => {
    const seed = Date.now() | 0;
    const roots = [
      ...fc.sample(structArb("c"), { numRuns: 25, seed }),
      ...fc.sample(structArb("packed"), { numRuns: 25, seed: seed + 1 }),
    ];
    agree(roots, ` (fast-check seed ${seed})`);
  });
});

describe("layoutOf() in WGSL mode", () => {
  it("gives vec3f 12 bytes and 16-byte alignment", () => {
    const S = t.struct({ pos: t.vec3f(), life: t.f32() }, { layout: "wgsl" });
    assert.deepEqual(offsets(layoutOf(S)), [["pos", 0, 12, 16], ["life", 12, 4, 4]]);
    assert.deepEqual([layoutOf(S).size, layoutOf(S).align], [16, 16]);
    const T = t.struct({ life: t.f32(), pos: t.vec3f() }, { layout: "wgsl" });
    assert.deepEqual(offsets(layoutOf(T)), [["life", 0, 4, 4], ["pos", 16, 12, 16]]);
    assert.equal(layoutOf(T).size, 32);
  });

  it("matches the storage example of the WGSL spec", () => {
    // WGSL spec, "Structure Member Layout": struct A and struct B with their offsets.
    const A = t.struct({ u: t.f32(), v: t.f32(), w: t.vec2f(), x: t.f32() }, { name: "A" });
    const B = t.struct({
      a: t.vec2f(),
      b: t.vec3f(),
      c: t.f32(),
      d: t.f32(),
      e: A,
      f: t.vec3f(),
      g: t.array(A, 3),
      h: t.i32(),
    }, { name: "B", layout: "wgsl" });
    const l = layoutOf(B);
    assert.deepEqual(l.fields.map((f) => [f.name, f.offset, f.align, f.size]), [
      ["a", 0, 8, 8],
      ["b", 16, 16, 12],
      ["c", 28, 4, 4],
      ["d", 32, 4, 4],
      ["e", 40, 8, 24],
      ["f", 64, 16, 12],
      ["g", 80, 8, 72],
      ["h", 152, 4, 4],
    ]);
    assert.deepEqual([l.size, l.align], [160, 16]);
    assert.equal(l.fields[6].stride, 24);
    assert.equal(l.fields[4].layout?.mode, "wgsl");
  });

  it("pads matrix columns to the vector alignment", () => {
    const S = t.struct({ a: t.f32(), m2: t.mat2x2f(), m3: t.mat3x3f(), m4: t.mat4x4f() }, {
      layout: "wgsl",
    });
    const l = layoutOf(S);
    assert.deepEqual(offsets(l), [["a", 0, 4, 4], ["m2", 8, 16, 8], ["m3", 32, 48, 16], [
      "m4",
      80,
      64,
      16,
    ]]);
    assert.deepEqual(l.fields.map((f) => f.stride), [undefined, 8, 16, 16]);
    assert.equal(l.size, 144);
    assert.deepEqual([layoutOf(t.mat3x3f(), "wgsl").size, layoutOf(t.mat3x3f()).size], [48, 36]);
  });

  it("rounds array strides up to the element alignment", () => {
    const S = t.struct({ v: t.array(t.vec3f(), 2), f: t.array(t.f32(), 3), x: t.u32() }, {
      layout: "wgsl",
    });
    const l = layoutOf(S);
    assert.deepEqual(offsets(l), [["v", 0, 32, 16], ["f", 32, 12, 4], ["x", 44, 4, 4]]);
    assert.deepEqual([l.fields[0].stride, l.fields[1].stride], [16, 4]);
    assert.equal(l.size, 48);
  });

  it("refuses types that are not host-shareable, naming the path and what to use", () => {
    const cases: [Schema, string][] = [
      [t.u8(), "u32"],
      [t.i8(), "i32"],
      [t.u16(), "u32"],
      [t.i16(), "i32"],
      [t.bool(), "u32"],
      [t.enum(["a"]), "u32"],
      [t.f64(), "f32"],
      [t.i64(), "vec2i"],
      [t.u64(), "vec2u"],
      [t.string(4), "an array of u32"],
      [t.ref(t.struct({ a: t.u32() })), "u32"],
    ];
    for (const [w, use] of cases) {
      const S = t.struct({ pos: t.struct({ x: t.f32(), w }) }, { layout: "wgsl" });
      refuses(
        () => layoutOf(S),
        "pos.w",
        `Invalid schema at "pos.w": ${w.kind} cannot be laid out for WGSL (not host-shareable), use ${use}`,
      );
    }
    refuses(
      () => layoutOf(t.struct({ hist: t.array(t.u8(), 4) }, { layout: "wgsl-uniform" })),
      "hist[]",
      /u8 cannot be laid out for WGSL \(not host-shareable\), use u32$/,
    );
  });

  it("refuses C structs inside WGSL ones and the other way round", () => {
    const C = t.struct({ a: t.f32() }, { name: "CPart", layout: "c" });
    refuses(
      () => layoutOf(t.struct({ inner: C }, { layout: "wgsl" })),
      "inner",
      'Invalid schema at "inner": struct CPart has layout "c" but sits in a "wgsl" struct: ' +
        "WGSL and C layouts cannot be mixed",
    );
    const G = t.struct({ a: t.f32() }, { name: "GPart", layout: "wgsl" });
    refuses(
      () => layoutOf(t.struct({ inner: G }, { layout: "packed" })),
      "inner",
      /struct GPart has layout "wgsl"/,
    );
  });

  it("lays out non-struct schemas on their own", () => {
    const v = layoutOf(t.vec3f(), "wgsl");
    assert.deepEqual([v.name, v.mode, v.size, v.align, v.fields.length], [
      "vec",
      "wgsl",
      12,
      16,
      0,
    ]);
    assert.deepEqual([layoutOf(t.u16()).size, layoutOf(t.string(9)).align], [2, 1]);
  });
});

describe("layoutOf() in wgsl-uniform mode", () => {
  it("aligns struct members to 16 and keeps 16 bytes after them", () => {
    // WGSL spec: in the uniform address space a struct member is 16-byte aligned and the next
    // member starts at least roundUp(16, SizeOf(S)) after it.
    const S = t.struct({ x: t.f32() }, { name: "S" });
    const U = t.struct({ a: S, b: t.f32(), c: S, v: t.vec3f(), w: t.f32() }, {
      layout: "wgsl-uniform",
    });
    const l = layoutOf(U);
    assert.deepEqual(l.fields.map((f) => [f.name, f.offset, f.align]), [
      ["a", 0, 16],
      ["b", 16, 4],
      ["c", 32, 16],
      ["v", 48, 16],
      ["w", 60, 4],
    ]);
    assert.deepEqual([l.size, l.align], [64, 16]);
    assert.equal(l.fields[0].layout?.mode, "wgsl-uniform");
  });

  it("aligns arrays to 16 and accepts strides that are multiples of 16", () => {
    const U = t.struct({ a: t.f32(), v: t.array(t.vec4f(), 2), m: t.array(t.mat2x2f(), 2) }, {
      layout: "wgsl-uniform",
    });
    assert.deepEqual(offsets(layoutOf(U)), [["a", 0, 4, 4], ["v", 16, 32, 16], ["m", 48, 32, 16]]);
  });

  it("refuses array strides that are not multiples of 16", () => {
    refuses(
      () => layoutOf(t.struct({ a: t.array(t.f32(), 4) }, { layout: "wgsl-uniform" })),
      "a",
      'Invalid schema at "a": array stride 4 is not a multiple of 16 in the WGSL uniform ' +
        'address space: use vec4 elements, or the "wgsl" (storage) layout',
    );
    refuses(
      () => layoutOf(t.struct({ a: t.array(t.vec2f(), 4) }, { layout: "wgsl-uniform" })),
      "a",
      /array stride 8 is not a multiple of 16/,
    );
    // The same arrays are fine in the storage address space.
    assert.equal(layoutOf(t.struct({ a: t.array(t.f32(), 4) }, { layout: "wgsl" })).size, 16);
  });
});

describe("layoutOf() limits", () => {
  it("refuses structs past MAX_SCHEMA_BYTES", () => {
    const big = t.array(t.f64(), t.MAX_SCHEMA_BYTES / 8);
    refuses(
      () => layoutOf(t.struct({ a: t.u8(), big })),
      "",
      `struct of ${t.MAX_SCHEMA_BYTES + 8} bytes is larger than ${t.MAX_SCHEMA_BYTES}`,
    );
    refuses(
      () => layoutOf(t.struct({ big: t.array(t.f64(), t.MAX_SCHEMA_BYTES / 4) })),
      "big",
      `Invalid schema at "big": array of ${
        2 * t.MAX_SCHEMA_BYTES
      } bytes is larger than ${t.MAX_SCHEMA_BYTES}`,
    );
  });
});

describe("layoutOf() properties", () => {
  const modes: LayoutMode[] = ["c", "packed", "wgsl", "wgsl-uniform"];

  function check(l: Layout): void {
    let end = 0;
    for (const f of l.fields as FieldLayout[]) {
      assert.equal(f.offset % f.align, 0, `${l.name}.${f.name} at ${f.offset} align ${f.align}`);
      assert.ok(f.offset >= end, `${l.name}.${f.name} overlaps the field before it`);
      end = f.offset + f.size;
      if (l.mode === "packed") assert.equal(f.align, 1);
    }
    assert.ok(l.size >= end, `${l.name} is shorter than its fields`);
    assert.equal(l.size % l.align, 0, `${l.name} size ${l.size} align ${l.align}`);
    // Arenas round their top up to an alignment with a mask, which needs a power of two.
    assert.ok([1, 2, 4, 8, 16].includes(l.align), `${l.name} align ${l.align}`);
    assert.ok(Object.isFrozen(l) && Object.isFrozen(l.fields));
  }

  for (const mode of modes) {
    it(`keeps fields aligned, in order, apart, and the size a multiple of the alignment (${mode})`, () => {
      fc.assert(
        fc.property(structArb(mode), (S) => {
          const l = layoutOf(S);
          assert.equal(l.mode, mode);
          for (const x of allLayouts(l)) check(x);
          if (mode === "wgsl-uniform") {
            for (const f of l.fields) {
              if (f.layout || f.kind === "array") assert.equal(f.offset % 16, 0);
            }
          }
          if (mode === "packed") {
            const sum = l.fields.reduce((n, f) => n + f.size, 0);
            assert.equal(l.size, sum);
          }
        }),
        { numRuns: 100 },
      );
    });
  }

  it("caches layouts: the same object twice", () => {
    fc.assert(
      fc.property(fc.constantFrom(...modes).chain((m) => structArb(m)), (S) => {
        const a = layoutOf(S);
        assert.equal(layoutOf(S), a);
        for (const f of a.fields) {
          if (f.layout && f.kind === "struct") assert.equal(layoutOf(f.schema, a.mode), f.layout);
        }
      }),
      { numRuns: 50 },
    );
  });
});
