// Fuzzers print how many operations they ran and with which seed. Deno's JUnit reporter drops
// console output, so the line also goes to .test-out/fuzz.log, which scripts/test-all.mjs prints.
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
