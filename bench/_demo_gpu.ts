/**
 * Part 3 of the demo (`npm run demo -- --gpu`): the particle update as a WebGPU compute shader
 * over an arena's bytes. The particles are one `"wgsl"` schema; the shader declares it with
 * `wgslOf`, the arena's records are uploaded with `writeBuffer` straight from
 * `byteRangeOf(records)`, and the GPU's results are read back in place through
 * `ExternalMemory` columns over the mapped buffer. Beside it, in the same process, the same
 * f32 simulation updated on the CPU (arenakit columns), so the GPU's share can be read off.
 *
 * Per frame: spawn on the CPU (appended after the survivors, rules of `_demo_variants.ts`),
 * upload, update on the GPU (every rule of step 2), read back: drop the dead, compact the
 * survivors into the arena, checksum them. The CPU variant does the same with step 2 in JS.
 * Values are f32 here (WGSL has no f64), so checksums differ slightly from the f64 variants
 * of part 1 and between GPU and CPU (the GPU may fuse multiply-adds); alive counts are equal.
 *
 * Why the CPU update repeats `_demo_variants.ts`: each variant writes its loop out by hand, so it
 * keeps its own JIT type feedback (see that file); a shared step function would time the call.
 *
 * @module
 */

import { Arena, byteRangeOf, ExternalMemory, type StructArray, t, wgslOf } from "../mod.ts";
import {
  BASE_SIZE,
  BOUNCE,
  createRng,
  DRAG,
  DT,
  FLOOR_FRICTION,
  GRAVITY,
  GROWTH,
  HEAT_DECAY,
  HEIGHT,
  quantize,
  type Rng,
  spawnCount,
  type SpawnValues,
  spawnValues,
  WIDTH,
} from "./_demo_variants.ts";
import { formatMs, frameStats } from "./_frame_stats.ts";

/** The demo particle in WGSL storage layout: 8 f32 fields, 32 bytes, WGSL array stride 32. */
export const GpuParticle = t.struct({
  life: t.f32(),
  age: t.f32(),
  x: t.f32(),
  y: t.f32(),
  vx: t.f32(),
  vy: t.f32(),
  heat: t.f32(),
  size: t.f32(),
}, { name: "GpuParticle", layout: "wgsl" });

/** The per-frame uniforms, padded to the uniform rules by `wgslOf`. */
export const FrameUniforms = t.struct({ dt: t.f32(), damp: t.f32(), count: t.u32() }, {
  name: "FrameUniforms",
  layout: "wgsl-uniform",
});

const f = (x: number): string => `${Math.fround(x)}`;

/** The compute shader: `wgslOf` declarations plus the update rule of step 2. */
export function updateShader(): string {
  return `${wgslOf(GpuParticle)}
${wgslOf(FrameUniforms)}
@group(0) @binding(0) var<storage, read_write> particles: array<GpuParticle>;
@group(0) @binding(1) var<uniform> frame: FrameUniforms;

@compute @workgroup_size(64)
fn update(@builtin(global_invocation_id) id: vec3u) {
  if (id.x >= frame.count) { return; }
  var p = particles[id.x];
  let dt = frame.dt;
  p.vy = (p.vy + ${f(GRAVITY)} * dt) * frame.damp;
  p.vx = p.vx * frame.damp;
  p.x = p.x + p.vx * dt;
  p.y = p.y + p.vy * dt;
  if (p.x < 0.0) {
    p.x = -p.x;
    p.vx = -p.vx * ${f(BOUNCE)};
  } else if (p.x > ${f(WIDTH)}) {
    p.x = 2.0 * ${f(WIDTH)} - p.x;
    p.vx = -p.vx * ${f(BOUNCE)};
  }
  if (p.y > ${f(HEIGHT)}) {
    p.y = 2.0 * ${f(HEIGHT)} - p.y;
    p.vy = -p.vy * ${f(BOUNCE)};
    p.vx = p.vx * ${f(FLOOR_FRICTION)};
  }
  p.age = p.age + dt;
  p.heat = p.heat * ${f(HEAT_DECAY)};
  p.size = ${f(BASE_SIZE)} + ${f(GROWTH)} * p.age;
  particles[id.x] = p;
}
`;
}

type Records = StructArray<typeof GpuParticle>;
type Col = Float32Array;
interface Cols {
  life: Col;
  age: Col;
  x: Col;
  y: Col;
  vx: Col;
  vy: Col;
  heat: Col;
  size: Col;
  stride: number;
}

function colsOf(a: Records): Cols {
  const c = (k: string) => a.column<Float32Array>(k).array;
  return {
    life: c("life"),
    age: c("age"),
    x: c("x"),
    y: c("y"),
    vx: c("vx"),
    vy: c("vy"),
    heat: c("heat"),
    size: c("size"),
    stride: a.column("x").stride,
  };
}

