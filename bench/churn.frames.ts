/**
 * Allocation churn (issue 3): every frame allocates `--records` short-lived records
 * `{ x, y, vx, vy, life: f32, color: u32 }`, initialises them, integrates them once and drops
 * them all. Each storage strategy runs in its own child process so GC is counted for real.
 *
 * ```sh
 * deno run -A bench/churn.frames.ts                  # all variants, 100k records, 1000 frames
 * bun run bench/churn.frames.ts --frames 300 --variant typed-arrays --variant arenakit-cursor
 * ```
 *
 * Flags: `--records N` (default 100000), `--frames N` (default 1000), `--warmup N` (default 30),
 * `--jit-warmup-ms N` (default 300), `--seed N` (varies the data), `--runs N` (default 3: each
 * variant runs three times, the middle run is reported), and the common ones of
 * `bench/_frames_runner.ts` (`--variant`, `--list`, `--svg`, `--json`, `--in-process`).
 *
 * The data is chosen so that every value is exact in f32 (few mantissa bits, dt = 1/64): plain
 * objects compute in f64, the arenas store f32, and the checksums still agree bit for bit.
 * Values are fractional on purpose (V8 keeps small integers as Smis, which flatters plain
 * objects), and colors are above 2³¹ like real RGBA values.
 *
 * Why the cases repeat themselves: each variant is written out by hand, loop and all, so that it
 * keeps its own JIT type feedback. A shared helper called by every variant would turn its call
 * sites polymorphic and time the helper instead of the storage being compared. Shared harness
 * code (runner, GC counting, charts, statistics) lives once in `bench/_*.ts`.
 *
 * @module
 */

import { MemPool } from "@thi.ng/malloc";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  Arena,
  type Cursor,
  layoutOf,
  type NumberSchema,
  type StructArray,
  type StructSchema,
  t,
  type View,
} from "../mod.ts";
import { type FrameParams, type FrameVariant, runFramesBenchmark } from "./_frames_runner.ts";

/** Time step: a power of two, so `x + vx * DT` stays exact in f32. */
const DT = 1 / 64;

/** The churned record. */
const Rec: StructSchema<{
  color: NumberSchema<"u32">;
  x: NumberSchema<"f32">;
  y: NumberSchema<"f32">;
  vx: NumberSchema<"f32">;
  vy: NumberSchema<"f32">;
  life: NumberSchema<"f32">;
}> = t.struct({
  // Not in the plain record's key order on purpose: V8 shares hidden-class transitions between
  // object literals with the same keys, and this literal holds objects where the plain records
  // hold doubles, which would turn the plain records' fields into boxed numbers.
  color: t.u32(),
  x: t.f32(),
  y: t.f32(),
  vx: t.f32(),
  vy: t.f32(),
  life: t.f32(),
}, { name: "ChurnRec" });

type RecView = View<typeof Rec>;

/** Bytes of one record (24). */
const REC_BYTES = layoutOf(Rec).size;

// The initial values of record i in frame f. Every variant calls these same functions.
const initX = (i: number, f: number) => ((i + f) & 1023) * 0.5 + 0.25;
const initY = (i: number, f: number) => ((i * 3 + f) & 511) * 0.25 + 0.125;
const initVx = (i: number) => ((i * 7) & 255) * 0.125 - 16.0625;
const initVy = (i: number, f: number) => ((i * 5 + f) & 127) * 0.25 - 15.875;
const initLife = (i: number) => 1 + (i & 63) * 0.015625;
const initColor = (i: number, f: number) => (0xff000000 | ((i * 2654435761 + f) & 0xffffff)) >>> 0;

// Every variant does its frame in two functions, fill(f) and update(), called once per frame:
// V8 budgets inlining per optimised function, and a loop that runs out of budget calls its
// accessors and init helpers out of line, boxing every double passed or returned (garbage the
// storage itself does not make). bench/demo.ts shows what happens without the split.

/** A simulation whose checksum accumulates in a Float64Array (a closure double would be boxed). */
function sums(): Float64Array {
  return new Float64Array(1);
}

