/**
 * Tables against the object pools a user would write or pick instead: a plain
 * `Map<number, object>` (the baseline of every group), a hand-written free-list pool of plain
 * objects, and bitECS 0.4 (struct-of-arrays components, entity ids recycled by its index).
 *
 * - `entity_cycle`: each frame creates 1000 records and deletes the 1000 oldest (10k live).
 * - `simple_iter`: 100k live records, `pos += vel * dt` (4 fields touched).
 * - `packed`: 100k live records, 5 fields updated (position, velocity damping, life).
 *
 * Run alone: `npx deno run -A bench/tables.bench.ts` or `npx bun bench/tables.bench.ts`.
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
import type { TableLayout } from "../lib/table/options.ts";
import { runSuite } from "./_suite.ts";

const Particle = t.struct({
  pos: t.vec2f(),
  vel: t.vec2f(),
  life: t.f32(),
}, { name: "Particle" });

interface Obj {
  pos: { x: number; y: number };
  vel: { x: number; y: number };
  life: number;
}

const DT = 1 / 60;
const FRAME = 1000;
const LIVE = 10_000;
const ITER = 100_000;

// Fractional values on purpose: V8 keeps small integers as Smis, which flatters plain objects.
const init = (i: number): Obj => ({
  pos: { x: i * 0.5 + 0.25, y: i * 0.25 + 0.125 },
  vel: { x: 1.5 - i * 1e-5, y: -0.75 + i * 2e-5 },
  life: 1.5 + (i % 7) * 0.125,
});

/** A FIFO of ids, so each frame deletes the oldest records. */
class Ring {
  readonly a: Float64Array;
  head = 0;
  size = 0;
  constructor(n: number) {
    this.a = new Float64Array(n);
  }
  push(v: number): void {
    this.a[(this.head + this.size++) % this.a.length] = v;
  }
  shift(): number {
    const v = this.a[this.head];
    this.head = (this.head + 1) % this.a.length;
    this.size--;
    return v;
  }
}

/** A hand-written pool: plain objects, a free list of indices, ids are indices. */
class ObjectPool {
  items: (Obj & { alive: boolean })[] = [];
  free: number[] = [];
  create(v: Obj): number {
    const i = this.free.pop();
    if (i !== undefined) {
      const o = this.items[i];
      o.pos.x = v.pos.x;
      o.pos.y = v.pos.y;
      o.vel.x = v.vel.x;
      o.vel.y = v.vel.y;
      o.life = v.life;
      o.alive = true;
      return i;
    }
    this.items.push({ ...v, pos: { ...v.pos }, vel: { ...v.vel }, alive: true });
    return this.items.length - 1;
  }
  delete(i: number): void {
    this.items[i].alive = false;
    this.free.push(i);
  }
}

function bitecsWorld(n: number) {
  const Pos = { x: new Float32Array(n), y: new Float32Array(n) };
  const Vel = { x: new Float32Array(n), y: new Float32Array(n) };
  const Life = { v: new Float32Array(n) };
  const world = createWorld();
  const spawn = (i: number): number => {
    const e = addEntity(world);
    addComponent(world, e, Pos);
    addComponent(world, e, Vel);
    addComponent(world, e, Life);
    const v = init(i);
    Pos.x[e] = v.pos.x;
    Pos.y[e] = v.pos.y;
    Vel.x[e] = v.vel.x;
    Vel.y[e] = v.vel.y;
    Life.v[e] = v.life;
    return e;
  };
  return { world, Pos, Vel, Life, spawn };
}

