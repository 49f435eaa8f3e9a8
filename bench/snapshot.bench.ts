/**
 * Snapshots for rollback: saving and restoring 100k records per frame with `arena.snapshot()` /
 * `arena.restore()`, against `structuredClone` and `JSON.stringify`/`parse` of the same records
 * as plain objects, and against the floor, a bare `Uint8Array.prototype.set` of the same bytes
 * out and back. A second group shows that `fromZod`-compiled schemas run exactly as fast as
 * `t.*`-built ones (they are the same data, so they get the same generated code).
 *
 * Run alone: `deno run -A bench/snapshot.bench.ts` or `npx bun bench/snapshot.bench.ts`.
 *
 * Why the cases repeat themselves: each variant is written out by hand, loop and all, so that it
 * keeps its own JIT type feedback. A shared helper called by every variant would turn its call
 * sites polymorphic and time the helper instead of the storage being compared. Shared harness
 * code (runner, GC counting, charts, statistics) lives once in `bench/_*.ts`.
 *
 * @module
 */
import { bench, do_not_optimize, group, summary } from "mitata";
import { z } from "zod";
import { Arena, t, Table } from "../mod.ts";
import { fromZod } from "../zod.ts";
import { runSuite } from "./_suite.ts";

const N = 100_000;
const Body = t.struct({ pos: t.vec2f(), vel: t.vec2f(), hits: t.u32(), id: t.u32() }, {
  name: "Body",
});

const arena = new Arena({ bytes: 24 * N + 64 });
const bodies = arena.allocArray(Body, N);
bodies.forEach((b, i) => {
  b.set({ pos: { x: i * 0.5, y: i * 0.25 }, vel: { x: 1.5, y: -0.75 }, hits: i & 7, id: i });
});
const bytes = bodies.bytes();
// The case: a table of 100k records (ids, generations and free list included).
const table = new Table(Body, { capacity: N });
for (let i = 0; i < N; i++) {
  table.create({ pos: { x: i * 0.5, y: i * 0.25 }, vel: { x: 1.5, y: -0.75 }, hits: i & 7, id: i });
}
const ring = new Uint8Array(bytes.length + 4096);
const tring = new Uint8Array(table.snapshot().length);
// The floor for the table: a bare copy of as many bytes as its snapshot holds.
const tbytes = table.snapshot();
const tcopy = new Uint8Array(tbytes.length);
const copy = new Uint8Array(bytes.length);

interface Plain {
  pos: { x: number; y: number };
  vel: { x: number; y: number };
  hits: number;
  id: number;
}
let plain: Plain[] = bodies.toObject();

summary(() => {
  group(`snapshot + restore ${N} records (${(bytes.length / 1e6).toFixed(1)} MB)`, () => {
    bench("baseline: structuredClone of plain objects (save + restore)", () => {
      const saved = structuredClone(plain);
      plain = structuredClone(saved);
      return do_not_optimize(plain);
    }).baseline();
    bench("JSON.stringify + JSON.parse of plain objects", () => {
      const saved = JSON.stringify(plain);
      plain = JSON.parse(saved);
      return do_not_optimize(plain);
    });
    bench("Uint8Array.prototype.set, out and back (the floor)", () => {
      copy.set(bytes);
      bytes.set(copy);
      return do_not_optimize(bytes);
    });
    bench("Uint8Array.prototype.set of the table's bytes, out and back (its floor)", () => {
      tcopy.set(tbytes);
      tbytes.set(tcopy);
      return do_not_optimize(tbytes);
    });
    bench("arena.snapshot({ into: ring }) + arena.restore()", () => {
      const snap = arena.snapshot({ into: ring });
      arena.restore(snap);
      return do_not_optimize(snap);
    });
    bench("arena.snapshot() (new array) + arena.restore()", () => {
      const snap = arena.snapshot();
      arena.restore(snap);
      return do_not_optimize(snap);
    });
    bench("arena.snapshot({ into: ring, checksum: false }) + arena.restore()", () => {
      const snap = arena.snapshot({ into: ring, checksum: false });
      arena.restore(snap);
      return do_not_optimize(snap);
    });
    bench("table.snapshot({ into: tring }) + table.restore()", () => {
      const snap = table.snapshot({ into: tring });
      table.restore(snap);
      return do_not_optimize(snap);
    });
    bench("table.snapshot({ into: tring, checksum: false }) + table.restore()", () => {
      const snap = table.snapshot({ into: tring, checksum: false });
      table.restore(snap);
      return do_not_optimize(snap);
    });
  });
});

const M = 10_000;
const DT = 1 / 60;
const FromT = t.struct({ x: t.f32(), y: t.f32(), vx: t.f32(), vy: t.f32(), hp: t.u8() }, {
  name: "Mover",
});
const FromZod = fromZod(
  z.object({
    x: z.float32(),
    y: z.float32(),
    vx: z.float32(),
    vy: z.float32(),
    hp: z.int().meta({ arenakit: "u8" }),
  }),
  { name: "Mover" },
);
const world = new Arena({ bytes: 1 << 20 });
const moversT = world.allocArray(FromT, M);
const moversZ = world.allocArray(FromZod, M);
for (const movers of [moversT, moversZ]) {
  movers.forEach((m, i) => m.set({ x: i * 0.5, y: 0.25, vx: 1.5, vy: -0.75, hp: 100 }));
}
const objects = moversT.toObject();

summary(() => {
  group(`integrate ${M} records through a cursor`, () => {
    bench("baseline: plain objects", () => {
      for (let i = 0; i < M; i++) {
        const o = objects[i];
        o.x += o.vx * DT;
        o.y += o.vy * DT;
      }
      return do_not_optimize(objects);
    }).baseline();
    bench("t.struct schema", () => {
      const c = moversT.cursor();
      for (let i = 0; i < M; i++) {
        c.seek(i);
        c.x += c.vx * DT;
        c.y += c.vy * DT;
      }
      return do_not_optimize(c);
    });
    bench("fromZod schema", () => {
      const c = moversZ.cursor();
      for (let i = 0; i < M; i++) {
        c.seek(i);
        c.x += c.vx * DT;
        c.y += c.vy * DT;
      }
      return do_not_optimize(c);
    });
  });
});

await runSuite();
