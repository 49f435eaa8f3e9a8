/**
 * Where a loop's cursor comes from changes what it costs in V8. The accessors suite
 * (`bench/accessors.bench.ts`) loops over module-level constants, and V8 folds a constant
 * cursor's own fields (its memory, first record and record count: fields never reassigned since
 * they were set) into the optimized loop. A cursor that arrives as an argument, as in the demo
 * and the churn frames, is read afresh. Raw typed arrays and plain objects cost the same either
 * way. This script times the same read and integrate loops both ways, over plain objects, a raw
 * `Float32Array` and an arenakit cursor (checked and unchecked), in interleaved rounds, and prints
 * medians and ratios.
 *
 * ```sh
 * deno run -A bench/constants.ts
 * bun bench/constants.ts
 * ```
 *
 * Each loop is written out by hand, so that each keeps its own type feedback.
 *
 * @module
 */
import { Arena, type Cursor } from "../mod.ts";
import { P, type Rec, value } from "./_accessor_records.ts";

type PCursor = Cursor<typeof P>;

const N = 1024;
const W = 5;
const DT = 1 / 64;
const ROUNDS = 40;
const CALLS = 400;

const objects: Rec[] = Array.from({ length: N }, (_, i) => value(i));
const raw = new Float32Array(N * W);
const checkedArena = new Arena({ bytes: N * 20 + 1024 });
const uncheckedArena = new Arena({ bytes: N * 20 + 1024, checked: false });
const cur: PCursor = checkedArena.allocArray(P, N).cursor();
const curU: PCursor = uncheckedArena.allocArray(P, N).cursor();
for (let i = 0; i < N; i++) {
  const o = value(i);
  raw.set([o.life, o.x, o.y, o.vx, o.vy], i * W);
  cur.seek(i).set(o);
  curU.seek(i).set(o);
}
// The same storage, reached through an object the loops receive: nothing here is a constant.
const frame = { objects, raw, cur, curU };
type Frame = typeof frame;

function readObjectsConst(): number {
  let s = 0;
  for (let i = 0; i < N; i++) s += objects[i].x + objects[i].y;
  return s;
}
function readObjectsArg(f: Frame): number {
  const os = f.objects;
  let s = 0;
  for (let i = 0; i < N; i++) s += os[i].x + os[i].y;
  return s;
}
function readRawConst(): number {
  let s = 0;
  for (let o = 0; o < N * W; o += W) s += raw[o + 1] + raw[o + 2];
  return s;
}
function readRawArg(f: Frame): number {
  const a = f.raw;
  let s = 0;
  for (let o = 0; o < N * W; o += W) s += a[o + 1] + a[o + 2];
  return s;
}
function readCursorConst(): number {
  let s = 0;
  for (let i = 0; i < N; i++) {
    cur.seek(i);
    s += cur.x + cur.y;
  }
  return s;
}
function readCursorArg(f: Frame): number {
  const c = f.cur;
  let s = 0;
  for (let i = 0; i < N; i++) {
    c.seek(i);
    s += c.x + c.y;
  }
  return s;
}
function readUncheckedConst(): number {
  let s = 0;
  for (let i = 0; i < N; i++) {
    curU.seek(i);
    s += curU.x + curU.y;
  }
  return s;
}
function readUncheckedArg(f: Frame): number {
  const c = f.curU;
  let s = 0;
  for (let i = 0; i < N; i++) {
    c.seek(i);
    s += c.x + c.y;
  }
  return s;
}

