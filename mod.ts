/**
 * arenakit: zod-like schemas compiled to fixed C or WGSL struct layouts, bump-allocated in
 * arenas and read in place through generated accessors, so per-frame objects cost no GC.
 *
 * Lifetimes first: a view lives as long as its arena's memory. `reset()` frees everything at
 * once; in checked mode (the default) a view used afterwards throws {@linkcode StaleViewError}
 * instead of reading someone else's bytes.
 *
 * @example Particles in a frame arena
 * ```ts
 * import { Arena, layoutOf, StaleViewError, t } from "@arenakit/core";
 * import assert from "node:assert/strict";
 *
 * const Vec2 = t.struct({ x: t.f32(), y: t.f32() });
 * const Particle = t.struct({
 *   pos: Vec2,
 *   vel: Vec2,
 *   life: t.f32(),
 *   color: t.u32(),
 *   kind: t.enum(["spark", "smoke", "ember"]),
 *   name: t.string(12),
 *   hist: t.array(t.f32(), 4),
 *   alive: t.bool(),
 * }, { name: "Particle" });
 * type Particle = t.Infer<typeof Particle>;
 *
 * const frame = new Arena({ bytes: 1 << 20 });
 * const p = frame.alloc(Particle, { pos: { x: 1.5, y: 2 }, life: 1, kind: "ember" });
 * p.vel.set({ x: 10, y: 0 });
 * p.pos.x += p.vel.x * 0.016;
 * assert.equal(layoutOf(Particle).size, 60);
 * frame.reset();
 * assert.throws(() => p.life, StaleViewError);
 * ```
 *
 * @module
 */
export * as t from "./schemas/t.ts";
export { $infer, $view } from "./schemas/types.ts";
export type {
  ArraySchema,
  ArrayView,
  ArrayViewType,
  BigIntKind,
  BigIntSchema,
  BoolSchema,
  CompoundKeys,
  DeepPartial,
  EnumSchema,
  Fields,
  Infer,
  InferFields,
  LayoutMode,
  MatSchema,
  NumberKind,
  NumberSchema,
  RefSchema,
  ScalarKeys,
  ScalarLike,
  Schema,
  SchemaBase,
  StringSchema,
  StructMethods,
  StructSchema,
  StructView,
  TypedArrayOf,
  VecElement,
  VecSchema,
  VecValue,
  ViewOf,
} from "./schemas/types.ts";
export type { View } from "./schemas/t.ts";
export { type FieldLayout, type Layout, layoutOf } from "./schemas/layout.ts";
export {
  type AccessorClass,
  type ArenaOptions,
  type ArenaScope,
  type ArenaStats,
  type Overflow,
} from "./lib/memory/arena_options.ts";
export { Arena } from "./lib/memory/arena.ts";
export type { ArenaHandle, ArenaHandleChunk } from "./lib/memory/handle.ts";
export { ArenaMark } from "./lib/memory/mark.ts";
export { bufferOf, offsetOf } from "./lib/memory/views.ts";
export { type Column, type Cursor, StructArray } from "./lib/memory/struct_array.ts";
export type { ArenaState } from "./lib/codegen/runtime.ts";
export {
  copyTo,
  FrameArenas,
  type FrameArenasOptions,
  type FrameStats,
} from "./lib/memory/frame_arenas.ts";
export { Pool, type PoolOptions, type PoolStats } from "./lib/memory/pool.ts";
export { Table } from "./lib/table/table.ts";
export { TableColumns } from "./lib/table/columns.ts";
export type { TableHandle } from "./lib/table/handle.ts";
export type { WireSchema } from "./schemas/wire.ts";
export type { CoreBuffers } from "./lib/table/shared.ts";
export {
  MAX_TABLE_CAPACITY,
  type TableGrowth,
  type TableLayout,
  type TableOptions,
  type TableRefs,
} from "./lib/table/options.ts";
export { Query } from "./lib/table/query.ts";
export { canonicalLayout, layoutFingerprint } from "./lib/snapshot/fingerprint.ts";
export { fromJSON, jsonOf } from "./lib/json.ts";
export { SNAPSHOT_VERSION, type SnapshotOptions } from "./lib/snapshot/envelope.ts";
export { wgslOf } from "./lib/interop/wgsl.ts";
export { cHeaderOf, type CHeaderOptions } from "./lib/interop/c_header.ts";
export {
  type ByteRange,
  byteRangeOf,
  ExternalMemory,
  type ExternalMemoryOptions,
} from "./lib/interop/bytes.ts";
export {
  ArenaFullError,
  FieldError,
  FieldRangeError,
  FieldTypeError,
  InvalidIdError,
  InvalidMarkError,
  type InvalidMarkReason,
  LayoutError,
  RefError,
  SchemaError,
  SnapshotError,
  type SnapshotErrorReason,
  StaleViewError,
  SystemError,
  type SystemErrorReason,
  TableFullError,
} from "./lib/errors.ts";
export { type RunOptions, WorkerPool, type WorkerPoolOptions } from "./lib/workers/pool.ts";
export type { SystemContext } from "./lib/workers/worker.ts";
