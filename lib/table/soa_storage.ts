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
import { StaleViewError } from "../errors.ts";
import { RecordTraps, StorageLifetimes } from "./traps.ts";
import type { ArenaState } from "../codegen/runtime.ts";
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
  // Last, so that the copies views read (see SoaStorage.memAt) have the same shape.
  m.live = true;
  return m as unknown as SoaMem;
}

/** A copy of the columns object `m` (same members), for one record's views or one cursor. */
function copyMem(m: SoaMem): SoaMem {
  // A spread clones in one step, and every copy of one storage gets the same shape.
  return { ...m, live: true };
}

/**
 * The stand-in for every column of a freed record's copy: any element read or write, any method
 * or property, throws {@linkcode StaleViewError} naming the field and its struct.
 */
function staleColumn(path: string, struct: string, state: ArenaState): object {
  const fail = (): never => {
    throw new StaleViewError(path, -1, state.g, struct);
  };
  return new Proxy({}, {
    get: fail,
    set: fail,
    has: fail,
    ownKeys: fail,
    getOwnPropertyDescriptor: fail,
    defineProperty: fail,
    deleteProperty: fail,
  });
}

/** One typed array per leaf field, `capacity * width` elements each; a view's `$o` is its slot. */
export class SoaStorage extends StorageLifetimes<SoaMem> implements TableStorage {
  readonly layout = "soa";
  readonly C: TableViewClass;
  readonly Cursor: TableViewClass;
  readonly stride = 1;
  readonly recordBytes: number;
  readonly checked: boolean;
  mem: SoaMem;
  readonly dead: SoaMem;
  /**
   * Whether lifetimes are traps (checked and not shared): views read through a copy of the
   * columns object per record, and a delete swaps that copy's columns for stand-ins that throw,
   * so accessors carry no lifetime test at all. A shared table's deletes come from any thread,
   * so it keeps the generation test.
   */
  readonly trap: boolean;
  #stale: object[] | undefined;
  readonly #keys: string[];
  readonly #C: SoaViewClass;
  readonly #plan: SoaPlan;
  /** Bytes per record of each column, in plan order. */
  readonly #widths: number[];
  protected readonly flat: boolean;

  constructor(schema: StructSchema, init: StorageInit) {
    super();
    const { capacity, checked, jitless, shared, from } = init;
    this.trap = checked && !shared;
    // A trap table's views need no lifetime test: they are those of an unchecked one.
    const C = soaViewClass(schema, checked && !this.trap, jitless);
    this.Cursor = soaViewClass(schema, checked && !this.trap, jitless, true) as never;
    this.#C = C;
    this.checked = checked;
    this.#plan = C.plan;
    this.flat = C.plan.nodes.length === 1;
    this.C = C as unknown as TableViewClass;
    this.#widths = C.plan.columns.map((c) => c.width * ctorOf(c.ctor).BYTES_PER_ELEMENT);
    this.recordBytes = this.#widths.reduce((n, w) => n + w, 0);
    this.mem = soaMem(C.plan, capacity, shared, from);
    this.dead = soaMem(C.plan, 0);
    this.#keys = C.plan.columns.map((c) => `c${c.index}`);
    this.traps = this.trap
      ? new RecordTraps<SoaMem>({
        copy: () => copyMem(this.mem),
        kill: (m) => this.#kill(m),
        point: (c, m) => this.point(c, m),
        gen: () => this.state.g,
        stride: 1,
        lent: this.lent,
      })
      : undefined;
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

  reads(m: unknown): boolean {
    if (!this.trap) return m === this.mem;
    // A copy of the current columns (any column will do: a growth replaces them all).
    const c = m as SoaMem | undefined;
    return c?.live === true && c.c0 === this.mem.c0;
  }

  #kill(m: SoaMem): void {
    if (m.live === false) return;
    const plan = this.#plan;
    if (this.#stale === undefined) {
      const owner = new Map<number, string>();
      for (const n of plan.nodes) {
        for (const f of n.fields) if (f.access.how !== "child") owner.set(f.access.col, n.name);
      }
      this.#stale = plan.columns.map((c) => staleColumn(c.path, owner.get(c.index)!, this.state));
    }
    const w = m as unknown as Record<string, unknown>;
    const stale = this.#stale;
    const keys = this.#keys;
    for (let i = 0; i < keys.length; i++) w[keys[i]] = stale[i];
    w.live = false;
  }
}