function integrateObjectsConst(): number {
  for (let i = 0; i < N; i++) {
    const o = objects[i];
    o.x += o.vx * DT;
    o.y += o.vy * DT;
  }
  return objects[0].x;
}
function integrateObjectsArg(f: Frame): number {
  const os = f.objects;
  for (let i = 0; i < N; i++) {
    const o = os[i];
    o.x += o.vx * DT;
    o.y += o.vy * DT;
  }
  return os[0].x;
}
function integrateRawConst(): number {
  for (let o = 0; o < N * W; o += W) {
    raw[o + 1] += raw[o + 3] * DT;
    raw[o + 2] += raw[o + 4] * DT;
  }
  return raw[1];
}
function integrateRawArg(f: Frame): number {
  const a = f.raw;
  for (let o = 0; o < N * W; o += W) {
    a[o + 1] += a[o + 3] * DT;
    a[o + 2] += a[o + 4] * DT;
  }
  return a[1];
}
function integrateCursorConst(): number {
  for (let i = 0; i < N; i++) {
    cur.seek(i);
    cur.x += cur.vx * DT;
    cur.y += cur.vy * DT;
  }
  return cur.x;
}
function integrateCursorArg(f: Frame): number {
  const c = f.cur;
  for (let i = 0; i < N; i++) {
    c.seek(i);
    c.x += c.vx * DT;
    c.y += c.vy * DT;
  }
  return c.x;
}
function integrateUncheckedConst(): number {
  for (let i = 0; i < N; i++) {
    curU.seek(i);
    curU.x += curU.vx * DT;
    curU.y += curU.vy * DT;
  }
  return curU.x;
}
function integrateUncheckedArg(f: Frame): number {
  const c = f.curU;
  for (let i = 0; i < N; i++) {
    c.seek(i);
    c.x += c.vx * DT;
    c.y += c.vy * DT;
  }
  return c.x;
}

/** One row of the table: the storage, then its loop over constants and over an argument. */
const ROWS: [string, (f: Frame) => number, (f: Frame) => number][][] = [
  [
    ["plain objects", readObjectsConst, readObjectsArg],
    ["Float32Array", readRawConst, readRawArg],
    ["arenakit cursor", readCursorConst, readCursorArg],
    ["arenakit cursor (unchecked)", readUncheckedConst, readUncheckedArg],
  ],
  [
    ["plain objects", integrateObjectsConst, integrateObjectsArg],
    ["Float32Array", integrateRawConst, integrateRawArg],
    ["arenakit cursor", integrateCursorConst, integrateCursorArg],
    ["arenakit cursor (unchecked)", integrateUncheckedConst, integrateUncheckedArg],
  ],
];
const GROUPS = ["read 1024 records (sum of x + y)", "integrate 1024 records (x += vx * dt)"];

const median = (a: number[]): number => a.slice().sort((p, q) => p - q)[a.length >> 1];

let sink = 0;
const times = ROWS.map((rows) => rows.map(() => [[] as number[], [] as number[]]));
for (let r = 0; r < ROUNDS; r++) {
  ROWS.forEach((rows, g) =>
    rows.forEach(([, asConst, asArg], k) => {
      [asConst, asArg].forEach((fn, w) => {
        const t0 = performance.now();
        for (let c = 0; c < CALLS; c++) sink += fn(frame);
        times[g][k][w].push((performance.now() - t0) / CALLS * 1e3);
      });
    })
  );
}
if (Number.isNaN(sink)) throw new Error("a loop produced NaN");

const runtime = "Bun" in globalThis ? "Bun" : "Deno" in globalThis ? "Deno" : "Node";
console.log(`${runtime}: medians of ${ROUNDS} rounds of ${CALLS} calls, µs per call`);
GROUPS.forEach((title, g) => {
  const base = median(times[g][1][0]);
  console.log(`\n${title}; ratios against the Float32Array loop over a module constant`);
  console.log(
    `  ${"".padEnd(28)} ${"module const".padStart(17)} ${"from an argument".padStart(17)}`,
  );
  ROWS[g].forEach(([name], k) => {
    const [c, a] = times[g][k].map(median);
    const cell = (v: number) => `${v.toFixed(2)} (${(v / base).toFixed(2)}×)`.padStart(17);
    console.log(`  ${name.padEnd(28)} ${cell(c)} ${cell(a)}`);
  });
});
