/**
 * Array-of-structs table storage: records back to back in one buffer, in the schema's own
 * layout (C, packed or WGSL), ready for FFI or a GPU upload.
 *
 * @module
 */
import { layoutOf } from "../../schemas/layout.ts";
import type { StructSchema } from "../../schemas/types.ts";
import { deadMem, epochOf, type EpochOwner, killMem, type Mem, memOf } from "../values/codec.ts";
import { RecordTraps, StorageLifetimes } from "./traps.ts";
import { type ViewClass, viewClass } from "../codegen/compile.ts";
import { aosColumn, type Column } from "../memory/struct_array.ts";
import { bufferFor } from "./shared.ts";
import type { StorageInit, TableStorage, TableView, TableViewClass } from "./storage.ts";
import { LayoutError } from "../errors.ts";

// A table never revives a killed copy: it kills one only when its record ends.
const NO_REVIVAL: EpochOwner = {
  revive(): Mem {
    throw new TypeError("a table record's copy is never revived");
  },
};

/** One buffer of `capacity * stride` bytes; a view's table address is its byte offset. */
export class AosStorage extends StorageLifetimes<Mem> implements TableStorage {
  readonly layout = "aos";
  readonly C: TableViewClass;
  readonly Cursor: TableViewClass;
  readonly stride: number;
  readonly recordBytes: number;
  readonly checked: boolean;
  mem: Mem;
  // Not live, so the setters' slow paths drop a write instead of reaching a DataView of no bytes.
  readonly dead: Mem = deadMem();
  /** Whether lifetimes are traps (checked and not shared): see {@linkcode RecordTraps}. */
  readonly trap: boolean;
  readonly #C: ViewClass;
  protected readonly flat: boolean;

  constructor(schema: StructSchema, init: StorageInit) {
    super();
    const { capacity, checked, jitless, shared, from } = init;
    const l = layoutOf(schema);
    this.trap = checked && !shared;
    // The trap classes of checked arenas: reads fold a dead copy's undefined into the error.
    const key = { schema, mode: l.mode, baseAlign: l.align, checked, trap: this.trap };
    const C = viewClass(key, jitless);
    // Loop cursors: nested views made with them and moved by $at, so reaching one stores nothing.
    this.Cursor = viewClass({ ...key, cursor: true }, jitless) as unknown as TableViewClass;
    this.#C = C;
    this.flat = !C.plan.fields.some((f) => f.access.how === "child");
    this.checked = checked;
    this.C = C as unknown as TableViewClass;
    this.stride = C.plan.size;
    this.recordBytes = C.plan.size;
    const buffer = bufferFor(capacity * this.stride, shared, from?.[0], "its records have");
    this.mem = memOf(buffer as ArrayBuffer, 0);
    this.traps = this.trap
      ? new RecordTraps<Mem>({
        copy: () => epochOf(this.mem, NO_REVIVAL, this.state.g),
        kill: (m) => {
          killMem(m);
          // Never live again: a freed record's copy is not revived, whatever its address holds.
          (m as { gen: number }).gen = -1;
        },
        point: (c, m) => this.point(c, m),
        gen: () => this.state.g,
        stride: this.stride,
        lent: this.lent,
      })
      : undefined;
  }

  buffers(): ArrayBufferLike[] {
    return [this.mem.buffer];
  }

  zero(slot: number): void {
    // Every byte, padding included (the stride is the record's size): snapshots and uploads of
    // the buffer carry nothing of the slot's earlier records. The class zeroes small records with
    // word stores, which beats a fill() call on the create path.
    this.#C.$z(this.mem, slot * this.stride);
  }

  commit(slot: number, staged: unknown): void {
    this.#C.$wr(this.mem, slot * this.stride, staged);
  }

  grow(capacity: number): void {
    const mem = memOf(new ArrayBuffer(capacity * this.stride), 0);
    mem.u8.set(this.mem.u8);
    this.mem = mem;
  }

  byteLengths(n: number): number[] {
    return [n * this.stride];
  }

  byteViews(n: number): Uint8Array[] {
    return [this.mem.u8.subarray(0, n * this.stride)];
  }

  fields(): Record<string, ArrayBufferView> {
    throw new LayoutError(
      `take the fields of an "aos" table`,
      "aos",
      `its records are interleaved in one buffer: use column(path), indexed by slot * stride`,
    );
  }

  column(path: string, length: number): Column<unknown> {
    return aosColumn(this.#C.plan, this.mem, 0, path, length);
  }

  walk(c: TableView, fn: (v: TableView) => void): void {
    // The nested views a view has made (all of them, in generated classes) move and end with it.
    fn(c);
    const plan = (c.constructor as ViewClass).plan;
    for (const f of plan.fields) {
      if (f.access.how !== "child") continue;
      const child = (c as unknown as Record<string, TableView | undefined>)[`$c${f.fieldIndex}`];
      if (child !== undefined) this.walk(child, fn);
    }
  }

  reads(m: unknown): boolean {
    if (this.traps === undefined) return m === this.mem;
    const c = m as Mem | undefined;
    return c?.live === true && c.buffer === this.mem.buffer;
  }
}
