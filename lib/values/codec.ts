/**
 * Byte codecs shared by generated classes' slow paths, the jitless fallback, struct arrays and
 * snapshots: reading and writing scalars, strings and whole values at an offset.
 *
 * @module
 */
import type { Layout } from "../../schemas/layout.ts";
import { layoutOf, SCALAR_SIZE } from "../../schemas/layout.ts";
import { KINDS } from "../../schemas/kinds.ts";
import type { EnumSchema, LayoutMode, Schema } from "../../schemas/types.ts";
import { join, VEC_KEYS } from "../_text.ts";
import { badScalar } from "./check.ts";
export { join };

/** Typed arrays over one arena chunk, all starting at byte 0 of its buffer. */
export interface Mem {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  readonly u8: Uint8Array;
  readonly i8: Int8Array;
  readonly u16: Uint16Array;
  readonly i16: Int16Array;
  readonly u32: Uint32Array;
  readonly i32: Int32Array;
  readonly f32: Float32Array;
  readonly f64: Float64Array;
  readonly i64: BigInt64Array;
  readonly u64: BigUint64Array;
  readonly dv: DataView;
  /** Position of byte 0 of this chunk in the arena's address space. */
  readonly start: number;
  /** Usable bytes. */
  readonly size: number;
  /**
   * Whether a raw typed array or the buffer itself was handed to a user since the last
   * re-point: a checked arena's reset detaches only such chunks (nothing to detach otherwise).
   */
  raw: boolean;
  /**
   * False once the memory this object stands for was freed: a checked arena hands views an
   * epoch copy of its chunk's `Mem` ({@linkcode epochOf}) and kills it at the cut that frees it
   * ({@linkcode killMem}), so accessors need no generation test.
   */
  readonly live: boolean;
  /** An epoch's maker, which gives a view whose record a cut did not free a live epoch. */
  readonly owner: EpochOwner | undefined;
  /**
   * The arena generation an epoch was made in, which every view reading through it was made in
   * too (a cut splits epochs): lean views read their generation here. -1: never live.
   */
  readonly gen: number;
}

/** What made an epoch `Mem` (an arena's epochs). */
export interface EpochOwner {
  /** A live epoch for the record at arena address `pos` of the chunk starting at `start`. */
  revive(start: number, pos: number): Mem;
}

/** Wraps a buffer in the typed arrays every accessor reads through. */
export function memOf(buffer: ArrayBuffer | SharedArrayBuffer, start: number): Mem {
  // One literal, so every Mem has the same shape with all fields in-object (hot paths read them).
  const n = buffer.byteLength;
  return {
    buffer,
    u8: new Uint8Array(buffer),
    i8: new Int8Array(buffer),
    u16: new Uint16Array(buffer, 0, Math.floor(n / 2)),
    i16: new Int16Array(buffer, 0, Math.floor(n / 2)),
    u32: new Uint32Array(buffer, 0, Math.floor(n / 4)),
    i32: new Int32Array(buffer, 0, Math.floor(n / 4)),
    f32: new Float32Array(buffer, 0, Math.floor(n / 4)),
    f64: new Float64Array(buffer, 0, Math.floor(n / 8)),
    i64: new BigInt64Array(buffer, 0, Math.floor(n / 8)),
    u64: new BigUint64Array(buffer, 0, Math.floor(n / 8)),
    dv: new DataView(buffer),
    start,
    size: n,
    raw: false,
    live: true,
    owner: undefined,
    gen: 0,
  };
}

const EMPTY = memOf(new ArrayBuffer(0), 0);

/**
 * Memory of no bytes that is not live, in generation -1 (never live again): what retired loop
 * cursors point at, so no accessor reaches a record through them, a checked one's trap fires,
 * and an unchecked setter's slow path drops a valid write.
 */
export function deadMem(): Mem {
  const m = memOf(new ArrayBuffer(0), 0);
  killMem(m);
  (m as { gen: number }).gen = -1;
  return m;
}

/**
 * A copy of `base` with the same shape (so accessors stay monomorphic) for the records one arena
 * epoch allocates in that chunk: killing it ends exactly those records.
 */
export function epochOf(base: Mem, owner: EpochOwner, gen: number): Mem {
  return {
    buffer: base.buffer,
    u8: base.u8,
    i8: base.i8,
    u16: base.u16,
    i16: base.i16,
    u32: base.u32,
    i32: base.i32,
    f32: base.f32,
    f64: base.f64,
    i64: base.i64,
    u64: base.u64,
    dv: base.dv,
    start: base.start,
    size: base.size,
    raw: false,
    live: true,
    owner,
    gen,
  };
}

/**
 * Ends an epoch in place: every array becomes a zero-length one of the same type, so a typed-array
 * read through it gives `undefined` (which accessors turn into `StaleViewError`) and nothing can
 * reach the bytes through a view. `start` and `buffer` stay: slow paths can still say where the
 * record was, and `bufferOf` still names the chunk's buffer (documented to outlive views).
 */