interface PlainRec {
  x: number;
  y: number;
  vx: number;
  vy: number;
  life: number;
  color: number;
}

const plainObjects: FrameVariant = {
  name: "plain-objects",
  description: "an object literal per record, dropped at the end of the frame",
  setup(p: FrameParams) {
    const n = p.records;
    const seed = p.seed;
    const filler: PlainRec = { x: 0.5, y: 0.5, vx: 0.5, vy: 0.5, life: 0.5, color: 0xff000000 };
    const recs: PlainRec[] = new Array<PlainRec>(n).fill(filler);
    const sum = sums();
    const fill = (f: number): void => {
      for (let i = 0; i < n; i++) {
        recs[i] = {
          x: initX(i, f),
          y: initY(i, f),
          vx: initVx(i),
          vy: initVy(i, f),
          life: initLife(i),
          color: initColor(i, f),
        };
      }
    };
    const update = (): number => {
      let s = 0;
      for (let i = 0; i < n; i++) {
        const r = recs[i];
        r.x += r.vx * DT;
        r.y += r.vy * DT;
        r.life -= DT;
        s += r.x + r.y + r.life + (r.color & 255);
      }
      return s;
    };
    return {
      frame(frame: number): void {
        fill(frame + seed);
        sum[0] += update();
      },
      checksum: () => sum[0],
    };
  },
};

/**
 * Plain objects as a frame loop usually holds them: a new array per frame. Its GC profile is the
 * one issue 3 measured (about one collection per frame, scavenges and mark-compacts), so the
 * issue's "faster than plain objects" targets compare against this variant; `plain-objects`
 * above keeps one array across frames and collects far less.
 */
/**
 * Plain objects pushed into a new array each frame. V8 may pretenure their allocation site (put
 * them straight into the old generation) once it sees them survive scavenges; whether it does
 * differs from one process to the next (5 or 17 ms a frame here). With `pretenuring: false` the
 * child turns that heuristic off, which gives the GC profile issue #3 measured (a scavenge every
 * frame, with mark-compacts); in Bun (JavaScriptCore) and with `--in-process` the flag is not
 * passed and the two variants are the same.
 */
function plainObjectsFreshVariant(pretenuring: boolean): FrameVariant {
  return {
    name: pretenuring ? "plain-objects-fresh-array" : "plain-objects-fresh-no-pretenure",
    description: pretenuring
      ? "an object literal per record, pushed into a new array each frame"
      : "the same, with V8's allocation-site pretenuring off (the issue's GC profile)",
    // On the child's command line: set at run time, the flag did not hold in every process.
    v8Flags: pretenuring ? [] : ["--no-allocation-site-pretenuring"],
    setup(p: FrameParams) {
      const n = p.records;
      const seed = p.seed;
      const sum = sums();
      const fill = (f: number): PlainRec[] => {
        const recs: PlainRec[] = [];
        for (let i = 0; i < n; i++) {
          recs.push({
            x: initX(i, f),
            y: initY(i, f),
            vx: initVx(i),
            vy: initVy(i, f),
            life: initLife(i),
            color: initColor(i, f),
          });
        }
        return recs;
      };
      const update = (recs: PlainRec[]): number => {
        let s = 0;
        for (const r of recs) {
          r.x += r.vx * DT;
          r.y += r.vy * DT;
          r.life -= DT;
          s += r.x + r.y + r.life + (r.color & 255);
        }
        return s;
      };
      return {
        frame(frame: number): void {
          sum[0] += update(fill(frame + seed));
        },
        checksum: () => sum[0],
      };
    },
  };
}

/**
 * The record as a class. Fields are `declare`d: a plain TS field declaration compiles to a class
 * field (`useDefineForClassFields`) that starts as `undefined`, after which V8 stores the
 * doubles boxed and every write allocates; assigning in the constructor keeps them unboxed.
 */
