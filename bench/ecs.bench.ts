/**
 * The small-table workloads of the public noctjs/ecs-benchmark, at its sizes, where per-call
 * overhead shows: packed_5 (1000 records of 5 fields, 5 systems), simple_iter (4 tables of 1000,
 * 3 systems swapping fields), frag_iter (26 tables of 100, one system over all) and entity_cycle
 * (create 1000 records and delete them again). Plain objects are each group's baseline; bitECS
 * 0.4 and arenakit tables (SoA: columns over `liveSlots()`, `forEach`, `for…of`) do the same work.
 *
 * Run alone: `npx deno run -A bench/ecs.bench.ts` or `npx bun bench/ecs.bench.ts`.
 *
 * Why the cases repeat themselves: each variant is written out by hand, loop and all, so that it
 * keeps its own JIT type feedback. A shared helper called by every variant would turn its call
 * sites polymorphic and time the helper instead of the storage being compared. Shared harness
 * code (runner, GC counting, charts, statistics) lives once in `bench/_*.ts`.
 *
 * @module
 */

import { bench, do_not_optimize, group, summary } from "mitata";
import { addComponent, addEntity, createWorld, query, removeEntity } from "bitecs";
import * as t from "../schemas/t.ts";
import { Table } from "../lib/table/table.ts";
import { runSuite } from "./_suite.ts";

type F32 = Float32Array;
// What the loops below use of a table whose schema is built at run time.
interface AnyTable {
  readonly fields: unknown;
  liveSlots(): Uint32Array;
  forEach(fn: (p: Record<string, number>) => void): void;
}
const N = 1000;
const v0 = (i: number) => 0.25 + (i % 13) * 0.5;