summary(() => {
  group("entity_cycle (create 1000, delete the 1000 oldest, 10k live)", () => {
    {
      const map = new Map<number, Obj>();
      const ring = new Ring(LIVE + FRAME);
      let next = 1;
      for (let i = 0; i < LIVE; i++) {
        map.set(next, init(i));
        ring.push(next++);
      }
      bench("baseline: Map<number, object>", () => {
        for (let i = 0; i < FRAME; i++) {
          map.set(next, init(i));
          ring.push(next++);
        }
        for (let i = 0; i < FRAME; i++) map.delete(ring.shift());
        return do_not_optimize(map.size);
      }).baseline();
    }
    {
      const pool = new ObjectPool();
      const ring = new Ring(LIVE + FRAME);
      for (let i = 0; i < LIVE; i++) ring.push(pool.create(init(i)));
      bench("free-list pool of objects", () => {
        for (let i = 0; i < FRAME; i++) ring.push(pool.create(init(i)));
        for (let i = 0; i < FRAME; i++) pool.delete(ring.shift());
        return do_not_optimize(pool.free.length);
      });
    }
    {
      const w = bitecsWorld(LIVE + FRAME + 16);
      const ring = new Ring(LIVE + FRAME);
      for (let i = 0; i < LIVE; i++) ring.push(w.spawn(i));
      bench("bitECS 0.4", () => {
        for (let i = 0; i < FRAME; i++) ring.push(w.spawn(i));
        for (let i = 0; i < FRAME; i++) removeEntity(w.world, ring.shift());
        return do_not_optimize(ring.size);
      });
    }
    for (const layout of ["aos", "soa"] as TableLayout[]) {
      const table = new Table(Particle, { capacity: LIVE + FRAME, layout, resolveRefs: false });
      const ring = new Ring(LIVE + FRAME);
      for (let i = 0; i < LIVE; i++) ring.push(table.create(init(i)));
      bench(`Table ${layout}`, () => {
        for (let i = 0; i < FRAME; i++) ring.push(table.create(init(i)));
        for (let i = 0; i < FRAME; i++) table.delete(ring.shift());
        return do_not_optimize(table.count);
      });
    }
  });
});

function filled(layout: TableLayout, checked: boolean): Table<typeof Particle> {
  const table = new Table(Particle, { capacity: ITER, layout, checked, resolveRefs: false });
  for (let i = 0; i < ITER; i++) table.create(init(i));
  return table;
}

