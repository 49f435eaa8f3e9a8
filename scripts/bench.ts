/**
 * Runs every benchmark in Deno and in Bun, each suite in its own process, saves the results under
 * `.bench-out/<runtime>/` and renders BENCHMARKS.md (`deno task bench`).
 *
 * ```sh
 * deno task bench                                   # all suites, both runtimes, then render
 * deno task bench --runtime bun --filter baseline   # one suite, one runtime
 * deno run -A scripts/bench.ts --no-frames --no-render
 * ```
 *
 * Flags: `--runtime deno|bun` (repeatable; default both), `--filter <text>` (only suites and frame
 * benchmarks whose name contains the text), `--no-frames` (skip frame benchmarks),
 * `--no-render` (do not rewrite BENCHMARKS.md), `--quick` (frame benchmarks with fewer frames).
 *
 * ## Convention for mitata suites (`bench/<suite>.bench.ts`)
 *
 * - Declare cases inside mitata `group("what is measured", ...)` blocks, wrapped in `summary()`
 *   so mitata prints ratios when the suite is run by hand.
 * - Every group has exactly one baseline case: its name starts with `baseline:` **and** it is
 *   marked with mitata's `.baseline()`; it is the plain-JS-object way of doing the same thing.
 *   Ratios in the report are `case median / baseline median` (lower is better).
 * - Pass every result to `do_not_optimize` (mitata warns when a case was optimised away).
 * - Use non-integer data (V8 keeps small integers as Smis, which flatters plain objects).
 * - Peers a user would pick instead (bitecs, typed-struct, ...) run in the same group.
 * - End the file with `await runSuite()` from `bench/_suite.ts`; this script passes
 *   `--json <file>` and gets mitata's JSON output (`run({ format: { json: ... } })`).
 * - Targets live in a sidecar `bench/<suite>.targets.json`:
 *   `[{ "group": "...", "case": "...", "vs": "...", "max_ratio": 1.3, "note": "issue #3" }]`
 *   (`vs` defaults to the group's baseline); the report marks each one met / not met per runtime.
 *
 * ## Frame benchmarks
 *
 * `bench/demo.ts` and every `bench/<name>.frames.ts` are run with `--json
 * .bench-out/<runtime>/frames-<name>.json` and must write the format of `bench/_frames_file.ts`.
 * They measure GC themselves (child processes), so this script runs them plainly.
 *
 * @module
 */

import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { machineInfo, runtimeName, scriptArgs, stderrIsTerminal } from "../bench/_runtime.ts";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
const OUT = join(ROOT, ".bench-out");
const RUNTIMES = ["deno", "bun"] as const;
type BenchRuntime = (typeof RUNTIMES)[number];

/** The executable and flags that run a `.ts` file in `runtime`. */
function runtimeCommand(runtime: BenchRuntime): { command: string; args: string[] } {
  if (runtime === "deno") {
    // --expose-gc lets mitata collect garbage between cases, as it does in Bun (Bun.gc).
    const command = runtimeName() === "deno"
      ? Deno.execPath()
      : join(ROOT, "node_modules/.bin/deno");
    return { command, args: ["run", "-A", "--v8-flags=--expose-gc"] };
  }
  return { command: join(ROOT, "node_modules/.bin/bun"), args: [] };
}

/** One thing to run: a mitata suite or a frame benchmark. */
interface Job {
  readonly kind: "suite" | "frames";
  readonly name: string;
  readonly file: string;
}

function findJobs(filter: string | undefined, frames: boolean): Job[] {
  const files = readdirSync(join(ROOT, "bench")).sort();
  const jobs: Job[] = [];
  for (const f of files) {
    if (f.endsWith(".bench.ts")) {
      jobs.push({ kind: "suite", name: f.slice(0, -".bench.ts".length), file: join("bench", f) });
    }
  }
  if (frames) {
    jobs.push({ kind: "frames", name: "demo", file: join("bench", "demo.ts") });
    for (const f of files) {
      if (f.endsWith(".frames.ts")) {
        jobs.push({
          kind: "frames",
          name: f.slice(0, -".frames.ts".length),
          file: join("bench", f),
        });
      }
    }
  }
  return filter === undefined ? jobs : jobs.filter((j) => j.name.includes(filter));
}

