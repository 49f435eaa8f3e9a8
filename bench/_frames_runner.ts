/**
 * The machinery shared by frame benchmarks (`bench/demo.ts`, `bench/*.frames.ts`): flags, one
 * child process per variant so garbage collections are counted for real (`bench/_gc.ts`), frame
 * statistics, the terminal report with its verdict line, the SVG chart and the JSON result file
 * (`bench/_frames_file.ts`) that `scripts/render-benchmarks.ts` turns into BENCHMARKS.md.
 *
 * A benchmark declares its variants and integer parameters and calls
 * {@linkcode runFramesBenchmark} at the top level; the same file then acts as parent (no
 * `--child`) or as the child running one variant (`--child --variant name`).
 *
 * Flags every frame benchmark understands:
 * - its integer parameters as `--<flag> N` (`--frames`, `--warmup`, `--jit-warmup-ms`, `--seed`,
 *   `--runs` and the benchmark's own, e.g. `--particles`);
 * - `--runs N` runs every variant N times, each in a new process, in rounds (all variants once,
 *   then again), and reports each variant's run with the middle median: a GC heuristic that
 *   lands in a different mode in one process does not decide the result alone;
 * - `--variant name` run only that variant (repeatable); `--list` prints the variants;
 * - `--svg out.svg` writes a frame-time chart; `--json out.json` writes the results file;
 * - `--in-process` runs every variant in this process (handy under a debugger; GC is then only
 *   counted under Node);
 * - `--child` (internal) runs one variant and reports to the parent on stderr.
 *
 * @module
 */

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import { lineChartSvg, Progress, sparkline } from "./_chart.ts";
import {
  formatGc,
  type GcReport,
  gcWindowBegin,
  gcWindowEnd,
  inProcessGcReport,
  runWithGc,
  sendChildResult,
} from "./_gc.ts";
import { formatBytes, formatMs, type FrameStats, frameStats } from "./_frame_stats.ts";
import { machineInfo, memorySample, runtimeName, runtimeVersion, scriptArgs } from "./_runtime.ts";
import type { FramesFile, FramesTarget, FramesVariant } from "./_frames_file.ts";

/** Integer parameters of one run; always has `frames`, `warmup`, `jitWarmupMs` and `seed`. */
export type FrameParams = Readonly<Record<string, number>>;

/** A running simulation made by {@linkcode FrameVariant.setup}. */
export interface FrameSim {
  /** Does one frame's work (this is what is timed; a promise is awaited inside the timing). */
  frame(frameIndex: number): void | Promise<void>;
  /** Work checksum; equal across variants that did the same work. */
  checksum(): number;
  /** A second equality check (e.g. particles alive), when the benchmark has one. */
  alive?(): number;
  /** Bytes of arena/typed-array storage the variant holds, when it has such a notion. */
  arenaBytes?(): number;
  /** Ends what the simulation started (workers), after its last frame. */
  close?(): void | Promise<void>;
}

/** One way of doing a frame benchmark's work. */
export interface FrameVariant {
  /** Short id used by `--variant`, e.g. `plain-objects`. */
  readonly name: string;
  /** One line for the report. */
  readonly description: string;
  /** Builds a fresh simulation (called twice per run: JIT warm-up with seed + 1, then measured). */
  setup(params: FrameParams): FrameSim | Promise<FrameSim>;
  /**
   * V8 flags for this variant's child process (Deno and Node; ignored under Bun and with
   * `--in-process`), for variants that pin down an engine heuristic.
   */
  readonly v8Flags?: readonly string[];
}

/** An integer flag of a frame benchmark. */
export interface FrameParamSpec {
  /** Key in {@linkcode FrameParams}, e.g. `jitWarmupMs`. */
  readonly key: string;
  /** Command-line flag without dashes, e.g. `jit-warmup-ms`. */
  readonly flag: string;
  /** Value when the flag is absent. */
  readonly default: number;
  /** Smallest accepted value (default 0). */
  readonly min?: number;
}

