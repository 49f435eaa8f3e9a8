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
import { gpuFramesFile, runGpuDemo } from "./_demo_gpu.ts";
import { scriptArgs } from "./_runtime.ts";

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
