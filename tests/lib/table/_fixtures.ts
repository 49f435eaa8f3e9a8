/** Schemas and helpers shared by the table tests. */
import { describe } from "node:test";
import * as t from "../../../schemas/t.ts";
import type { Table } from "../../../lib/table/table.ts";
import type { TableLayout } from "../../../lib/table/options.ts";

export const Vec2 = t.struct({ x: t.f32(), y: t.f32() }, { name: "Vec2" });
export const Particle = t.struct({
  pos: Vec2,
  vel: t.vec2f(),
  life: t.f32(),
  hp: t.u8(),
  kind: t.enum(["spark", "smoke"]),
  name: t.string(8),
  hist: t.array(t.f32(), 3),
  big: t.i64(),
  alive: t.bool(),
}, { name: "Particle" });

export const LAYOUTS: TableLayout[] = ["aos", "soa"];

export function each(fn: (layout: TableLayout, jitless: boolean) => void): void {
  for (const layout of LAYOUTS) {
    for (const jitless of [false, true]) {
      describe(`${layout}, ${jitless ? "jitless" : "jit"}`, () => fn(layout, jitless));
    }
  }
}

/** Every observable value of a table: ids and plain records, in slot order. */
export function contents(table: Table<typeof Particle>): unknown {
  const out: [number, unknown][] = [];
  table.forEach((p, id) => out.push([id, p.toObject()]));
  return out;
}
