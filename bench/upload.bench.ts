/**
 * The upload path: records from memory to `GPUQueue.writeBuffer`. arenakit's records already are
 * the bytes a `"wgsl"` shader reads (`byteRangeOf(records)`, no copy); TypeGPU's
 * `writeToArrayBuffer` and a hand-written packing loop first serialise plain objects into an
 * ArrayBuffer. The first group measures getting the bytes ready (every runtime); the second adds
 * the real `queue.writeBuffer` plus an empty `submit` on a WebGPU device (Deno only: Bun has no
 * WebGPU). Group titles give the bytes moved per iteration, so the report shows bytes per second.
 *
 * Run alone: `deno run -A bench/upload.bench.ts` or `npx bun bench/upload.bench.ts`.
 *
 * @module
 */
import { bench, do_not_optimize, group, summary } from "mitata";
import { d, writeToArrayBuffer } from "typegpu";
import { Arena, byteRangeOf, t } from "../mod.ts";
import { runSuite } from "./_suite.ts";

const N = 10_000;
// Vectors and padding on purpose: pos is a vec3f (16-byte aligned), the record is 32 bytes.
const Instance = t.struct({ pos: t.vec3f(), life: t.f32(), vel: t.vec2f(), id: t.u32() }, {
  name: "Instance",
  layout: "wgsl",
});
const TgInstances = d.arrayOf(
  d.struct({ pos: d.vec3f, life: d.f32, vel: d.vec2f, id: d.u32 }),
  N,
);

interface Plain {
  pos: { x: number; y: number; z: number };
  life: number;
  vel: { x: number; y: number };
  id: number;
}
const value = (i: number): Plain => ({
  pos: { x: i * 0.5, y: i * 0.25, z: -i * 0.125 },
  life: 1.5 + i * 0.001,
  vel: { x: 0.75, y: -1.25 },
  id: i,
});
const objects: Plain[] = Array.from({ length: N }, (_, i) => value(i));
// TypeGPU needs its own vector instances: given plain {x, y, z} objects it writes other bytes
// (checked below), so the records are converted once, outside the timed loop.
const tgObjects = objects.map((o) => ({
  pos: d.vec3f(o.pos.x, o.pos.y, o.pos.z),
  life: o.life,
  vel: d.vec2f(o.vel.x, o.vel.y),
  id: o.id,
}));

const arena = new Arena({ bytes: N * 32 + 64 });
const records = arena.allocArray(Instance, N);
records.forEach((r, i) => r.set(objects[i]));
const BYTES = byteRangeOf(records).byteLength;

// The hand-written way: pack each object into a Float32Array and a Uint32Array view.
const handBuffer = new ArrayBuffer(BYTES);
const hf = new Float32Array(handBuffer);
const hu = new Uint32Array(handBuffer);
function packByHand(): ArrayBuffer {
  for (let i = 0; i < N; i++) {
    const o = objects[i];
    const w = i * 8;
    hf[w] = o.pos.x;
    hf[w + 1] = o.pos.y;
    hf[w + 2] = o.pos.z;
    hf[w + 3] = o.life;
    hf[w + 4] = o.vel.x;
    hf[w + 5] = o.vel.y;
    hu[w + 6] = o.id;
  }
  return handBuffer;
}
const tgBuffer = new ArrayBuffer(BYTES);
const staging = new Uint8Array(BYTES);

// All three produce the same bytes: checked once, so the benchmark compares equal work.
{
  const a = new Uint8Array(packByHand());
  writeToArrayBuffer(tgBuffer, TgInstances, tgObjects);
  const b = new Uint8Array(tgBuffer);
  const r = byteRangeOf(records);
  const c = new Uint8Array(r.buffer, r.byteOffset, r.byteLength);
  for (let i = 0; i < BYTES; i++) {
    if (a[i] !== b[i] || a[i] !== c[i]) throw new Error(`upload bytes differ at ${i}`);
  }
}

const title = `${N} records (${BYTES} bytes)`;
summary(() => {
  group(`bytes ready for writeBuffer, ${title}`, () => {
    bench("baseline: plain objects packed by hand into typed arrays", () => {
      return do_not_optimize(packByHand());
    }).baseline();
    bench("TypeGPU writeToArrayBuffer of plain objects", () => {
      writeToArrayBuffer(tgBuffer, TgInstances, tgObjects);
      return do_not_optimize(tgBuffer);
    });
    bench("arenakit byteRangeOf(records) (no copy)", () => do_not_optimize(byteRangeOf(records)));
    bench("arenakit byteRangeOf + Uint8Array.set (the copy writeBuffer makes)", () => {
      const r = byteRangeOf(records);
      staging.set(new Uint8Array(r.buffer, r.byteOffset, r.byteLength));
      return do_not_optimize(staging);
    });
  });
});

// deno-lint-ignore no-explicit-any
type Any = any;
const gpu: Any = (globalThis.navigator as Any)?.gpu;
const adapter: Any = gpu ? await gpu.requestAdapter() : undefined;
if (adapter) {
  const device: Any = await adapter.requestDevice();
  console.error(`upload.bench.ts: WebGPU adapter ${adapter.info?.description || "(unnamed)"}`);
  const U = (globalThis as Any).GPUBufferUsage;
  const target = device.createBuffer({ size: BYTES, usage: U.STORAGE | U.COPY_DST });
  const upload = (data: ArrayBuffer | SharedArrayBuffer, offset: number) => {
    device.queue.writeBuffer(target, 0, data, offset, BYTES);
    // writeBuffer stages the copy; submit hands it to the queue, so stages do not pile up.
    device.queue.submit([]);
  };
  summary(() => {
    group(`queue.writeBuffer + submit on a WebGPU device, ${title}`, () => {
      bench("baseline: plain objects packed by hand, then writeBuffer", () => {
        upload(packByHand(), 0);
        return do_not_optimize(handBuffer);
      }).baseline();
      bench("TypeGPU writeToArrayBuffer, then writeBuffer", () => {
        writeToArrayBuffer(tgBuffer, TgInstances, tgObjects);
        upload(tgBuffer, 0);
        return do_not_optimize(tgBuffer);
      });
      bench("arenakit writeBuffer(byteRangeOf(records))", () => {
        const r = byteRangeOf(records);
        upload(r.buffer, r.byteOffset);
        return do_not_optimize(r);
      });
    });
  });
} else {
  console.error("upload.bench.ts: no WebGPU adapter here, the writeBuffer group is skipped");
}

await runSuite();
