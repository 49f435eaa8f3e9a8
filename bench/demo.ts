/**
 * The newcomer's demo: one particle simulation (spawn, integrate, bounce, age, die) run per frame
 * in each storage variant of `bench/_demo_variants.ts`, each variant in its own child process so
 * that garbage collections are counted for real (see `bench/_gc.ts`).
 *
 * ```sh
 * deno task demo                       # all variants, defaults
 * bun run bench/demo.ts --particles 20000 --frames 900 --svg demo.svg
 * npx tsx bench/demo.ts --variant typed-arrays
 * ```
 *
 * Flags:
 * - `--particles N` pool size (default 20000); `--frames N` measured frames (default 2400);
 *   `--warmup N` unmeasured frames that fill the pool before measuring (default 240);
 *   `--jit-warmup-ms N` time spent first on a throwaway simulation so the JIT has settled
 *   (default 300); `--seed N` PRNG seed (default 1).
 * - `--variant name` run only that variant (repeatable); `--list` prints the variants.
 * - `--svg out.svg` writes a frame-time chart; `--json out.json` writes the results in the frame
 *   benchmark format read by `scripts/render-benchmarks.ts`.
 * - `--in-process` runs every variant in this process (handy under a debugger; GC is then only
 *   counted under Node).
 * - `--child` (internal) runs one variant and reports to the parent on stderr.
 *
 * @module
 */

import { writeFileSync } from "node:fs";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { lineChartSvg, Progress, sparkline } from "./_chart.ts";
import { createRng, DEMO_VARIANTS, type DemoVariant, DT } from "./_demo_variants.ts";
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
import type { FramesFile, FramesVariant } from "./_frames_file.ts";

/** Parameters shared by all variants of one demo run. */
interface DemoParams {
  readonly particles: number;
  readonly frames: number;
  readonly warmup: number;
  readonly jitWarmupMs: number;
  readonly seed: number;
}

/** What one variant run produces (sent from the child to the parent as JSON). */
interface VariantRun {
  readonly name: string;
  readonly frameMs: number[];
  readonly checksum: number;
  readonly alive: number;
  readonly peakHeapBytes: number;
  readonly peakExternalBytes: number;
  readonly arenaBytes: number | undefined;
}

/** Memory is sampled every few frames: the sample object itself is garbage the variant did not make. */
const MEMORY_SAMPLE_EVERY = 10;

/** Runs one variant in this process: setup, warm-up, then the measured frames inside a GC window. */
async function runVariant(variant: DemoVariant, params: DemoParams): Promise<VariantRun> {
  // JIT warm-up on a throwaway simulation, for a fixed time rather than a fixed frame count: fast
  // variants would otherwise be measured while still running unoptimised code (which boxes
  // doubles, i.e. makes garbage the variant itself does not make). The measured simulation below
  // then does exactly the same work in every variant.
  const warm = variant.setup(params.particles, createRng(params.seed + 1));
  const until = performance.now() + params.jitWarmupMs;
  for (let f = 0; performance.now() < until; f++) warm.frame(DT, f);

  const sim = variant.setup(params.particles, createRng(params.seed));
  let frameIndex = 0;
  for (let i = 0; i < params.warmup; i++) sim.frame(DT, frameIndex++);

  const frameMs = new Float64Array(params.frames);
  let peakHeap = 0;
  let peakExternal = 0;
  await gcWindowBegin();
  for (let i = 0; i < params.frames; i++) {
    const t0 = performance.now();
    sim.frame(DT, frameIndex++);
    frameMs[i] = performance.now() - t0;
    if (i % MEMORY_SAMPLE_EVERY === 0 || i === params.frames - 1) {
      const m = memorySample();
      if (m.heapUsed > peakHeap) peakHeap = m.heapUsed;
      if (m.external > peakExternal) peakExternal = m.external;
    }
  }
  await gcWindowEnd();

  return {
    name: variant.name,
    frameMs: Array.from(frameMs),
    checksum: sim.checksum(),
    alive: sim.alive(),
    peakHeapBytes: peakHeap,
    peakExternalBytes: peakExternal,
    arenaBytes: sim.arenaBytes?.(),
  };
}

/** A variant's run plus what the parent measured around it. */
interface VariantResult extends VariantRun {
  readonly stats: FrameStats;
  readonly gc: GcReport;
}

function findVariant(name: string): DemoVariant {
  const v = DEMO_VARIANTS.find((v) => v.name === name);
  if (!v) {
    throw new TypeError(
      `Cannot run variant "${name}": expected one of ${
        DEMO_VARIANTS.map((v) => `"${v.name}"`).join(", ")
      }`,
    );
  }
  return v;
}

function positiveInt(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new RangeError(`Cannot use --${flag} "${value}": expected a non-negative integer`);
  }
  return n;
}

