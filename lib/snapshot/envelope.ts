/**
 * The snapshot format shared by arenas and tables: layout fingerprints, a checksummed header,
 * body sections, and the exact JSON form of plain values.
 *
 * A snapshot is one `Uint8Array`:
 *
 * | bytes | field |
 * | ----- | ----- |
 * | 0–3   | magic `"AKSN"` |
 * | 4–5   | format version (u16, {@linkcode SNAPSHOT_VERSION}) |
 * | 6     | kind: 1 arena, 2 table |
 * | 7     | reserved, 0 |
 * | 8–11  | layout fingerprint (u32) |
 * | 12–15 | body byte length (u32) |
 * | 16–23 | body checksum (two u32 sums) |
 * | 24–27 | reserved, 0 |
 * | 28–31 | CRC-32 of bytes 0–27 |
 * | 32–   | body: u32 section count, u32 section lengths, then each section padded to 8 bytes |
 *
 * All numbers are little-endian. Sections start 8-byte aligned relative to byte 0, so a reader
 * can lay typed arrays over them when the snapshot itself is 8-byte aligned.
 *
 * @module
 */
import { layoutOf } from "../../schemas/layout.ts";
import type { Infer, LayoutMode, Schema, StructSchema } from "../../schemas/types.ts";
import { validate } from "../values/codec.ts";
import { FieldTypeError, SnapshotError } from "../errors.ts";
import { show, VEC_KEYS } from "../_text.ts";

/** Version of the snapshot format this build writes and reads. */
export const SNAPSHOT_VERSION = 1;
/** Bytes of the snapshot header; the body starts here. */
export const SNAPSHOT_HEADER_BYTES = 32;
/** The magic number, the ASCII bytes `AKSN` read as a little-endian u32. */
export const SNAPSHOT_MAGIC = 0x4e534b41;

/** What a snapshot holds. */
export type SnapshotKind = "arena" | "table";

const KIND_CODE: Readonly<Record<SnapshotKind, number>> = { arena: 1, table: 2 };

// ---------------------------------------------------------------------------------------------
// Hashes and checksums

const encoder = new TextEncoder();

/**
 * FNV-1a, 32 bits, over the UTF-8 bytes of `text`. Stable across runtimes and versions, so it
 * can name layouts in files.
 *
 * @example Hash a string
 * ```ts
 * import { fnv1a32 } from "./envelope.ts";
 * import assert from "node:assert/strict";
 * assert.equal(fnv1a32("").toString(16), "811c9dc5");
 * ```
 */