class ClassRec {
  declare x: number;
  declare y: number;
  declare vx: number;
  declare vy: number;
  declare life: number;
  declare color: number;
  constructor(x: number, y: number, vx: number, vy: number, life: number, color: number) {
    this.x = x;
    this.y = y;
    this.vx = vx;
    this.vy = vy;
    this.life = life;
    this.color = color;
  }
}

const classInstances: FrameVariant = {
  name: "class-instances",
  description: "`new Rec(...)` per record, dropped at the end of the frame",
  setup(p: FrameParams) {
    const n = p.records;
    const seed = p.seed;
    const recs: ClassRec[] = new Array<ClassRec>(n).fill(new ClassRec(0.5, 0.5, 0.5, 0.5, 0.5, 0));
    const sum = sums();
    const fill = (f: number): void => {
      for (let i = 0; i < n; i++) {
        recs[i] = new ClassRec(
          initX(i, f),
          initY(i, f),
          initVx(i),
          initVy(i, f),
          initLife(i),
          initColor(i, f),
        );
      }
    };
    const update = (): number => {
      let s = 0;
      for (let i = 0; i < n; i++) {
        const r = recs[i];
        r.x += r.vx * DT;
        r.y += r.vy * DT;
        r.life -= DT;
        s += r.x + r.y + r.life + (r.color & 255);
      }
      return s;
    };
    return {
      frame(frame: number): void {
        fill(frame + seed);
        sum[0] += update();
      },
      checksum: () => sum[0],
    };
  },
};

const objectPool: FrameVariant = {
  name: "object-pool",
  description: "hand-written pool of class instances: acquire per record, release all per frame",
  setup(p: FrameParams) {
    const n = p.records;
    const seed = p.seed;
    const free: ClassRec[] = [];
    for (let i = 0; i < n; i++) free.push(new ClassRec(0.5, 0.5, 0.5, 0.5, 0.5, 0xff000000));
    const live: ClassRec[] = new Array<ClassRec>(n).fill(free[0]);
    const sum = sums();
    const fill = (f: number): void => {
      for (let i = 0; i < n; i++) {
        const r = free.pop()!;
        r.x = initX(i, f);
        r.y = initY(i, f);
        r.vx = initVx(i);
        r.vy = initVy(i, f);
        r.life = initLife(i);
        r.color = initColor(i, f);
        live[i] = r;
      }
    };
    const update = (): number => {
      let s = 0;
      for (let i = 0; i < n; i++) {
        const r = live[i];
        r.x += r.vx * DT;
        r.y += r.vy * DT;
        r.life -= DT;
        s += r.x + r.y + r.life + (r.color & 255);
      }
      for (let i = n - 1; i >= 0; i--) free.push(live[i]);
      return s;
    };
    return {
      frame(frame: number): void {
        fill(frame + seed);
        sum[0] += update();
      },
      checksum: () => sum[0],
    };
  },
};

const typedArrays: FrameVariant = {
  name: "typed-arrays",
  description: "hand-written arena: one ArrayBuffer, f32/u32 views, a bump index reset per frame",
  setup(p: FrameParams) {
    const n = p.records;
    const seed = p.seed;
    const W = REC_BYTES >> 2;
    const buffer = new ArrayBuffer(n * REC_BYTES);
    const F = new Float32Array(buffer);
    const U = new Uint32Array(buffer);
    const sum = sums();
    const fill = (f: number): void => {
      let top = 0;
      for (let i = 0; i < n; i++) {
        const o = top;
        top += W;
        U[o] = initColor(i, f);
        F[o + 1] = initX(i, f);
        F[o + 2] = initY(i, f);
        F[o + 3] = initVx(i);
        F[o + 4] = initVy(i, f);
        F[o + 5] = initLife(i);
      }
    };
    const update = (): number => {
      let s = 0;
      for (let o = 0; o < n * W; o += W) {
        const x = F[o + 1] += F[o + 3] * DT;
        const y = F[o + 2] += F[o + 4] * DT;
        const life = F[o + 5] -= DT;
        s += x + y + life + (U[o] & 255);
      }
      return s;
    };
    return {
      frame(frame: number): void {
        fill(frame + seed);
        sum[0] += update();
      },
      checksum: () => sum[0],
      arenaBytes: () => n * REC_BYTES,
    };
  },
};