/** A whole frame benchmark. */
export interface FramesBenchmark {
  /** Section title in the report, e.g. `Particle demo (bench/demo.ts)`. */
  readonly title: string;
  /** Absolute path of the benchmark script (children re-run it with `--child`). */
  readonly script: string;
  /** Variants, the baseline (plain objects) first. */
  readonly variants: readonly FrameVariant[];
  /** Parameters besides the common `frames`, `warmup`, `jitWarmupMs`, `seed`. */
  readonly params: readonly FrameParamSpec[];
  /** Defaults of the common parameters. */
  readonly defaults: {
    readonly frames: number;
    readonly warmup: number;
    readonly jitWarmupMs: number;
    readonly seed?: number;
    /** Runs per variant (`--runs`), default 1. */
    readonly runs?: number;
  };
  /** First line printed: what runs with which parameters. */
  intro(params: FrameParams): string;
  /** Lines printed after the verdict: how to read the numbers (optional). */
  readonly epilogue?: readonly string[];
  /** Sidecar targets (`bench/frames-<name>.targets.json`) to evaluate in the verdict, if any. */
  readonly targetsFile?: string;
  /** Lines `--help` prints after the common flags: the script's own flags, how to run it. */
  readonly usage?: readonly string[];
}

/** How a frame benchmark run ended. */
export type FramesOutcome = "ran" | "help" | "bad-flags";

/** What one variant run produces (sent from the child to the parent as JSON). */
interface VariantRun {
  readonly name: string;
  readonly frameMs: number[];
  readonly checksum: number;
  readonly alive: number | undefined;
  readonly peakHeapBytes: number;
  readonly peakExternalBytes: number;
  readonly arenaBytes: number | undefined;
}

/** A variant's run plus what the parent measured around it. */
export interface VariantResult extends VariantRun {
  /** Frame-time statistics. */
  readonly stats: FrameStats;
  /** Collections inside the measured frames. */
  readonly gc: GcReport;
  /** The median frame time of every run of this variant, in run order (`--runs`). */
  readonly runMediansMs: readonly number[];
}

/** Memory is sampled every few frames: the sample object itself is garbage the variant did not make. */
const MEMORY_SAMPLE_EVERY = 10;

/** Runs one variant in this process: setup, warm-up, then the measured frames inside a GC window. */
async function runVariant(variant: FrameVariant, params: FrameParams): Promise<VariantRun> {
  // JIT warm-up on a throwaway simulation, for a fixed time rather than a fixed frame count: fast
  // variants would otherwise be measured while still running unoptimised code (which boxes
  // doubles, i.e. makes garbage the variant itself does not make). The measured simulation below
  // then does exactly the same work in every variant.
  const warm = await variant.setup({ ...params, seed: params.seed + 1 });
  const until = performance.now() + params.jitWarmupMs;
  for (let f = 0; performance.now() < until; f++) {
    const r = warm.frame(f);
    if (r !== undefined) await r;
  }
  await warm.close?.();

  const sim = await variant.setup(params);
  let frameIndex = 0;
  for (let i = 0; i < params.warmup; i++) {
    const r = sim.frame(frameIndex++);
    if (r !== undefined) await r;
  }

  const frameMs = new Float64Array(params.frames);
  let peakHeap = 0;
  let peakExternal = 0;
  await gcWindowBegin();
  for (let i = 0; i < params.frames; i++) {
    const t0 = performance.now();
    const r = sim.frame(frameIndex++);
    if (r !== undefined) await r;
    frameMs[i] = performance.now() - t0;
    if (i % MEMORY_SAMPLE_EVERY === 0 || i === params.frames - 1) {
      const m = memorySample();
      if (m.heapUsed > peakHeap) peakHeap = m.heapUsed;
      if (m.external > peakExternal) peakExternal = m.external;
    }
  }
  await gcWindowEnd();
  await sim.close?.();

  return {
    name: variant.name,
    frameMs: Array.from(frameMs),
    checksum: sim.checksum(),
    alive: sim.alive?.(),
    peakHeapBytes: peakHeap,
    peakExternalBytes: peakExternal,
    arenaBytes: sim.arenaBytes?.(),
  };
}

