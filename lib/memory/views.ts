/**
 * Where a view's bytes are: its buffer and byte offset, for handing a record to FFI, WebGPU or a
 * worker without a copy.
 *
 * @module
 */
import type { Arena } from "./arena.ts";
import type { ArenaClasses } from "./classes.ts";
import type { Chunks } from "./chunks.ts";
import type { ViewClass } from "../codegen/compile.ts";
import type { ViewInternals } from "../codegen/runtime.ts";
import { show } from "../_text.ts";
import { LayoutError } from "../errors.ts";
import type { StructSchema } from "../../schemas/types.ts";

function internals(view: unknown, what: string): ViewInternals {
  if (typeof view !== "object" || view === null || !("$m" in view)) {
    throw new TypeError(`Cannot take the ${what} of ${show(view)}: expected an arenakit view`);
  }
  const v = view as ViewInternals;
  // A "soa" table's memory is its columns object: one typed array per field, no one buffer.
  if (v.$m.buffer === undefined) {
    throw new LayoutError(
      `take the ${what} of a "soa" table record`,
      "soa",
      `its fields live in separate columns (use Table.column(), or a table of layout "aos")`,
    );
  }
  return v;
}

/**
 * The struct schema of a view of a `"soa"` table record, or undefined for any other view. Throws
 * {@linkcode LayoutError} for a nested vector of such a record (it has no struct to copy into).
 */
export function soaSchemaOf(view: ViewInternals): StructSchema | undefined {
  if (view.$m.buffer !== undefined) return undefined;
  const plan = (view.constructor as unknown as {
    plan: { nodes: readonly { name: string; schema: { kind: string } }[] };
  }).plan;
  const node = plan.nodes.find((n) => n.name === view.constructor.name);
  if (node === undefined || node.schema.kind !== "struct") {
    throw new LayoutError(
      `copy a vector of a "soa" table record`,
      "soa",
      "copy the record, or its values with toObject()",
    );
  }
  return node.schema as StructSchema;
}

/**
 * The buffer a view's bytes live in (an arena chunk or a table's storage), for handing them to
 * FFI, WebGPU or a worker.
 *
 * Lifetimes: the buffer outlives the view. After this call, a checked arena's `reset()` moves
 * the chunk's bytes to a new buffer, leaving this one detached (`byteLength` 0); an unchecked or
 * shared arena's buffer lives on, its bytes belonging to new allocations. Ask again after a
 * reset.
 *
 * @example Read a field with a DataView
 * ```ts
 * import { Arena, bufferOf, layoutOf, offsetOf, t } from "@arenakit/core";
 * import assert from "node:assert/strict";
 * const P = t.struct({ id: t.u32(), life: t.f32() });
 * const arena = new Arena({ bytes: 64 });
 * const p = arena.alloc(P, { life: 1.5 });
 * const life = layoutOf(P).fields[1].offset;
 * assert.equal(new DataView(bufferOf(p)).getFloat32(offsetOf(p) + life, true), 1.5);
 * ```
 */
export function bufferOf(view: object): ArrayBuffer | SharedArrayBuffer {
  const m = internals(view, "buffer").$m;
  m.raw = true;
  return m.buffer;
}

/**
 * The byte offset of a view's record in {@linkcode bufferOf}`(view)`; field `f` is at
 * `offsetOf(view) + layoutOf(S).fields[f].offset`.
 *
 * @example Where a record starts
 * ```ts
 * import { Arena, offsetOf, t } from "@arenakit/core";
 * import assert from "node:assert/strict";
 * const arena = new Arena({ bytes: 64 });
 * const P = t.struct({ v: t.f64() });
 * arena.alloc(P);
 * assert.equal(offsetOf(arena.alloc(P)), 8);
 * ```
 */
export function offsetOf(view: object): number {
  return internals(view, "offset").$o;
}

/**
 * Copies the record of `view` into `arena` (its classes and chunks given) and returns the new
 * view. A "soa" table record has no bytes in one place: its values are copied into the AoS
 * layout.
 */
export function copyRecord(
  view: object,
  arena: Arena,
  classes: ArenaClasses,
  chunks: Chunks,
): object {
  const src = view as unknown as ViewInternals & { toObject(): unknown };
  if (typeof src !== "object" || src === null || !("$m" in src)) {
    throw new TypeError("Cannot copy: expected a view made by an arena or table");
  }
  // toObject() also checks that the source is still live.
  const values = src.toObject();
  const soa = soaSchemaOf(src);
  if (soa !== undefined) return arena.alloc(soa, values as never);
  const plan = (src.constructor as ViewClass).plan;
  const C = classes.like(plan);
  const o = chunks.bump(plan.size, plan.align, false);
  const m = chunks.memFor(o);
  m.u8.set(new Uint8Array(src.$m.buffer, src.$o, plan.size), o);
  return new C(arena, m, o, arena.state.g, "");
}
