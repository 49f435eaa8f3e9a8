/**
 * Sample suite exercising the benchmark pipeline: reading and writing particle-like records as
 * plain objects versus one Float64Array. Follows the suite convention documented in
 * `scripts/bench.ts`.
 *
 * Run alone: `deno run -A --v8-flags=--expose-gc bench/baseline.bench.ts` or
 * `npx bun bench/baseline.bench.ts`.
 *
 * Why the cases repeat themselves: each variant is written out by hand, loop and all, so that it
 * keeps its own JIT type feedback. A shared helper called by every variant would turn its call
 * sites polymorphic and time the helper instead of the storage being compared. Shared harness
 * code (runner, GC counting, charts, statistics) lives once in `bench/_*.ts`.
 *
 * @module
 */

import { bench, do_not_optimize, group, summary } from "mitata";
import { runSuite } from "./_suite.ts";

const N = 4096;
/** Fields per record: x, y, vx, vy. */
const STRIDE = 4;

interface Rec {
  x: number;
  y: number;
  vx: number;
  vy: number;
}

// Fractional values on purpose: V8 keeps small integers as Smis, which flatters plain objects.
const objects: Rec[] = Array.from({ length: N }, (_, i) => ({
  x: i * 0.5 + 0.25,
  y: i * 0.25 + 0.125,
  vx: 1.5 - i * 0.001,
  vy: -0.75 + i * 0.002,
}));
const floats = new Float64Array(N * STRIDE);
for (let i = 0; i < N; i++) {
  floats[i * STRIDE] = objects[i].x;
  floats[i * STRIDE + 1] = objects[i].y;
  floats[i * STRIDE + 2] = objects[i].vx;
  floats[i * STRIDE + 3] = objects[i].vy;
}
const DT = 1 / 60;

summary(() => {
  group("read 4096 records (sum of x + y)", () => {
    bench("baseline: plain objects", () => {
      let sum = 0;
      for (let i = 0; i < N; i++) sum += objects[i].x + objects[i].y;
      return do_not_optimize(sum);
    }).baseline();
    bench("Float64Array (interleaved)", () => {
      let sum = 0;
      for (let i = 0; i < N * STRIDE; i += STRIDE) sum += floats[i] + floats[i + 1];
      return do_not_optimize(sum);
    });
  });
});

summary(() => {
  group("integrate 4096 records (x += vx * dt)", () => {
    bench("baseline: plain objects", () => {
      for (let i = 0; i < N; i++) {
        const o = objects[i];
        o.x += o.vx * DT;
        o.y += o.vy * DT;
      }
      do_not_optimize(objects);
    }).baseline();
    bench("Float64Array (interleaved)", () => {
      for (let i = 0; i < N * STRIDE; i += STRIDE) {
        floats[i] += floats[i + 2] * DT;
        floats[i + 1] += floats[i + 3] * DT;
      }
      do_not_optimize(floats);
    });
  });
});

await runSuite();