function findVariant(bench: FramesBenchmark, name: string): FrameVariant {
  const v = bench.variants.find((v) => v.name === name);
  if (!v) {
    throw new TypeError(
      `Cannot run variant "${name}": expected one of ${
        bench.variants.map((v) => `"${v.name}"`).join(", ")
      }`,
    );
  }
  return v;
}

function intFlag(spec: FrameParamSpec, value: string | undefined): number {
  if (value === undefined) return spec.default;
  const n = Number(value);
  const min = spec.min ?? 0;
  if (!Number.isInteger(n) || n < min) {
    throw new RangeError(`Cannot use --${spec.flag} "${value}": expected an integer ≥ ${min}`);
  }
  return n;
}

function ratio(a: number, b: number): string {
  if (!(b > 0)) return "n/a";
  return `${(a / b).toFixed(2)}×`;
}

/** The common parameters plus the benchmark's own. */
function paramSpecs(bench: FramesBenchmark): FrameParamSpec[] {
  return [
    ...bench.params,
    { key: "frames", flag: "frames", default: bench.defaults.frames, min: 1 },
    { key: "warmup", flag: "warmup", default: bench.defaults.warmup },
    { key: "jitWarmupMs", flag: "jit-warmup-ms", default: bench.defaults.jitWarmupMs },
    { key: "seed", flag: "seed", default: bench.defaults.seed ?? 1 },
    { key: "runs", flag: "runs", default: bench.defaults.runs ?? 1, min: 1 },
  ];
}

/**
 * Parses the flags and runs the benchmark: as the parent (every selected variant in its own
 * child, then the report) or, with `--child`, as one variant's child. Call it once at the top
 * level of the benchmark script; bad flags print a message and exit with code 2, a checksum
 * mismatch exits with code 1.
 *
 * @example A frame benchmark in a few lines
 * ```ts ignore
 * import { fileURLToPath } from "node:url";
 * import { runFramesBenchmark } from "./_frames_runner.ts";
 * await runFramesBenchmark({
 *   title: "Sum (bench/sum.frames.ts)",
 *   script: fileURLToPath(import.meta.url),
 *   params: [{ key: "n", flag: "n", default: 1000, min: 1 }],
 *   defaults: { frames: 500, warmup: 50, jitWarmupMs: 200 },
 *   intro: (p) => `summing ${p.n} numbers per frame`,
 *   variants: [{
 *     name: "plain-loop",
 *     description: "a for loop",
 *     setup: (p) => {
 *       let sum = 0;
 *       return { frame: (f) => { for (let i = 0; i < p.n; i++) sum += (i + f) * 0.5; }, checksum: () => sum };
 *     },
 *   }],
 * });
 * ```
 */
export async function runFramesBenchmark(bench: FramesBenchmark): Promise<FramesOutcome> {
  try {
    return await main(bench);
  } catch (e) {
    // Bad flags are the user's to fix: a message and the usage are enough. Anything else keeps
    // its stack.
    if (!(e instanceof TypeError || e instanceof RangeError)) throw e;
    console.error(`error: ${e.message}\n`);
    console.error(usageOf(bench).join("\n"));
    process.exitCode = 2;
    return "bad-flags";
  }
}

/** The `--help` text: the common flags with their defaults, then the script's own lines. */
function usageOf(bench: FramesBenchmark): string[] {
  const specs = paramSpecs(bench);
  return [
    `${bench.title}`,
    "",
    `Usage: ${basename(bench.script)} [flags]`,
    "",
    ...specs.map((s) => `  --${`${s.flag} N`.padEnd(20)} default ${s.default}`),
    `  ${"--variant name".padEnd(22)} run only that variant (repeatable); --list prints them`,
    `  ${"--svg out.svg".padEnd(22)} write a frame-time chart`,
    `  ${"--json out.json".padEnd(22)} write the results for scripts/render-benchmarks.ts`,
    `  ${"--in-process".padEnd(22)} run every variant in this process (GC counted under Node)`,
    `  ${"--no-targets".padEnd(22)} skip the targets in the verdict`,
    `  ${"--help".padEnd(22)} print this and exit`,
    ...(bench.usage ?? []),
  ];
}

