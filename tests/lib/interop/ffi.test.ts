// The FFI round trip: random C and packed schemas, cHeaderOf() plus generated C functions
// compiled into one shared library by one compiler run; C reads every leaf of records in arena
// memory and writes new values in place; arenakit sees exactly those values, and reads the same
// writes into memory it did not allocate through ExternalMemory. Runs in Deno (Deno.dlopen) and
// Bun (bun:ffi); Node has no FFI and says so. FUZZ_SEED overrides the seed,
// FFI_SCHEMAS the number of schemas.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import * as t from "../../../schemas/t.ts";
import { layoutOf } from "../../../schemas/layout.ts";
import type { LayoutMode, StructSchema } from "../../../schemas/types.ts";
import { Arena } from "../../../lib/memory/arena.ts";
import { cHeaderOf } from "../../../lib/interop/c_header.ts";
import { byteRangeOf, ExternalMemory } from "../../../lib/interop/bytes.ts";
import { findCC } from "../../schemas/_gcc.ts";
import { fieldNameArb, renamedArb, structArb } from "../../schemas/_arbitraries.ts";
import { type Leaf, leafValue, leavesOf, recordValue } from "./_leaves.ts";

const SEED = Number(globalThis.process?.env?.FUZZ_SEED ?? 15);
const SCHEMAS = Number(globalThis.process?.env?.FFI_SCHEMAS ?? 240);
const RECORDS = 3;

// deno-lint-ignore no-explicit-any
type Any = any;
const g = globalThis as Any;
const runtime = g.Deno?.dlopen ? "deno" : g.Bun ? "bun" : undefined;
const CC = findCC();
const SKIP = runtime === undefined
  ? "skipped: no FFI in this runtime (Node)"
  : CC === undefined
  ? "skipped: no C compiler (cc, gcc) is installed"
  : false;
if (SKIP) console.log(`FFI round trip ${SKIP}`);

/** A function of the library: takes pointers, returns nothing. */
type Fn = (...pointers: ArrayBufferView[]) => void;

async function openLibrary(path: string, names: Record<string, number>): Promise<{
  fns: Record<string, Fn>;
  close: () => void;
}> {
  if (runtime === "deno") {
    const symbols = Object.fromEntries(
      Object.entries(names).map(([n, args]) => [
        n,
        { parameters: Array(args).fill("buffer"), result: "void" },
      ]),
    );
    const lib = g.Deno.dlopen(path, symbols);
    return { fns: lib.symbols, close: () => lib.close() };
  }
  // A computed specifier keeps other runtimes' type checkers from resolving "bun:ffi".
  const spec = "bun:ffi";
  const ffi: Any = await import(spec);
  const symbols = Object.fromEntries(
    Object.entries(names).map(([n, args]) => [
      n,
      { args: Array(args).fill(ffi.FFIType.ptr), returns: ffi.FFIType.void },
    ]),
  );
  const lib = ffi.dlopen(path, symbols);
  const fns: Record<string, Fn> = {};
  for (const n of Object.keys(names)) {
    fns[n] = (...ps: ArrayBufferView[]) => lib.symbols[n](...ps.map((p) => ffi.ptr(p)));
  }
  return { fns, close: () => lib.close() };
}

const SIGNED = new Set(["i8", "i16", "i32", "i64"]);

// The C expression of a leaf's value as 64 bits (what `read` stores).
function readExpr(leaf: Leaf, e: string): string {
  switch (leaf.kind) {
    case "f32":
      return `bits_f(${e})`;
    case "f64":
    case "ref":
      return `bits_d(${e})`;
    case "char":
      return `(uint64_t)(uint8_t)${e}`;
    default:
      return SIGNED.has(leaf.kind) ? `(uint64_t)(int64_t)${e}` : `(uint64_t)${e}`;
  }
}

// The C literal of a leaf value.
function literal(leaf: Leaf, v: unknown): string {
  switch (leaf.kind) {
    case "f32":
      return `${v}f`;
    case "f64":
    case "ref":
      return Number.isInteger(v) ? `${v}.0` : `${v}`;
    case "bool":
      return v ? "true" : "false";
    case "enum":
      return String((leaf.schema as { values: readonly string[] }).values.indexOf(v as string));
    case "i64":
      return `INT64_C(${v})`;
    case "u64":
      return `UINT64_C(${v})`;
    case "u32":
      return `${v}u`;
    default:
      return String(v);
  }
}

// What `read` stores for a leaf value.
function bits64(leaf: Leaf, v: unknown): bigint {
  const dv = new DataView(new ArrayBuffer(8));
  switch (leaf.kind) {
    case "f32":
      dv.setFloat32(0, v as number, true);
      return BigInt(dv.getUint32(0, true));
    case "f64":
    case "ref":
      dv.setFloat64(0, v as number, true);
      return dv.getBigUint64(0, true);
    case "bool":
      return v ? 1n : 0n;
    case "enum":
      return BigInt((leaf.schema as { values: readonly string[] }).values.indexOf(v as string));
    default:
      return BigInt.asUintN(64, BigInt(v as number | bigint));
  }
}

