/**
 * The record of the accessors suite (`bench/accessors.bench.ts`) and of `bench/constants.ts`:
 * its schema, the same record as a plain object, and the values of record `i`.
 *
 * @module
 */
import { type NumberSchema, type StructSchema, t } from "../mod.ts";

/** The record: five f32 fields (20 bytes). */
export const P: StructSchema<{
  life: NumberSchema<"f32">;
  x: NumberSchema<"f32">;
  y: NumberSchema<"f32">;
  vx: NumberSchema<"f32">;
  vy: NumberSchema<"f32">;
}> = t.struct({
  // `life` first on purpose: a schema literal with the plain records' key order would share
  // their hidden-class transitions and make V8 box the plain records' doubles.
  life: t.f32(),
  x: t.f32(),
  y: t.f32(),
  vx: t.f32(),
  vy: t.f32(),
}, { name: "BenchP" });

/** The record as a plain object. */
export interface Rec {
  /** Position. */
  x: number;
  /** Position. */
  y: number;
  /** Velocity. */
  vx: number;
  /** Velocity. */
  vy: number;
  /** Seconds left. */
  life: number;
}

/**
 * The values of record `i`, as a new object. Fractional on purpose: V8 keeps small integers as
 * Smis, which flatters plain objects.
 */
export const value = (i: number): Rec => ({
  x: i * 0.5 + 0.25,
  y: i * 0.25 + 0.125,
  vx: 1.5 - i * 0.001,
  vy: -0.75 + i * 0.002,
  life: 2.5 + i * 0.0005,
});
