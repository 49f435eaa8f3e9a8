/**
 * The systems of the parallel frames benchmark (`bench/workers.frames.ts`) and of the demo's
 * `--workers` part: one animation step over a share of the nodes, through the table's columns.
 * The main-thread variant calls the same function with a context covering every node, so both
 * run the very same code.
 *
 * @module
 */
import type { SystemContext } from "../mod.ts";
import { t } from "../mod.ts";

/** One animated node: what the "million-node animation frame state" holds. */
export const AnimNode = t.struct({
  pos: t.vec3f(),
  vel: t.vec3f(),
  phase: t.f32(),
  color: t.u32(),
}, { name: "AnimNode" });

const TAU = 2 * Math.PI;

/** Half the side of the box the nodes bounce in. */
export const BOUND = 64;

/** The arguments of {@linkcode animate}. */
export interface AnimateArgs {
  /** Time step in seconds. */
  dt: number;
  /** Wobble amplitude. */
  amp: number;
}

/**
 * Integrates position, adds a sine wobble driven by each node's phase, and bounces nodes off the
 * box (reversing the velocity and marking the color's low byte). Columns over `ctx.slots`: no
 * allocation, and the loop is the same in a worker and on the main thread.
 */
export function animate(ctx: SystemContext<typeof AnimNode, AnimateArgs>): void {
  const f = ctx.table.fields;
  const px = f["pos.x"] as Float32Array;
  const py = f["pos.y"] as Float32Array;
  const pz = f["pos.z"] as Float32Array;
  const vx = f["vel.x"] as Float32Array;
  const vy = f["vel.y"] as Float32Array;
  const vz = f["vel.z"] as Float32Array;
  const ph = f["phase"] as Float32Array;
  const col = f["color"] as Uint32Array;
  const slots = ctx.slots;
  const dt = ctx.args.dt;
  const amp = ctx.args.amp;
  // Every value stays a double: a branch that sets a variable to an integer constant (or to a
  // module constant, a context load) where the other path computes a double makes V8 box it.
  const hi = BOUND;
  const lo = -BOUND;
  for (let k = 0; k < slots.length; k++) {
    const i = slots[k];
    // Wrapped like any animation phase: Math.sin of a small argument needs no range reduction.
    let p = ph[i] + dt;
    if (p > TAU) p -= TAU;
    ph[i] = p;
    const x = px[i] + vx[i] * dt;
    const y = py[i] + vy[i] * dt + Math.sin(p) * amp * dt;
    const z = pz[i] + vz[i] * dt;
    let hit = 0;
    if (x > hi || x < lo) {
      vx[i] = -vx[i];
      hit = 1;
    }
    if (z > hi || z < lo) {
      vz[i] = -vz[i];
      hit = 1;
    }
    px[i] = Math.min(hi, Math.max(lo, x));
    py[i] = y;
    pz[i] = Math.min(hi, Math.max(lo, z));
    col[i] = hit === 0 ? col[i] : ((col[i] & 0xffffff00) | 0xff) >>> 0;
  }
}

/** Does nothing: a run of it measures the pool's dispatch overhead alone. */
export function idle(): void {}
