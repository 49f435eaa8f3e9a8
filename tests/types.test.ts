// Compile-time tests of the static types: `deno check` (run by `deno test`) fails this file if
// t.Infer or the view types drift. The runtime test only makes runners count the file.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Arena, t } from "../mod.ts";
import type { ArrayView, StructMethods } from "../mod.ts";

/** True when A and B are the same type (not merely assignable either way). */
type IsExact<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true
  : false;

const Inner = t.struct({ x: t.f32(), on: t.bool() });
const Kind = t.enum(["spark", "smoke", "ember"]);
const S = t.struct({
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
  kind: Kind,
  name: t.string(8),
  hist: t.array(t.f32(), 4),
  ids: t.array(t.u16(), 2),
  bigs: t.array(t.u64(), 2),
  inners: t.array(Inner, 2),
  kinds: t.array(Kind, 2),
  v2: t.vec2f(),
  v3: t.vec3i(),
  v4: t.vec4u(),
  m3: t.mat3x3f(),
  inner: Inner,
  owner: t.ref(Inner),
});
type S = t.Infer<typeof S>;

// Plain types, one kind at a time.
const _i8: IsExact<S["i8"], number> = true;
const _u32: IsExact<S["u32"], number> = true;
const _f64: IsExact<S["f64"], number> = true;
const _i64: IsExact<S["i64"], bigint> = true;
const _u64: IsExact<S["u64"], bigint> = true;
const _bool: IsExact<S["bool"], boolean> = true;
const _kind: IsExact<S["kind"], "spark" | "smoke" | "ember"> = true;
const _name: IsExact<S["name"], string> = true;
const _hist: IsExact<S["hist"], number[]> = true;
const _bigs: IsExact<S["bigs"], bigint[]> = true;
const _inners: IsExact<S["inners"], { x: number; on: boolean }[]> = true;
const _kinds: IsExact<S["kinds"], ("spark" | "smoke" | "ember")[]> = true;
const _v2: IsExact<S["v2"], { x: number; y: number }> = true;
const _v3: IsExact<S["v3"], { x: number; y: number; z: number }> = true;
const _v4: IsExact<S["v4"], { x: number; y: number; z: number; w: number }> = true;
const _m3: IsExact<S["m3"], number[]> = true;
const _inner: IsExact<S["inner"], { x: number; on: boolean }> = true;
const _owner: IsExact<S["owner"], number | null> = true;

// The whole struct at once.
const _small: IsExact<
  t.Infer<typeof Inner>,
  { x: number; on: boolean }
> = true;
const _whole: IsExact<S, {
  i8: number;
  u8: number;
  i16: number;
  u16: number;
  i32: number;
  u32: number;
  f32: number;
  f64: number;
  i64: bigint;
  u64: bigint;
  bool: boolean;
  kind: "spark" | "smoke" | "ember";
  name: string;
  hist: number[];
  ids: number[];
  bigs: bigint[];
  inners: { x: number; on: boolean }[];
  kinds: ("spark" | "smoke" | "ember")[];
  v2: { x: number; y: number };
  v3: { x: number; y: number; z: number };
  v4: { x: number; y: number; z: number; w: number };
  m3: number[];
  inner: { x: number; on: boolean };
  owner: number | null;
}> = true;

// A check that must fail, so the helper is known to tell types apart.
const _notExact: IsExact<S["u8"], number | undefined> = false;
const _notBigint: IsExact<S["i64"], number> = false;

// Views.
type V = t.View<typeof S>;
const _vNum: IsExact<V["u16"], number> = true;
const _vBig: IsExact<V["u64"], bigint> = true;
const _vKind: IsExact<V["kind"], "spark" | "smoke" | "ember"> = true;
const _vHist: IsExact<V["hist"], Float32Array> = true;
const _vIds: IsExact<V["ids"], Uint16Array> = true;
const _vBigs: IsExact<V["bigs"], BigUint64Array> = true;
const _vM3: IsExact<V["m3"], Float32Array> = true;
const _vInners: IsExact<
  V["inners"],
  ArrayView<{ x: number; on: boolean }, t.View<typeof Inner>>
> = true;
const _vKinds: IsExact<
  V["kinds"],
  ArrayView<"spark" | "smoke" | "ember", "spark" | "smoke" | "ember">
> = true;
const _vV2: IsExact<
  V["v2"],
  { x: number; y: number } & StructMethods<{ x: number; y: number }>
> = true;
const _vInnerX: IsExact<V["inner"]["x"], number> = true;
const _vToObject: IsExact<ReturnType<V["toObject"]>, S> = true;

// Scalars are writable through a view, compound fields are not (write them with set()).
function _writes(v: V): void {
  v.u8 = 1;
  v.kind = "ember";
  v.name = "x";
  v.inner.x = 2;
  // @ts-expect-error: a nested struct is replaced through set(), not by assignment
  v.inner = { x: 1, on: true };
  // @ts-expect-error: not one of the literals
  v.kind = "fire";
  // @ts-expect-error: a bigint field takes bigints
  v.u64 = 1;
  v.set({ inner: { x: 1 }, hist: [1, 2, 3, 4] });
  // @ts-expect-error: unknown field
  v.set({ nope: 1 });
}

describe("types", () => {
  it("alloc() returns the view type the checks above describe", () => {
    const v = new Arena({ bytes: 1024 }).alloc(S, { kind: "smoke", u64: 3n });
    const kind: "spark" | "smoke" | "ember" = v.kind;
    const hist: Float32Array = v.hist;
    assert.equal(kind, "smoke");
    assert.equal(hist.length, 4);
    assert.equal(v.u64, 3n);
    const o: S = v.toObject();
    assert.equal(o.owner, null);
  });
});