async function main(bench: FramesBenchmark): Promise<FramesOutcome> {
  const specs = paramSpecs(bench);
  const options: Record<string, { type: "string" | "boolean"; multiple?: boolean }> = {
    variant: { type: "string", multiple: true },
    svg: { type: "string" },
    json: { type: "string" },
    list: { type: "boolean" },
    "in-process": { type: "boolean" },
    "no-targets": { type: "boolean" },
    "no-churn": { type: "boolean" },
    gpu: { type: "boolean" },
    child: { type: "boolean" },
    help: { type: "boolean", short: "h" } as never,
  };
  for (const s of specs) options[s.flag] = { type: "string" };
  const { values } = parseArgs({ args: scriptArgs(), options, strict: true });
  const raw = values as Record<string, string | boolean | string[] | undefined>;
  const params: Record<string, number> = {};
  for (const s of specs) params[s.key] = intFlag(s, raw[s.flag] as string | undefined);
  const names = raw.variant as string[] | undefined;

  if (raw.help) {
    console.log(usageOf(bench).join("\n"));
    return "help";
  }
  if (raw.list) {
    for (const v of bench.variants) console.log(`${v.name.padEnd(26)} ${v.description}`);
    return "ran";
  }

  if (raw.child) {
    if (names?.length !== 1) {
      throw new TypeError("Cannot run child: expected exactly one --variant");
    }
    sendChildResult(await runVariant(findVariant(bench, names[0]), params));
    return "ran";
  }

  // Keep registry order whatever the flag order, so the baseline stays first.
  const wanted = new Set(
    (names ?? bench.variants.map((v) => v.name)).map((n) => findVariant(bench, n)),
  );
  const variants = bench.variants.filter((v) => wanted.has(v));
  const inProcess = raw["in-process"] === true;
  console.log(`${bench.intro(params)} — ${runtimeVersion()}`);
  const runs = params.runs;
  console.log(
    `${params.frames} measured frames after ${params.warmup} unmeasured ones and ` +
      `${params.jitWarmupMs} ms of JIT warm-up, seed ${params.seed}; each variant runs in ${
        inProcess ? "this process" : "its own child process"
      }${
        runs > 1 ? `, ${runs} times in rounds (the run with the middle median is reported)` : ""
      }; times are per frame\n`,
  );

  const progress = new Progress(basename(bench.script), variants.length * runs);
  const all: { run: VariantRun; stats: FrameStats; gc: GcReport }[][] = variants.map(() => []);
  for (let round = 0; round < runs; round++) {
    for (const [k, variant] of variants.entries()) {
      progress.update(round * variants.length + k, variant.name);
      let run: VariantRun;
      let gc: GcReport;
      if (inProcess) {
        run = await runVariant(variant, params);
        gc = inProcessGcReport();
      } else {
        const args = ["--child", "--variant", variant.name];
        for (const s of specs) args.push(`--${s.flag}`, String(params[s.key]));
        const child = await runWithGc<VariantRun>(bench.script, args, {
          v8Flags: variant.v8Flags,
        });
        run = child.result;
        gc = child.gc;
      }
      all[k].push({ run, stats: frameStats(run.frameMs), gc });
    }
  }
  progress.done();
  const results = all.map((list): VariantResult => {
    const byMedian = [...list].sort((a, b) => a.stats.medianMs - b.stats.medianMs);
    const mid = byMedian[(byMedian.length - 1) >> 1];
    return {
      ...mid.run,
      stats: mid.stats,
      gc: mid.gc,
      runMediansMs: list.map((r) => r.stats.medianMs),
    };
  });

  report(bench, results, params);

  const svg = raw.svg as string | undefined;
  if (svg) {
    writeFileSync(
      svg,
      lineChartSvg(
        results.map((r) => ({
          name: `${r.name} (median ${formatMs(r.stats.medianMs)})`,
          values: r.frameMs,
        })),
        { title: `${bench.title} — ${runtimeVersion()}`, yLabel: "frame time (ms)" },
      ),
    );
    console.log(`\nwrote ${svg}`);
  }
  const json = raw.json as string | undefined;
  if (json) {
    writeFileSync(json, JSON.stringify(framesFile(bench, results, params), null, 2) + "\n");
    console.log(`wrote ${json}`);
  }

  if (mismatches(results).length > 0) process.exitCode = 1;
  return "ran";
}

