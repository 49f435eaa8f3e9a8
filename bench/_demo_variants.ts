/**
 * The particle simulation of `bench/demo.ts`, written once per storage strategy.
 *
 * Every variant must do exactly the same work, so the rules are spelled out here and each variant
 * follows them in the same order; the demo compares checksums to catch a variant that skips work.
 *
 * Per frame (`dt` seconds, frame index `f`):
 * 1. **Spawn** `spawnCount(alive, max)` particles, appended after the live ones. Each takes five
 *    numbers from the shared seeded `rng`, in this order: x jitter, y jitter, vx, vy, life (see
 *    {@linkcode spawnValues}, whose formulas every variant must use verbatim).
 * 2. **Update** every live particle in storage order, the ones just spawned included:
 *    `vy += GRAVITY * dt`, both velocities `*= damp` where `damp = 1 - DRAG * dt`, then
 *    `x += vx * dt`, `y += vy * dt`; bounce off the walls (`x < 0`: `x = -x`, `vx = -vx * BOUNCE`;
 *    `x > WIDTH`: `x = 2 * WIDTH - x`, same for vx; floor `y > HEIGHT`: `y = 2 * HEIGHT - y`,
 *    `vy = -vy * BOUNCE`, `vx *= FLOOR_FRICTION`); `age += dt`; `heat *= HEAT_DECAY`;
 *    `size = BASE_SIZE + GROWTH * age`.
 * 3. **Die**: when `age >= life`, remove the particle by moving the last live particle into its
 *    slot (swap-remove) and process that slot again, without adding to the checksum.
 * 4. **Checksum**: for each survivor add {@linkcode quantize}`(x, y, heat)`. The sum is of
 *    integers, so it does not depend on the order of particles.
 *
 * All numbers are fractional on purpose: V8 specialises small integers, which would flatter
 * plain objects.
 *
 * Why the cases repeat themselves: each variant is written out by hand, loop and all, so that it
 * keeps its own JIT type feedback. A shared helper called by every variant would turn its call
 * sites polymorphic and time the helper instead of the storage being compared. Shared harness
 * code (runner, GC counting, charts, statistics) lives once in `bench/_*.ts`.
 *
 * @module
 */

import {
  Arena,
  type Cursor,
  FrameArenas,
  layoutOf,
  type NumberSchema,
  type StructArray,
  type StructSchema,
  t,
  type View,
} from "../mod.ts";

/** World width in pixels. */
export const WIDTH = 1280.5;
/** World height in pixels (y grows downwards, the floor is at HEIGHT). */
export const HEIGHT = 720.25;
/** Downward acceleration in px/s². */
export const GRAVITY = 420.75;
/** Linear drag per second. */
export const DRAG = 0.35;
/** Fraction of speed kept when bouncing off a wall or the floor. */
export const BOUNCE = 0.72;
/** Fraction of horizontal speed kept when touching the floor. */
export const FLOOR_FRICTION = 0.93;
/** Per-frame multiplier of `heat`. */
export const HEAT_DECAY = 0.985;
/** Size at birth in pixels. */
export const BASE_SIZE = 1.5;
/** Size growth in pixels per second of age. */
export const GROWTH = 0.75;
/** Fixed time step of the demo (60 Hz). */
export const DT: number = 1 / 60;

/** A seeded random source returning numbers in [0, 1). */
export type Rng = () => number;

/**
 * Creates the deterministic PRNG every variant draws from (mulberry32), so all variants see the
 * same particles.
 *
 * @example Same seed, same sequence
 * ```ts
 * import { createRng } from "./_demo_variants.ts";
 * const a = createRng(7), b = createRng(7);
 * if (a() !== b() || a() < 0 || a() >= 1) throw new Error("not deterministic");
 * ```
 */