// Step 1: appends this frame's spawns after the `count` survivors; returns the new count.
function spawn(c: Cols, count: number, max: number, rng: Rng, frameIndex: number, s: SpawnValues) {
  const n = count + spawnCount(count, max);
  for (let i = count; i < n; i++) {
    spawnValues(rng, frameIndex, s);
    const o = i * c.stride;
    c.x[o] = s.x;
    c.y[o] = s.y;
    c.vx[o] = s.vx;
    c.vy[o] = s.vy;
    c.life[o] = s.life;
    c.age[o] = 0;
    c.heat[o] = 1;
    c.size[o] = BASE_SIZE;
  }
  return n;
}

// Step 2 on the CPU, in f32 storage (what the shader does).
function updateCpu(c: Cols, n: number, dt: number, damp: number): void {
  for (let i = 0; i < n; i++) {
    const o = i * c.stride;
    let x = c.x[o], y = c.y[o], vx = c.vx[o], vy = c.vy[o];
    vy = (vy + GRAVITY * dt) * damp;
    vx *= damp;
    x += vx * dt;
    y += vy * dt;
    if (x < 0) {
      x = -x;
      vx = -vx * BOUNCE;
    } else if (x > WIDTH) {
      x = 2 * WIDTH - x;
      vx = -vx * BOUNCE;
    }
    if (y > HEIGHT) {
      y = 2 * HEIGHT - y;
      vy = -vy * BOUNCE;
      vx *= FLOOR_FRICTION;
    }
    c.x[o] = x;
    c.y[o] = y;
    c.vx[o] = vx;
    c.vy[o] = vy;
    const age = Math.fround(c.age[o] + dt);
    c.age[o] = age;
    c.heat[o] *= HEAT_DECAY;
    c.size[o] = BASE_SIZE + GROWTH * age;
  }
}

// Steps 3 and 4: copies the survivors of `src` (n records) to the front of `dst`, checksums them.
function compact(src: Cols, dst: Cols, n: number, sum: Float64Array): number {
  let k = 0;
  for (let i = 0; i < n; i++) {
    const s = i * src.stride;
    if (src.age[s] >= src.life[s]) continue;
    const o = k * dst.stride;
    dst.x[o] = src.x[s];
    dst.y[o] = src.y[s];
    dst.vx[o] = src.vx[s];
    dst.vy[o] = src.vy[s];
    dst.age[o] = src.age[s];
    dst.life[o] = src.life[s];
    dst.heat[o] = src.heat[s];
    dst.size[o] = src.size[s];
    sum[0] += quantize(src.x[s], src.y[s], src.heat[s]);
    k++;
  }
  return k;
}

/** Per-frame times of one variant, in ms. */
export interface Timings {
  name: string;
  frame: number[];
  spawn: number[];
  upload: number[];
  gpu: number[];
  readback: number[];
  alive: number;
  checksum: number;
}

// deno-lint-ignore no-explicit-any
type Any = any;

/** Options of {@linkcode runGpuDemo}. */
export interface GpuDemoOptions {
  /** Pool size. */
  particles: number;
  /** Measured frames. */
  frames: number;
  /** Unmeasured frames first (fill the pool, warm the JIT and the driver). */
  warmup: number;
  /** PRNG seed. */
  seed: number;
}

/** What {@linkcode runGpuDemo} measured. */
export interface GpuDemoResult {
  /** The adapter's name, as printed. */
  adapter: string;
  /** GPU first, then the CPU variant. */
  variants: Timings[];
}