const arenakitViews: FrameVariant = {
  name: "arenakit-views",
  description: "arenakit: arena.alloc(Rec) per record (a view each), arena.reset() per frame",
  setup(p: FrameParams) {
    const n = p.records;
    const seed = p.seed;
    const arena = new Arena({ bytes: n * REC_BYTES });
    const recs: RecView[] = new Array<RecView>(n).fill(new Arena({ bytes: 64 }).alloc(Rec));
    const sum = sums();
    const fill = (f: number): void => {
      arena.reset();
      for (let i = 0; i < n; i++) {
        const r = arena.alloc(Rec);
        r.x = initX(i, f);
        r.y = initY(i, f);
        r.vx = initVx(i);
        r.vy = initVy(i, f);
        r.life = initLife(i);
        r.color = initColor(i, f);
        recs[i] = r;
      }
    };
    const update = (): number => {
      let s = 0;
      for (let i = 0; i < n; i++) {
        const r = recs[i];
        r.x += r.vx * DT;
        r.y += r.vy * DT;
        r.life -= DT;
        s += r.x + r.y + r.life + (r.color & 255);
      }
      return s;
    };
    return {
      frame(frame: number): void {
        fill(frame + seed);
        sum[0] += update();
      },
      checksum: () => sum[0],
      arenaBytes: () => n * REC_BYTES,
    };
  },
};

function cursorVariant(checked: boolean): FrameVariant {
  return {
    name: checked ? "arenakit-cursor" : "arenakit-cursor-unchecked",
    description: `arenakit: allocArray(Rec, n, reuse) + one cursor, arena.reset() per frame${
      checked ? "" : ", checked: false"
    }`,
    setup(p: FrameParams) {
      const n = p.records;
      const seed = p.seed;
      const arena = new Arena({ bytes: n * REC_BYTES, checked });
      const sum = sums();
      const fill = (c: Cursor<typeof Rec>, f: number): void => {
        for (let i = 0; i < n; i++) {
          c.seek(i);
          c.x = initX(i, f);
          c.y = initY(i, f);
          c.vx = initVx(i);
          c.vy = initVy(i, f);
          c.life = initLife(i);
          c.color = initColor(i, f);
        }
      };
      const update = (c: Cursor<typeof Rec>): number => {
        let s = 0;
        for (let i = 0; i < n; i++) {
          c.seek(i);
          const x = c.x += c.vx * DT;
          const y = c.y += c.vy * DT;
          const life = c.life -= DT;
          s += x + y + life + (c.color & 255);
        }
        return s;
      };
      // The documented zero-garbage loop: the array from the last frame is handed back.
      let recs: StructArray<typeof Rec> | undefined;
      return {
        frame(frame: number): void {
          arena.reset();
          recs = arena.allocArray(Rec, n, recs);
          const c = recs.cursor();
          fill(c, frame + seed);
          sum[0] += update(c);
        },
        checksum: () => sum[0],
        arenaBytes: () => n * REC_BYTES,
      };
    },
  };
}