/** Runs a child with inherited stderr; resolves with its exit code. */
function runChild(command: string, args: string[]): Promise<number | null> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
    const out: string[] = [];
    child.stdout!.setEncoding("utf8").on("data", (s: string) => out.push(s));
    child.on("error", reject);
    child.on("close", (code) => {
      // Suites print nothing on stdout in JSON mode; frame benchmarks print their summary.
      const text = out.join("");
      if (text.trim()) process.stdout.write(text.endsWith("\n") ? text : text + "\n");
      resolvePromise(code);
    });
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: scriptArgs(),
    options: {
      runtime: { type: "string", multiple: true },
      filter: { type: "string" },
      "no-frames": { type: "boolean" },
      "no-render": { type: "boolean" },
      quick: { type: "boolean" },
    },
    strict: true,
  });
  const runtimes = (values.runtime ?? [...RUNTIMES]).map((r) => {
    if (!(RUNTIMES as readonly string[]).includes(r)) {
      throw new TypeError(`Cannot benchmark runtime "${r}": expected "deno" or "bun"`);
    }
    return r as BenchRuntime;
  });
  const jobs = findJobs(values.filter, values["no-frames"] !== true);
  if (jobs.length === 0) throw new TypeError(`Cannot find a benchmark matching "${values.filter}"`);

  mkdirSync(OUT, { recursive: true });
  writeFileSync(
    join(OUT, "machine.json"),
    JSON.stringify({ ...machineInfo(), date: new Date().toISOString() }, null, 2) + "\n",
  );

  const failures: string[] = [];
  const total = jobs.length * runtimes.length;
  let done = 0;
  for (const runtime of runtimes) {
    const dir = join(OUT, runtime);
    mkdirSync(dir, { recursive: true });
    const { command, args } = runtimeCommand(runtime);
    if (!existsSync(command)) {
      failures.push(`${runtime}: ${command} not found`);
      continue;
    }
    for (const job of jobs) {
      done++;
      const out = job.kind === "suite"
        ? join(dir, `${job.name}.json`)
        : join(dir, `frames-${job.name}.json`);
      const extra = job.kind === "frames" && values.quick
        ? ["--frames", "300", "--warmup", "120"]
        : [];
      const label = `[${done}/${total}] ${runtime} ${job.file}`;
      // One line per job even off a terminal: a CI log should say what ran.
      process.stderr.write(stderrIsTerminal() ? `\x1b[1m${label}\x1b[0m\n` : `${label}\n`);
      const started = performance.now();
      const code = await runChild(command, [...args, job.file, "--json", out, ...extra]);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      if (code !== 0) failures.push(`${runtime} ${job.file}: exit code ${code}`);
      else process.stderr.write(`  → ${basename(dir)}/${basename(out)} (${seconds} s)\n`);
    }
  }

  if (values["no-render"] !== true) {
    const { renderBenchmarks, writeBenchmarks } = await import("./render-benchmarks.ts");
    const path = join(ROOT, "BENCHMARKS.md");
    writeBenchmarks(path, renderBenchmarks(OUT, join(ROOT, "bench")));
    process.stderr.write(`rendered ${path}\n`);
  }
  if (failures.length > 0) {
    process.stderr.write(`\n${failures.length} benchmark(s) failed:\n  ${failures.join("\n  ")}\n`);
    process.exitCode = 1;
  }
}

try {
  await main();
} catch (e) {
  // Bad flags are the user's to fix: a message is enough. Anything else keeps its stack.
  if (!(e instanceof TypeError || e instanceof RangeError)) throw e;
  console.error(`error: ${e.message}`);
  process.exitCode = 2;
}