export function killMem(m: Mem): void {
  const w = m as { -readonly [K in keyof Mem]: Mem[K] };
  w.u8 = EMPTY.u8;
  w.i8 = EMPTY.i8;
  w.u16 = EMPTY.u16;
  w.i16 = EMPTY.i16;
  w.u32 = EMPTY.u32;
  w.i32 = EMPTY.i32;
  w.f32 = EMPTY.f32;
  w.f64 = EMPTY.f64;
  w.i64 = EMPTY.i64;
  w.u64 = EMPTY.u64;
  w.dv = EMPTY.dv;
  w.size = 0;
  w.live = false;
}

/**
 * Points `m` (in place, so every view holding it follows) at `buffer`, which must have the same
 * size: the other half of `ArrayBuffer.prototype.transfer()`, which detaches every typed array a
 * user kept over the old buffer.
 */
export function rebindMem(m: Mem, buffer: ArrayBuffer | SharedArrayBuffer): void {
  const n = buffer.byteLength;
  const w = m as { -readonly [K in keyof Mem]: Mem[K] };
  w.buffer = buffer;
  w.u8 = new Uint8Array(buffer);
  w.i8 = new Int8Array(buffer);
  w.u16 = new Uint16Array(buffer, 0, Math.floor(n / 2));
  w.i16 = new Int16Array(buffer, 0, Math.floor(n / 2));
  w.u32 = new Uint32Array(buffer, 0, Math.floor(n / 4));
  w.i32 = new Int32Array(buffer, 0, Math.floor(n / 4));
  w.f32 = new Float32Array(buffer, 0, Math.floor(n / 4));
  w.f64 = new Float64Array(buffer, 0, Math.floor(n / 8));
  w.i64 = new BigInt64Array(buffer, 0, Math.floor(n / 8));
  w.u64 = new BigUint64Array(buffer, 0, Math.floor(n / 8));
  w.dv = new DataView(buffer);
  w.size = n;
  w.raw = false;
}

export { SCALAR_SIZE };

const enumMaps = new WeakMap<EnumSchema, Map<string, number>>();
/** Literal → index map of an enum, built once. */
export function enumIndex(schema: EnumSchema): Map<string, number> {
  let m = enumMaps.get(schema);
  if (!m) {
    m = new Map(schema.values.map((v, i) => [v, i]));
    enumMaps.set(schema, m);
  }
  return m;
}

export function isWellFormed(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return false;
  }
  return true;
}

/** UTF-8 byte length of a well-formed string. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Writes a checked string as UTF-8 and zero-fills the rest of its capacity. */
export function writeString(u8: Uint8Array, o: number, cap: number, s: string): void {
  let j = o;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) u8[j++] = c;
    else if (c < 0x800) {
      u8[j++] = 0xc0 | (c >> 6);
      u8[j++] = 0x80 | (c & 63);
    } else if (c >= 0xd800 && c <= 0xdbff) {
      c = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
      u8[j++] = 0xf0 | (c >> 18);
      u8[j++] = 0x80 | ((c >> 12) & 63);
      u8[j++] = 0x80 | ((c >> 6) & 63);
      u8[j++] = 0x80 | (c & 63);
    } else {
      u8[j++] = 0xe0 | (c >> 12);
      u8[j++] = 0x80 | ((c >> 6) & 63);
      u8[j++] = 0x80 | (c & 63);
    }
  }
  u8.fill(0, j, o + cap);
}

const decoder = new TextDecoder();
/** Reads a zero-padded UTF-8 string of capacity `cap`. */
export function readString(u8: Uint8Array, o: number, cap: number): string {
  let end = o;
  let ascii = true;
  const stop = o + cap;
  while (end < stop && u8[end] !== 0) {
    if (u8[end] >= 0x80) ascii = false;
    end++;
  }
  if (ascii) {
    let s = "";
    for (let i = o; i < end; i++) s += String.fromCharCode(u8[i]);
    return s;
  }
  // TextDecoder cannot read SharedArrayBuffer views, so copy those bytes first.
  const bytes = u8.buffer instanceof ArrayBuffer ? u8.subarray(o, end) : u8.slice(o, end);
  return decoder.decode(bytes);
}

type Get = (dv: DataView, o: number) => unknown;
type Set = (dv: DataView, o: number, v: unknown) => void;

// DataView readers and writers of every numeric kind, from the kind registry (little-endian).
const GET: Readonly<Record<string, Get>> = {};
const SET: Readonly<Record<string, Set>> = {};
for (const [kind, info] of Object.entries(KINDS)) {
  const proto = DataView.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  const get = proto[`get${info.dataView}`];
  const set = proto[`set${info.dataView}`];
  (GET as Record<string, Get>)[kind] = (dv, o) => get.call(dv, o, true);
  (SET as Record<string, Set>)[kind] = (dv, o, v) => void set.call(dv, o, v, true);
}