const arenakitColumns: FrameVariant = {
  name: "arenakit-columns",
  description:
    "arenakit: allocArray(Rec, n, reuse) + column() typed arrays, arena.reset() per frame",
  setup(p: FrameParams) {
    const n = p.records;
    const seed = p.seed;
    const arena = new Arena({ bytes: n * REC_BYTES });
    const sum = sums();
    const fill = (recs: StructArray<typeof Rec>, f: number): void => {
      const cx = recs.column("x");
      const W = cx.stride;
      const x = cx.array;
      const y = recs.column("y").array;
      const vx = recs.column("vx").array;
      const vy = recs.column("vy").array;
      const life = recs.column("life").array;
      const color = recs.column<Uint32Array>("color").array;
      for (let i = 0, o = 0; i < n; i++, o += W) {
        color[o] = initColor(i, f);
        x[o] = initX(i, f);
        y[o] = initY(i, f);
        vx[o] = initVx(i);
        vy[o] = initVy(i, f);
        life[o] = initLife(i);
      }
    };
    const update = (recs: StructArray<typeof Rec>): number => {
      const cx = recs.column("x");
      const W = cx.stride;
      const x = cx.array;
      const vx = recs.column("vx").array;
      const y = recs.column("y").array;
      const vy = recs.column("vy").array;
      const life = recs.column("life").array;
      const color = recs.column<Uint32Array>("color").array;
      let s = 0;
      for (let i = 0, o = 0; i < n; i++, o += W) {
        const xi = x[o] += vx[o] * DT;
        const yi = y[o] += vy[o] * DT;
        const li = life[o] -= DT;
        s += xi + yi + li + (color[o] & 255);
      }
      return s;
    };
    // The documented zero-garbage loop: the array from the last frame is handed back, and its
    // column() objects move with it.
    let recs: StructArray<typeof Rec> | undefined;
    return {
      frame(frame: number): void {
        arena.reset();
        recs = arena.allocArray(Rec, n, recs);
        fill(recs, frame + seed);
        sum[0] += update(recs);
      },
      checksum: () => sum[0],
      arenaBytes: () => n * REC_BYTES,
    };
  },
};

const thingMalloc: FrameVariant = {
  name: "thi.ng-malloc",
  description: "@thi.ng/malloc MemPool: malloc(24) per record, f32/u32 views, freeAll() per frame",
  setup(p: FrameParams) {
    const n = p.records;
    const seed = p.seed;
    // Each block carries an 8-byte header and is 8-aligned: 32 bytes per record, plus slack.
    const bytes = n * 32 + 4096;
    const pool = new MemPool({ size: bytes });
    const F = new Float32Array(pool.buf);
    const U = new Uint32Array(pool.buf);
    const addr = new Int32Array(n);
    const sum = sums();
    const fill = (f: number): void => {
      pool.freeAll();
      for (let i = 0; i < n; i++) {
        const a = pool.malloc(REC_BYTES);
        if (a === 0) throw new RangeError(`Cannot malloc record ${i}: MemPool is full`);
        const o = a >> 2;
        addr[i] = o;
        U[o] = initColor(i, f);
        F[o + 1] = initX(i, f);
        F[o + 2] = initY(i, f);
        F[o + 3] = initVx(i);
        F[o + 4] = initVy(i, f);
        F[o + 5] = initLife(i);
      }
    };
    const update = (): number => {
      let s = 0;
      for (let i = 0; i < n; i++) {
        const o = addr[i];
        const x = F[o + 1] += F[o + 3] * DT;
        const y = F[o + 2] += F[o + 4] * DT;
        const life = F[o + 5] -= DT;
        s += x + y + life + (U[o] & 255);
      }
      return s;
    };
    return {
      frame(frame: number): void {
        fill(frame + seed);
        sum[0] += update();
      },
      checksum: () => sum[0],
      arenaBytes: () => bytes,
    };
  },
};

const here = fileURLToPath(import.meta.url);

await runFramesBenchmark({
  title: "Allocation churn (bench/churn.frames.ts)",
  script: here,
  variants: [
    plainObjects,
    plainObjectsFreshVariant(true),
    plainObjectsFreshVariant(false),
    classInstances,
    objectPool,
    typedArrays,
    arenakitViews,
    cursorVariant(true),
    cursorVariant(false),
    arenakitColumns,
    thingMalloc,
  ],
  params: [{ key: "records", flag: "records", default: 100_000, min: 1 }],
  // Three runs: plain objects in a new array land in a different GC mode from one V8 process to
  // the next (5 or 17 ms a frame here, as V8 pretenures them or not), so one process alone must
  // not decide a ratio to them.
  defaults: { frames: 1000, warmup: 30, jitWarmupMs: 300, runs: 3 },
  intro: (p) =>
    `allocation churn, ${p.records} records allocated, integrated and dropped per frame`,
  targetsFile: join(dirname(here), "frames-churn.targets.json"),
});
