/**
 * Runs the mitata benchmarks a `bench/*.bench.ts` suite declared: with mitata's usual terminal
 * output when started by hand, or as mitata's JSON (`run({ format: "json" })`) written to the
 * file named by `--json <path>` when started by `scripts/bench.ts`.
 *
 * @module
 */

import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { run } from "mitata";
import { scriptArgs } from "./_runtime.ts";

/**
 * Runs every benchmark declared so far. Call it once, last, at the top level of a suite.
 *
 * Flags understood: `--json <path>` (write JSON instead of printing), `--filter <regex>` (run
 * matching cases only).
 *
 * @example The end of every suite
 * ```ts ignore
 * import { bench, do_not_optimize, group } from "mitata";
 * import { runSuite } from "./_suite.ts";
 * group("sum", () => {
 *   bench("baseline: plain loop", () => do_not_optimize([0.5, 1.5].reduce((a, b) => a + b))).baseline();
 * });
 * await runSuite();
 * ```
 */
export async function runSuite(): Promise<void> {
  const { values } = parseArgs({
    args: scriptArgs(),
    options: { json: { type: "string" }, filter: { type: "string" } },
    strict: false,
  });
  const filter = typeof values.filter === "string" ? new RegExp(values.filter) : undefined;
  if (typeof values.json !== "string") {
    await run({ filter });
    return;
  }
  const chunks: string[] = [];
  // Samples and the generated measuring loop ("debug") would make each file megabytes.
  await run({
    filter,
    format: { json: { samples: false, debug: false } },
    print: (s: string) => chunks.push(s),
  });
  writeFileSync(values.json, chunks.join("\n") + "\n");
}
