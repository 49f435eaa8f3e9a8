// Arena: what accessors write is checked byte by byte with DataView (and the other way round),
// for every kind, with generated and jitless classes; bad values are refused without touching a
// byte; lifetimes (reset, marks, scopes) make exactly the right views stale; and the allocator
// (alignment, zeroing, overflow policies, stats) is exercised directly and with random sequences.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import * as t from "../../../schemas/t.ts";
import { layoutOf } from "../../../schemas/layout.ts";
import { Arena, type ArenaMark } from "../../../lib/memory/arena.ts";
import { bufferOf, offsetOf } from "../../../lib/memory/views.ts";
import { Pool } from "../../../lib/memory/pool.ts";
import {
  ArenaFullError,
  FieldRangeError,
  FieldTypeError,
  StaleViewError,
} from "../../../lib/errors.ts";
import type { ArrayView, StructSchema } from "../../../schemas/types.ts";
import { BIG_ENUM, names } from "../../schemas/_arbitraries.ts";

const V = t.struct({ x: t.f32(), flag: t.u8() }, { name: "V" });
const Color = t.enum(["red", "green", "blue"]);

const All = t.struct({
  i8: t.i8(),
  u8: t.u8(),
  i16: t.i16(),
  u16: t.u16(),
  i32: t.i32(),
  u32: t.u32(),
  f32: t.f32(),
  f64: t.f64(),
  i64: t.i64(),
  u64: t.u64(),
  bool: t.bool(),
  e8: Color,
  e16: BIG_ENUM,
  str: t.string(10),
  nums: t.array(t.f32(), 3),
  big: t.array(t.i64(), 2),
  structs: t.array(V, 2),
  enums: t.array(Color, 3),
  v2f: t.vec2f(),
  v3i: t.vec3i(),
  v4u: t.vec4u(),
  m2: t.mat2x2f(),
  m3: t.mat3x3f(),
  m4: t.mat4x4f(),
  inner: V,
}, { name: "All" });

const Gpu = t.struct({
  a: t.f32(),
  pos: t.vec3f(),
  m2: t.mat2x2f(),
  m3: t.mat3x3f(),
  list: t.array(t.vec3u(), 2),
  tail: t.i32(),
}, { name: "Gpu", layout: "wgsl" });

const Packed = t.struct({
  tag: t.u8(),
  f: t.f32(),
  d: t.f64(),
  s: t.i16(),
  e: BIG_ENUM,
  v: t.vec2i(),
  big: t.u64(),
  hist: t.array(t.u16(), 2),
  inner: V,
}, { name: "Packed", layout: "packed" });

/** Absolute byte offset of a field path like "inner.x" in the view's buffer. */
function at(view: object, S: StructSchema, path: string): number {
  let o = offsetOf(view);
  let l = layoutOf(S);
  for (const part of path.split(".")) {
    const f = l.fields.find((x) => x.name === part);
    assert.ok(f, `no field ${part}`);
    o += f.offset;
    if (f.layout) l = f.layout;
  }
  return o;
}

const dvOf = (view: object) => new DataView(bufferOf(view));

/** The whole arena chunk a view lives in, copied. */
const snapshot = (view: object) => new Uint8Array(bufferOf(view).slice(0));

type Rec = Record<string, unknown>;

// [field, value, DataView getter, DataView setter]
const SCALARS: [string, unknown, string, string][] = [
  ["i8", -100, "getInt8", "setInt8"],
  ["u8", 200, "getUint8", "setUint8"],
  ["i16", -30000, "getInt16", "setInt16"],
  ["u16", 60000, "getUint16", "setUint16"],
  ["i32", -2000000000, "getInt32", "setInt32"],
  ["u32", 4000000000, "getUint32", "setUint32"],
  ["f32", 1.5, "getFloat32", "setFloat32"],
  ["f64", Math.PI, "getFloat64", "setFloat64"],
  ["i64", -(1n << 62n) - 5n, "getBigInt64", "setBigInt64"],
  ["u64", (1n << 64n) - 3n, "getBigUint64", "setBigUint64"],
];

type Getter = (o: number, little?: boolean) => number | bigint;
type Setter = (o: number, v: number | bigint, little?: boolean) => void;
const get = (dv: DataView, name: string, o: number) =>
  (dv[name as keyof DataView] as unknown as Getter).call(dv, o, true);
const put = (dv: DataView, name: string, o: number, v: unknown) =>
  (dv[name as keyof DataView] as unknown as Setter).call(dv, o, v as number, true);

