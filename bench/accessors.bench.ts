/**
 * Accessor costs (issue 2): reading and writing records through arenakit's generated accessors
 * (a cursor over a struct array, separate views) against plain objects and a raw typed array,
 * `arena.alloc` (+ reset) against object literals, and the peers a user would pick instead:
 * typed-binary, TypeGPU's CPU-side `writeToArrayBuffer`, typed-struct and @thi.ng/malloc.
 * Follows the suite convention documented in `scripts/bench.ts`.
 *
 * Run alone: `deno run -A --v8-flags=--expose-gc bench/accessors.bench.ts` or
 * `npx bun bench/accessors.bench.ts`.
 *
 * Why the cases repeat themselves: each variant is written out by hand, loop and all, so that it
 * keeps its own JIT type feedback. A shared helper called by every variant would turn its call
 * sites polymorphic and time the helper instead of the storage being compared. Shared harness
 * code (runner, GC counting, charts, statistics) lives once in `bench/_*.ts`.
 *
 * @module
 */

import { MemPool } from "@thi.ng/malloc";
import { bench, do_not_optimize, group, summary } from "mitata";
import { arrayOf, BufferWriter, f32 as tbF32, object as tbObject } from "typed-binary";
import { d, writeToArrayBuffer } from "typegpu";
import * as typedStruct from "typed-struct";
import { Arena, layoutOf, type View } from "../mod.ts";
import { P, type Rec, value } from "./_accessor_records.ts";
import { runSuite } from "./_suite.ts";

const N = 1024;
const DT = 1 / 60;

const SIZE = layoutOf(P).size;
const W = SIZE >> 2;

const objects: Rec[] = Array.from({ length: N }, (_, i) => value(i));

// Raw typed array with the same interleaved layout as the arena (life, x, y, vx, vy).
const raw = new Float32Array(N * W);
// arenakit: one struct array (cursor, columns), checked and unchecked, and N separate views.
const checked = new Arena({ bytes: N * SIZE * 2 + 1024 });
const unchecked = new Arena({ bytes: N * SIZE + 1024, checked: false });
const arr = checked.allocArray(P, N);
const arrU = unchecked.allocArray(P, N);
// The jitless twin (closures, no eval): what hosts that forbid eval get.
const jitless = new Arena({ bytes: N * SIZE + 1024, jitless: true });
const curJ = jitless.allocArray(P, N).cursor();
const cur = arr.cursor();
const curU = arrU.cursor();
const views: View<typeof P>[] = [];
for (let i = 0; i < N; i++) {
  const o = value(i);
  raw[i * W] = o.life;
  raw[i * W + 1] = o.x;
  raw[i * W + 2] = o.y;
  raw[i * W + 3] = o.vx;
  raw[i * W + 4] = o.vy;
  cur.seek(i).set(o);
  curU.seek(i).set(o);
  curJ.seek(i).set(o);
  views.push(checked.alloc(P, o));
}

// typed-struct: one instance per record, each over its slice of one shared buffer.
const { Struct } = typedStruct as unknown as {
  Struct: new (name: string) => {
    Float32LE(name: string): unknown;
    compile(): new (raw: Uint8Array) => Rec;
  };
};
const tsBuilder = new Struct("TsP");
for (const f of ["life", "x", "y", "vx", "vy"]) tsBuilder.Float32LE(f);
const TsP = tsBuilder.compile();
const tsBytes = new Uint8Array(N * SIZE);
const tsRecs: Rec[] = Array.from({ length: N }, (_, i) => {
  const r = new TsP(tsBytes.subarray(i * SIZE, (i + 1) * SIZE));
  Object.assign(r, value(i));
  return r;
});

// typed-binary and TypeGPU serialise plain values into a buffer.
const TbP = arrayOf(
  tbObject({ life: tbF32, x: tbF32, y: tbF32, vx: tbF32, vy: tbF32 }),
  N,
);
const tbBuffer = new ArrayBuffer(N * SIZE);
const GpuP = d.arrayOf(d.struct({ life: d.f32, x: d.f32, y: d.f32, vx: d.f32, vy: d.f32 }), N);
const gpuBuffer = new ArrayBuffer(N * SIZE);

