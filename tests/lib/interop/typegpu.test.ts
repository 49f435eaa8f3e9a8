// WGSL layouts against TypeGPU's own layout code (sizeOf, alignmentOf, memoryLayoutOf): random
// storage-rule schemas mapped to TypeGPU schemas directly, and the text of wgslOf() (storage and
// uniform, padding members included) parsed back into TypeGPU schemas. FUZZ_SEED overrides the
// seed, TYPEGPU_RUNS the number of runs.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { d } from "typegpu";
import { type Layout, layoutOf } from "../../../schemas/layout.ts";
import type { Schema } from "../../../schemas/types.ts";
import { Arena } from "../../../lib/memory/arena.ts";
import { wgslOf } from "../../../lib/interop/wgsl.ts";
import * as t from "../../../schemas/t.ts";
import { fieldNameArb, renamedArb, structArb } from "../../schemas/_arbitraries.ts";

const SEED = Number(globalThis.process?.env?.FUZZ_SEED ?? 15);
const RUNS = Number(globalThis.process?.env?.TYPEGPU_RUNS ?? 600);

// deno-lint-ignore no-explicit-any
type Tgpu = any;

const LEAF: Readonly<Record<string, Tgpu>> = {
  f32: d.f32,
  i32: d.i32,
  u32: d.u32,
  vec2f: d.vec2f,
  vec3f: d.vec3f,
  vec4f: d.vec4f,
  vec2i: d.vec2i,
  vec3i: d.vec3i,
  vec4i: d.vec4i,
  vec2u: d.vec2u,
  vec3u: d.vec3u,
  vec4u: d.vec4u,
  mat2x2f: d.mat2x2f,
  mat3x3f: d.mat3x3f,
  mat4x4f: d.mat4x4f,
};
const SUFFIX: Readonly<Record<string, string>> = { f32: "f", i32: "i", u32: "u" };

/** The TypeGPU schema of an arenakit schema (storage rules: TypeGPU's natural layout). */
function toTypeGpu(s: Schema): Tgpu {
  switch (s.kind) {
    case "struct":
      return d.struct(
        Object.fromEntries(Object.keys(s.fields).map((k) => [k, toTypeGpu(s.fields[k])])),
      );
    case "array":
      return d.arrayOf(toTypeGpu(s.element), s.length);
    case "vec":
      return LEAF[`vec${s.length}${SUFFIX[s.element]}`];
    case "mat":
      return LEAF[`mat${s.cols}x${s.rows}f`];
    default:
      return LEAF[s.kind];
  }
}

/** TypeGPU schemas of every struct declared in WGSL text, by name. */
function parseWgsl(text: string): Map<string, Tgpu> {
  const structs = new Map<string, Tgpu>();
  const type = (t: string): Tgpu => {
    const array = /^array<(.+), (\d+)>$/.exec(t);
    if (array) return d.arrayOf(type(array[1]), Number(array[2]));
    const found = LEAF[t] ?? structs.get(t);
    assert.ok(found, `unknown WGSL type ${t}`);
    return found;
  };
  for (const m of text.matchAll(/struct (\w+) \{\n([\s\S]*?)\n\}/g)) {
    const members = m[2].split("\n").map((line) => {
      const p = /^ {2}(\w+): (.+), \/\/ \+\d+/.exec(line);
      assert.ok(p, `cannot parse member line ${JSON.stringify(line)}`);
      return [p[1], type(p[2])];
    });
    structs.set(m[1], d.struct(Object.fromEntries(members)));
  }
  return structs;
}

function allLayouts(l: Layout): Layout[] {
  const out = [l];
  for (const f of l.fields) if (f.layout) out.push(...allLayouts(f.layout));
  return out;
}

function sameOffsets(l: Layout, T: Tgpu): void {
  assert.equal(d.sizeOf(T), l.size, `size of ${l.name}`);
  for (const f of l.fields) {
    const at = d.memoryLayoutOf(T, (p: Tgpu) => p[f.name]).offset;
    assert.equal(at, f.offset, `offset of ${l.name}.${f.name}`);
  }
}

// Random field names WGSL accepts, some like wgslOf's own padding members.
const wgslName = fieldNameArb((n) => {
  try {
    wgslOf(t.struct({ [n]: t.f32() }, { layout: "wgsl" }));
    return true;
  } catch {
    return false;
  }
});
const renamed = fc.constantFrom("wgsl", "wgsl-uniform" as const).chain(structArb).chain((s) =>
  renamedArb(s, wgslName)
);

describe("WGSL layouts against TypeGPU", () => {
  it(`storage rules: size, alignment, offsets and array stride (${RUNS} runs)`, () => {
    let structs = 0;
    fc.assert(
      fc.property(structArb("wgsl"), (s) => {
        const l = layoutOf(s);
        const T = toTypeGpu(s);
        for (const nested of allLayouts(l)) {
          const N = toTypeGpu(nested.schema);
          sameOffsets(nested, N);
          assert.equal(d.alignmentOf(N), nested.align, `alignment of ${nested.name}`);
          structs++;
        }
        const records = new Arena({ bytes: 4 * l.size + 64 }).allocArray(s, 3);
        assert.equal(d.sizeOf(d.arrayOf(T, 3) as Tgpu), 3 * records.stride);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    console.log(`TypeGPU layouts: ${RUNS} random storage schemas, ${structs} structs compared`);
  });

  it(`wgslOf() text parsed back: storage and uniform (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(renamed, (s) => {
        const l = layoutOf(s);
        const declared = parseWgsl(wgslOf(s));
        for (const nested of allLayouts(l)) {
          const T = declared.get(nested.name);
          assert.ok(T, `${nested.name} is declared`);
          sameOffsets(nested, T);
          // Uniform rules raise a struct's alignment to 16; WGSL checks that, it does not change it.
          const align = d.alignmentOf(T);
          assert.equal(nested.mode === "wgsl-uniform" ? Math.max(16, align) : align, nested.align);
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
    console.log(`TypeGPU layouts: ${RUNS} random wgslOf() texts parsed back and compared`);
  });
});
