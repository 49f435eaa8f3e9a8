/**
 * The newcomer's demo: one particle simulation (spawn, integrate, bounce, age, die) run per frame
 * in each storage variant of `bench/_demo_variants.ts`, each variant in its own child process so
 * that garbage collections are counted for real (see `bench/_gc.ts`).
 *
 * ```sh
 * deno task demo                       # all variants, defaults
 * bun run bench/demo.ts --particles 20000 --frames 900 --svg demo.svg
 * npx tsx bench/demo.ts --variant typed-arrays --variant arenakit-cursor
 * ```
 *
 * Flags:
 * - `--particles N` pool size (default 20000); `--frames N` measured frames (default 2400);
 *   `--warmup N` unmeasured frames that fill the pool before measuring (default 240);
 *   `--jit-warmup-ms N` time spent first on a throwaway simulation so the JIT has settled
 *   (default 300); `--seed N` PRNG seed (default 1).
 * - `--variant name` run only that variant (repeatable); `--list` prints the variants.
 * - `--svg out.svg` writes a frame-time chart of part 1 and `out-churn.svg` of part 2; `--json
 *   out.json` writes the results in the frame benchmark format read by
 *   `scripts/render-benchmarks.ts`.
 * - `--help` prints the flags and exits; an unknown flag prints them and exits with code 2.
 * - `--in-process` runs every variant in this process (handy under a debugger; GC is then only
 *   counted under Node).
 * - `--gpu` adds part 3 after part 1 (and skips part 2): the particle update as a WebGPU compute
 *   shader over the arena's bytes (`bench/_demo_gpu.ts`), beside the same f32 simulation on the
 *   CPU, with upload, update and readback time per frame and the adapter's name (Deno; Node and
 *   Bun have no WebGPU and say so). It uses `--particles`, `--seed`, and `--frames` up to 600.
 * - `--workers N` runs the parallel-frames demo instead (one million animated nodes on the main
 *   thread beside worker pools of 1 … N: `bench/workers.frames.ts`, shorter), with `--records N`
 *   and `--svg out.svg` passed on.
 * - `--no-churn` skips part 2, the short-lived-records run of `bench/churn.frames.ts` that a
 *   whole demo run ends with.
 * - `--child` (internal) runs one variant and reports to the parent on stderr.
 *
 * The flags, child processes and report are shared with the other frame benchmarks
 * (`bench/_frames_runner.ts`).
 *
 * @module
 */

import { spawnSync } from "node:child_process";
import process from "node:process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createRng, DEMO_VARIANTS, DT } from "./_demo_variants.ts";
import { type FrameVariant, runFramesBenchmark } from "./_frames_runner.ts";
import { scriptArgs, selfCommand } from "./_runtime.ts";
import { runGpuDemo } from "./_demo_gpu.ts";

// `--workers N`: the parallel-frames demo instead of parts 1 and 2 (one million animated nodes,
// the main thread alone beside pools of 1 … N workers: bench/workers.frames.ts, shorter).
const demoArgs = scriptArgs();
const workersAt = demoArgs.indexOf("--workers");
if (workersAt >= 0 && !demoArgs.includes("--help")) {
  const n = Number(demoArgs[workersAt + 1]);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`error: --workers needs a number of workers ≥ 1, got ${demoArgs[workersAt + 1]}`);
    process.exit(2);
  }
  console.log(`Parallel frames (bench/workers.frames.ts, shorter: --frames 150 --runs 1)\n`);
  const { command, preArgs } = selfCommand();
  const pass = (name: string): string[] => {
    const i = demoArgs.indexOf(`--${name}`);
    return i >= 0 ? [`--${name}`, demoArgs[i + 1]] : [];
  };
  const r = spawnSync(command, [
    ...preArgs,
    fileURLToPath(new URL("./workers.frames.ts", import.meta.url)),
    "--workers",
    String(n),
    "--frames",
    "150",
    "--runs",
    "1",
    ...pass("records"),
    ...pass("svg"),
  ], { stdio: "inherit" });
  process.exit(r.status ?? 1);
}

const variants: FrameVariant[] = DEMO_VARIANTS.map((v) => ({
  name: v.name,
  description: v.description,
  setup(params) {
    const sim = v.setup(params.particles, createRng(params.seed));
    return {
      frame: (frameIndex: number) => sim.frame(DT, frameIndex),
      checksum: () => sim.checksum(),
      alive: () => sim.alive(),
      arenaBytes: sim.arenaBytes && (() => sim.arenaBytes!()),
    };
  },
}));