function cFunctions(prefix: string, schema: StructSchema, leaves: Leaf[]): string {
  const T = `${prefix}${schema.name}`;
  const n = leaves.length;
  const L = [`void ${prefix}read(const ${T} *p, uint64_t *out) {`];
  for (let r = 0; r < RECORDS; r++) {
    leaves.forEach((leaf, k) => {
      L.push(`  out[${r * n + k}] = ${readExpr(leaf, `p[${r}]${leaf.c}`)};`);
    });
  }
  L.push("}", `void ${prefix}write(${T} *p) {`);
  for (let r = 0; r < RECORDS; r++) {
    leaves.forEach((leaf, k) => {
      L.push(`  p[${r}]${leaf.c} = ${literal(leaf, leafValue(leaf, r * n + k, 1))};`);
    });
  }
  L.push("}", "");
  return L.join("\n");
}

// Random field names C accepts (cHeaderOf of a one-field struct is the test).
const cName = fieldNameArb((n) => {
  try {
    cHeaderOf(t.struct({ [n]: t.f32() }));
    return true;
  } catch {
    return false;
  }
});

function schemas(mode: LayoutMode, count: number, seed: number): StructSchema[] {
  const arb = structArb(mode).chain((s) => renamedArb(s, cName));
  return fc.sample(arb.filter((s) => leavesOf(s).length <= 400), {
    seed,
    numRuns: count,
  });
}

describe(`FFI round trip (${runtime ?? "no FFI"})`, () => {
  it(`random C and packed schemas (${SCHEMAS}, seed ${SEED})`, { skip: SKIP }, async () => {
    const all = [
      ...schemas("c", Math.ceil(SCHEMAS / 2), SEED),
      ...schemas("packed", Math.floor(SCHEMAS / 2), SEED + 1),
    ];
    const leaves = all.map(leavesOf);
    const source = [
      "#include <string.h>",
      "static uint64_t bits_f(float v) { uint32_t u; memcpy(&u, &v, 4); return u; }",
      "static uint64_t bits_d(double v) { uint64_t u; memcpy(&u, &v, 8); return u; }",
      ...all.map((s, i) =>
        `${cHeaderOf(s, { prefix: `s${i}_` })}\n${cFunctions(`s${i}_`, s, leaves[i])}`
      ),
    ];
    // The helpers need <stdint.h> first: the first header brings it.
    source.splice(1, 0, "#include <stdint.h>");
    const dir = mkdtempSync(join(tmpdir(), "arenakit-ffi-"));
    const lib = join(dir, "libroundtrip.so");
    try {
      writeFileSync(join(dir, "roundtrip.c"), source.join("\n"));
      execFileSync(CC!, [
        "-std=c11",
        "-O0",
        "-shared",
        "-fPIC",
        "-Wall",
        "-Werror",
        "-o",
        lib,
        join(dir, "roundtrip.c"),
      ], { stdio: ["ignore", "ignore", "pipe"] });
      const names: Record<string, number> = {};
      all.forEach((_, i) => {
        names[`s${i}_read`] = 2;
        names[`s${i}_write`] = 1;
      });
      const { fns, close } = await openLibrary(lib, names);
      try {
        const arena = new Arena({ bytes: 1 << 16, overflow: "grow" });
        all.forEach((schema, i) => {
          const ls = leaves[i];
          const n = ls.length;
          const records = arena.allocArray(schema, RECORDS);
          for (let r = 0; r < RECORDS; r++) {
            records.at(r).set(recordValue(schema, ls, r * n, 0) as never);
          }
          const range = byteRangeOf(records);
          assert.equal(range.byteLength, RECORDS * layoutOf(schema).size);
          const bytes = new Uint8Array(
            range.buffer as ArrayBuffer,
            range.byteOffset,
            range.byteLength,
          );
          const out = new BigUint64Array(RECORDS * n);
          fns[`s${i}_read`](bytes, out);
          const expected = Array.from(
            { length: RECORDS * n },
            (_, j) => bits64(ls[j % n], leafValue(ls[j % n], j, 0)),
          );
          const where = `s${i}_${schema.name}:\n${cHeaderOf(schema)}`;
          assert.deepEqual(Array.from(out), expected, `C read of arenakit's bytes, ${where}`);
          fns[`s${i}_write`](bytes);
          const want = Array.from({ length: RECORDS }, (_, r) => recordValue(schema, ls, r * n, 1));
          assert.deepEqual(records.toObject(), want, `arenakit read of C's writes, ${where}`);
          // Memory arenakit did not allocate: C fills a zeroed buffer, ExternalMemory reads it.
          const foreign = new Uint8Array(range.byteLength);
          fns[`s${i}_write`](foreign);
          const mem = new ExternalMemory(foreign);
          assert.deepEqual(
            mem.array(schema, RECORDS).toObject(),
            want,
            `C-filled memory, ${where}`,
          );
          mem.release();
        });
      } finally {
        close();
      }
      const count = leaves.reduce((n, l) => n + l.length * RECORDS, 0);
      console.log(
        `FFI round trip (${runtime}): ${all.length} random schemas (seed ${SEED}), ${count} leaves, ` +
          `one shared library`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