function ratio(a: number, b: number): string {
  if (!(b > 0)) return "n/a";
  return `${(a / b).toFixed(2)}×`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: scriptArgs(),
    options: {
      particles: { type: "string" },
      frames: { type: "string" },
      warmup: { type: "string" },
      "jit-warmup-ms": { type: "string" },
      seed: { type: "string" },
      variant: { type: "string", multiple: true },
      svg: { type: "string" },
      json: { type: "string" },
      list: { type: "boolean" },
      "in-process": { type: "boolean" },
      child: { type: "boolean" },
    },
    strict: true,
  });
  const params: DemoParams = {
    particles: Math.max(1, positiveInt("particles", values.particles, 20_000)),
    frames: Math.max(1, positiveInt("frames", values.frames, 2400)),
    warmup: positiveInt("warmup", values.warmup, 240),
    jitWarmupMs: positiveInt("jit-warmup-ms", values["jit-warmup-ms"], 300),
    seed: positiveInt("seed", values.seed, 1),
  };

  if (values.list) {
    for (const v of DEMO_VARIANTS) console.log(`${v.name.padEnd(18)} ${v.description}`);
    return;
  }

  if (values.child) {
    const names = values.variant ?? [];
    if (names.length !== 1) throw new TypeError("Cannot run child: expected exactly one --variant");
    sendChildResult(await runVariant(findVariant(names[0]), params));
    return;
  }

  // Keep registry order whatever the flag order, so plain objects stays the baseline.
  const wanted = new Set((values.variant ?? DEMO_VARIANTS.map((v) => v.name)).map(findVariant));
  const variants = DEMO_VARIANTS.filter((v) => wanted.has(v));
  const inProcess = values["in-process"] === true;
  const script = fileURLToPath(import.meta.url);
  console.log(
    `arenakit particle demo — ${runtimeVersion()}, ${params.particles} particles, ` +
      `${params.frames} frames (after ${params.warmup} fill frames and ${params.jitWarmupMs} ms of ` +
      `JIT warm-up), seed ${params.seed}`,
  );
  console.log(
    `each variant runs in ${inProcess ? "this process" : "its own child process"}; ` +
      `times are per frame\n`,
  );

  const progress = new Progress("demo", variants.length);
  const results: VariantResult[] = [];
  for (const [k, variant] of variants.entries()) {
    progress.update(k, variant.name);
    let run: VariantRun;
    let gc: GcReport;
    if (inProcess) {
      run = await runVariant(variant, params);
      gc = inProcessGcReport();
    } else {
      const child = await runWithGc<VariantRun>(script, [
        "--child",
        "--variant",
        variant.name,
        "--particles",
        String(params.particles),
        "--frames",
        String(params.frames),
        "--warmup",
        String(params.warmup),
        "--jit-warmup-ms",
        String(params.jitWarmupMs),
        "--seed",
        String(params.seed),
      ]);
      run = child.result;
      gc = child.gc;
    }
    results.push({ ...run, stats: frameStats(run.frameMs), gc });
  }
  progress.done();

  report(results, params);

  if (values.svg) {
    writeFileSync(
      values.svg,
      lineChartSvg(
        results.map((r) => ({
          name: `${r.name} (median ${formatMs(r.stats.medianMs)})`,
          values: r.frameMs,
        })),
        {
          title: `Particle demo, ${params.particles} particles — ${runtimeVersion()}`,
          yLabel: "frame time (ms)",
        },
      ),
    );
    console.log(`\nwrote ${values.svg}`);
  }
  if (values.json) {
    writeFileSync(values.json, JSON.stringify(framesFile(results, params), null, 2) + "\n");
    console.log(`wrote ${values.json}`);
  }

  const baseline = results[0];
  if (results.some((r) => r.checksum !== baseline.checksum || r.alive !== baseline.alive)) {
    process.exitCode = 1;
  }
}

function report(results: VariantResult[], params: DemoParams): void {
  const nameW = Math.max(8, ...results.map((r) => r.name.length));
  const header = [
    "variant".padEnd(nameW),
    "median".padStart(9),
    "p99".padStart(9),
    "max".padStart(9),
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

  const gcMethods = [...new Set(results.map((r) => r.gc.method))];
  console.log(`\nGC measured with: ${gcMethods.join("; ")}`);

  const base = results[0];
  const mismatched = results.filter((r) => r.checksum !== base.checksum || r.alive !== base.alive);
  const checks = mismatched.length === 0
    ? `checksums match (${base.checksum}, ${base.alive} alive)`
    : `CHECKSUM MISMATCH: ${
      mismatched.map((r) => `${r.name} ${r.checksum}/${r.alive} vs ${base.checksum}/${base.alive}`)
        .join(", ")
    }`;
  const others = results.slice(1).map((r) => {
    const gcText = r.gc.gcCount === undefined || base.gc.gcCount === undefined
      ? "GC not measured"
      : `${r.gc.gcCount} vs ${base.gc.gcCount} GCs`;
    return `${r.name} median ${ratio(r.stats.medianMs, base.stats.medianMs)}, p99 ${
      ratio(r.stats.p99Ms, base.stats.p99Ms)
    }, max ${ratio(r.stats.maxMs, base.stats.maxMs)}, ${gcText}`;
  });
  console.log(
    `\nVerdict vs ${base.name} (lower is better): ${
      others.length ? others.join("; ") : "only one variant ran"
    }; ${checks}`,
  );
}

function framesFile(results: VariantResult[], params: DemoParams): FramesFile {
  const variants: FramesVariant[] = results.map((r) => ({
    name: r.name,
    description: DEMO_VARIANTS.find((v) => v.name === r.name)?.description ?? "",
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
  }));
  return {
    kind: "arenakit-frames",
    version: 1,
    title: "Particle demo (bench/demo.ts)",
    runtime: runtimeName(),
    runtimeVersion: runtimeVersion(),
    machine: machineInfo(),
    date: new Date().toISOString(),
    params: { ...params },
    baseline: results[0].name,
    variants,
  };
}

try {
  await main();
} catch (e) {
  // Bad flags are the user's to fix: a message is enough. Anything else keeps its stack.
  if (!(e instanceof TypeError || e instanceof RangeError)) throw e;
  console.error(`error: ${e.message}`);
  process.exitCode = 2;
}
