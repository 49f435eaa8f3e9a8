/**
 * Parallel frames (issue 16): one million nodes `{ pos: vec3f, vel: vec3f, phase: f32, color:
 * u32 }` in a shared SoA table, animated every frame (integrate, a sine wobble, a bounds test) by
 * the same system function on the main thread alone, and by a {@linkcode WorkerPool} of 1 and 2
 * workers; plus the frame time of an empty run (the pool's dispatch overhead). Each variant runs
 * in its own child process so GC is counted for real (workers included: V8 traces every isolate).
 *
 * ```sh
 * deno run -A bench/workers.frames.ts                       # 1M nodes, 300 frames
 * bun run bench/workers.frames.ts --records 200000 --variant main-thread --variant pool-2
 * ```
 *
 * Flags: `--records N` (default 1000000), `--workers N` (pools of 1 to N workers, default 2; the
 * even-shares and empty-run variants use N), `--frames N` (default 300), `--warmup N`,
 * `--jit-warmup-ms N`, `--seed N`, `--runs N` (default 3), and the common ones of
 * `bench/_frames_runner.ts`.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { Table, WorkerPool } from "../mod.ts";
import type { SystemContext } from "../mod.ts";
import { animate, type AnimateArgs, AnimNode } from "./_workers_systems.ts";
import { type FrameParams, type FrameVariant, runFramesBenchmark } from "./_frames_runner.ts";
import { scriptArgs } from "./_runtime.ts";

const SYSTEMS = new URL("./_workers_systems.ts", import.meta.url);
const ARGS: AnimateArgs = { dt: 1 / 64, amp: 0.5 };

/**
 * A table of `n` nodes spread over the box, the same for every variant of one seed. Some start
 * past the walls, so every branch of the system runs in the first frame: a branch first taken
 * later would deoptimize the loop mid-measurement (and box its doubles while it runs unoptimized).
 */
function nodes(n: number, seed: number): Table<typeof AnimNode> {
  const table = new Table(AnimNode, { capacity: n, layout: "soa", shared: true });
  for (let i = 0; i < n; i++) {
    const k = i + seed;
    table.create({
      pos: { x: ((k * 7) % 136) - 67.5, y: ((k * 3) % 64) * 0.25, z: ((k * 5) % 136) - 67.5 },
      vel: { x: ((k % 17) - 8) * 0.75, y: 0.125, z: ((k % 13) - 6) * 0.5 },
      phase: (k % 64) * 0.1,
      color: (0xff000000 | ((k * 2654435761) & 0xffff00)) >>> 0,
    });
  }
  return table;
}

/** Sum of every position and color byte: equal across variants that did the same frames. */
function checksumOf(table: Table<typeof AnimNode>): number {
  const f = table.fields;
  const px = f["pos.x"] as Float32Array;
  const py = f["pos.y"] as Float32Array;
  const pz = f["pos.z"] as Float32Array;
  const col = f["color"] as Uint32Array;
  let s = 0;
  for (let i = 0; i < table.slots; i++) s += px[i] + py[i] + pz[i] + (col[i] & 255);
  return s;
}

const mainThread: FrameVariant = {
  name: "main-thread",
  description: "the system function called on the main thread over every node",
  setup(p: FrameParams) {
    const table = nodes(p.records, p.seed);
    const ctx = {
      table,
      slots: table.liveSlots(),
      args: ARGS,
    } as unknown as SystemContext<typeof AnimNode, AnimateArgs>;
    return {
      frame: () => animate(ctx),
      checksum: () => checksumOf(table),
      arenaBytes: () => table.byteLength,
    };
  },
};

function pooled(workers: number, system: "animate" | "idle", even = false): FrameVariant {
  const idle = system === "idle";
  return {
    name: idle ? `pool-${workers}-empty-run` : `pool-${workers}${even ? "-even-shares" : ""}`,
    description: idle
      ? `an empty run() of ${workers} workers: the dispatch overhead alone`
      : `WorkerPool of ${workers} worker${workers > 1 ? "s" : ""}, ` +
        (even ? "one even share each (chunks = workers)" : "default chunks (8 per worker)"),
    async setup(p: FrameParams) {
      const table = nodes(p.records, p.seed);
      const pool = await WorkerPool.start({ module: SYSTEMS, workers });
      const run = {
        table,
        reads: ["vel", "phase"],
        writes: ["pos", "vel", "color"],
        args: ARGS,
        chunks: even ? workers : undefined,
      };
      return {
        frame: () => idle ? pool.run("idle") : pool.run("animate", run),
        // The empty run does no work: its checksum is the untouched table's.
        checksum: () => idle ? Number.NaN : checksumOf(table),
        arenaBytes: () => table.byteLength,
        close: () => pool.close(),
      };
    },
  };
}

const here = dirname(fileURLToPath(import.meta.url));

// Read before the runner parses the flags: the variants depend on it (pools of 1 … N workers).
const args = scriptArgs();
const at = args.indexOf("--workers");
const most = at >= 0 && Number.isInteger(Number(args[at + 1])) && Number(args[at + 1]) >= 1
  ? Number(args[at + 1])
  : 2;
const pools = Array.from({ length: most }, (_, i) => pooled(i + 1, "animate"));

await runFramesBenchmark({
  title: "Parallel frames: one million nodes over a worker pool (bench/workers.frames.ts)",
  script: fileURLToPath(import.meta.url),
  variants: [mainThread, ...pools, pooled(most, "animate", true), pooled(most, "idle")],
  params: [
    { key: "records", flag: "records", default: 1_000_000, min: 1 },
    { key: "workers", flag: "workers", default: 2, min: 1 },
  ],
  // 150 unmeasured frames: V8 tiers a function called once per frame up through Maglev only
  // after about a hundred calls, and the frame that runs Maglev's code boxes its doubles (about
  // 60 MB of garbage at one million nodes). That is warm-up, not the steady state measured here.
  defaults: { frames: 300, warmup: 150, jitWarmupMs: 500, runs: 3 },
  intro: (p) => `${p.records} nodes, ${p.frames} frames, ${p.runs} runs per variant`,
  targetsFile: join(here, "frames-workers.targets.json"),
  epilogue: [
    "The empty run's checksum is NaN on purpose: it does no work. Ratios are frame times against",
    "main-thread; a pool of 2 on this 2-core machine shares the cores with the main thread.",
  ],
});