/** Reads one scalar at absolute byte offset `o` (little-endian, any alignment). */
export function readScalar(schema: Schema, m: Mem, o: number): unknown {
  const dv = m.dv;
  const kind = schema.kind;
  switch (kind) {
    case "bool":
      return dv.getUint8(o) !== 0;
    case "enum":
      return schema.values[schema.storage === "u8" ? dv.getUint8(o) : dv.getUint16(o, true)];
    case "string":
      return readString(m.u8, o, schema.maxBytes);
    case "ref": {
      const id = dv.getFloat64(o, true);
      return id === 0 ? null : id;
    }
    case "array":
    case "vec":
    case "mat":
    case "struct":
      throw new TypeError(`Cannot read a ${kind} as a scalar`);
    default:
      return GET[kind](dv, o);
  }
}

/** Writes one already-checked scalar at absolute byte offset `o`. */
export function writeScalar(schema: Schema, m: Mem, o: number, v: unknown): void {
  const dv = m.dv;
  const kind = schema.kind;
  switch (kind) {
    case "bool":
      return dv.setUint8(o, v ? 1 : 0);
    case "enum": {
      const i = enumIndex(schema).get(v as string);
      if (i === undefined) badScalar(schema, v, "?");
      return schema.storage === "u8" ? dv.setUint8(o, i) : dv.setUint16(o, i, true);
    }
    case "string":
      return writeString(m.u8, o, schema.maxBytes, v as string);
    case "ref":
      return dv.setFloat64(o, v === null || v === undefined ? 0 : v as number, true);
    case "array":
    case "vec":
    case "mat":
    case "struct":
      throw new TypeError(`Cannot write a ${kind} as a scalar`);
    default:
      return SET[kind](dv, o, v);
  }
}

/**
 * Writes a checked value of any schema at absolute offset `o` (the interpreter the jitless
 * fallback and compound setters use). Missing struct fields are left as they are.
 */
export function writeValue(schema: Schema, mode: LayoutMode, m: Mem, o: number, v: unknown): void {
  switch (schema.kind) {
    case "struct": {
      const layout = layoutOf(schema, mode);
      for (const f of layout.fields) {
        const x = (v as Record<string, unknown>)[f.name];
        if (x !== undefined) writeValue(f.schema, layout.mode, m, o + f.offset, x);
      }
      return;
    }
    case "vec": {
      const elem = { kind: schema.element } as Schema;
      for (let i = 0; i < schema.length; i++) {
        const x = (v as Record<string, unknown>)[VEC_KEYS[i]];
        if (x !== undefined) writeScalar(elem, m, o + 4 * i, x);
      }
      return;
    }
    case "mat": {
      const stride = layoutOf(schema, mode).size / schema.cols;
      const a = v as ArrayLike<number>;
      for (let c = 0; c < schema.cols; c++) {
        for (let r = 0; r < schema.rows; r++) {
          m.dv.setFloat32(o + c * stride + 4 * r, a[c * schema.rows + r], true);
        }
      }
      return;
    }
    case "array": {
      const stride = elementStride(schema.element, mode);
      const a = v as ArrayLike<unknown>;
      for (let i = 0; i < schema.length; i++) {
        writeValue(schema.element, mode, m, o + i * stride, a[i]);
      }
      return;
    }
    default:
      writeScalar(schema, m, o, v);
  }
}

/** Reads any schema at absolute offset `o` as a plain value. */
export function readValue(schema: Schema, mode: LayoutMode, m: Mem, o: number): unknown {
  switch (schema.kind) {
    case "struct": {
      const layout = layoutOf(schema, mode);
      const out: Record<string, unknown> = {};
      for (const f of layout.fields) {
        out[f.name] = readValue(f.schema, layout.mode, m, o + f.offset);
      }
      return out;
    }
    case "vec": {
      const elem = { kind: schema.element } as Schema;
      const out: Record<string, unknown> = {};
      for (let i = 0; i < schema.length; i++) out[VEC_KEYS[i]] = readScalar(elem, m, o + 4 * i);
      return out;
    }
    case "mat": {
      const stride = layoutOf(schema, mode).size / schema.cols;
      const out: number[] = [];
      for (let c = 0; c < schema.cols; c++) {
        for (let r = 0; r < schema.rows; r++) {
          out.push(m.dv.getFloat32(o + c * stride + 4 * r, true));
        }
      }
      return out;
    }
    case "array": {
      const stride = elementStride(schema.element, mode);
      const out: unknown[] = [];
      for (let i = 0; i < schema.length; i++) {
        out.push(readValue(schema.element, mode, m, o + i * stride));
      }
      return out;
    }
    default:
      return readScalar(schema, m, o);
  }
}

/** Byte distance between array elements of `element` in `mode`. */
export function elementStride(element: Schema, mode: LayoutMode): number {
  const l: Layout = layoutOf(element, element.kind === "struct" ? (element.layout ?? mode) : mode);
  const wgsl = mode === "wgsl" || mode === "wgsl-uniform";
  return wgsl ? Math.ceil(l.size / l.align) * l.align : l.size;
}