function mismatches(results: readonly VariantResult[]): VariantResult[] {
  const base = results[0];
  // A checksum of NaN (null once sent as JSON) marks a variant that does no work, such as a
  // measure of overhead alone: there is nothing to compare.
  const compared = (r: VariantResult) => r.checksum !== null && !Number.isNaN(r.checksum);
  return results.filter((r) =>
    compared(r) && (r.checksum !== base.checksum || r.alive !== base.alive)
  );
}

function report(bench: FramesBenchmark, results: VariantResult[], params: FrameParams): void {
  const nameW = Math.max(8, ...results.map((r) => r.name.length));
  const header = [
    "variant".padEnd(nameW),
    "median".padStart(9),
    "p99".padStart(9),
    "max".padStart(9),
    "p99/med".padStart(7),
    "GC count (pause)".padStart(20),
    "peak heap".padStart(11),
    "external".padStart(11),
    "arena".padStart(11),
  ].join("  ");
  console.log(header);
  console.log("-".repeat(header.length));
  for (const r of results) {
    console.log([
      r.name.padEnd(nameW),
      formatMs(r.stats.medianMs).padStart(9),
      formatMs(r.stats.p99Ms).padStart(9),
      formatMs(r.stats.maxMs).padStart(9),
      ratio(r.stats.p99Ms, r.stats.medianMs).padStart(7),
      formatGc(r.gc).padStart(20),
      formatBytes(r.peakHeapBytes).padStart(11),
      formatBytes(r.peakExternalBytes).padStart(11),
      (r.arenaBytes === undefined ? "—" : formatBytes(r.arenaBytes)).padStart(11),
    ].join("  "));
  }

  const top = Math.max(...results.map((r) => r.stats.maxMs));
  console.log(
    `\nframe times, one column ≈ ${Math.ceil(params.frames / 60)} frames (max of them), scale 0 … ${
      formatMs(top)
    }:`,
  );
  for (const r of results) {
    console.log(`${r.name.padEnd(nameW)}  ${sparkline(r.frameMs, { width: 60, max: top })}`);
  }

  if (params.runs > 1) {
    console.log(`\nmedian of each run (${params.runs} runs; the middle one is reported above):`);
    for (const r of results) {
      console.log(`${r.name.padEnd(nameW)}  ${r.runMediansMs.map(formatMs).join(" / ")}`);
    }
  }

  const gcMethods = [...new Set(results.map((r) => r.gc.method))];
  console.log(`\nGC measured with: ${gcMethods.join("; ")}`);

  const base = results[0];
  const mismatched = mismatches(results);
  const what = base.alive === undefined ? "" : `, ${base.alive} alive`;
  const checks = mismatched.length === 0
    ? `checksums match (${base.checksum}${what})`
    : `CHECKSUM MISMATCH: ${
      mismatched.map((r) => `${r.name} ${r.checksum}/${r.alive} vs ${base.checksum}/${base.alive}`)
        .join(", ")
    }`;
  const others = results.slice(1).map((r) => {
    const gcText = r.gc.gcCount === undefined || base.gc.gcCount === undefined
      ? "GC not measured"
      : `${r.gc.gcCount} vs ${base.gc.gcCount} GCs`;
    // In words first, so a newcomer reads the outcome before the ratios.
    const m = r.stats.medianMs <= base.stats.medianMs;
    const p = r.stats.p99Ms <= base.stats.p99Ms;
    const words = m && p
      ? "faster"
      : !m && !p
      ? "slower"
      : m
      ? "faster in median, slower at p99"
      : "slower in median, faster at p99";
    return `${r.name} ${words}: median ${ratio(r.stats.medianMs, base.stats.medianMs)}, p99 ${
      ratio(r.stats.p99Ms, base.stats.p99Ms)
    }, max ${ratio(r.stats.maxMs, base.stats.maxMs)}, ${gcText}`;
  });
  console.log(
    `\nVerdict vs ${base.name} (lower is better): ${
      others.length ? others.join("; ") : "only one variant ran"
    }; ${checks}`,
  );

  if (bench.epilogue) console.log(`\n${bench.epilogue.join("\n")}`);

  // The demo runs the churn benchmark as its part 2 with --no-targets: newcomers get the numbers.
  const targets = scriptArgs().includes("--no-targets") ? [] : readTargets(bench);
  if (targets.length > 0) {
    console.log(`\nTargets (${targetsLabel(bench)}):`);
    for (const t of targets) {
      const line = targetLine(t, results, runtimeName());
      if (line !== undefined) console.log(`  ${line}`);
    }
  }
}

