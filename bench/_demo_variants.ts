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
 * @module
 */

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
// ARENAKIT VARIANTS GO HERE (added by the lead once lib/ lands):
//   - views over a FrameArena (one generated accessor view per particle, reset per frame)
//   - zero-garbage cursor / column access over one arena
// Follow the rules in the module doc; store f64 fields so checksums match bit for bit, or set a
// tolerance in bench/demo.ts if a variant must use f32. Then add the variant to DEMO_VARIANTS.
// ---------------------------------------------------------------------------------------------

/**
 * Every variant the demo knows, baseline (plain objects) first.
 *
 * @example List the variants
 * ```ts
 * import { DEMO_VARIANTS } from "./_demo_variants.ts";
 * if (DEMO_VARIANTS[0].name !== "plain-objects") throw new Error();
 * ```
 */
export const DEMO_VARIANTS: readonly DemoVariant[] = [plainObjects, typedArrays];