function iterGroup(name: string, five: boolean): void {
  group(name, () => {
    {
      const map = new Map<number, Obj>();
      for (let i = 0; i < ITER; i++) map.set(i + 1, init(i));
      bench("baseline: Map<number, object>", () => {
        for (const p of map.values()) {
          p.pos.x += p.vel.x * DT;
          p.pos.y += p.vel.y * DT;
          if (five) {
            p.vel.x *= 0.999;
            p.vel.y *= 0.999;
            p.life -= DT;
          }
        }
        return do_not_optimize(map);
      }).baseline();
    }
    {
      const pool = new ObjectPool();
      for (let i = 0; i < ITER; i++) pool.create(init(i));
      const items = pool.items;
      bench("free-list pool of objects", () => {
        for (let i = 0; i < items.length; i++) {
          const p = items[i];
          if (!p.alive) continue;
          p.pos.x += p.vel.x * DT;
          p.pos.y += p.vel.y * DT;
          if (five) {
            p.vel.x *= 0.999;
            p.vel.y *= 0.999;
            p.life -= DT;
          }
        }
        return do_not_optimize(items);
      });
    }
    {
      const w = bitecsWorld(ITER + 16);
      for (let i = 0; i < ITER; i++) w.spawn(i);
      const { Pos, Vel, Life, world } = w;
      bench("bitECS 0.4 (SoA)", () => {
        const ents = query(world, [Pos, Vel, Life]);
        for (let i = 0; i < ents.length; i++) {
          const e = ents[i];
          Pos.x[e] += Vel.x[e] * DT;
          Pos.y[e] += Vel.y[e] * DT;
          if (five) {
            Vel.x[e] *= 0.999;
            Vel.y[e] *= 0.999;
            Life.v[e] -= DT;
          }
        }
        return do_not_optimize(ents);
      });
    }
    // Each case is its own function literal: closures made from one literal share type feedback,
    // which would make every field access polymorphic across the cases.
    {
      const table = filled("soa", true);
      bench("Table soa for…of", () => {
        for (const p of table) {
          const pos = p.pos;
          const vel = p.vel;
          pos.x += vel.x * DT;
          pos.y += vel.y * DT;
          if (five) {
            vel.x *= 0.999;
            vel.y *= 0.999;
            p.life -= DT;
          }
        }
        return do_not_optimize(table);
      });
    }
    {
      const table = filled("soa", false);
      bench("Table soa for…of, unchecked", () => {
        for (const p of table) {
          const pos = p.pos;
          const vel = p.vel;
          pos.x += vel.x * DT;
          pos.y += vel.y * DT;
          if (five) {
            vel.x *= 0.999;
            vel.y *= 0.999;
            p.life -= DT;
          }
        }
        return do_not_optimize(table);
      });
    }
    {
      const table = filled("soa", true);
      bench("Table soa forEach", () => {
        table.forEach((p) => {
          const pos = p.pos;
          const vel = p.vel;
          pos.x += vel.x * DT;
          pos.y += vel.y * DT;
          if (five) {
            vel.x *= 0.999;
            vel.y *= 0.999;
            p.life -= DT;
          }
        });
        return do_not_optimize(table);
      });
    }
    {
      const table = filled("soa", true);
      // Written as a user would: columns hoisted out of the loop, isLive() as the liveness test.
      bench("Table soa columns", () => {
        const px = table.column("pos.x").array;
        const py = table.column("pos.y").array;
        const vx = table.column("vel.x").array;
        const vy = table.column("vel.y").array;
        const life = table.column("life").array;
        const n = table.slots;
        for (let s = 0; s < n; s++) {
          if (!table.isLive(s)) continue;
          px[s] += vx[s] * DT;
          py[s] += vy[s] * DT;
          if (five) {
            vx[s] *= 0.999;
            vy[s] *= 0.999;
            life[s] -= DT;
          }
        }
        return do_not_optimize(px);
      });
    }
    {
      const table = filled("soa", true);
      bench("Table soa columns over liveSlots()", () => {
        const px = table.column("pos.x").array;
        const py = table.column("pos.y").array;
        const vx = table.column("vel.x").array;
        const vy = table.column("vel.y").array;
        const life = table.column("life").array;
        const live = table.liveSlots();
        for (let k = 0; k < live.length; k++) {
          const s = live[k];
          px[s] += vx[s] * DT;
          py[s] += vy[s] * DT;
          if (five) {
            vx[s] *= 0.999;
            vy[s] *= 0.999;
            life[s] -= DT;
          }
        }
        return do_not_optimize(px);
      });
    }
    {
      const table = filled("aos", true);
      bench("Table aos for…of", () => {
        for (const p of table) {
          const pos = p.pos;
          const vel = p.vel;
          pos.x += vel.x * DT;
          pos.y += vel.y * DT;
          if (five) {
            vel.x *= 0.999;
            vel.y *= 0.999;
            p.life -= DT;
          }
        }
        return do_not_optimize(table);
      });
    }
    {
      const table = filled("aos", false);
      bench("Table aos for…of, unchecked", () => {
        for (const p of table) {
          const pos = p.pos;
          const vel = p.vel;
          pos.x += vel.x * DT;
          pos.y += vel.y * DT;
          if (five) {
            vel.x *= 0.999;
            vel.y *= 0.999;
            p.life -= DT;
          }
        }
        return do_not_optimize(table);
      });
    }
    {
      const table = filled("aos", true);
      bench("Table aos forEach", () => {
        table.forEach((p) => {
          const pos = p.pos;
          const vel = p.vel;
          pos.x += vel.x * DT;
          pos.y += vel.y * DT;
          if (five) {
            vel.x *= 0.999;
            vel.y *= 0.999;
            p.life -= DT;
          }
        });
        return do_not_optimize(table);
      });
    }
    {
      const table = filled("aos", true);
      bench("Table aos columns", () => {
        const px = table.column("pos.x");
        const x = px.array;
        const stride = px.stride;
        const y = table.column("pos.y").array;
        const vx = table.column("vel.x").array;
        const vy = table.column("vel.y").array;
        const life = table.column("life").array;
        const n = table.slots;
        for (let s = 0; s < n; s++) {
          if (!table.isLive(s)) continue;
          const o = s * stride;
          x[o] += vx[o] * DT;
          y[o] += vy[o] * DT;
          if (five) {
            vx[o] *= 0.999;
            vy[o] *= 0.999;
            life[o] -= DT;
          }
        }
        return do_not_optimize(x);
      });
    }
    {
      const table = filled("aos", true);
      bench("Table aos columns over liveSlots()", () => {
        const px = table.column("pos.x");
        const x = px.array;
        const stride = px.stride;
        const y = table.column("pos.y").array;
        const vx = table.column("vel.x").array;
        const vy = table.column("vel.y").array;
        const life = table.column("life").array;
        const live = table.liveSlots();
        for (let k = 0; k < live.length; k++) {
          const o = live[k] * stride;
          x[o] += vx[o] * DT;
          y[o] += vy[o] * DT;
          if (five) {
            vx[o] *= 0.999;
            vy[o] *= 0.999;
            life[o] -= DT;
          }
        }
        return do_not_optimize(x);
      });
    }
  });
}

summary(() => iterGroup("simple_iter (100k records, pos += vel * dt)", false));
summary(() => iterGroup("packed (100k records, 5 fields updated)", true));

await runSuite();
