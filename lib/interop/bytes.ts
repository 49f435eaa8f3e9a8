/**
 * Where records' bytes are, for handing them to `GPUQueue.writeBuffer` or a C pointer without a
 * copy, and views over bytes someone else filled (a mapped GPU buffer, C memory).
 *
 * @module
 */
import { layoutOf } from "../../schemas/layout.ts";
import type { StructSchema, ViewOf } from "../../schemas/types.ts";
import { type Mem, memOf } from "../values/codec.ts";
import { type ArenaState, helpers, type ViewInternals } from "../codegen/runtime.ts";
import { type ViewClass, viewClass } from "../codegen/compile.ts";
import { StructArray } from "../memory/struct_array.ts";
import { Table } from "../table/table.ts";

/** A byte range in a buffer: what `writeBuffer(gpuBuffer, 0, buffer, byteOffset, byteLength)` takes. */
export interface ByteRange {
  /** The buffer the bytes live in (an arena chunk or a table's storage). */
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  /** Where the first record starts in `buffer`. */
  readonly byteOffset: number;
  /** Bytes of all records, their trailing padding included. */
  readonly byteLength: number;
}

type ViewLike = ViewInternals & { constructor: { plan?: { size: number } } };

/**
 * The exact bytes of a struct view, a {@linkcode StructArray} or an `"aos"` {@linkcode Table}
 * (slots `[0, table.slots)`), without copying: pass them to
 * `queue.writeBuffer(gpuBuffer, 0, r.buffer, r.byteOffset, r.byteLength)` or, in Deno, to an FFI
 * `"buffer"` parameter as `new Uint8Array(r.buffer, r.byteOffset, r.byteLength)`. Records are
 * `stride` bytes apart, which for WGSL layouts is WGSL's array stride, so a struct array is an
 * `array<S>` as the shader declares it (see `wgslOf`).
 *
 * Lifetimes: the range describes memory, not a copy: after the arena is reset (or the table
 * grows) it holds other records. Upload before that. A stale view or struct array throws
 * `StaleViewError` in checked mode. `writeBuffer` wants a `byteLength` that is a multiple of 4:
 * WGSL layouts always are; C layouts may not be.
 *
 * @example Upload a struct array
 * ```ts
 * import { Arena, byteRangeOf, t } from "@arenakit/core";
 * import assert from "node:assert/strict";
 * const P = t.struct({ pos: t.vec3f(), life: t.f32() }, { layout: "wgsl" });
 * const arena = new Arena({ bytes: 1024 });
 * arena.alloc(t.struct({ tick: t.u32() }));
 * const ps = arena.allocArray(P, 3);
 * const r = byteRangeOf(ps);
 * assert.deepEqual([r.byteOffset, r.byteLength], [16, 48]);
 * // queue.writeBuffer(gpuBuffer, 0, r.buffer, r.byteOffset, r.byteLength);
 * ```
 */
export function byteRangeOf(source: object): ByteRange {
  if (source instanceof StructArray) {
    const u8 = source.bytes();
    return { buffer: u8.buffer, byteOffset: u8.byteOffset, byteLength: u8.byteLength };
  }
  if (source instanceof Table) {
    const u8 = source.bytes();
    return { buffer: u8.buffer, byteOffset: u8.byteOffset, byteLength: u8.byteLength };
  }
  const v = source as ViewLike;
  const size = typeof source === "object" && source !== null && "$m" in source
    ? v.constructor.plan?.size
    : undefined;
  if (size === undefined) {
    throw new TypeError(
      `Cannot take the bytes of ${String(source)}: expected a view, StructArray or Table`,
    );
  }
  if (v.$g !== v.$s.g) helpers.stale(v, "bytes");
  return { buffer: v.$m.buffer, byteOffset: v.$o, byteLength: size };
}

/** Options of {@linkcode ExternalMemory}. */
export interface ExternalMemoryOptions {
  /** Check on every access that the memory was not released (default true). */
  checked?: boolean;
  /** Build accessor classes from closures instead of `new Function`. */
  jitless?: boolean;
}