function readTargets(bench: FramesBenchmark): FramesTarget[] {
  const path = bench.targetsFile;
  if (path === undefined || !existsSync(path)) return [];
  return JSON.parse(readFileSync(path, "utf8")) as FramesTarget[];
}

function targetsLabel(bench: FramesBenchmark): string {
  const path = bench.targetsFile!;
  return join(basename(dirname(path)), basename(path));
}

/** One target evaluated like the report does (`0 vs 0` counts as met). */
function targetLine(
  t: FramesTarget,
  results: readonly VariantResult[],
  runtime: string,
): string | undefined {
  if (t.runtime !== undefined && t.runtime !== runtime) return undefined;
  const value = (name: string, metric: FramesTarget["metric"]): number | undefined => {
    const r = results.find((r) => r.name === name);
    if (!r) return undefined;
    switch (metric) {
      case "gcCount":
        return r.gc.gcCount;
      case "gcMs":
        return r.gc.gcMs;
      case "peakHeapBytes":
        return r.peakHeapBytes;
      default:
        return r.stats[metric];
    }
  };
  const note = t.note ? ` (${t.note})` : "";
  if (t.max_value !== undefined) {
    const label = `${t.variant} ${t.metric} ≤ ${t.max_value}`;
    const v = value(t.variant, t.metric);
    if (v === undefined) return `${label}: not measured${note}`;
    return `${label}: ${+v.toFixed(4)} ${v <= t.max_value ? "met" : "NOT MET"}${note}`;
  }
  const vsMetric = t.vsMetric ?? t.metric;
  const label = `${t.variant} ${t.metric} ≤ ${t.max_ratio}× ${t.vs}` +
    (vsMetric === t.metric ? "" : ` ${vsMetric}`);
  const a = value(t.variant, t.metric);
  const b = value(t.vs, vsMetric);
  if (a === undefined || b === undefined) return `${label}: not measured${note}`;
  if (b === 0) return `${label}: ${a} vs 0 ${a === 0 ? "met" : "NOT MET"}${note}`;
  const r = a / b;
  return `${label}: ${r.toFixed(2)}× ${r <= t.max_ratio ? "met" : "NOT MET"}${note}`;
}

function framesFile(
  bench: FramesBenchmark,
  results: VariantResult[],
  params: FrameParams,
): FramesFile {
  const variants: FramesVariant[] = results.map((r) => ({
    name: r.name,
    description: bench.variants.find((v) => v.name === r.name)?.description ?? "",
    frames: r.stats.frames,
    medianMs: r.stats.medianMs,
    p99Ms: r.stats.p99Ms,
    maxMs: r.stats.maxMs,
    meanMs: r.stats.meanMs,
    gcCount: r.gc.gcCount ?? null,
    gcMs: r.gc.gcMs ?? null,
    gcMethod: r.gc.method,
    peakHeapBytes: r.peakHeapBytes,
    arenaBytes: r.arenaBytes ?? null,
    checksum: r.checksum,
    runMediansMs: r.runMediansMs,
  }));
  // Targets stay in the sidecar file: the report merges it in, so copying them here would list
  // each target twice.
  return {
    kind: "arenakit-frames",
    version: 1,
    title: bench.title,
    runtime: runtimeName(),
    runtimeVersion: runtimeVersion(),
    machine: machineInfo(),
    date: new Date().toISOString(),
    params: { ...params },
    baseline: results[0].name,
    variants,
  };
}
