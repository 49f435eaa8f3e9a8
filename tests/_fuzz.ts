// Helpers of the fuzzers: a seeded PRNG, and the op-count line every fuzzer prints. Deno's JUnit
// reporter drops console output, so the line also goes to .test-out/fuzz.log, which
// scripts/test-all.mjs prints.
import { appendFileSync, mkdirSync } from "node:fs";

/** The runtime running the tests. */
export function runtimeName(): string {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  return g.Deno ? "deno" : g.Bun ? "bun" : "node";
}

/** Prints `what: N ops, seed S (runtime)` and appends it to the fuzz log. */
export function reportFuzz(what: string, ops: number, seed: number): void {
  const line = `${what}: ${ops} ops, seed ${seed} (${runtimeName()})`;
  console.log(line);
  const out = new URL("../.test-out/", import.meta.url);
  mkdirSync(out, { recursive: true });
  appendFileSync(new URL("fuzz.log", out), line + "\n");
}

/** mulberry32: a small, fast PRNG giving the same sequence in every runtime; floats in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