summary(() => {
  group("packed_5 (1000 records, 5 fields, 5 systems)", () => {
    {
      const objs = Array.from({ length: N }, (_, i) => ({
        a: v0(i),
        b: v0(i),
        c: v0(i),
        d: v0(i),
        e: v0(i),
      }));
      bench("baseline: plain objects", () => {
        for (const o of objs) o.a += 0.5;
        for (const o of objs) o.b += 0.5;
        for (const o of objs) o.c += 0.5;
        for (const o of objs) o.d += 0.5;
        for (const o of objs) o.e += 0.5;
        return do_not_optimize(objs);
      }).baseline();
    }
    {
      const world = createWorld();
      const C = [0, 1, 2, 3, 4].map(() => ({ v: new Float32Array(N + 1) }));
      for (let i = 0; i < N; i++) {
        const e = addEntity(world);
        for (const c of C) {
          addComponent(world, e, c);
          c.v[e] = v0(i);
        }
      }
      bench("bitECS 0.4", () => {
        for (const c of C) {
          const es = query(world, [c]);
          const v = c.v;
          for (let k = 0; k < es.length; k++) v[es[k]] += 0.5;
        }
        return do_not_optimize(C);
      });
    }
    const P5 = t.struct({ a: t.f32(), b: t.f32(), c: t.f32(), d: t.f32(), e: t.f32() });
    const table = new Table(P5, { capacity: N, layout: "soa" });
    for (let i = 0; i < N; i++) {
      table.create({ a: v0(i), b: v0(i), c: v0(i), d: v0(i), e: v0(i) });
    }
    bench("Table soa columns over liveSlots()", () => {
      const f = table.fields as Record<string, F32>;
      for (const name of ["a", "b", "c", "d", "e"]) {
        const v = f[name];
        const live = table.liveSlots();
        for (let k = 0; k < live.length; k++) v[live[k]] += 0.5;
      }
      return do_not_optimize(table);
    });
    bench("Table soa forEach", () => {
      table.forEach((p) => (p.a += 0.5));
      table.forEach((p) => (p.b += 0.5));
      table.forEach((p) => (p.c += 0.5));
      table.forEach((p) => (p.d += 0.5));
      table.forEach((p) => (p.e += 0.5));
      return do_not_optimize(table);
    });
    bench("Table soa for…of", () => {
      for (const p of table) p.a += 0.5;
      for (const p of table) p.b += 0.5;
      for (const p of table) p.c += 0.5;
      for (const p of table) p.d += 0.5;
      for (const p of table) p.e += 0.5;
      return do_not_optimize(table);
    });
  });

  group("simple_iter (4 tables of 1000, 3 systems swapping fields)", () => {
    const sets = [["a", "b"], ["a", "b", "c"], ["a", "b", "c", "d"], ["a", "b", "c", "e"]];
    {
      const objs = sets.flatMap((s) =>
        Array.from({ length: N }, (_, i) => Object.fromEntries(s.map((k) => [k, v0(i)])))
      ) as { a: number; b: number; c?: number; d?: number; e?: number }[];
      const ab = objs;
      const cd = objs.filter((o) => o.d !== undefined);
      const ce = objs.filter((o) => o.e !== undefined);
      bench("baseline: plain objects", () => {
        for (const o of ab) [o.a, o.b] = [o.b, o.a];
        for (const o of cd) [o.c, o.d] = [o.d, o.c];
        for (const o of ce) [o.c, o.e] = [o.e, o.c];
        return do_not_optimize(objs);
      }).baseline();
    }
    {
      const world = createWorld();
      const n = 4 * N + 1;
      const C = Object.fromEntries(
        ["a", "b", "c", "d", "e"].map((k) => [k, { v: new Float32Array(n) }]),
      );
      for (const s of sets) {
        for (let i = 0; i < N; i++) {
          const e = addEntity(world);
          for (const k of s) {
            addComponent(world, e, C[k]);
            C[k].v[e] = v0(i);
          }
        }
      }
      bench("bitECS 0.4", () => {
        for (const [x, y] of [["a", "b"], ["c", "d"], ["c", "e"]]) {
          const es = query(world, [C[x], C[y]]);
          const xv = C[x].v;
          const yv = C[y].v;
          for (let k = 0; k < es.length; k++) {
            const e = es[k];
            const tmp = xv[e];
            xv[e] = yv[e];
            yv[e] = tmp;
          }
        }
        return do_not_optimize(C);
      });
    }
    const tables = sets.map((s) => {
      const S = t.struct(Object.fromEntries(s.map((k) => [k, t.f32()])));
      const table = new Table(S, { capacity: N, layout: "soa" });
      for (let i = 0; i < N; i++) table.create(Object.fromEntries(s.map((k) => [k, v0(i)])));
      return { s, table: table as unknown as AnyTable };
    });
    const swap = (table: AnyTable, x: string, y: string) => {
      const f = table.fields as Record<string, F32>;
      const xv = f[x];
      const yv = f[y];
      const live = table.liveSlots();
      for (let k = 0; k < live.length; k++) {
        const i = live[k];
        const tmp = xv[i];
        xv[i] = yv[i];
        yv[i] = tmp;
      }
    };
    bench("Table soa columns over liveSlots()", () => {
      for (const { s, table } of tables) {
        swap(table, "a", "b");
        if (s.includes("d")) swap(table, "c", "d");
        if (s.includes("e")) swap(table, "c", "e");
      }
      return do_not_optimize(tables);
    });
    bench("Table soa forEach", () => {
      for (const { s, table } of tables) {
        table.forEach((p) => {
          const tmp = p.a;
          p.a = p.b;
          p.b = tmp;
        });
        if (s.includes("d")) {
          table.forEach((p) => {
            const tmp = p.c;
            p.c = p.d;
            p.d = tmp;
          });
        }
        if (s.includes("e")) {
          table.forEach((p) => {
            const tmp = p.c;
            p.c = p.e;
            p.e = tmp;
          });
        }
      }
      return do_not_optimize(tables);
    });
  });

  group("frag_iter (26 tables of 100, one system over all)", () => {
    const letters = "abcdefghijklmnopqrstuvwxyz".split("");
    {
      const objs = letters.flatMap((l) =>
        Array.from({ length: 100 }, (_, i) => ({ data: v0(i), [l]: v0(i) }))
      ) as { data: number }[];
      bench("baseline: plain objects", () => {
        for (const o of objs) o.data *= 2;
        return do_not_optimize(objs);
      }).baseline();
    }
    {
      const world = createWorld();
      const Data = { v: new Float32Array(26 * 100 + 1) };
      for (const _l of letters) {
        const L = { v: new Float32Array(26 * 100 + 1) };
        for (let i = 0; i < 100; i++) {
          const e = addEntity(world);
          addComponent(world, e, Data);
          addComponent(world, e, L);
          Data.v[e] = v0(i);
        }
      }
      bench("bitECS 0.4", () => {
        const es = query(world, [Data]);
        const v = Data.v;
        for (let k = 0; k < es.length; k++) v[es[k]] *= 2;
        return do_not_optimize(Data);
      });
    }
    const tables = letters.map((l) => {
      const table = new Table(t.struct({ data: t.f32(), [l]: t.f32() }), {
        capacity: 100,
        layout: "soa",
      });
      for (let i = 0; i < 100; i++) table.create({ data: v0(i) } as never);
      return table as unknown as AnyTable;
    });
    bench("Table soa columns over liveSlots()", () => {
      for (const table of tables) {
        const v = (table.fields as Record<string, F32>).data;
        const live = table.liveSlots();
        for (let k = 0; k < live.length; k++) v[live[k]] *= 2;
      }
      return do_not_optimize(tables);
    });
    bench("Table soa forEach", () => {
      for (const table of tables) table.forEach((p) => (p.data *= 2));
      return do_not_optimize(tables);
    });
  });

  group("entity_cycle (create 1000 records, then delete them)", () => {
    {
      const objs: { b: number }[] = [];
      bench("baseline: plain objects", () => {
        for (let i = 0; i < N; i++) objs.push({ b: v0(i) });
        objs.length = 0;
        return do_not_optimize(objs);
      }).baseline();
    }
    {
      const world = createWorld();
      const A = { v: new Float32Array(4 * N + 1) };
      const B = { v: new Float32Array(4 * N + 1) };
      for (let i = 0; i < N; i++) addComponent(world, addEntity(world), A);
      const made = new Int32Array(N);
      bench("bitECS 0.4", () => {
        for (let i = 0; i < N; i++) {
          const e = addEntity(world);
          addComponent(world, e, B);
          B.v[e] = v0(i);
          made[i] = e;
        }
        for (let i = 0; i < N; i++) removeEntity(world, made[i]);
        return do_not_optimize(made);
      });
    }
    const table = new Table(t.struct({ b: t.f32() }), { capacity: N, layout: "soa" });
    const ids = new Float64Array(N);
    bench("Table soa", () => {
      for (let i = 0; i < N; i++) ids[i] = table.create({ b: v0(i) });
      for (let i = 0; i < N; i++) table.delete(ids[i]);
      return do_not_optimize(ids);
    });
  });
});

await runSuite();
