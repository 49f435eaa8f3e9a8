/**
 * Struct-of-arrays table storage: one typed array per leaf field (`pos.x`, `pos.y`, …), the
 * fastest for loops that touch a few fields of many records.
 *
 * @module
 */
import type { StructSchema } from "../../schemas/types.ts";
import { soaViewClass } from "../codegen/compile.ts";
import type { SoaMem, SoaPlan, SoaViewClass } from "../codegen/soa_plan.ts";
import { ARRAY_OF, type Column } from "../memory/struct_array.ts";
import { bufferFor } from "./shared.ts";
import type { StorageInit, TableStorage, TableView, TableViewClass } from "./storage.ts";

type Ctor = { new (n: number): ArrayBufferView; readonly BYTES_PER_ELEMENT: number };

function ctorOf(name: string): Ctor {
  return (globalThis as unknown as Record<string, Ctor>)[name];
}

type BufferCtor = { new (b: ArrayBufferLike): ArrayBufferView; readonly BYTES_PER_ELEMENT: number };

function soaMem(
  plan: SoaPlan,
  capacity: number,
  shared = false,
  from?: readonly ArrayBufferLike[],
): SoaMem {
  // Same member order for every table of a schema, so the columns object has one shape.
  const m: Record<string, unknown> = { start: 0 };
  if (from !== undefined && from.length !== plan.columns.length) {
    throw new TypeError(
      `Cannot open Table: not a table handle (column 0 has no place: the handle has ` +
        `${from.length} columns, the schema ${plan.columns.length})`,
    );
  }
  for (const c of plan.columns) {
    const Ctor = ctorOf(c.ctor) as unknown as BufferCtor;
    const bytes = capacity * c.width * Ctor.BYTES_PER_ELEMENT;
    m[`c${c.index}`] = new Ctor(bufferFor(bytes, shared, from?.[c.index], `column ${c.index} has`));
  }
  return m as unknown as SoaMem;
}

/** One typed array per leaf field, `capacity * width` elements each; a view's `$o` is its slot. */
export class SoaStorage implements TableStorage {
  readonly layout = "soa";
  readonly C: TableViewClass;
  readonly stride = 1;
  readonly recordBytes: number;
  readonly checked: boolean;
  mem: SoaMem;
  readonly dead: SoaMem;
  readonly tree = true;
  readonly #C: SoaViewClass;
  readonly #plan: SoaPlan;
  /** Bytes per record of each column, in plan order. */
  readonly #widths: number[];

  constructor(schema: StructSchema, init: StorageInit) {
    const { capacity, checked, jitless, shared, from } = init;
    const C = soaViewClass(schema, checked, jitless);
    this.#C = C;
    this.checked = checked;
    this.#plan = C.plan;
    this.C = C as unknown as TableViewClass;
    this.#widths = C.plan.columns.map((c) => c.width * ctorOf(c.ctor).BYTES_PER_ELEMENT);
    this.recordBytes = this.#widths.reduce((n, w) => n + w, 0);
    this.mem = soaMem(C.plan, capacity, shared, from);
    this.dead = soaMem(C.plan, 0);
  }

  buffers(): ArrayBufferLike[] {
    return this.#plan.columns.map((c) => (this.mem[`c${c.index}`] as ArrayBufferView).buffer);
  }

  zero(slot: number): void {
    this.#C.$z(this.mem, slot);
  }

  commit(slot: number, staged: unknown): void {
    this.#C.$wr(this.mem, slot, staged);
  }

  grow(capacity: number): void {
    const mem = soaMem(this.#plan, capacity);
    for (const c of this.#plan.columns) {
      (mem[`c${c.index}`] as Uint8Array).set(this.mem[`c${c.index}`] as Uint8Array);
    }
    this.mem = mem;
  }

  byteLengths(n: number): number[] {
    return this.#widths.map((w) => n * w);
  }

  byteViews(n: number): Uint8Array[] {
    return this.#plan.columns.map((c) => {
      const a = this.mem[`c${c.index}`] as ArrayBufferView;
      return new Uint8Array(a.buffer, a.byteOffset, n * this.#widths[c.index]);
    });
  }

  fields(): Record<string, ArrayBufferView> {
    const out: Record<string, ArrayBufferView> = {};
    for (const c of this.#plan.columns) {
      if (c.width === 1 && c.schema.kind in ARRAY_OF) {
        out[c.path] = this.mem[`c${c.index}`] as ArrayBufferView;
      }
    }
    return Object.freeze(out);
  }

  column(path: string, length: number): Column<unknown> {
    const plan = this.#plan;
    const c = plan.columns.find((x) => x.path === path);
    if (c === undefined) {
      throw new RangeError(`Cannot find column "${path}": ${plan.name} has no such field`);
    }
    if (c.width !== 1 || !(c.schema.kind in ARRAY_OF)) {
      throw new RangeError(`Cannot make a column of "${path}": it is not a number field`);
    }
    return { array: this.mem[`c${c.index}`], index: 0, stride: 1, length };
  }

  walk(c: TableView, fn: (v: TableView) => void): void {
    const nodes = this.#plan.nodes;
    const visit = (v: TableView, k: number): void => {
      fn(v);
      for (const f of nodes[k].fields) {
        const a = f.access;
        if (a.how !== "child") continue;
        const r = v as unknown as Record<string, TableView | undefined>;
        // The getter makes a missing child (it never checks or throws).
        visit(r[`$c${f.fieldIndex}`] ?? r[f.name]!, a.node);
      }
    };
    visit(c, 0);
  }
}
