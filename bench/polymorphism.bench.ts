/**
 * Polymorphism (issue 6): a program that drives eight different struct schemas, each with its
 * own loop (its own call sites) over its own cursor, must run each loop as fast as a program
 * that only ever saw one schema. The single-schema loop runs first, before any other schema's
 * accessors have run (the baseline), and again after the eight others. A ninth case shows the
 * cost the per-loop rule avoids: one shared function that has seen all eight cursors
 * (megamorphic), measured on schema 0.
 * Follows the suite convention documented in `scripts/bench.ts`.
 *
 * Every schema has the same four f32 fields the loop touches (x, y, vx, vy), plus different
 * other fields in different places, so the work is equal and only the classes differ.
 *
 * Run alone: `deno run -A --v8-flags=--expose-gc bench/polymorphism.bench.ts` or
 * `npx bun bench/polymorphism.bench.ts`.
 *
 * Why the cases repeat themselves: each variant is written out by hand, loop and all, so that it
 * keeps its own JIT type feedback. A shared helper called by every variant would turn its call
 * sites polymorphic and time the helper instead of the storage being compared. Shared harness
 * code (runner, GC counting, charts, statistics) lives once in `bench/_*.ts`.
 *
 * @module
 */

import { bench, do_not_optimize, group, summary } from "mitata";
import { Arena, type Cursor, type Schema, type StructSchema, t } from "../mod.ts";
import { runSuite } from "./_suite.ts";

const N = 1024;
const DT = 1 / 60;

type Moving = StructSchema<{
  x: ReturnType<typeof t.f32>;
  y: ReturnType<typeof t.f32>;
  vx: ReturnType<typeof t.f32>;
  vy: ReturnType<typeof t.f32>;
}>;

/** Eight schemas: the four moving fields plus different extras, in different orders. */
const extras: Record<string, Schema>[] = [
  {},
  { life: t.f32() },
  { id: t.u32(), mass: t.f64() },
  { tint: t.vec4f() },
  { alive: t.bool(), kind: t.enum(["a", "b", "c"]) },
  { hp: t.i16(), armor: t.i16(), speed: t.f32() },
  { name: t.string(8) },
  { m: t.mat2x2f(), z: t.f32() },
];
const schemas = extras.map((extra, k) => {
  const fields: Record<string, Schema> = k % 2 === 0
    ? { ...extra, x: t.f32(), y: t.f32(), vx: t.f32(), vy: t.f32() }
    : { x: t.f32(), vx: t.f32(), ...extra, y: t.f32(), vy: t.f32() };
  return t.struct(fields, { name: `Poly${k}` }) as unknown as Moving;
});

const arena = new Arena({ bytes: 1 << 20 });
const cursors: Cursor<Moving>[] = schemas.map((s) => {
  const c = arena.allocArray(s, N).cursor();
  for (let i = 0; i < N; i++) {
    c.seek(i);
    c.x = i * 0.5 + 0.25;
    c.y = i * 0.25 + 0.125;
    c.vx = 1.5 - i * 0.001;
    c.vy = -0.75 + i * 0.002;
  }
  return c;
});

// One loop per schema, written out, so each has its own call sites (what a program does when
// each system handles its own component type). A factory would share one function's feedback.
const [c0, c1, c2, c3, c4, c5, c6, c7] = cursors;
function loop0(): void {
  for (let i = 0; i < N; i++) {
    c0.seek(i);
    c0.x += c0.vx * DT;
    c0.y += c0.vy * DT;
  }
}
function loop1(): void {
  for (let i = 0; i < N; i++) {
    c1.seek(i);
    c1.x += c1.vx * DT;
    c1.y += c1.vy * DT;
  }
}
function loop2(): void {
  for (let i = 0; i < N; i++) {
    c2.seek(i);
    c2.x += c2.vx * DT;
    c2.y += c2.vy * DT;
  }
}
function loop3(): void {
  for (let i = 0; i < N; i++) {
    c3.seek(i);
    c3.x += c3.vx * DT;
    c3.y += c3.vy * DT;
  }
}
function loop4(): void {
  for (let i = 0; i < N; i++) {
    c4.seek(i);
    c4.x += c4.vx * DT;
    c4.y += c4.vy * DT;
  }
}
function loop5(): void {
  for (let i = 0; i < N; i++) {
    c5.seek(i);
    c5.x += c5.vx * DT;
    c5.y += c5.vy * DT;
  }
}
function loop6(): void {
  for (let i = 0; i < N; i++) {
    c6.seek(i);
    c6.x += c6.vx * DT;
    c6.y += c6.vy * DT;
  }
}
function loop7(): void {
  for (let i = 0; i < N; i++) {
    c7.seek(i);
    c7.x += c7.vx * DT;
    c7.y += c7.vy * DT;
  }
}
const loops = [loop0, loop1, loop2, loop3, loop4, loop5, loop6, loop7];

/** The anti-pattern: one function for every schema, so its property accesses see eight classes. */
function shared(c: Cursor<Moving>): void {
  for (let i = 0; i < N; i++) {
    c.seek(i);
    c.x += c.vx * DT;
    c.y += c.vy * DT;
  }
}

// Feed the shared function all eight classes before it is measured.
for (let r = 0; r < 50; r++) for (const c of cursors) shared(c);

summary(() => {
  group("integrate 1024 records per schema, 8 schemas in one program", () => {
    // mitata runs cases in order: this one runs before any other schema's accessors have.
    bench("baseline: schema 0 alone (before the others run)", () => {
      loop0();
      do_not_optimize(c0);
    }).baseline();
    for (let k = 1; k < 8; k++) {
      const loop = loops[k];
      const c = cursors[k];
      bench(`schema ${k} (own loop)`, () => {
        loop();
        do_not_optimize(c);
      });
    }
    bench("schema 0 again (after the 8 others ran)", () => {
      loop0();
      do_not_optimize(c0);
    });
    bench("schema 0 through one function shared by all 8 (megamorphic)", () => {
      shared(c0);
      do_not_optimize(c0);
    });
  });
});

await runSuite();
