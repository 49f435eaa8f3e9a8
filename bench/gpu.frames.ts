/**
 * The `--gpu` part of the demo as a frame benchmark for `deno task bench`: the particle update
 * as a WebGPU compute shader over an arena's bytes, beside the same f32 frame on the CPU (see
 * `bench/_demo_gpu.ts`). Without a WebGPU adapter (Bun, Node) it says so and writes nothing.
 *
 * ```sh
 * deno run -A bench/gpu.frames.ts --particles 20000 --frames 600
 * ```
 *
 * Flags: `--particles N` (default 20000), `--frames N` (default 600), `--warmup N` (default
 * 120), `--seed N` (default 1), `--json out.json` (write the frames file).
 *
 * @module
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { type GpuDemoOptions, type GpuDemoResult, runGpuDemo } from "./_demo_gpu.ts";
import { frameStats } from "./_frame_stats.ts";
import type { FramesFile } from "./_frames_file.ts";
import { machineInfo, runtimeName, runtimeVersion, scriptArgs } from "./_runtime.ts";

/**
 * The frame-benchmark file of a GPU demo run (see `bench/_frames_file.ts`): the CPU variant is
 * the baseline, the GPU variant's phases are rows of their own. GC is not measured here, and the
 * checksum column holds the alive count (the f32 sums differ in their last digits).
 */
function gpuFramesFile(r: GpuDemoResult, o: GpuDemoOptions): FramesFile {
  const row = (name: string, description: string, ms: number[], alive: number | null) => {
    const s = frameStats(ms);
    return {
      name,
      description,
      frames: s.frames,
      medianMs: s.medianMs,
      p99Ms: s.p99Ms,
      maxMs: s.maxMs,
      meanMs: s.meanMs,
      gcCount: null,
      gcMs: null,
      gcMethod: "not measured (one process, async frames)",
      peakHeapBytes: null,
      arenaBytes: o.particles * 32,
      checksum: alive,
    };
  };
  const [g, c] = r.variants;
  return {
    kind: "arenakit-frames",
    version: 1,
    title: `Particle update on the GPU (bench/gpu.frames.ts, adapter: ${r.adapter})`,
    runtime: runtimeName(),
    runtimeVersion: runtimeVersion(),
    machine: machineInfo(),
    date: new Date().toISOString(),
    params: { particles: o.particles, frames: o.frames, warmup: o.warmup, seed: o.seed },
    baseline: c.name,
    variants: [
      row(c.name, "the same f32 frame on the CPU: arenakit columns", c.frame, c.alive),
      row(g.name, "spawn, upload, GPU update, readback", g.frame, g.alive),
      row("gpu: upload", "queue.writeBuffer from byteRangeOf(records)", g.upload, null),
      row("gpu: update", "dispatch + copy + mapAsync", g.gpu, null),
      row("gpu: readback", "compact the mapped buffer via ExternalMemory", g.readback, null),
    ],
  };
}

const { values } = parseArgs({
  args: scriptArgs(),
  options: {
    particles: { type: "string" },
    frames: { type: "string" },
    warmup: { type: "string" },
    seed: { type: "string" },
    json: { type: "string" },
  },
  strict: true,
});
const options = {
  particles: Number(values.particles ?? 20_000),
  frames: Number(values.frames ?? 600),
  warmup: Number(values.warmup ?? 120),
  seed: Number(values.seed ?? 1),
};
const result = await runGpuDemo(options);
if (result && values.json) {
  writeFileSync(values.json, JSON.stringify(gpuFramesFile(result, options), null, 2) + "\n");
}