const outcome = await runFramesBenchmark({
  title: "Particle demo (bench/demo.ts)",
  script: fileURLToPath(import.meta.url),
  variants,
  params: [{ key: "particles", flag: "particles", default: 20_000, min: 1 }],
  defaults: { frames: 2400, warmup: 240, jitWarmupMs: 300 },
  intro: (p) => `arenakit particle demo, ${p.particles} particles`,
  targetsFile: fileURLToPath(new URL("./frames-demo.targets.json", import.meta.url)),
  usage: [
    `  ${"--gpu".padEnd(22)} add part 3: the update as a WebGPU compute shader (Deno)`,
    `  ${"--no-churn".padEnd(22)} skip part 2 (short-lived records)`,
    `  ${"--workers N".padEnd(22)} instead: one million nodes per frame on the main thread and on`,
    `  ${"".padEnd(22)} pools of 1 … N workers (bench/workers.frames.ts; --records, --svg)`,
    "",
    "Part 1 runs every variant in its own child process; part 2 then runs bench/churn.frames.ts",
    "smaller. --svg out.svg draws part 1 into out.svg and part 2 into out-churn.svg.",
  ],
  epilogue: [
    "How to read this:",
    "- These particles live for seconds, so plain objects are cheap here: V8 promotes them once.",
    "- arenakit-views makes one view object per particle per frame: that is garbage, like objects.",
    "- The cursor and columns make no object per particle. Checked mode costs a getter no test",
    "  (a reset kills the epoch its view reads through) and a setter one condition; the cursor's",
    "  per-particle functions sit at module level, where V8 keeps their type feedback and inlines",
    "  every accessor (as closures made per setup, some stayed out of line and boxed doubles).",
    "- arenakit is built for short-lived per-frame records (contacts, events, instances): that",
    "  is part 2 of the demo (`bench/churn.frames.ts`, run smaller).",
  ],
});

// Part 2, when the demo runs as a whole (not as a child, a JSON run or a chosen variant): the
// workload arenakit is for, records made and dropped every frame, at a size that stays quick.
const args = scriptArgs();
const flag = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const ran = outcome === "ran";
const gpu = ran && args.includes("--gpu") && !args.includes("--child") &&
  !args.includes("--list");
const svgAt = args.indexOf("--svg");
const churnSvg = svgAt >= 0 ? args[svgAt + 1].replace(/(\.svg)?$/, "-churn.svg") : undefined;
// Part 2 compares against @thi.ng/malloc, an npm package: without `npm install` it is skipped.
const churnDeps = existsSync(
  fileURLToPath(new URL("../node_modules/@thi.ng/malloc", import.meta.url)),
);
const whole = ran && !gpu &&
  !["--child", "--json", "--variant", "--list", "--in-process", "--no-churn"].some((f) =>
    args.includes(f)
  );
if (gpu) {
  console.log(`\n${"=".repeat(96)}\nPart 3: the particle update on the GPU (bench/_demo_gpu.ts)\n`);
  await runGpuDemo({
    particles: flag("particles", 20_000),
    frames: Math.min(600, flag("frames", 600)),
    warmup: Math.min(120, flag("warmup", 120)),
    seed: flag("seed", 1),
  });
}
if (whole && !churnDeps) {
  console.log(
    "\nPart 2 (short-lived records) needs the packages it compares against: run `npm install` " +
      "first.",
  );
}
if (whole && churnDeps) {
  console.log(
    `\n${"=".repeat(96)}\nPart 2: short-lived records (bench/churn.frames.ts, smaller: ` +
      `--records 50000 --frames 400)\n`,
  );
  const { command, preArgs } = selfCommand();
  const churn = fileURLToPath(new URL("./churn.frames.ts", import.meta.url));
  const picked = [
    "plain-objects",
    "plain-objects-fresh-array",
    "typed-arrays",
    "arenakit-views",
    "arenakit-cursor",
  ];
  const r = spawnSync(command, [
    ...preArgs,
    churn,
    "--records",
    "50000",
    "--frames",
    "400",
    "--runs",
    "1",
    ...picked.flatMap((v) => ["--variant", v]),
    "--variant",
    "arenakit-columns",
    "--no-targets",
    ...(churnSvg === undefined ? [] : ["--svg", churnSvg]),
  ], { stdio: "inherit" });
  if (r.status !== 0) throw new Error(`Part 2 (churn) failed with exit code ${r.status}`);
}
