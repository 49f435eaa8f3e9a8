// Helpers of the re-entrant write fuzzers (tables and arenas): the record they write, partial
// values of it, and a value whose getter runs code in the middle of being read.
import * as t from "../schemas/t.ts";

/** The fuzzed schema: a nested struct of scalars (the flat writer) and a scalar. */
export const Rec = t.struct({
  p: t.struct({ x: t.f32(), y: t.f32() }, { name: "ReP" }),
  b: t.u16(),
}, {
  name: "ReRec",
});

/** The seed of a fuzzer: `FUZZ_SEED` if set, else `fallback`. */
export function fuzzSeed(fallback: number): number {
  const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process
    ?.env;
  return Number(env?.FUZZ_SEED ?? fallback);
}

/** A record of the fuzzed schema `{ p: { x: f32, y: f32 }, b: u16 }`. */
export type Value = { p: { x: number; y: number }; b: number };

/** A partial write of it. */
export type Partial = { p?: { x?: number; y?: number }; b?: number };

/** A fresh record: every field zero. */
export const ZERO: Value = { p: { x: 0, y: 0 }, b: 0 };

/** `into` with the fields `v` gives written over it. */
export function merge(into: Value, v: Partial): Value {
  return { p: { x: v.p?.x ?? into.p.x, y: v.p?.y ?? into.p.y }, b: v.b ?? into.b };
}

/** A random partial value (f32-exact numbers), drawing from `int(n)`, an integer below n. */
export function randomValue(int: (n: number) => number): Partial {
  const v: Partial = {};
  if (int(4) !== 0) v.p = { x: (int(200) - 100) / 4, y: int(50) / 2 };
  if (int(4) !== 0) v.b = int(65536);
  return v;
}

/**
 * `v` with a getter in place of one field (`b`, or the nested `p.x`; the field is filled in if
 * absent, in `v` too, so `v` stays what the write stores) that runs `during` once, when first read.
 */
export function withGetter(v: Partial, int: (n: number) => number, during: () => void): Partial {
  let ran = false;
  const once = () => {
    if (!ran) {
      ran = true;
      during();
    }
  };
  if (int(2) === 0 || v.p === undefined) {
    const b = v.b ?? 7;
    v.b = b;
    return Object.defineProperty({ ...v }, "b", { get: () => (once(), b), enumerable: true });
  }
  const x = v.p.x ?? 1.5;
  v.p = { ...v.p, x };
  const p = Object.defineProperty({ ...v.p }, "x", { get: () => (once(), x), enumerable: true });
  return { ...v, p: p as { x: number; y: number } };
}