for (const jitless of [false, true]) {
  const mode = jitless ? "jitless" : "jit";
  const arenaOf = (bytes = 4096) => new Arena({ bytes, jitless });

  describe(`Arena views write and read the bytes of every kind (${mode})`, () => {
    it("numbers and bigints: setter → DataView", () => {
      const v = arenaOf().alloc(All) as unknown as Rec;
      for (const [field, value, getter] of SCALARS) {
        v[field] = value;
        assert.equal(get(dvOf(v), getter, at(v, All, field)), value, field);
      }
    });

    it("numbers and bigints: DataView → getter", () => {
      const v = arenaOf().alloc(All) as unknown as Rec;
      for (const [field, value, , setter] of SCALARS) {
        put(dvOf(v), setter, at(v, All, field), value);
        assert.equal(v[field], value, field);
      }
      put(dvOf(v), "setFloat32", at(v, All, "f32"), 0.1);
      assert.equal(v.f32, Math.fround(0.1));
    });

    it("bool as one byte 0 or 1", () => {
      const v = arenaOf().alloc(All);
      const o = at(v, All, "bool");
      v.bool = true;
      assert.equal(dvOf(v).getUint8(o), 1);
      v.bool = false;
      assert.equal(dvOf(v).getUint8(o), 0);
      dvOf(v).setUint8(o, 7);
      assert.equal(v.bool, true);
    });

    it("enums as their index, in a u8 or (257 literals) a u16", () => {
      const v = arenaOf().alloc(All);
      v.e8 = "blue";
      assert.equal(dvOf(v).getUint8(at(v, All, "e8")), 2);
      v.e16 = "v256" as never;
      assert.equal(layoutOf(All).fields.find((f) => f.name === "e16")?.size, 2);
      assert.equal(dvOf(v).getUint16(at(v, All, "e16"), true), 256);
      dvOf(v).setUint16(at(v, All, "e16"), 200, true);
      assert.equal(v.e16, "v200");
      dvOf(v).setUint8(at(v, All, "e8"), 1);
      assert.equal(v.e8, "green");
    });

    it("strings as zero-padded UTF-8", () => {
      const v = arenaOf().alloc(All);
      const o = at(v, All, "str");
      v.str = "héllo€";
      const want = [...new TextEncoder().encode("héllo€")];
      assert.equal(want.length, 9);
      assert.deepEqual([...new Uint8Array(bufferOf(v), o, 10)], [...want, 0]);
      v.str = "ab";
      assert.deepEqual([...new Uint8Array(bufferOf(v), o, 10)], [97, 98, 0, 0, 0, 0, 0, 0, 0, 0]);
      v.str = "😀€";
      assert.equal(v.str, "😀€");
      new Uint8Array(bufferOf(v), o, 10).fill(0).set(new TextEncoder().encode("ünï"));
      assert.equal(v.str, "ünï");
      // A full-capacity string has no terminator.
      v.str = "0123456789";
      assert.equal(v.str, "0123456789");
    });

    it("numeric arrays as typed arrays over the arena bytes", () => {
      const v = arenaOf().alloc(All);
      assert.ok(v.nums instanceof Float32Array);
      assert.equal(v.nums.buffer, bufferOf(v));
      assert.equal(v.nums.byteOffset, at(v, All, "nums"));
      v.nums[1] = 2.5;
      assert.equal(dvOf(v).getFloat32(at(v, All, "nums") + 4, true), 2.5);
      dvOf(v).setFloat32(at(v, All, "nums") + 8, -7, true);
      assert.equal(v.nums[2], -7);
      assert.ok(v.big instanceof BigInt64Array);
      v.big[1] = -9n;
      assert.equal(dvOf(v).getBigInt64(at(v, All, "big") + 8, true), -9n);
      v.set({ nums: [1, 2, 3] });
      assert.deepEqual([0, 4, 8].map((d) => dvOf(v).getFloat32(at(v, All, "nums") + d, true)), [
        1,
        2,
        3,
      ]);
    });

    it("arrays of structs and enums through element views", () => {
      const v = arenaOf().alloc(All);
      const base = at(v, All, "structs");
      v.structs.at(1).x = 3.25;
      v.structs.at(1).flag = 9;
      assert.equal(dvOf(v).getFloat32(base + 8, true), 3.25);
      assert.equal(dvOf(v).getUint8(base + 12), 9);
      v.structs.setAt(0, { x: -1, flag: 2 });
      assert.equal(dvOf(v).getFloat32(base, true), -1);
      assert.deepEqual(v.structs.toObject(), [{ x: -1, flag: 2 }, { x: 3.25, flag: 9 }]);
      assert.deepEqual([...v.structs].map((s) => s.x), [-1, 3.25]);
      v.enums.setAt(2, "green");
      assert.equal(dvOf(v).getUint8(at(v, All, "enums") + 2), 1);
      dvOf(v).setUint8(at(v, All, "enums"), 2);
      assert.equal(v.enums.at(0), "blue");
      assert.deepEqual(v.enums.toObject(), ["blue", "red", "green"]);
      assert.throws(() => v.enums.at(3), RangeError);
    });

    it("vectors of f32, i32 and u32", () => {
      const v = arenaOf().alloc(All);
      v.v2f.y = 0.5;
      v.v3i.z = -5;
      v.v4u.w = 4000000000;
      assert.equal(dvOf(v).getFloat32(at(v, All, "v2f") + 4, true), 0.5);
      assert.equal(dvOf(v).getInt32(at(v, All, "v3i") + 8, true), -5);
      assert.equal(dvOf(v).getUint32(at(v, All, "v4u") + 12, true), 4000000000);
      dvOf(v).setInt32(at(v, All, "v3i"), 77, true);
      assert.deepEqual(v.v3i.toObject(), { x: 77, y: 0, z: -5 });
      v.v2f.set({ x: 1 });
      assert.deepEqual(v.v2f.toObject(), { x: 1, y: 0.5 });
    });

    it("C matrices as packed column-major floats", () => {
      const v = arenaOf().alloc(All);
      const m3 = [1, 2, 3, 4, 5, 6, 7, 8, 9];
      v.set({ m3, m2: [1, 2, 3, 4] });
      const o = at(v, All, "m3");
      assert.deepEqual(m3.map((_, i) => dvOf(v).getFloat32(o + 4 * i, true)), m3);
      assert.ok(v.m3 instanceof Float32Array);
      assert.equal(v.m3.length, 9);
      assert.equal(v.m4.length, 16);
      v.m4[15] = 2;
      assert.equal(dvOf(v).getFloat32(at(v, All, "m4") + 60, true), 2);
      assert.deepEqual(v.toObject().m2, [1, 2, 3, 4]);
    });

    it("WGSL matrices with padded columns, vec3 at 16-byte offsets", () => {
      const v = arenaOf().alloc(Gpu);
      assert.equal(offsetOf(v) % 16, 0);
      v.set({ m3: [1, 2, 3, 4, 5, 6, 7, 8, 9], pos: { x: 1, y: 2, z: 3 }, tail: -1 });
      const o = at(v, Gpu, "m3");
      const cols = [0, 1, 2].map((c) =>
        [0, 1, 2].map((r) => dvOf(v).getFloat32(o + 16 * c + 4 * r, true))
      );
      assert.deepEqual(cols, [[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
      assert.equal(v.m3.length, 12);
      assert.deepEqual(v.toObject().m3, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
      assert.equal(dvOf(v).getFloat32(at(v, Gpu, "pos") + 8, true), 3);
      assert.equal(at(v, Gpu, "pos") - offsetOf(v), 16);
      v.list.at(1).z = 8;
      assert.equal(dvOf(v).getUint32(at(v, Gpu, "list") + 16 + 8, true), 8);
      assert.equal(dvOf(v).getInt32(at(v, Gpu, "tail"), true), -1);
      v.set({ m2: [1, 2, 3, 4] });
      assert.deepEqual([0, 4, 8, 12].map((d) => dvOf(v).getFloat32(at(v, Gpu, "m2") + d, true)), [
        1,
        2,
        3,
        4,
      ]);
    });

    it("nested structs in place", () => {
      const v = arenaOf().alloc(All, { inner: { x: 0.25, flag: 1 } });
      assert.equal(dvOf(v).getFloat32(at(v, All, "inner.x"), true), 0.25);
      v.inner.flag = 200;
      assert.equal(dvOf(v).getUint8(at(v, All, "inner.flag")), 200);
      dvOf(v).setFloat32(at(v, All, "inner.x"), 4, true);
      assert.equal(v.inner.x, 4);
      assert.equal(v.inner, v.inner);
    });

    it("packed fields at unaligned offsets", () => {
      const arena = arenaOf();
      arena.alloc(t.struct({ pad: t.u8() }));
      const v = arena.alloc(Packed, {
        tag: 1,
        f: 1.5,
        d: -2.25,
        s: -3,
        e: "v250" as never,
        v: { x: -1, y: 2 },
        big: 1n << 63n,
        hist: [1, 65535],
        inner: { x: 6.5, flag: 3 },
      });
      assert.equal(offsetOf(v), 1);
      const dv = dvOf(v);
      assert.equal(at(v, Packed, "f"), 2);
      assert.equal(dv.getFloat32(at(v, Packed, "f"), true), 1.5);
      assert.equal(dv.getFloat64(at(v, Packed, "d"), true), -2.25);
      assert.equal(dv.getInt16(at(v, Packed, "s"), true), -3);
      assert.equal(dv.getUint16(at(v, Packed, "e"), true), 250);
      assert.equal(dv.getInt32(at(v, Packed, "v") + 4, true), 2);
      assert.equal(dv.getBigUint64(at(v, Packed, "big"), true), 1n << 63n);
      assert.equal(dv.getUint16(at(v, Packed, "hist") + 2, true), 65535);
      assert.equal(dv.getFloat32(at(v, Packed, "inner.x"), true), 6.5);
      dv.setFloat64(at(v, Packed, "d"), 9.5, true);
      assert.equal(v.d, 9.5);
      // Unaligned numeric arrays read back through an ArrayView, not a typed array (the static
      // type cannot know the offset, so it still says Uint16Array).
      const hist = v.hist as unknown as ArrayView<number, number>;
      assert.ok(!ArrayBuffer.isView(hist));
      hist.setAt(0, 513);
      assert.equal(dv.getUint16(at(v, Packed, "hist"), true), 513);
      assert.equal(hist.at(0), 513);
      v.inner.x = -0.5;
      assert.equal(dv.getFloat32(at(v, Packed, "inner.x"), true), -0.5);
      assert.equal(dv.getUint8(offsetOf(v)), 1);
    });

    it("toObject() and toJSON() copy everything out", () => {
      const v = arenaOf().alloc(All, { u64: 5n, e8: "green", str: "hi", inner: { x: 1, flag: 2 } });
      const o = v.toObject();
      assert.equal(o.u64, 5n);
      assert.equal(o.e8, "green");
      assert.deepEqual(o.inner, { x: 1, flag: 2 });
      assert.deepEqual(o.nums, [0, 0, 0]);
      const json = v.toJSON() as Rec;
      assert.equal(json.u64, "5");
      assert.deepEqual(json.big, ["0", "0"]);
      assert.doesNotThrow(() => JSON.stringify(v));
    });
  });

  describe(`Arena checked writes refuse bad values without writing (${mode})`, () => {
    // [field or path, value, error class, expected text]
    const BAD: [string, unknown, typeof FieldTypeError | typeof FieldRangeError, string][] = [
      ["u8", 300, FieldRangeError, "an integer from 0 to 255"],
      ["u8", 1.5, FieldRangeError, "an integer from 0 to 255"],
      ["i32", NaN, FieldRangeError, "an integer from -2147483648 to 2147483647"],
      ["u32", -1, FieldRangeError, "an integer from 0 to 4294967295"],
      ["f32", "x", FieldTypeError, "a number"],
      ["f32", null, FieldTypeError, "a number"],
      ["f64", 1n, FieldTypeError, "a number"],
      ["str", "01234567890", FieldRangeError, "a string of at most 10 UTF-8 bytes without U+0000"],
      ["str", "€€€€", FieldRangeError, "a string of at most 10 UTF-8 bytes without U+0000"],
      ["str", "a\0b", FieldRangeError, "a string of at most 10 UTF-8 bytes without U+0000"],
      ["str", "a\ud800", FieldRangeError, "a string of at most 10 UTF-8 bytes without U+0000"],
      ["str", 5, FieldTypeError, "a string of at most 10 UTF-8 bytes without U+0000"],
      ["e8", "purple", FieldRangeError, 'one of "red", "green", "blue"'],
      ["e8", 0, FieldTypeError, 'one of "red", "green", "blue"'],
      ["i64", 5, FieldTypeError, "a bigint from -9223372036854775808 to 9223372036854775807"],
      ["u64", -1n, FieldRangeError, "a bigint from 0 to 18446744073709551615"],
      ["bool", 1, FieldTypeError, "a boolean"],
      ["nums", [1, 2], FieldRangeError, "an array of 3 elements"],
      ["nums", 3, FieldTypeError, "an array of 3 elements"],
      ["v3i", { x: 1.5 }, FieldRangeError, "an integer from -2147483648 to 2147483647"],
      ["inner", { x: 1, flag: 256 }, FieldRangeError, "an integer from 0 to 255"],
    ];
    const pathOf = (field: string) => {
      if (field === "inner") return "inner.flag";
      if (field === "v3i") return "v3i.x";
      return field;
    };

    for (const [field, value, Err, expected] of BAD) {
      it(`${field} = ${typeof value === "bigint" ? `${value}n` : JSON.stringify(value) ?? String(value)}`, () => {
        const arena = arenaOf();
        const v = arena.alloc(All, {
          u8: 7,
          str: "keep",
          nums: [1, 2, 3],
          inner: { x: 1, flag: 1 },
        });
        const before = snapshot(v);
        const used = arena.used;
        const path = pathOf(field);
        const check = (e: unknown) => {
          assert.ok(e instanceof Err, `expected ${Err.name}, got ${String(e)}`);
          assert.equal(e.path, path);
          assert.equal(e.expected, expected);
          assert.ok(e.message.startsWith("Cannot write "), e.message);
          assert.ok(e.message.endsWith(`to "${path}": expected ${expected}`), e.message);
          if (path === field) assert.equal(e.value, value);
          return true;
        };
        // The whole-field setter only exists for scalars, nested structs and vectors; arrays are
        // written through set().
        if (field !== "nums") assert.throws(() => ((v as unknown as Rec)[field] = value), check);
        assert.throws(() => v.set({ [field]: value } as never), check);
        assert.throws(() => v.set({ u8: 9, [field]: value } as never), check);
        assert.throws(() => arena.alloc(All, { [field]: value } as never), check);
        assert.deepEqual(snapshot(v), before);
        assert.equal(arena.used, used);
        assert.equal(v.u8, 7);
      });
    }

    it("refuses unknown fields in init and set()", () => {
      const arena = arenaOf();
      const v = arena.alloc(All);
      const before = snapshot(v);
      const check = (path: string) => (e: unknown) => {
        assert.ok(e instanceof FieldTypeError);
        assert.equal(e.path, path);
        assert.match(
          e.message,
          new RegExp(`^Cannot write 1 to "${path.replace(".", "\\.")}": expected no such field: `),
        );
        return true;
      };
      assert.throws(() => v.set({ u8: 1, nope: 1 } as never), check("nope"));
      assert.throws(() => v.set({ inner: { x: 1, nope: 1 } } as never), check("inner.nope"));
      assert.throws(() => arena.alloc(All, { nope: 1 } as never), check("nope"));
      assert.throws(() => v.set({ v2f: { x: 1, q: 1 } } as never), (e: unknown) => {
        assert.ok(e instanceof FieldTypeError);
        assert.equal(e.path, "v2f.q");
        return true;
      });
      assert.deepEqual(snapshot(v), before);
    });

    it("refuses non-objects for set() and structs", () => {
      const v = arenaOf().alloc(All);
      assert.throws(() => v.set(5 as never), FieldTypeError);
      assert.throws(() => v.set({ inner: [1, 2] } as never), {
        name: "FieldTypeError",
        message: 'Cannot write an array of length 2 to "inner": expected an object for struct V',
      });
    });
  });

  describe(`Arena unchecked mode (${mode})`, () => {
    const U = t.struct({ u8: t.u8(), i32: t.i32(), f32: t.f32(), e: Color, s: t.string(3) });
    it("still refuses out-of-range numbers, leaving the bytes as they were", () => {
      const arena = new Arena({ bytes: 256, checked: false, jitless });
      const v = arena.alloc(U, { u8: 7, i32: 3, f32: 1.5 });
      const before = snapshot(v);
      assert.throws(() => (v.u8 = 300), {
        name: "FieldRangeError",
        message: 'Cannot write 300 to "u8": expected an integer from 0 to 255',
      });
      assert.throws(() => (v.i32 = 1.9), FieldRangeError);
      assert.throws(() => ((v as unknown as Rec).f32 = 1n), FieldTypeError);
      assert.throws(() => ((v as unknown as Rec).f32 = "x"), FieldTypeError);
      assert.throws(() => v.set({ u8: -1 }), FieldRangeError);
      assert.deepEqual(snapshot(v), before);
      assert.equal(dvOf(v).getUint8(at(v, U, "u8")), 7);
      assert.throws(() => arena.alloc(U, { u8: -1 }), FieldRangeError);
      // Rare values that do fit still go through.
      v.f32 = Infinity;
      assert.equal(v.f32, Infinity);
    });

    it("still checks cursor indices", () => {
      const arena = new Arena({ bytes: 256, checked: false, jitless });
      const c = arena.allocArray(U, 2).cursor();
      assert.throws(() => c.seek(2), {
        name: "RangeError",
        message: "Cannot seek to 2: expected an integer index from 0 to 1",
      });
      assert.throws(() => c.seek(-1), RangeError);
      assert.throws(() => c.seek(0.5), RangeError);
    });

    it("seek() takes exactly the integers from 0 to length - 1, in both modes", () => {
      for (const checked of [true, false]) {
        const c = new Arena({ bytes: 1024, checked, jitless }).allocArray(U, 5).cursor();
        const odd = [
          NaN,
          Infinity,
          -Infinity,
          -0.5,
          4.5,
          5,
          2 ** 31,
          2 ** 32 + 1,
          -(2 ** 31),
          "1",
          [1],
        ];
        for (const i of odd) assert.throws(() => c.seek(i as number), RangeError, String(i));
        fc.assert(
          fc.property(fc.double(), (i) => {
            const ok = Number.isInteger(i) && i >= 0 && i < 5;
            if (ok) assert.equal(c.seek(i), c);
            else assert.throws(() => c.seek(i), RangeError);
          }),
          { numRuns: 300 },
        );
        for (let i = 0; i < 5; i++) assert.equal(c.seek(i), c);
        assert.equal(c.seek(-0), c);
      }
    });

    it("still refuses strings and enum literals that cannot be stored", () => {
      const v = new Arena({ bytes: 256, checked: false, jitless }).alloc(U, { s: "ab" });
      const before = snapshot(v);
      assert.throws(() => (v.s = "abcd"), FieldRangeError);
      assert.throws(() => (v.e = "pink" as never), FieldRangeError);
      assert.deepEqual(snapshot(v), before);
    });

    it("does not detect stale views: they read what now occupies their bytes", () => {
      const arena = new Arena({ bytes: 256, checked: false, jitless });
      const old = arena.alloc(U, { u8: 1 });
      arena.reset();
      arena.alloc(U, { u8: 2 });
      assert.equal(old.u8, 2);
    });
  });

  describe(`Arena lifetimes (${mode})`, () => {
    const P = t.struct({ pos: t.vec2f(), life: t.f32(), inner: V, list: t.array(V, 2) }, {
      name: "P",
    });

    it("reset() makes views, nested views, cursors and struct arrays stale", () => {
      const arena = arenaOf();
      const p = arena.alloc(P, { life: 1 });
      const pos = p.pos;
      const inner = p.inner;
      const list = p.list;
      const arr = arena.allocArray(P, 3);
      const cursor = arr.cursor();
      const gen = arena.generation;
      arena.reset();
      assert.equal(arena.generation, gen + 1);
      assert.throws(() => p.life, (e: unknown) => {
        assert.ok(e instanceof StaleViewError);
        assert.ok(e instanceof ReferenceError);
        assert.equal(e.path, "life");
        assert.equal(e.viewGeneration, gen);
        assert.equal(e.arenaGeneration, gen + 1);
        assert.equal(
          e.message,
          `Cannot use "life" of P: its memory was freed (arena reset or released, record deleted, or the loop that lent it ended) (view from generation ${gen}, arena now at ${
            gen + 1
          })`,
        );
        return true;
      });
      assert.throws(() => (p.life = 2), StaleViewError);
      assert.throws(() => p.toObject(), StaleViewError);
      assert.throws(() => p.set({ life: 1 }), StaleViewError);
      assert.throws(() => pos.x, { name: "StaleViewError", path: "pos.x" });
      assert.throws(() => inner.flag, { name: "StaleViewError", path: "inner.flag" });
      assert.throws(() => list.at(0), StaleViewError);
      assert.throws(() => cursor.life, StaleViewError);
      assert.throws(() => arr.at(0), StaleViewError);
      assert.throws(() => arr.toObject(), StaleViewError);
      // Memory reused by a new allocation does not revive them.
      arena.alloc(P, { life: 5 });
      assert.throws(() => p.life, StaleViewError);
      assert.throws(() => pos.y, StaleViewError);
    });

    it("release(mark) makes only later allocations stale, also after their memory is reused", () => {
      const arena = arenaOf();
      const early = arena.alloc(P, { life: 1 });
      const earlyPos = early.pos;
      const m = arena.mark();
      const late = arena.alloc(P, { life: 2 });
      const latePos = late.pos;
      arena.release(m);
      assert.equal(arena.used, m.position);
      const reuse = arena.alloc(P, { life: 3 });
      assert.equal(offsetOf(reuse), offsetOf(late));
      assert.throws(() => late.life, StaleViewError);
      assert.throws(() => latePos.x, StaleViewError);
      assert.equal(early.life, 1);
      earlyPos.x = 4;
      assert.equal(early.pos.x, 4);
      assert.equal(reuse.life, 3);
      assert.deepEqual(reuse.pos.toObject(), { x: 0, y: 0 });
    });

    it("release() refuses marks taken before a reset, and numbers", () => {
      const arena = arenaOf();
      arena.alloc(P);
      const m = arena.mark();
      arena.reset();
      assert.throws(() => arena.release(m), {
        name: "InvalidMarkError",
        message:
          `Cannot release to the mark at ${m.position}: the arena was reset since it was taken`,
      });
      assert.throws(() => arena.release(-1 as never), RangeError);
      assert.throws(() => arena.release(0.5 as never), RangeError);
    });

    it("scope() with using frees what was allocated inside it", () => {
      const arena = arenaOf();
      const keep = arena.alloc(P, { life: 1 });
      let inside: t.View<typeof P> | undefined;
      {
        using _scope = arena.scope();
        inside = arena.alloc(P, { life: 2 });
        assert.equal(inside.life, 2);
      }
      assert.throws(() => inside.life, StaleViewError);
      assert.equal(keep.life, 1);
      assert.equal(arena.used, layoutOf(P).size);
    });

    it("scope() can be released by hand, once, and via Symbol.dispose", () => {
      const arena = arenaOf();
      const s = arena.scope();
      assert.equal(s.mark.position, 0);
      const a = arena.alloc(P);
      s.release();
      assert.throws(() => a.life, StaleViewError);
      const b = arena.alloc(P, { life: 7 });
      s.release(); // Already released: nothing more is freed.
      assert.equal(b.life, 7);
      const s2 = arena.scope();
      const c = arena.alloc(P);
      s2[Symbol.dispose]();
      assert.throws(() => c.life, StaleViewError);
      assert.equal(b.life, 7);
      // A scope whose memory a reset already freed does nothing when it closes.
      const s3 = arena.scope();
      arena.reset();
      const d = arena.alloc(P, { life: 8 });
      s3.release();
      assert.equal(d.life, 8);
    });

    it("nested scopes close in order", () => {
      const arena = arenaOf();
      const outer = arena.scope();
      const a = arena.alloc(P, { life: 1 });
      const inner = arena.scope();
      const b = arena.alloc(P, { life: 2 });
      inner.release();
      assert.throws(() => b.life, StaleViewError);
      assert.equal(a.life, 1);
      outer.release();
      assert.throws(() => a.life, StaleViewError);
      assert.equal(arena.used, 0);
    });
  });
}

describe("Arena allocation", () => {
  const B1 = t.struct({ a: t.u8() });
  const D = t.struct({ a: t.f64() });
  const W = t.struct({ v: t.vec4f() }, { layout: "wgsl" });

  it("aligns each allocation to its struct's alignment", () => {
    const arena = new Arena({ bytes: 256 });
    assert.equal(offsetOf(arena.alloc(B1)), 0);
    assert.equal(offsetOf(arena.alloc(D)), 8);
    assert.equal(offsetOf(arena.alloc(B1)), 16);
    assert.equal(offsetOf(arena.alloc(W)), 32);
    assert.equal(offsetOf(arena.alloc(B1)), 48);
    assert.equal(arena.used, 49);
  });

  it("zeroes memory it hands out again", () => {
    const arena = new Arena({ bytes: 64 });
    arena.alloc(D, { a: -1 });
    new Uint8Array(bufferOf(arena.alloc(B1))).fill(0xff);
    arena.reset();
    const d = arena.alloc(D);
    assert.equal(d.a, 0);
    assert.deepEqual([...new Uint8Array(bufferOf(d), 0, 8)], [0, 0, 0, 0, 0, 0, 0, 0]);
    const m = arena.mark();
    arena.alloc(D, { a: 3 });
    arena.release(m);
    assert.equal(arena.alloc(D).a, 0);
    const arr = arena.allocArray(B1, 4);
    assert.deepEqual([...arr.bytes()], [0, 0, 0, 0]);
  });

  it("throws ArenaFullError with the numbers, and tryAlloc returns undefined", () => {
    const arena = new Arena({ bytes: 16 });
    arena.alloc(B1);
    const Two = t.struct({ a: t.f64(), b: t.f64() });
    assert.throws(() => arena.alloc(Two), (e: unknown) => {
      assert.ok(e instanceof ArenaFullError);
      assert.ok(e instanceof RangeError);
      assert.equal(e.name, "ArenaFullError");
      assert.equal(e.requested, 16);
      assert.equal(e.available, 15);
      assert.equal(e.message, "Cannot allocate 16 bytes: arena has 15 bytes left");
      return true;
    });
    assert.equal(arena.tryAlloc(Two), undefined);
    assert.equal(arena.allocations, 1);
    assert.equal(arena.used, 1);
    assert.ok(arena.tryAlloc(D));
    assert.throws(() => arena.allocArray(B1, 8), ArenaFullError);
  });

  it("validates init before allocating: a bad init allocates nothing", () => {
    const arena = new Arena({ bytes: 64 });
    assert.throws(() => arena.alloc(B1, { a: 256 }), FieldRangeError);
    assert.throws(() => arena.tryAlloc(B1, { a: -1 }), FieldRangeError);
    assert.equal(arena.used, 0);
    assert.equal(arena.allocations, 0);
  });

  it("rounds the size up to 16 and refuses bad options", () => {
    assert.equal(new Arena({ bytes: 20 }).capacity, 32);
    assert.throws(() => new Arena({ bytes: 0 }), RangeError);
    assert.throws(() => new Arena({ bytes: 1.5 }), RangeError);
    assert.throws(() => new Arena({ bytes: 64, overflow: "spill" as never }), RangeError);
    assert.throws(() => new Arena({ bytes: 64, maxBytes: 32 }), RangeError);
    assert.throws(() => new Arena(undefined as never), TypeError);
  });

  it("refuses a boolean option given as anything but a boolean (it never means the other)", () => {
    for (const key of ["checked", "jitless", "shared"]) {
      for (const v of [0, 1, "false", "yes", null]) {
        assert.throws(() => new Arena({ bytes: 64, [key]: v } as never), {
          name: "TypeError",
          message: `Cannot create Arena: option "${key}" must be a boolean, got ${
            v === null ? "null" : typeof v === "string" ? JSON.stringify(v) : String(v)
          }`,
        });
      }
      for (const v of [undefined, true, false]) new Arena({ bytes: 64, [key]: v });
    }
  });

  it("overflow: grow chains chunks, reuses them after reset and honours maxBytes", () => {
    const Q = t.struct({ a: t.f64(), b: t.f64(), c: t.f64(), d: t.f64() }); // 32 bytes
    const arena = new Arena({ bytes: 64, overflow: "grow", maxBytes: 192 });
    const a = arena.alloc(Q, { a: 1 });
    arena.alloc(Q);
    const c = arena.alloc(Q, { a: 3 });
    assert.notEqual(bufferOf(c), bufferOf(a));
    assert.equal(offsetOf(c), 0);
    assert.equal(arena.capacity, 128);
    assert.equal(arena.stats().overflows, 1);
    assert.equal(a.a, 1);
    assert.equal(c.a, 3);
    const second = bufferOf(c);
    arena.reset();
    arena.alloc(Q);
    arena.alloc(Q);
    const again = arena.alloc(Q);
    // The same chunk, its bytes moved to a new buffer so arrays kept over the old one go inert.
    assert.equal(second.byteLength, 0);
    assert.equal(bufferOf(again).byteLength, 64);
    assert.equal(arena.capacity, 128);
    assert.equal(again.a, 0);
    assert.equal(arena.stats().overflows, 1);
    arena.alloc(Q);
    arena.alloc(Q); // third chunk: 192 bytes in all
    arena.alloc(Q);
    assert.equal(arena.capacity, 192);
    assert.throws(() => arena.alloc(Q), ArenaFullError);
    assert.equal(arena.tryAlloc(Q), undefined);
    // Allocations larger than a chunk get one of their own.
    const wide = new Arena({ bytes: 32, overflow: "grow" });
    const Big = t.struct({ a: t.array(t.f64(), 20) });
    const big = wide.alloc(Big);
    assert.ok(bufferOf(big).byteLength >= 160);
    assert.equal(wide.stats().overflows, 1);
    big.a[19] = 1;
    assert.equal(big.a[19], 1);
  });

  it("overflow: pool takes extra chunks from the pool and gives them back at reset", () => {
    const Q = t.struct({ a: t.f64(), b: t.f64(), c: t.f64(), d: t.f64() });
    const pool = new Pool<ArrayBuffer | SharedArrayBuffer>({ create: () => new ArrayBuffer(64) });
    const arena = new Arena({ bytes: 64, overflow: "pool", pool });
    arena.alloc(Q);
    arena.alloc(Q);
    const c = arena.alloc(Q);
    assert.equal(pool.stats().misses, 1);
    assert.equal(pool.stats().puts, 0);
    const chunk = bufferOf(c);
    arena.reset();
    assert.equal(pool.stats().puts, 1);
    assert.equal(pool.stats().primarySize, 1);
    assert.equal(arena.capacity, 64);
    arena.alloc(Q);
    arena.alloc(Q);
    const again = arena.alloc(Q);
    assert.equal(pool.stats().hits, 1);
    // The pooled chunk's bytes, moved to a new buffer when it was given back.
    assert.equal(chunk.byteLength, 0);
    assert.equal(bufferOf(again).byteLength, 64);
    assert.equal(pool.stats().primarySize, 0);
    // Two arenas share one pool.
    const mine = bufferOf(again);
    arena.reset();
    const other = new Arena({ bytes: 64, overflow: "pool", pool });
    other.alloc(Q);
    other.alloc(Q);
    assert.equal(bufferOf(other.alloc(Q)).byteLength, 64);
    assert.equal(mine.byteLength, 0);
    assert.equal(pool.stats().hits, 2);
  });

  it("shared: true backs the arena with SharedArrayBuffer", () => {
    const arena = new Arena({ bytes: 64, shared: true });
    const S = t.struct({ n: t.u32(), s: t.string(8) });
    const v = arena.alloc(S, { n: 5, s: "日本" });
    assert.ok(bufferOf(v) instanceof SharedArrayBuffer);
    assert.equal(v.s, "日本");
    assert.equal(new DataView(bufferOf(v)).getUint32(offsetOf(v), true), 5);
    arena.reset();
    assert.equal(arena.generation, 1);
    assert.throws(() => v.n, StaleViewError);
  });

  it("keeps stats: used, highWater, allocations, resets, generation", () => {
    const arena = new Arena({ bytes: 256 });
    arena.alloc(B1);
    arena.alloc(D);
    arena.allocArray(B1, 10);
    assert.deepEqual(arena.stats(), {
      capacity: 256,
      used: 26,
      highWater: 26,
      allocations: 3,
      totalAllocations: 3,
      overflows: 0,
      resets: 0,
      generation: 0,
    });
    const m = arena.mark();
    arena.alloc(D);
    arena.release(m);
    arena.reset();
    arena.alloc(B1);
    assert.deepEqual(arena.stats(), {
      capacity: 256,
      used: 1,
      highWater: 40,
      allocations: 1,
      totalAllocations: 5,
      overflows: 0,
      resets: 1,
      generation: 2,
    });
    assert.equal(arena.available, 255);
    assert.equal(arena.highWater, 40);
  });

  it("copy() moves a record to another arena, bytes and all", () => {
    const P = t.struct({ life: t.f32(), name: t.string(6), pos: t.vec2f() });
    const frame = new Arena({ bytes: 256 });
    const level = new Arena({ bytes: 256 });
    level.alloc(B1);
    const src = frame.alloc(P, { life: 0.75, name: "ünï", pos: { x: 1, y: 2 } });
    const kept = level.copy(src);
    assert.deepEqual(
      [...new Uint8Array(bufferOf(kept), offsetOf(kept), 16)],
      [...new Uint8Array(bufferOf(src), offsetOf(src), 16)],
    );
    assert.equal(offsetOf(kept) % 4, 0);
    frame.reset();
    assert.deepEqual(kept.toObject(), { life: 0.75, name: "ünï", pos: { x: 1, y: 2 } });
    assert.throws(() => level.copy(src), StaleViewError);
    assert.throws(() => level.copy({} as never), TypeError);
  });

  it("copy() keeps the mode a nested view inherited", () => {
    const In = t.struct({ a: t.u8(), b: t.u32() });
    const P = t.struct({ x: t.u8(), i: In }, { layout: "packed" });
    const src = new Arena({ bytes: 64 }).alloc(P, { x: 1, i: { a: 2, b: 0x01020304 } });
    const dst = new Arena({ bytes: 64 });
    const c = dst.copy(src.i);
    assert.equal(dst.used, 5);
    assert.equal(new DataView(bufferOf(c)).getUint32(offsetOf(c) + 1, true), 0x01020304);
    assert.deepEqual(c.toObject(), { a: 2, b: 0x01020304 });
    c.b = 7;
    assert.equal(new DataView(bufferOf(c)).getUint32(offsetOf(c) + 1, true), 7);
  });

  it("bufferOf() and offsetOf() refuse non-views", () => {
    assert.throws(() => bufferOf({}), TypeError);
    assert.throws(() => offsetOf(null as never), TypeError);
  });
});

describe("Arena properties", () => {
  const SCHEMAS: StructSchema[] = [
    t.struct({ a: t.u8() }),
    t.struct({ a: t.f64(), b: t.u32() }),
    t.struct({ v: t.vec3f(), n: t.u32() }, { layout: "wgsl" }),
    t.struct({ a: t.u8(), b: t.f64() }, { layout: "packed" }),
    t.struct({ arr: t.array(t.f32(), 20) }),
    t.struct({ e: t.enum(names(300)), s: t.string(5) }),
  ];
  const valueFor = (k: number, n: number): Record<string, unknown> =>
    [
      { a: n % 256 },
      { a: n * 0.5, b: n },
      { v: { x: n, y: -n, z: 1 }, n },
      { a: n % 256, b: -n },
      { arr: Array.from({ length: 20 }, (_, i) => i + n) },
      { e: `v${n % 300}`, s: String(n % 10000) },
    ][k];

  // What each schema's zeroed record reads as (a fresh buffer is all zeroes).
  const ZERO = SCHEMAS.map((S) => new Arena({ bytes: 1024 }).alloc(S).toObject());

  type Op =
    | { op: "alloc"; k: number; blank: boolean }
    | { op: "mark" }
    | { op: "release"; pick: number }
    | { op: "snapshot" }
    | { op: "restore"; pick: number }
    | { op: "reset" };
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.tuple(fc.integer({ min: 0, max: SCHEMAS.length - 1 }), fc.boolean()).map((
        [k, blank],
      ) => ({ op: "alloc" as const, k, blank })),
    },
    { weight: 2, arbitrary: fc.constant({ op: "mark" as const }) },
    { weight: 2, arbitrary: fc.nat(10).map((pick) => ({ op: "release" as const, pick })) },
    { weight: 1, arbitrary: fc.constant({ op: "snapshot" as const }) },
    { weight: 1, arbitrary: fc.nat(10).map((pick) => ({ op: "restore" as const, pick })) },
    { weight: 1, arbitrary: fc.constant({ op: "reset" as const }) },
  );

  for (const overflow of ["throw", "grow", "pool"] as const) {
    it(`live allocations never overlap, are aligned and read back; stale ones throw (${overflow})`, () => {
      fc.assert(
        fc.property(fc.array(opArb, { maxLength: 60 }), fc.boolean(), (ops, jitless) => {
          const arena = new Arena({ bytes: 256, overflow, jitless });
          interface Alloc {
            view: { toObject(): unknown };
            k: number;
            n: number;
            at: number;
            live: boolean;
          }
          const allocs: Alloc[] = [];
          let marks: ArenaMark[] = [];
          let n = 0;
          // The stats' model: the highest `used` seen, allocations since the last reset (a
          // restore brings back its snapshot's), and every allocation since the arena was made.
          let high = 0;
          let count = 0;
          let total = 0;
          const snaps: { bytes: Uint8Array; count: number }[] = [];
          for (const o of ops) {
            if (o.op === "alloc") {
              const at = arena.used;
              ++n;
              const view = o.blank
                ? arena.tryAlloc(SCHEMAS[o.k])
                : arena.tryAlloc(SCHEMAS[o.k], valueFor(o.k, n) as never);
              if (view) {
                count++;
                total++;
                if (o.blank) {
                  // A blank record is zeroed, even over bytes a reset or release freed.
                  assert.deepEqual(view.toObject(), ZERO[o.k]);
                  (view as { set(v: unknown): void }).set(valueFor(o.k, n));
                }
                allocs.push({ view, k: o.k, n, at, live: true });
              }
            } else if (o.op === "snapshot") {
              snaps.push({ bytes: arena.snapshot(), count });
            } else if (o.op === "restore") {
              if (snaps.length === 0) continue;
              const snap = snaps[o.pick % snaps.length];
              arena.restore(snap.bytes);
              count = snap.count;
              // Which views a restore keeps is tested elsewhere: the model forgets them all.
              marks = [];
              allocs.length = 0;
            } else if (o.op === "mark") {
              marks.push(arena.mark());
            } else if (o.op === "release") {
              if (marks.length === 0) continue;
              const m = marks[o.pick % marks.length];
              arena.release(m);
              marks = marks.filter((x) => x.position <= m.position);
              for (const a of allocs) if (a.at >= m.position) a.live = false;
            } else {
              arena.reset();
              count = 0;
              marks = [];
              for (const a of allocs) a.live = false;
            }
            high = Math.max(high, arena.used);
            const stats = arena.stats();
            assert.deepEqual(
              [stats.used, stats.highWater, stats.allocations, stats.totalAllocations],
              [arena.used, high, count, total],
            );
            assert.equal(arena.highWater, high);
            assert.equal(arena.allocations, count);
            const live = allocs.filter((a) => a.live);
            for (const a of live) {
              const l = layoutOf(SCHEMAS[a.k]);
              assert.equal(offsetOf(a.view) % l.align, 0);
              assert.deepEqual(a.view.toObject(), valueFor(a.k, a.n));
            }
            for (let i = 0; i < live.length; i++) {
              for (let j = i + 1; j < live.length; j++) {
                const [a, b] = [live[i], live[j]];
                if (bufferOf(a.view) !== bufferOf(b.view)) continue;
                const aEnd = offsetOf(a.view) + layoutOf(SCHEMAS[a.k]).size;
                const bEnd = offsetOf(b.view) + layoutOf(SCHEMAS[b.k]).size;
                assert.ok(aEnd <= offsetOf(b.view) || bEnd <= offsetOf(a.view), "overlap");
              }
            }
            for (const a of allocs) {
              if (!a.live) assert.throws(() => a.view.toObject(), StaleViewError);
            }
          }
        }),
        { numRuns: 60 },
      );
    });
  }
});