summary(() => {
  group("read 1024 records (sum of x + y)", () => {
    bench("baseline: plain objects", () => {
      let s = 0;
      for (let i = 0; i < N; i++) s += objects[i].x + objects[i].y;
      return do_not_optimize(s);
    }).baseline();
    bench("Float32Array (interleaved)", () => {
      let s = 0;
      for (let o = 0; o < N * W; o += W) s += raw[o + 1] + raw[o + 2];
      return do_not_optimize(s);
    });
    bench("arenakit cursor", () => {
      let s = 0;
      for (let i = 0; i < N; i++) {
        cur.seek(i);
        s += cur.x + cur.y;
      }
      return do_not_optimize(s);
    });
    bench("arenakit cursor (unchecked)", () => {
      let s = 0;
      for (let i = 0; i < N; i++) {
        curU.seek(i);
        s += curU.x + curU.y;
      }
      return do_not_optimize(s);
    });
    bench("arenakit cursor (jitless)", () => {
      let s = 0;
      for (let i = 0; i < N; i++) {
        curJ.seek(i);
        s += curJ.x + curJ.y;
      }
      return do_not_optimize(s);
    });
    bench("arenakit forEach", () => {
      let s = 0;
      arr.forEach((p) => {
        s += p.x + p.y;
      });
      return do_not_optimize(s);
    });
    bench("arenakit views (one per record)", () => {
      let s = 0;
      for (let i = 0; i < N; i++) s += views[i].x + views[i].y;
      return do_not_optimize(s);
    });
    bench("typed-struct instances", () => {
      let s = 0;
      for (let i = 0; i < N; i++) s += tsRecs[i].x + tsRecs[i].y;
      return do_not_optimize(s);
    });
  });
});

summary(() => {
  group("integrate 1024 records (x += vx * dt)", () => {
    bench("baseline: plain objects", () => {
      for (let i = 0; i < N; i++) {
        const o = objects[i];
        o.x += o.vx * DT;
        o.y += o.vy * DT;
      }
      do_not_optimize(objects);
    }).baseline();
    bench("Float32Array (interleaved)", () => {
      for (let o = 0; o < N * W; o += W) {
        raw[o + 1] += raw[o + 3] * DT;
        raw[o + 2] += raw[o + 4] * DT;
      }
      do_not_optimize(raw);
    });
    bench("arenakit cursor", () => {
      for (let i = 0; i < N; i++) {
        cur.seek(i);
        cur.x += cur.vx * DT;
        cur.y += cur.vy * DT;
      }
      do_not_optimize(cur);
    });
    bench("arenakit cursor (unchecked)", () => {
      for (let i = 0; i < N; i++) {
        curU.seek(i);
        curU.x += curU.vx * DT;
        curU.y += curU.vy * DT;
      }
      do_not_optimize(curU);
    });
    bench("arenakit cursor (jitless)", () => {
      for (let i = 0; i < N; i++) {
        curJ.seek(i);
        curJ.x += curJ.vx * DT;
        curJ.y += curJ.vy * DT;
      }
      do_not_optimize(curJ);
    });
    bench("arenakit columns", () => {
      const cx = arr.column("x");
      const x = cx.array;
      const s = cx.stride;
      const y = arr.column("y").array;
      const vx = arr.column("vx").array;
      const vy = arr.column("vy").array;
      for (let i = 0, o = 0; i < N; i++, o += s) {
        x[o] += vx[o] * DT;
        y[o] += vy[o] * DT;
      }
      do_not_optimize(x);
    });
    bench("arenakit views (one per record)", () => {
      for (let i = 0; i < N; i++) {
        const v = views[i];
        v.x += v.vx * DT;
        v.y += v.vy * DT;
      }
      do_not_optimize(views);
    });
    bench("typed-struct instances", () => {
      for (let i = 0; i < N; i++) {
        const r = tsRecs[i];
        r.x += r.vx * DT;
        r.y += r.vy * DT;
      }
      do_not_optimize(tsRecs);
    });
  });
});