/** Runs part 3 and prints its report; `undefined` when there is no WebGPU adapter. */
export async function runGpuDemo(o: GpuDemoOptions): Promise<GpuDemoResult | undefined> {
  const gpu: Any = (globalThis.navigator as Any)?.gpu;
  const adapter: Any = gpu ? await gpu.requestAdapter() : undefined;
  if (!adapter) {
    console.log("--gpu: skipped: no WebGPU adapter in this runtime (Deno has one: npm run demo)");
    return undefined;
  }
  const info = adapter.info ?? {};
  // Some drivers report the vendor as a PCI id only: the description names the device.
  const name = [info.vendor, info.architecture, info.description]
    .filter((x) => typeof x === "string" && x !== "" && !/^\d+$/.test(x)).join(" / ");
  const adapterName = `${name || "unnamed"}${
    info.isFallbackAdapter || adapter.isFallbackAdapter ? " (a fallback adapter: CPU)" : ""
  }`;
  console.log(`WebGPU adapter: ${adapterName}`);
  const device: Any = await adapter.requestDevice();
  const code = updateShader();
  const module = device.createShaderModule({ code });
  const pipeline = device.createComputePipeline({
    layout: "auto",
    compute: { module, entryPoint: "update" },
  });
  const bytes = o.particles * byteRangeOf(new Arena({ bytes: 64 }).allocArray(GpuParticle, 1))
    .byteLength;
  const U = (globalThis as Any).GPUBufferUsage;
  const storage = device.createBuffer({ size: bytes, usage: U.STORAGE | U.COPY_DST | U.COPY_SRC });
  const uniforms = device.createBuffer({ size: 16, usage: U.UNIFORM | U.COPY_DST });
  const readback = device.createBuffer({ size: bytes, usage: U.MAP_READ | U.COPY_DST });
  const bind = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [
      { binding: 0, resource: { buffer: storage } },
      { binding: 1, resource: { buffer: uniforms } },
    ],
  });

  const dt = Math.fround(DT);
  const damp = Math.fround(1 - DRAG * dt);
  const run = async (variantName: string, onGpu: boolean): Promise<Timings> => {
    const arena = new Arena({ bytes: bytes + 1024 });
    const records = arena.allocArray(GpuParticle, o.particles);
    const cols = colsOf(records);
    const frameUniforms = arena.alloc(FrameUniforms, { dt, damp });
    const rng = createRng(o.seed);
    const s: SpawnValues = { x: 0, y: 0, vx: 0, vy: 0, life: 0 };
    const sum = new Float64Array(1);
    const t: Timings = {
      name: variantName,
      frame: [],
      spawn: [],
      upload: [],
      gpu: [],
      readback: [],
      alive: 0,
      checksum: 0,
    };
    let count = 0;
    for (let i = 0; i < o.warmup + o.frames; i++) {
      if (i === o.warmup) sum[0] = 0;
      const t0 = performance.now();
      const n = spawn(cols, count, o.particles, rng, i, s);
      const t1 = performance.now();
      let t2 = t1, t3 = t1;
      if (onGpu) {
        frameUniforms.count = n;
        const u = byteRangeOf(frameUniforms);
        device.queue.writeBuffer(uniforms, 0, u.buffer, u.byteOffset, u.byteLength);
        const r = byteRangeOf(records);
        const used = n * records.stride;
        device.queue.writeBuffer(storage, 0, r.buffer, r.byteOffset, used);
        t2 = performance.now();
        const enc = device.createCommandEncoder();
        const pass = enc.beginComputePass();
        pass.setPipeline(pipeline);
        pass.setBindGroup(0, bind);
        pass.dispatchWorkgroups(Math.ceil(n / 64));
        pass.end();
        enc.copyBufferToBuffer(storage, 0, readback, 0, used);
        device.queue.submit([enc.finish()]);
        await readback.mapAsync((globalThis as Any).GPUMapMode.READ, 0, used);
        t3 = performance.now();
        // Lifetimes: the mapped range is detached by unmap(), so the views are released first.
        const mem = new ExternalMemory(readback.getMappedRange(0, used));
        count = compact(colsOf(mem.array(GpuParticle, n)), cols, n, sum);
        mem.release();
        readback.unmap();
      } else {
        updateCpu(cols, n, dt, damp);
        t2 = t3 = performance.now();
        count = compact(cols, cols, n, sum);
      }
      const t4 = performance.now();
      if (i >= o.warmup) {
        t.frame.push(t4 - t0);
        t.spawn.push(t1 - t0);
        t.upload.push(t2 - t1);
        t.gpu.push(t3 - t2);
        t.readback.push(t4 - t3);
      }
    }
    t.alive = count;
    t.checksum = sum[0];
    return t;
  };

  const results = [await run("gpu-compute", true), await run("cpu-columns-f32", false)];
  // Not destroyed: destroying a wgpu device right after work is fragile in Deno (deno#21648).
  await device.queue.onSubmittedWorkDone();
  const med = (xs: number[]) => frameStats(xs).medianMs;
  console.log(
    `${o.particles} particles (GpuParticle: f32, "wgsl", ${records32()} bytes), ${o.frames} ` +
      `measured frames after ${o.warmup}; medians per frame\n`,
  );
  const head = ["variant", "frame", "p99", "spawn", "upload", "update", "readback", "alive"];
  const rows = results.map((r) => [
    r.name,
    formatMs(med(r.frame)),
    formatMs(frameStats(r.frame).p99Ms),
    formatMs(med(r.spawn)),
    r.name === "gpu-compute" ? formatMs(med(r.upload)) : "-",
    formatMs(r.name === "gpu-compute" ? med(r.gpu) : med(r.readback)),
    r.name === "gpu-compute" ? formatMs(med(r.readback)) : "-",
    String(r.alive),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const line of [head, ...rows]) {
    console.log(
      line.map((c, i) => i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])).join("  "),
    );
  }
  const [g, c] = results;
  console.log(
    `\nupload: queue.writeBuffer of the arena's bytes (byteRangeOf, no copy in JS)\n` +
      `update: GPU dispatch + copy + mapAsync (GPU), or the JS loop (CPU)\n` +
      `readback: the mapped buffer compacted into the arena through ExternalMemory columns\n` +
      `alive ${g.alive === c.alive ? "equal" : "DIFFERENT"} (${g.alive} vs ${c.alive}); ` +
      `checksums ${g.checksum} vs ${c.checksum} (f32 rounding; the GPU may fuse multiply-adds).`,
  );
  if (info.isFallbackAdapter || adapter.isFallbackAdapter) {
    console.log(
      "On this fallback adapter most of `update` is a fixed wait from submit to mapAsync (about " +
        "11.5 ms at 2000 and at 20000 particles when measured), not the shader.",
    );
  }
  return { adapter: adapterName, variants: results };
}

function records32(): number {
  return new Arena({ bytes: 64 }).allocArray(GpuParticle, 1).stride;
}