export function createRng(seed: number): Rng {
  // State in a typed array: a uint32 above 2^31 in a closure variable is boxed as a heap number
  // on every update, which would be garbage charged to every variant.
  const state = new Uint32Array([seed >>> 0]);
  return () => {
    state[0] = state[0] + 0x6d2b79f5;
    let t = state[0];
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Number of particles to spawn this frame: enough to fill the pool in about two seconds, never
 * more than the free capacity.
 *
 * @example Spawning stops when the pool is full
 * ```ts
 * import { spawnCount } from "./_demo_variants.ts";
 * if (spawnCount(1000, 1000) !== 0 || spawnCount(0, 1200) !== 10) throw new Error();
 * ```
 */
export function spawnCount(alive: number, maxParticles: number): number {
  return Math.min(Math.ceil(maxParticles / 120), maxParticles - alive);
}

/** Initial values of one particle (see {@linkcode spawnValues}). */
export interface SpawnValues {
  /** Position in pixels. */
  x: number;
  /** Position in pixels (downwards). */
  y: number;
  /** Velocity in px/s. */
  vx: number;
  /** Velocity in px/s (negative is up). */
  vy: number;
  /** Lifetime in seconds. */
  life: number;
}

/**
 * Draws one particle's initial values from `rng` into `out` (reused, so spawning allocates
 * nothing): five draws in a fixed order, emitter swaying with the frame index.
 *
 * @example Two variants draw the same particle
 * ```ts
 * import { createRng, spawnValues } from "./_demo_variants.ts";
 * const a = spawnValues(createRng(1), 3, { x: 0, y: 0, vx: 0, vy: 0, life: 0 });
 * const b = spawnValues(createRng(1), 3, { x: 0, y: 0, vx: 0, vy: 0, life: 0 });
 * if (a.x !== b.x || a.life !== b.life) throw new Error();
 * ```
 */
export function spawnValues(rng: Rng, frameIndex: number, out: SpawnValues): SpawnValues {
  const ex = WIDTH * 0.5 + 180.5 * Math.sin(frameIndex * 0.05);
  const ey = HEIGHT * 0.2;
  out.x = ex + (rng() - 0.5) * 10.5;
  out.y = ey + (rng() - 0.5) * 10.5;
  out.vx = (rng() - 0.5) * 300.5;
  out.vy = -rng() * 400.5 - 100.25;
  out.life = 1.5 + rng() * 2.5;
  return out;
}

/**
 * The checksum contribution of one live particle: fixed-point integers, so sums are exact and
 * independent of the particles' order.
 *
 * @example Quantize a particle
 * ```ts
 * import { quantize } from "./_demo_variants.ts";
 * if (quantize(1.5, 2.25, 1) !== 96 + 144 * 7 + 256 * 13) throw new Error();
 * ```
 */
export function quantize(x: number, y: number, heat: number): number {
  return Math.floor(x * 64) + Math.floor(y * 64) * 7 + Math.floor(heat * 256) * 13;
}

/** A running simulation created by {@linkcode DemoVariant.setup}. */
export interface DemoSim {
  /** Advances one frame of `dt` seconds (the work that is timed). */
  frame(dt: number, frameIndex: number): void;
  /** Particles alive now. */
  alive(): number;
  /** Sum of {@linkcode quantize} over all survivors of all frames so far. */
  checksum(): number;
  /** Bytes of arena/typed-array storage the variant holds, when it has such a notion. */
  arenaBytes?(): number;
}

/** One way of storing and updating particles. */
export interface DemoVariant {
  /** Short id used by `--variant`, e.g. `plain-objects`. */
  readonly name: string;
  /** One line for the report. */
  readonly description: string;
  /** Allocates storage for up to `maxParticles` and returns the simulation. */
  setup(maxParticles: number, rng: Rng): DemoSim;
}

// ---------------------------------------------------------------------------------------------
// Plain JS objects: what most code does. Every spawn allocates an object, every death drops one.

/** One particle as an ordinary object. */
interface Particle {
  x: number;
  y: number;
  vx: number;
  vy: number;
  age: number;
  life: number;
  heat: number;
  size: number;
}

/**
 * Particles as plain objects in an array; spawning allocates, death leaves garbage.
 *
 * @example Run a few frames
 * ```ts
 * import { createRng, DT, plainObjects } from "./_demo_variants.ts";
 * const sim = plainObjects.setup(100, createRng(1));
 * for (let f = 0; f < 5; f++) sim.frame(DT, f);
 * if (sim.alive() !== 5) throw new Error(String(sim.alive()));
 * ```
 */
export const plainObjects: DemoVariant = {
  name: "plain-objects",
  description: "one JS object per particle in an array (allocates on spawn, garbage on death)",
  setup(maxParticles: number, rng: Rng): DemoSim {
    const particles: Particle[] = [];
    const spawn: SpawnValues = { x: 0, y: 0, vx: 0, vy: 0, life: 0 };
    let checksum = 0;
    return {
      frame(dt: number, frameIndex: number): void {
        const n = spawnCount(particles.length, maxParticles);
        for (let k = 0; k < n; k++) {
          spawnValues(rng, frameIndex, spawn);
          particles.push({
            x: spawn.x,
            y: spawn.y,
            vx: spawn.vx,
            vy: spawn.vy,
            age: 0,
            life: spawn.life,
            heat: 1,
            size: BASE_SIZE,
          });
        }
        const damp = 1 - DRAG * dt;
        let sum = 0;
        let i = 0;
        while (i < particles.length) {
          const p = particles[i];
          p.vy += GRAVITY * dt;
          p.vx *= damp;
          p.vy *= damp;
          p.x += p.vx * dt;
          p.y += p.vy * dt;
          if (p.x < 0) {
            p.x = -p.x;
            p.vx = -p.vx * BOUNCE;
          } else if (p.x > WIDTH) {
            p.x = 2 * WIDTH - p.x;
            p.vx = -p.vx * BOUNCE;
          }
          if (p.y > HEIGHT) {
            p.y = 2 * HEIGHT - p.y;
            p.vy = -p.vy * BOUNCE;
            p.vx *= FLOOR_FRICTION;
          }
          p.age += dt;
          p.heat *= HEAT_DECAY;
          p.size = BASE_SIZE + GROWTH * p.age;
          if (p.age >= p.life) {
            particles[i] = particles[particles.length - 1];
            particles.pop();
            continue;
          }
          sum += quantize(p.x, p.y, p.heat);
          i++;
        }
        checksum += sum;
      },
      alive: () => particles.length,
      checksum: () => checksum,
    };
  },
};

// ---------------------------------------------------------------------------------------------
// Hand-written typed arrays: one Float64Array per field (structure of arrays), no allocation
// after setup. Float64 so results are bit-identical to plain objects (JS numbers are f64).

/**
 * Particles as hand-written Float64Array columns; zero allocation per frame.
 *
 * @example Same particles as plain objects
 * ```ts
 * import { createRng, DT, plainObjects, typedArrays } from "./_demo_variants.ts";
 * const a = plainObjects.setup(200, createRng(3));
 * const b = typedArrays.setup(200, createRng(3));
 * for (let f = 0; f < 300; f++) { a.frame(DT, f); b.frame(DT, f); }
 * if (a.checksum() !== b.checksum() || a.alive() !== b.alive()) throw new Error("diverged");
 * ```
 */
export const typedArrays: DemoVariant = {
  name: "typed-arrays",
  description: "hand-written Float64Array per field (structure of arrays), swap-remove",
  setup(maxParticles: number, rng: Rng): DemoSim {
    const X = new Float64Array(maxParticles);
    const Y = new Float64Array(maxParticles);
    const VX = new Float64Array(maxParticles);
    const VY = new Float64Array(maxParticles);
    const AGE = new Float64Array(maxParticles);
    const LIFE = new Float64Array(maxParticles);
    const HEAT = new Float64Array(maxParticles);
    const SIZE = new Float64Array(maxParticles);
    const spawn: SpawnValues = { x: 0, y: 0, vx: 0, vy: 0, life: 0 };
    let count = 0;
    // A fractional-range sum in a closure variable would be re-boxed every frame.
    const checksum = new Float64Array(1);
    return {
      frame(dt: number, frameIndex: number): void {
        const n = spawnCount(count, maxParticles);
        for (let k = 0; k < n; k++) {
          spawnValues(rng, frameIndex, spawn);
          X[count] = spawn.x;
          Y[count] = spawn.y;
          VX[count] = spawn.vx;
          VY[count] = spawn.vy;
          AGE[count] = 0;
          LIFE[count] = spawn.life;
          HEAT[count] = 1;
          SIZE[count] = BASE_SIZE;
          count++;
        }
        const damp = 1 - DRAG * dt;
        let sum = 0;
        let i = 0;
        while (i < count) {
          let vx = VX[i] * damp;
          let vy = (VY[i] + GRAVITY * dt) * damp;
          let x = X[i] + vx * dt;
          let y = Y[i] + vy * dt;
          if (x < 0) {
            x = -x;
            vx = -vx * BOUNCE;
          } else if (x > WIDTH) {
            x = 2 * WIDTH - x;
            vx = -vx * BOUNCE;
          }
          if (y > HEIGHT) {
            y = 2 * HEIGHT - y;
            vy = -vy * BOUNCE;
            vx *= FLOOR_FRICTION;
          }
          const age = AGE[i] + dt;
          const heat = HEAT[i] * HEAT_DECAY;
          if (age >= LIFE[i]) {
            const last = --count;
            X[i] = X[last];
            Y[i] = Y[last];
            VX[i] = VX[last];
            VY[i] = VY[last];
            AGE[i] = AGE[last];
            LIFE[i] = LIFE[last];
            HEAT[i] = HEAT[last];
            SIZE[i] = SIZE[last];
            continue;
          }
          X[i] = x;
          Y[i] = y;
          VX[i] = vx;
          VY[i] = vy;
          AGE[i] = age;
          HEAT[i] = heat;
          SIZE[i] = BASE_SIZE + GROWTH * age;
          sum += quantize(x, y, heat);
          i++;
        }
        checksum[0] += sum;
      },
      alive: () => count,
      checksum: () => checksum[0],
      arenaBytes: () => 8 * 8 * maxParticles,
    };
  },
};

// ---------------------------------------------------------------------------------------------
// arenakit: the particles live in a ring of two frame arenas (double buffering). Each frame reads
// last frame's records and writes the survivors into a fresh arena; the arena of two frames ago
// is reset by beginFrame(), so death needs no swap-remove and nothing is freed one by one.
// Fields are f64 so every number is bit-identical to the plain-object variant.

/** The demo particle as an arenakit schema (f64 fields: same arithmetic as JS numbers). */
export const DemoParticle: StructSchema<{
  life: NumberSchema<"f64">;
  age: NumberSchema<"f64">;
  x: NumberSchema<"f64">;
  y: NumberSchema<"f64">;
  vx: NumberSchema<"f64">;
  vy: NumberSchema<"f64">;
  heat: NumberSchema<"f64">;
  size: NumberSchema<"f64">;
}> = t.struct({
  // Not in the plain Particle's key order on purpose: V8 would share the hidden-class
  // transitions of the two object literals, and this one holds objects where Particle holds
  // doubles, so Particle's fields would be generalised to boxed numbers (every `p.x += ...`
  // then allocates: 49 instead of 0 scavenges in 600 frames of plain-objects under Deno).
  life: t.f64(),
  age: t.f64(),
  x: t.f64(),
  y: t.f64(),
  vx: t.f64(),
  vy: t.f64(),
  heat: t.f64(),
  size: t.f64(),
}, { name: "DemoParticle" });

/** A view (or cursor) of {@linkcode DemoParticle}. */
type ParticleView = View<typeof DemoParticle>;

/** Arena bytes for one frame of up to `maxParticles` (a little slack for alignment). */
function frameBytes(maxParticles: number): number {
  return maxParticles * layoutOf(DemoParticle).size + 64;
}

// The arenakit loops below have the shape of typedArrays: read the old state into locals, update
// the locals, write the new state once. The update rule is inlined by hand: moved into a helper
// `step(src, dst, dt, damp)` that V8 does not inline, the two double arguments are boxed into
// fresh heap numbers on every call, garbage the storage itself does not make.

/**
 * Particles as one arenakit view each, double-buffered in `FrameArenas({ frames: 2 })`: every
 * frame allocates a new view per survivor (last frame's view is read, the new one written) and
 * spawns with `arena.alloc(P, init)`. The views are kept in two preallocated JS arrays used in
 * turn. The records cost no GC; the view objects do (one per particle per frame).
 *
 * @example Same particles as plain objects
 * ```ts
 * import { arenakitViews, createRng, DT, plainObjects } from "./_demo_variants.ts";
 * const a = plainObjects.setup(200, createRng(3));
 * const b = arenakitViews.setup(200, createRng(3));
 * for (let f = 0; f < 300; f++) { a.frame(DT, f); b.frame(DT, f); }
 * if (a.checksum() !== b.checksum() || a.alive() !== b.alive()) throw new Error("diverged");
 * ```
 */
export const arenakitViews: DemoVariant = {
  name: "arenakit-views",
  description:
    "arenakit: a view per particle per frame in FrameArenas({ frames: 2 }), alloc(P, init)",
  setup(maxParticles: number, rng: Rng): DemoSim {
    const ring = new FrameArenas({ bytes: frameBytes(maxParticles), frames: 2 });
    // Filling with a real view keeps both arrays packed and of one element kind.
    const filler = new Arena({ bytes: 256 }).alloc(DemoParticle);
    const lists: ParticleView[][] = [
      new Array<ParticleView>(maxParticles).fill(filler),
      new Array<ParticleView>(maxParticles).fill(filler),
    ];
    let side = 0;
    let count = 0;
    const spawn: SpawnValues = { x: 0, y: 0, vx: 0, vy: 0, life: 0 };
    const init = { x: 0, y: 0, vx: 0, vy: 0, age: 0, life: 0, heat: 1, size: BASE_SIZE };
    const checksum = new Float64Array(1);
    return {
      frame(dt: number, frameIndex: number): void {
        const arena = ring.beginFrame();
        const prev = lists[side];
        const prevCount = count;
        side ^= 1;
        const next = lists[side];
        const spawns = spawnCount(prevCount, maxParticles);
        const damp = 1 - DRAG * dt;
        let n = 0;
        let sum = 0;
        for (let i = 0; i < prevCount + spawns; i++) {
          let x, y, vx, vy, age, life, heat, q: ParticleView;
          if (i < prevCount) {
            const p = prev[i];
            age = p.age + dt;
            life = p.life;
            // Death only depends on age and life: decide before spending a record on it.
            if (age >= life) continue;
            x = p.x;
            y = p.y;
            vx = p.vx;
            vy = p.vy;
            heat = p.heat;
            q = arena.alloc(DemoParticle);
          } else {
            spawnValues(rng, frameIndex, spawn);
            x = init.x = spawn.x;
            y = init.y = spawn.y;
            vx = init.vx = spawn.vx;
            vy = init.vy = spawn.vy;
            life = init.life = spawn.life;
            heat = 1;
            age = 0 + dt;
            q = arena.alloc(DemoParticle, init);
            if (age >= life) continue;
          }
          vx *= damp;
          vy = (vy + GRAVITY * dt) * damp;
          x += vx * dt;
          y += vy * dt;
          heat *= HEAT_DECAY;
          if (x < 0) {
            x = -x;
            vx = -vx * BOUNCE;
          } else if (x > WIDTH) {
            x = 2 * WIDTH - x;
            vx = -vx * BOUNCE;
          }
          if (y > HEIGHT) {
            y = 2 * HEIGHT - y;
            vy = -vy * BOUNCE;
            vx *= FLOOR_FRICTION;
          }
          q.x = x;
          q.y = y;
          q.vx = vx;
          q.vy = vy;
          q.age = age;
          q.life = life;
          q.heat = heat;
          q.size = BASE_SIZE + GROWTH * age;
          sum += quantize(x, y, heat);
          next[n++] = q;
        }
        count = n;
        checksum[0] += sum;
      },
      alive: () => count,
      checksum: () => checksum[0],
      arenaBytes: () => 2 * frameBytes(maxParticles),
    };
  },
};

/** A cursor of {@linkcode DemoParticle}. */
type ParticleCursor = Cursor<typeof DemoParticle>;

// The per-particle work of the cursor variant: small functions taking only cursors, indices and
// a typed array (dt, damp, the running sum: doubles passed to or returned from a call V8 does
// not inline would be boxed), so the accessors inline into them within V8's budget. They are
// declared once, at module level: closures made anew by each setup() start with no type
// feedback, and V8 then compiles some accessor calls out of line (measured: 629 scavenges in
// 1000 frames of the second simulation a process sets up, against 1 with these).

/** Moves the particle at `src[i]` one step into `dst[j]`; false when it died. */
function advanceParticle(
  k: Float64Array,
  src: ParticleCursor,
  i: number,
  dst: ParticleCursor,
  j: number,
): boolean {
  src.seek(i);
  const dt = k[0];
  const damp = k[1];
  const age = src.age + dt;
  const life = src.life;
  if (age >= life) return false;
  let vx = src.vx * damp;
  let vy = (src.vy + GRAVITY * dt) * damp;
  let x = src.x + vx * dt;
  let y = src.y + vy * dt;
  const heat = src.heat * HEAT_DECAY;
  if (x < 0) {
    x = -x;
    vx = -vx * BOUNCE;
  } else if (x > WIDTH) {
    x = 2 * WIDTH - x;
    vx = -vx * BOUNCE;
  }
  if (y > HEIGHT) {
    y = 2 * HEIGHT - y;
    vy = -vy * BOUNCE;
    vx *= FLOOR_FRICTION;
  }
  dst.seek(j);
  dst.x = x;
  dst.y = y;
  dst.vx = vx;
  dst.vy = vy;
  dst.age = age;
  dst.life = life;
  dst.heat = heat;
  dst.size = BASE_SIZE + GROWTH * age;
  k[2] += quantize(x, y, heat);
  return true;
}

/** Writes the new particle `spawn` into `dst[j]` (advanced like the others afterwards). */
function spawnParticle(spawn: SpawnValues, dst: ParticleCursor, j: number): void {
  dst.seek(j);
  dst.x = spawn.x;
  dst.y = spawn.y;
  dst.vx = spawn.vx;
  dst.vy = spawn.vy;
  dst.age = 0;
  dst.life = spawn.life;
  dst.heat = 1;
}

/** The cursor variant, in checked (default) or unchecked arenas. */
function cursorVariant(checked: boolean): DemoVariant {
  return {
    name: checked ? "arenakit-cursor" : "arenakit-cursor-unchecked",
    description: `arenakit: allocArray per frame in FrameArenas({ frames: 2 }), prev/cur cursors${
      checked ? "" : ", checked: false"
    }`,
    setup(maxParticles: number, rng: Rng): DemoSim {
      const ring = new FrameArenas({ bytes: frameBytes(maxParticles), frames: 2, checked });
      let prev: StructArray<typeof DemoParticle> = ring.beginFrame().allocArray(DemoParticle, 0);
      // The array of two frames ago is dead once its arena turns over: recycle it (no garbage).
      let spare: StructArray<typeof DemoParticle> | undefined;
      let count = 0;
      const spawn: SpawnValues = { x: 0, y: 0, vx: 0, vy: 0, life: 0 };
      // dt, damp and the running sum live in a typed array: doubles passed to or returned from
      // a call that V8 does not inline would be boxed, one heap number per particle.
      const k = new Float64Array(3);
      return {
        frame(dt: number, frameIndex: number): void {
          const arena = ring.beginFrame();
          const prevCount = count;
          const spawns = spawnCount(prevCount, maxParticles);
          const cur = arena.allocArray(DemoParticle, prevCount + spawns, spare);
          const from = prev.cursor();
          const to = cur.cursor();
          k[0] = dt;
          k[1] = 1 - DRAG * dt;
          let n = 0;
          // One call site for advanceParticle(), so V8 inlines it once; spawned particles are written
          // after the survivors and advanced in place, like the others.
          for (let i = 0; i < prevCount + spawns; i++) {
            const spawned = i >= prevCount;
            if (spawned) {
              // Drawn here, as the other variants do, so the random doubles stay in this frame.
              spawnValues(rng, frameIndex, spawn);
              spawnParticle(spawn, to, n);
            }
            if (advanceParticle(k, spawned ? to : from, spawned ? n : i, to, n)) n++;
          }
          count = n;
          spare = prev;
          prev = cur;
        },
        alive: () => count,
        checksum: () => k[2],
        arenaBytes: () => 2 * frameBytes(maxParticles),
      };
    },
  };
}

/**
 * The zero-garbage path: the same double buffering, but each frame takes one
 * `allocArray(P, alive + spawned)` and walks last frame's array and this frame's with two
 * cursors (`seek(i)`), so no object is made per particle.
 *
 * @example Same particles as plain objects
 * ```ts
 * import { arenakitCursor, createRng, DT, plainObjects } from "./_demo_variants.ts";
 * const a = plainObjects.setup(200, createRng(3));
 * const b = arenakitCursor.setup(200, createRng(3));
 * for (let f = 0; f < 300; f++) { a.frame(DT, f); b.frame(DT, f); }
 * if (a.checksum() !== b.checksum() || a.alive() !== b.alive()) throw new Error("diverged");
 * ```
 */
export const arenakitCursor: DemoVariant = cursorVariant(true);

/**
 * {@linkcode arenakitCursor} in unchecked arenas (`checked: false`): no lifetime or value checks
 * in the accessors.
 *
 * @example Same particles as plain objects
 * ```ts
 * import { arenakitCursorUnchecked, createRng, DT, plainObjects } from "./_demo_variants.ts";
 * const a = plainObjects.setup(200, createRng(3));
 * const b = arenakitCursorUnchecked.setup(200, createRng(3));
 * for (let f = 0; f < 300; f++) { a.frame(DT, f); b.frame(DT, f); }
 * if (a.checksum() !== b.checksum() || a.alive() !== b.alive()) throw new Error("diverged");
 * ```
 */
export const arenakitCursorUnchecked: DemoVariant = cursorVariant(false);

/** The eight columns of a particle array, in {@linkcode DemoParticle} field order. */
interface ParticleColumns {
  x: Float64Array;
  y: Float64Array;
  vx: Float64Array;
  vy: Float64Array;
  age: Float64Array;
  life: Float64Array;
  heat: Float64Array;
  size: Float64Array;
  stride: number;
}

function columnsOf(a: StructArray<typeof DemoParticle>, out: ParticleColumns): ParticleColumns {
  const x = a.column<Float64Array>("x");
  out.stride = x.stride;
  out.x = x.array;
  out.y = a.column<Float64Array>("y").array;
  out.vx = a.column<Float64Array>("vx").array;
  out.vy = a.column<Float64Array>("vy").array;
  out.age = a.column<Float64Array>("age").array;
  out.life = a.column<Float64Array>("life").array;
  out.heat = a.column<Float64Array>("heat").array;
  out.size = a.column<Float64Array>("size").array;
  return out;
}

/**
 * Like {@linkcode arenakitCursor}, but the loop indexes the arena's Float64Array directly through
 * `column()` (one Float64Array per field, one index per record): no accessor calls at all.
 *
 * @example Same particles as plain objects
 * ```ts
 * import { arenakitColumns, createRng, DT, plainObjects } from "./_demo_variants.ts";
 * const a = plainObjects.setup(200, createRng(3));
 * const b = arenakitColumns.setup(200, createRng(3));
 * for (let f = 0; f < 300; f++) { a.frame(DT, f); b.frame(DT, f); }
 * if (a.checksum() !== b.checksum() || a.alive() !== b.alive()) throw new Error("diverged");
 * ```
 */
export const arenakitColumns: DemoVariant = {
  name: "arenakit-columns",
  description:
    "arenakit: allocArray per frame in FrameArenas({ frames: 2 }), column() typed arrays",
  setup(maxParticles: number, rng: Rng): DemoSim {
    const ring = new FrameArenas({ bytes: frameBytes(maxParticles), frames: 2 });
    const none = new Float64Array(0);
    const blank = (): ParticleColumns => ({
      x: none,
      y: none,
      vx: none,
      vy: none,
      age: none,
      life: none,
      heat: none,
      size: none,
      stride: 0,
    });
    // Two column sets used in turn, rewritten in place, and two struct arrays recycled with
    // allocArray(..., reuse): each lands at the start of its arena every other frame, so its
    // columns keep their typed arrays and a frame makes no objects for them.
    const sets = [blank(), blank()];
    const arrays: StructArray<typeof DemoParticle>[] = [];
    let side = 0;
    arrays[side] = ring.beginFrame().allocArray(DemoParticle, 0);
    columnsOf(arrays[side], sets[side]);
    let count = 0;
    const spawn: SpawnValues = { x: 0, y: 0, vx: 0, vy: 0, life: 0 };
    const checksum = new Float64Array(1);
    return {
      frame(dt: number, frameIndex: number): void {
        const arena = ring.beginFrame();
        const prevCount = count;
        const spawns = spawnCount(prevCount, maxParticles);
        const p = sets[side];
        side ^= 1;
        arrays[side] = arena.allocArray(DemoParticle, prevCount + spawns, arrays[side]);
        const c = columnsOf(arrays[side], sets[side]);
        const ps = p.stride;
        const cs = c.stride;
        const damp = 1 - DRAG * dt;
        let n = 0;
        let sum = 0;
        for (let i = 0; i < prevCount + spawns; i++) {
          let x, y, vx, vy, age, life, heat;
          const o = n * cs;
          if (i < prevCount) {
            const s = i * ps;
            age = p.age[s] + dt;
            life = p.life[s];
            if (age >= life) continue;
            x = p.x[s];
            y = p.y[s];
            vx = p.vx[s];
            vy = p.vy[s];
            heat = p.heat[s];
          } else {
            spawnValues(rng, frameIndex, spawn);
            x = spawn.x;
            y = spawn.y;
            vx = spawn.vx;
            vy = spawn.vy;
            life = spawn.life;
            age = 0 + dt;
            heat = 1;
            if (age >= life) continue;
          }
          vx *= damp;
          vy = (vy + GRAVITY * dt) * damp;
          x += vx * dt;
          y += vy * dt;
          heat *= HEAT_DECAY;
          if (x < 0) {
            x = -x;
            vx = -vx * BOUNCE;
          } else if (x > WIDTH) {
            x = 2 * WIDTH - x;
            vx = -vx * BOUNCE;
          }
          if (y > HEIGHT) {
            y = 2 * HEIGHT - y;
            vy = -vy * BOUNCE;
            vx *= FLOOR_FRICTION;
          }
          c.x[o] = x;
          c.y[o] = y;
          c.vx[o] = vx;
          c.vy[o] = vy;
          c.age[o] = age;
          c.life[o] = life;
          c.heat[o] = heat;
          c.size[o] = BASE_SIZE + GROWTH * age;
          sum += quantize(x, y, heat);
          n++;
        }
        count = n;
        checksum[0] += sum;
      },
      alive: () => count,
      checksum: () => checksum[0],
      arenaBytes: () => 2 * frameBytes(maxParticles),
    };
  },
};

/**
 * Every variant the demo knows, baseline (plain objects) first.
 *
 * @example List the variants
 * ```ts
 * import { DEMO_VARIANTS } from "./_demo_variants.ts";
 * if (DEMO_VARIANTS[0].name !== "plain-objects") throw new Error();
 * ```
 */
export const DEMO_VARIANTS: readonly DemoVariant[] = [
  plainObjects,
  typedArrays,
  arenakitViews,
  arenakitCursor,
  arenakitCursorUnchecked,
  arenakitColumns,
];