summary(() => {
  group("write 1024 records from plain values", () => {
    const targets: Rec[] = Array.from({ length: N }, (_, i) => value(i + 1));
    bench("baseline: plain objects (copy fields)", () => {
      for (let i = 0; i < N; i++) {
        const s = objects[i];
        const o = targets[i];
        o.x = s.x;
        o.y = s.y;
        o.vx = s.vx;
        o.vy = s.vy;
        o.life = s.life;
      }
      do_not_optimize(targets);
    }).baseline();
    bench("Float32Array (interleaved)", () => {
      for (let i = 0, o = 0; i < N; i++, o += W) {
        const s = objects[i];
        raw[o] = s.life;
        raw[o + 1] = s.x;
        raw[o + 2] = s.y;
        raw[o + 3] = s.vx;
        raw[o + 4] = s.vy;
      }
      do_not_optimize(raw);
    });
    bench("arenakit cursor (field setters)", () => {
      for (let i = 0; i < N; i++) {
        const s = objects[i];
        cur.seek(i);
        cur.x = s.x;
        cur.y = s.y;
        cur.vx = s.vx;
        cur.vy = s.vy;
        cur.life = s.life;
      }
      do_not_optimize(cur);
    });
    bench("arenakit cursor (field setters, jitless)", () => {
      for (let i = 0; i < N; i++) {
        const s = objects[i];
        curJ.seek(i);
        curJ.x = s.x;
        curJ.y = s.y;
        curJ.vx = s.vx;
        curJ.vy = s.vy;
        curJ.life = s.life;
      }
      do_not_optimize(curJ);
    });
    bench("arenakit cursor.set(object)", () => {
      for (let i = 0; i < N; i++) cur.seek(i).set(objects[i]);
      do_not_optimize(cur);
    });
    bench("typed-struct instances", () => {
      for (let i = 0; i < N; i++) {
        const s = objects[i];
        const r = tsRecs[i];
        r.x = s.x;
        r.y = s.y;
        r.vx = s.vx;
        r.vy = s.vy;
        r.life = s.life;
      }
      do_not_optimize(tsRecs);
    });
    bench("typed-binary arrayOf(object).write", () => {
      TbP.write(new BufferWriter(tbBuffer), objects);
      do_not_optimize(tbBuffer);
    });
    bench("TypeGPU writeToArrayBuffer(d.arrayOf(d.struct))", () => {
      writeToArrayBuffer(gpuBuffer, GpuP, objects);
      do_not_optimize(gpuBuffer);
    });
  });
});

summary(() => {
  group("allocate 1024 records and drop them", () => {
    const keep: unknown[] = new Array(N).fill(objects[0]);
    const frame = new Arena({ bytes: N * SIZE + 1024 });
    const frameU = new Arena({ bytes: N * SIZE + 1024, checked: false });
    const pool = new MemPool({ size: N * 32 + 4096 });
    const poolF = new Float32Array(pool.buf);
    const bump = new Float32Array(N * W);
    bench("baseline: object literals", () => {
      for (let i = 0; i < N; i++) {
        keep[i] = { x: i * 0.5 + 0.25, y: 0.125, vx: 1.5, vy: -0.75, life: 2.5 };
      }
      do_not_optimize(keep);
    }).baseline();
    bench("Float32Array bump index (hand-written arena)", () => {
      let top = 0;
      for (let i = 0; i < N; i++) {
        const o = top;
        top += W;
        bump[o] = 2.5;
        bump[o + 1] = i * 0.5 + 0.25;
        bump[o + 2] = 0.125;
        bump[o + 3] = 1.5;
        bump[o + 4] = -0.75;
      }
      do_not_optimize(bump);
    });
    bench("arenakit alloc(P) + setters, reset()", () => {
      frame.reset();
      for (let i = 0; i < N; i++) {
        const v = frame.alloc(P);
        v.x = i * 0.5 + 0.25;
        v.y = 0.125;
        v.vx = 1.5;
        v.vy = -0.75;
        v.life = 2.5;
        keep[i] = v;
      }
      do_not_optimize(keep);
    });
    bench("arenakit alloc(P) + setters, reset() (unchecked)", () => {
      frameU.reset();
      for (let i = 0; i < N; i++) {
        const v = frameU.alloc(P);
        v.x = i * 0.5 + 0.25;
        v.y = 0.125;
        v.vx = 1.5;
        v.vy = -0.75;
        v.life = 2.5;
        keep[i] = v;
      }
      do_not_optimize(keep);
    });
    const init = { x: 0.25, y: 0.125, vx: 1.5, vy: -0.75, life: 2.5 };
    bench("arenakit alloc(P, init), reset()", () => {
      frame.reset();
      for (let i = 0; i < N; i++) {
        init.x = i * 0.5 + 0.25;
        keep[i] = frame.alloc(P, init);
      }
      do_not_optimize(keep);
    });
    bench("arenakit allocArray(P, n) + cursor, reset()", () => {
      frame.reset();
      const c = frame.allocArray(P, N).cursor();
      for (let i = 0; i < N; i++) {
        c.seek(i);
        c.x = i * 0.5 + 0.25;
        c.y = 0.125;
        c.vx = 1.5;
        c.vy = -0.75;
        c.life = 2.5;
      }
      do_not_optimize(c);
    });
    bench("@thi.ng/malloc malloc(20) each, freeAll()", () => {
      pool.freeAll();
      for (let i = 0; i < N; i++) {
        const o = pool.malloc(SIZE) >> 2;
        poolF[o] = 2.5;
        poolF[o + 1] = i * 0.5 + 0.25;
        poolF[o + 2] = 0.125;
        poolF[o + 3] = 1.5;
        poolF[o + 4] = -0.75;
      }
      do_not_optimize(poolF);
    });
  });
});

await runSuite();