export function fnv1a32(text: string): number {
  const bytes = encoder.encode(text);
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

let crcTable: Uint32Array | undefined;

/**
 * CRC-32 (the zlib/PNG polynomial) of `bytes`, as an unsigned number.
 *
 * @example Checksum of "123456789"
 * ```ts
 * import { crc32 } from "./envelope.ts";
 * import assert from "node:assert/strict";
 * assert.equal(crc32(new TextEncoder().encode("123456789")).toString(16), "cbf43926");
 * ```
 */
export function crc32(bytes: Uint8Array): number {
  let table = crcTable;
  if (table === undefined) {
    table = crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = table[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * The body checksum: Fletcher's two running sums, modulo 2^32, over little-endian u32 words in
 * four interleaved lanes, each lane's sums then combined with odd weights. Any change confined
 * to one word changes the first sum, and moved words almost always change the second. It is not a cryptographic hash: it catches corruption, not tampering.
 * It runs at memory speed, which a byte-wise CRC in JavaScript does not.
 *
 * @example One flipped bit changes the first sum
 * ```ts
 * import { bodyChecksum } from "./envelope.ts";
 * import assert from "node:assert/strict";
 * const bytes = new Uint8Array(64);
 * const [a] = bodyChecksum(bytes);
 * bytes[17] ^= 4;
 * assert.equal(bodyChecksum(bytes)[0] !== a, true);
 * ```
 */
export function bodyChecksum(bytes: Uint8Array): [number, number] {
  // Four interleaved lanes: independent additions run in parallel, near memory speed.
  let a0 = 1, a1 = 0, a2 = 0, a3 = 0;
  let b0 = 0, b1 = 0, b2 = 0, b3 = 0;
  const words = bytes.length >>> 2;
  const quads = words & ~3;
  let i = 0;
  if ((bytes.byteOffset & 3) === 0) {
    const w = new Uint32Array(bytes.buffer, bytes.byteOffset, words);
    for (; i < quads; i += 4) {
      a0 = (a0 + w[i]) | 0;
      a1 = (a1 + w[i + 1]) | 0;
      a2 = (a2 + w[i + 2]) | 0;
      a3 = (a3 + w[i + 3]) | 0;
      b0 = (b0 + a0) | 0;
      b1 = (b1 + a1) | 0;
      b2 = (b2 + a2) | 0;
      b3 = (b3 + a3) | 0;
    }
  } else {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (; i < quads; i += 4) {
      a0 = (a0 + dv.getUint32(i << 2, true)) | 0;
      a1 = (a1 + dv.getUint32((i + 1) << 2, true)) | 0;
      a2 = (a2 + dv.getUint32((i + 2) << 2, true)) | 0;
      a3 = (a3 + dv.getUint32((i + 3) << 2, true)) | 0;
      b0 = (b0 + a0) | 0;
      b1 = (b1 + a1) | 0;
      b2 = (b2 + a2) | 0;
      b3 = (b3 + a3) | 0;
    }
  }
  // The last 0–15 bytes go to lane 0 one by one.
  for (let k = quads << 2; k < bytes.length; k++) {
    a0 = (a0 + bytes[k]) | 0;
    b0 = (b0 + a0) | 0;
  }
  // Odd multipliers are invertible mod 2^32, so a change in one lane always shows in the sum.
  const a = (a0 + Math.imul(a1, 3) + Math.imul(a2, 5) + Math.imul(a3, 7)) >>> 0;
  const b = (b0 + Math.imul(b1, 3) + Math.imul(b2, 5) + Math.imul(b3, 7)) >>> 0;
  return [a, b];
}

// ---------------------------------------------------------------------------------------------
// Layout fingerprints

function canonical(schema: Schema, mode: LayoutMode): string {
  switch (schema.kind) {
    case "struct": {
      const l = layoutOf(schema, schema.layout ?? mode);
      const fields = l.fields.map((f) =>
        `${f.name}@${f.offset}:${f.size}/${f.align}${
          f.stride === undefined ? "" : `*${f.stride}`
        }=${canonical(f.schema, l.mode)}`
      );
      return `struct ${l.name} ${l.mode} ${l.size}/${l.align}{${fields.join(",")}}`;
    }
    case "enum":
      return `enum:${schema.storage}${JSON.stringify(schema.values)}`;
    case "string":
      return `string(${schema.maxBytes})`;
    case "array":
      return `array(${canonical(schema.element, mode)},${schema.length})`;
    case "vec":
      return `vec${schema.length}${schema.element}`;
    case "mat":
      return `mat${schema.cols}x${schema.rows}f`;
    case "ref":
      // The target's name only: refs may form cycles, and the id stored is 8 bytes either way.
      return `ref(${schema.target().name})`;
    default:
      return schema.kind;
  }
}

/**
 * The canonical text a fingerprint hashes: struct names, layout modes, sizes, alignments, field
 * names, offsets, kinds, enum literals, string capacities and array lengths, recursively.
 *
 * @example What a small struct looks like
 * ```ts
 * import { canonicalLayout, t } from "@arenakit/core";
 * import assert from "node:assert/strict";
 * assert.equal(
 *   canonicalLayout(t.struct({ hp: t.u8() }, { name: "P" })),
 *   "struct P c 1/1{hp@0:1/1=u8}",
 * );
 * ```
 */
export function canonicalLayout(schema: Schema, mode?: LayoutMode): string {
  return canonical(schema, mode ?? "c");
}

const fingerprints = new WeakMap<Schema, number>();

/**
 * The layout fingerprint of one schema: FNV-1a 32 of {@linkcode canonicalLayout}. Two schemas
 * with the same fingerprint store their values in the same bytes, so a snapshot taken with one
 * can be restored with the other.
 *
 * @example Equal layouts, equal fingerprints
 * ```ts
 * import { layoutFingerprint, t } from "@arenakit/core";
 * import assert from "node:assert/strict";
 * const a = t.struct({ x: t.f32() }, { name: "P" });
 * const b = t.struct({ x: t.f32() }, { name: "P" });
 * assert.equal(layoutFingerprint(a) === layoutFingerprint(b), true);
 * ```
 */
export function layoutFingerprint(schema: Schema): number {
  let h = fingerprints.get(schema);
  if (h === undefined) {
    h = fnv1a32(canonical(schema, "c"));
    fingerprints.set(schema, h);
  }
  return h;
}

/**
 * The fingerprint of a set of layouts, independent of order and repetition: FNV-1a 32 over the
 * sorted fingerprints of the members.
 *
 * @example Order does not matter
 * ```ts
 * import { layoutSetFingerprint } from "./envelope.ts";
 * import assert from "node:assert/strict";
 * assert.equal(layoutSetFingerprint([1, 2]) === layoutSetFingerprint([2, 1, 2]), true);
 * ```
 */
export function layoutSetFingerprint(fingerprints: Iterable<number>): number {
  const sorted = [...new Set(fingerprints)].sort((x, y) => x - y);
  return fnv1a32(sorted.map((h) => h.toString(16).padStart(8, "0")).join(","));
}

// ---------------------------------------------------------------------------------------------
// Header and sections

const pad8 = (n: number): number => (n + 7) & ~7;

/**
 * Byte length of the snapshot that {@linkcode encodeSnapshot} writes for these sections.
 *
 * @example Header, section table and one padded section
 * ```ts
 * import { snapshotLength } from "./envelope.ts";
 * import assert from "node:assert/strict";
 * assert.equal(snapshotLength([3]), 48);
 * ```
 */
export function snapshotLength(sectionLengths: readonly number[]): number {
  let n = SNAPSHOT_HEADER_BYTES + pad8(4 + 4 * sectionLengths.length);
  for (const len of sectionLengths) n += pad8(len);
  return n;
}

// Header byte 7: the body was written without a checksum (the header CRC still covers this).
const FLAG_NO_BODY_CHECKSUM = 1;

/** Options of `snapshot()` (arenas and tables). */
export interface SnapshotOptions {
  /**
   * Checksum the body, so `restore()` refuses corrupted bytes (default true). Turn it off for
   * trusted in-memory snapshots, such as per-frame rollback buffers: saving and restoring then
   * cost little more than copying the bytes. The header (length, kind, fingerprint) stays
   * checked either way.
   */
  checksum?: boolean;
  /**
   * Write the snapshot at the start of this array and return a subarray of it, so a rollback
   * buffer is reused every frame instead of allocating one (throws when it is too short).
   */
  into?: Uint8Array;
}

/**
 * Writes a header and `sections` as one snapshot. With `into`, the snapshot is written at the
 * start of `into` and a subarray of it is returned (reuse one buffer per frame); otherwise a new
 * array is allocated. Every length is checked before a byte is written.
 *
 * @example Round-trip two sections
 * ```ts
 * import { decodeSnapshot, encodeSnapshot } from "./envelope.ts";
 * import assert from "node:assert/strict";
 * const snap = encodeSnapshot("table", 0x1234, [new Uint8Array([1, 2, 3]), new Uint8Array(8)]);
 * const back = decodeSnapshot(snap, "table", 0x1234);
 * assert.deepEqual([...back.sections[0]], [1, 2, 3]);
 * ```
 */
export function encodeSnapshot(
  kind: SnapshotKind,
  fingerprint: number,
  sections: readonly Uint8Array[],
  options?: SnapshotOptions,
): Uint8Array {
  const into = options?.into;
  const code = KIND_CODE[kind];
  if (code === undefined) {
    throw new TypeError(`Cannot write snapshot: unknown kind ${String(kind)}`);
  }
  const lengths = sections.map((s) => s.length);
  const total = snapshotLength(lengths);
  if (total - SNAPSHOT_HEADER_BYTES > 0xffff_ffff) {
    throw new RangeError(`Cannot write snapshot of ${total} bytes: the format holds 4 GiB at most`);
  }
  let out: Uint8Array;
  if (into === undefined) out = new Uint8Array(total);
  else {
    if (into.length < total) {
      throw new RangeError(
        `Cannot write snapshot of ${total} bytes: target array has ${into.length} bytes`,
      );
    }
    out = into.subarray(0, total);
  }
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  let p = SNAPSHOT_HEADER_BYTES;
  dv.setUint32(p, sections.length, true);
  for (let i = 0; i < sections.length; i++) dv.setUint32(p + 4 + 4 * i, lengths[i], true);
  const table = p + 4 + 4 * sections.length;
  p = SNAPSHOT_HEADER_BYTES + pad8(4 + 4 * sections.length);
  out.fill(0, table, p);
  for (const s of sections) {
    out.set(s, p);
    out.fill(0, p + s.length, p + pad8(s.length));
    p += pad8(s.length);
  }
  const body = out.subarray(SNAPSHOT_HEADER_BYTES);
  const checksum = options?.checksum ?? true;
  const [a, b] = checksum ? bodyChecksum(body) : [0, 0];
  dv.setUint32(0, SNAPSHOT_MAGIC, true);
  dv.setUint16(4, SNAPSHOT_VERSION, true);
  dv.setUint8(6, code);
  dv.setUint8(7, checksum ? 0 : FLAG_NO_BODY_CHECKSUM);
  dv.setUint32(8, fingerprint >>> 0, true);
  dv.setUint32(12, body.length, true);
  dv.setUint32(16, a, true);
  dv.setUint32(20, b, true);
  dv.setUint32(24, 0, true);
  dv.setUint32(28, crc32(out.subarray(0, 28)), true);
  return out;
}

/** A snapshot read back by {@linkcode decodeSnapshot}: its header fields and sections. */
export interface DecodedSnapshot {
  /** What the snapshot holds. */
  readonly kind: SnapshotKind;
  /** Format version it was written with. */
  readonly version: number;
  /** The layout fingerprint in the header. */
  readonly fingerprint: number;
  /** The sections, as subarrays of the input (not copies). */
  readonly sections: readonly Uint8Array[];
}

const hex = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, "0")}`;

/**
 * Checks and splits a snapshot: length, magic, header CRC, version, kind, the fingerprint (when
 * `fingerprint` is given), the body checksum and the section table, in that order. Throws
 * {@linkcode SnapshotError} on the first problem; reads only, so callers can validate their own
 * sections too before they write anything.
 *
 * @example Refuse a truncated snapshot
 * ```ts
 * import { decodeSnapshot, encodeSnapshot } from "./envelope.ts";
 * import { SnapshotError } from "../errors.ts";
 * import assert from "node:assert/strict";
 * const snap = encodeSnapshot("table", 1, [new Uint8Array(16)]);
 * assert.throws(
 *   () => decodeSnapshot(snap.subarray(0, snap.length - 1), "table"),
 *   (e) => e instanceof SnapshotError && e.reason === "length",
 * );
 * ```
 */
export function decodeSnapshot(
  bytes: Uint8Array,
  kind: SnapshotKind,
  fingerprint?: number,
): DecodedSnapshot {
  if (!(bytes instanceof Uint8Array)) {
    throw new SnapshotError("format", `expected a Uint8Array, got ${show(bytes)}`);
  }
  if (bytes.length < SNAPSHOT_HEADER_BYTES) {
    throw new SnapshotError(
      "length",
      `${bytes.length} bytes is shorter than the ${SNAPSHOT_HEADER_BYTES}-byte header`,
    );
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = dv.getUint32(0, true);
  if (magic !== SNAPSHOT_MAGIC) {
    throw new SnapshotError("magic", `not an arenakit snapshot (magic ${hex(magic)})`);
  }
  const crc = crc32(bytes.subarray(0, 28));
  if (crc !== dv.getUint32(28, true)) {
    throw new SnapshotError(
      "header-checksum",
      `header checksum is ${hex(dv.getUint32(28, true))}, expected ${hex(crc)}`,
    );
  }
  const version = dv.getUint16(4, true);
  if (version !== SNAPSHOT_VERSION) {
    throw new SnapshotError(
      "version",
      `format version ${version} is not supported (this build reads ${SNAPSHOT_VERSION})`,
    );
  }
  const code = dv.getUint8(6);
  if (code !== KIND_CODE[kind]) {
    const got = code === 1 ? "an arena" : code === 2 ? "a table" : `kind ${code}`;
    throw new SnapshotError("kind", `it holds ${got}, not a ${kind}`);
  }
  const bodyLength = dv.getUint32(12, true);
  if (bytes.length !== SNAPSHOT_HEADER_BYTES + bodyLength) {
    throw new SnapshotError(
      "length",
      `it has ${bytes.length} bytes, the header announces ${SNAPSHOT_HEADER_BYTES + bodyLength}`,
    );
  }
  const fp = dv.getUint32(8, true);
  if (fingerprint !== undefined && fp !== fingerprint >>> 0) {
    throw new SnapshotError(
      "fingerprint",
      `layout fingerprint is ${hex(fp)}, expected ${hex(fingerprint)} (taken with other schemas)`,
    );
  }
  const flags = dv.getUint8(7);
  if ((flags & ~FLAG_NO_BODY_CHECKSUM) !== 0) {
    throw new SnapshotError("format", `unknown header flags ${flags}`);
  }
  if ((flags & FLAG_NO_BODY_CHECKSUM) === 0) {
    const [a, b] = bodyChecksum(bytes.subarray(SNAPSHOT_HEADER_BYTES));
    if (a !== dv.getUint32(16, true) || b !== dv.getUint32(20, true)) {
      throw new SnapshotError("body-checksum", "body checksum does not match (corrupted data)");
    }
  }
  if (bodyLength < 4) throw new SnapshotError("format", "body has no section table");
  const count = dv.getUint32(SNAPSHOT_HEADER_BYTES, true);
  if (count > (bodyLength - 4) / 4) {
    throw new SnapshotError("format", `section count ${count} does not fit the body`);
  }
  let p = SNAPSHOT_HEADER_BYTES + pad8(4 + 4 * count);
  const sections: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const len = dv.getUint32(SNAPSHOT_HEADER_BYTES + 4 + 4 * i, true);
    if (p + pad8(len) > bytes.length) {
      throw new SnapshotError("format", `section ${i} of ${len} bytes runs past the end`);
    }
    sections.push(bytes.subarray(p, p + len));
    p += pad8(len);
  }
  if (p !== bytes.length) {
    throw new SnapshotError("format", `${bytes.length - p} bytes follow the last section`);
  }
  return { kind, version, fingerprint: fp, sections };
}

// ---------------------------------------------------------------------------------------------
// JSON form

function floatJSON(v: number): number | string {
  if (Number.isFinite(v)) return Object.is(v, -0) ? "-0" : v;
  return String(v);
}

/**
 * The exact JSON form of a plain value of `schema`: what `JSON.stringify` can carry without
 * loss. 64-bit integers become decimal strings; float fields that JSON cannot spell become the
 * strings `"NaN"`, `"Infinity"`, `"-Infinity"` and `"-0"`; everything else is unchanged (an f32
 * widened to a double prints back to the same f32).
 *
 * @example Encode a record
 * ```ts
 * import { jsonOf, t } from "@arenakit/core";
 * import assert from "node:assert/strict";
 * const S = t.struct({ id: t.u64(), v: t.f32() });
 * assert.deepEqual(jsonOf(S, { id: 2n ** 60n, v: -0 }), { id: "1152921504606846976", v: "-0" });
 * ```
 */
export function jsonOf(schema: Schema, value: unknown): unknown {
  switch (schema.kind) {
    case "i64":
    case "u64":
      return typeof value === "bigint" ? value.toString() : value;
    case "f32":
    case "f64":
      return typeof value === "number" ? floatJSON(value) : value;
    case "struct": {
      const out: Record<string, unknown> = {};
      const v = value as Record<string, unknown>;
      for (const k of Object.keys(schema.fields)) out[k] = jsonOf(schema.fields[k], v[k]);
      return out;
    }
    case "vec": {
      const out: Record<string, unknown> = {};
      const v = value as Record<string, unknown>;
      const elem = { kind: schema.element } as Schema;
      for (let i = 0; i < schema.length; i++) out[VEC_KEYS[i]] = jsonOf(elem, v[VEC_KEYS[i]]);
      return out;
    }
    case "mat":
      return Array.from(value as ArrayLike<number>, floatJSON);
    case "array":
      return Array.from(value as ArrayLike<unknown>, (x) => jsonOf(schema.element, x));
    default:
      return value;
  }
}

const INTEGER = /^-?(0|[1-9][0-9]*)$/;
const FLOAT_WORDS: Readonly<Record<string, number>> = {
  "NaN": NaN,
  "Infinity": Infinity,
  "-Infinity": -Infinity,
  "-0": -0,
};

function decode(schema: Schema, json: unknown, path: string): unknown {
  switch (schema.kind) {
    case "i64":
    case "u64":
      if (typeof json === "string" && INTEGER.test(json)) return BigInt(json);
      if (typeof json === "number" && Number.isSafeInteger(json)) return BigInt(json);
      if (typeof json === "bigint") return json;
      throw new FieldTypeError(path, json, "a decimal integer string (64-bit integers in JSON)");
    case "f32":
    case "f64":
      if (typeof json === "string" && Object.hasOwn(FLOAT_WORDS, json)) return FLOAT_WORDS[json];
      return json;
    case "struct": {
      if (typeof json !== "object" || json === null || Array.isArray(json)) return json;
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(json)) {
        const f = Object.hasOwn(schema.fields, k) ? schema.fields[k] : undefined;
        const x = (json as Record<string, unknown>)[k];
        out[k] = f === undefined ? x : decode(f, x, path === "" ? k : `${path}.${k}`);
      }
      return out;
    }
    case "vec": {
      if (typeof json !== "object" || json === null || Array.isArray(json)) return json;
      const out: Record<string, unknown> = {};
      const elem = { kind: schema.element } as Schema;
      for (const k of Object.keys(json)) {
        out[k] = decode(elem, (json as Record<string, unknown>)[k], `${path}.${k}`);
      }
      return out;
    }
    case "mat":
    case "array": {
      if (!Array.isArray(json)) return json;
      const elem = schema.kind === "mat" ? ({ kind: "f32" } as Schema) : schema.element;
      return json.map((x, i) => decode(elem, x, `${path}[${i}]`));
    }
    default:
      return json;
  }
}

/**
 * Reads the JSON form ({@linkcode jsonOf}, or `view.toJSON()`) back into a plain value of
 * `schema`, validated as a complete value the way checked mode validates `alloc(S, init)`:
 * throws `FieldTypeError` or `FieldRangeError` naming the path of the first bad field.
 *
 * @example Restore a record from JSON text
 * ```ts
 * import { Arena, fromJSON, t } from "@arenakit/core";
 * import assert from "node:assert/strict";
 * const S = t.struct({ id: t.u64(), v: t.f32() });
 * const arena = new Arena({ bytes: 64 });
 * const a = arena.alloc(S, { id: 7n, v: 0.1 });
 * const text = JSON.stringify(a);
 * const b = arena.alloc(S, fromJSON(S, JSON.parse(text)));
 * assert.deepEqual([b.id, b.v === a.v], [7n, true]);
 * ```
 */
export function fromJSON<S extends Schema>(schema: S, json: unknown): Infer<S> {
  return decodeJSON(schema, json, "");
}

/**
 * {@linkcode fromJSON} for a value found at `path` of something larger (errors name the path).
 *
 * @example A record inside an array
 * ```ts
 * import { decodeJSON } from "./envelope.ts";
 * import { t } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.throws(() => decodeJSON(t.struct({ hp: t.u8() }), { hp: 300 }, "[4]"), {
 *   message: 'Cannot write 300 to "[4].hp": expected an integer from 0 to 255',
 * });
 * ```
 */
export function decodeJSON<S extends Schema>(schema: S, json: unknown, path: string): Infer<S> {
  const value = decode(schema, json, path);
  validate(schema, value, path, false);
  return value as Infer<S>;
}

/**
 * The distinct layout fingerprints of `schemas`, sorted (what an arena snapshot lists).
 *
 * @example Two schemas with one layout count once
 * ```ts
 * import { fingerprintsOf } from "./envelope.ts";
 * import { t } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * const a = t.struct({ x: t.f32() }, { name: "P" });
 * assert.equal(fingerprintsOf([a, t.struct({ x: t.f32() }, { name: "P" })]).length, 1);
 * ```
 */
export function fingerprintsOf(schemas: Iterable<StructSchema>): number[] {
  const out = new Set<number>();
  for (const s of schemas) out.add(layoutFingerprint(s));
  return [...out].sort((x, y) => x - y);
}