/**
 * Views over bytes arenakit did not allocate: a GPU buffer mapped for reading, memory a C
 * library filled, a file read into an ArrayBuffer. Reading and writing goes through the same
 * generated accessors as arena records, in place, with no copy.
 *
 * Lifetimes: the views read whatever the buffer holds when they are used, and the buffer belongs
 * to its owner. A mapped GPU buffer's ArrayBuffer is detached by `unmap()` (its typed arrays
 * become empty, so views would read `undefined`), and C memory may be freed: call
 * {@linkcode ExternalMemory.release} first. After it, in checked mode, every view, cursor and
 * struct array taken from this object throws `StaleViewError`.
 *
 * @example Read back a mapped buffer (here: bytes filled by hand)
 * ```ts
 * import { ExternalMemory, StaleViewError, t } from "@arenakit/core";
 * import assert from "node:assert/strict";
 * const P = t.struct({ id: t.u32(), life: t.f32() }, { layout: "wgsl" });
 * const bytes = new ArrayBuffer(16); // e.g. readback.getMappedRange()
 * new DataView(bytes).setFloat32(12, 0.5, true);
 * const mem = new ExternalMemory(bytes);
 * const ps = mem.array(P, 2);
 * assert.equal(ps.at(1).life, 0.5);
 * mem.release(); // before readback.unmap()
 * assert.throws(() => ps.at(1).life, StaleViewError);
 * ```
 */
export class ExternalMemory {
  /** The generation cell views check; bumped by `release()`. */
  readonly state: ArenaState = { g: 0 };
  /** The buffer the bytes live in. */
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  /** Where this object's bytes start in `buffer`. */
  readonly byteOffset: number;
  /** How many bytes it covers. */
  readonly byteLength: number;
  /** Whether views check that the memory was not released. */
  readonly checked: boolean;
  /** Whether accessor classes are built without eval. */
  readonly jitless: boolean;
  #mem: Mem;
  #released = false;

  /**
   * Wraps a whole buffer, or the bytes of a typed array or DataView (its `byteOffset` becomes
   * offset 0 of this memory).
   */
  constructor(
    bytes: ArrayBuffer | SharedArrayBuffer | ArrayBufferView,
    options?: ExternalMemoryOptions,
  ) {
    if (ArrayBuffer.isView(bytes)) {
      this.buffer = bytes.buffer;
      this.byteOffset = bytes.byteOffset;
      this.byteLength = bytes.byteLength;
    } else if (
      bytes instanceof ArrayBuffer ||
      (typeof SharedArrayBuffer !== "undefined" && bytes instanceof SharedArrayBuffer)
    ) {
      this.buffer = bytes;
      this.byteOffset = 0;
      this.byteLength = bytes.byteLength;
    } else {
      throw new TypeError(
        `Cannot wrap ${String(bytes)}: expected an ArrayBuffer, SharedArrayBuffer or typed array`,
      );
    }
    this.checked = options?.checked ?? true;
    this.jitless = options?.jitless ?? false;
    this.#mem = memOf(this.buffer, 0);
  }

  /** Whether memory at `pos` is still usable: until `release()`. */
  liveAt(_gen: number, _pos: number): boolean {
    return !this.#released;
  }

  #class(schema: StructSchema, byteOffset: number, count: number): ViewClass {
    if (this.#released) {
      throw new RangeError(`Cannot take views of released memory`);
    }
    const l = layoutOf(schema);
    const need = count * l.size;
    if (
      !(Number.isInteger(byteOffset) && byteOffset >= 0 && byteOffset + need <= this.byteLength)
    ) {
      throw new RangeError(
        `Cannot view ${count} ${schema.name} (${need} bytes) at byte ${String(byteOffset)}: ` +
          `the memory has ${this.byteLength} bytes`,
      );
    }
    if ((this.byteOffset + byteOffset) % l.align !== 0) {
      throw new RangeError(
        `Cannot view ${schema.name} at byte ${this.byteOffset + byteOffset} of its buffer: ` +
          `it must be aligned to ${l.align}`,
      );
    }
    return viewClass(
      { schema, mode: l.mode, baseAlign: l.align, checked: this.checked },
      this.jitless,
    );
  }

  /** A view of one record at `byteOffset` (relative to this memory's start). */
  view<S extends StructSchema>(schema: S, byteOffset = 0): ViewOf<S> {
    const C = this.#class(schema, byteOffset, 1);
    return new C(
      this,
      this.#mem,
      this.byteOffset + byteOffset,
      this.state.g,
      "",
    ) as unknown as ViewOf<S>;
  }

  /**
   * `length` records back to back from `byteOffset` (default: as many as fit after it), as a
   * {@linkcode StructArray} with its cursor and columns.
   */
  array<S extends StructSchema>(schema: S, length?: number, byteOffset = 0): StructArray<S> {
    const n = length ?? Math.floor((this.byteLength - byteOffset) / layoutOf(schema).size);
    if (!(Number.isInteger(n) && n >= 0)) {
      throw new RangeError(`Cannot view ${String(length)} records: expected a count`);
    }
    const C = this.#class(schema, byteOffset, n);
    return new StructArray<S>(this, C, this.#mem, this.byteOffset + byteOffset, n, this.state.g);
  }

  /** Ends this object's use of the buffer: every view taken from it goes stale. */
  release(): void {
    this.#released = true;
    this.state.g++;
  }
}
