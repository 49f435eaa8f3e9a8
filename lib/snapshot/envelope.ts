/**
 * The snapshot envelope shared by arenas and tables: a checksummed header and body sections.
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
 * | 16–23 | body checksum (two u32 words, see `bodyChecksum`) |
 * | 24–27 | reserved, 0 |
 * | 28–31 | CRC-32 of bytes 0–27 |
 * | 32–   | body: u32 section count, u32 section lengths, then each section padded to 8 bytes |
 *
 * All numbers are little-endian. Sections start 8-byte aligned relative to byte 0, so a reader
 * can lay typed arrays over them when the snapshot itself is 8-byte aligned.
 *
 * @module
 */
import { SnapshotError } from "../errors.ts";
import { show } from "../_text.ts";
import { bodyChecksum, crc32 } from "./checksum.ts";

/** Version of the snapshot format this build writes and reads. */
export const SNAPSHOT_VERSION = 2;
/** Bytes of the snapshot header; the body starts here. */
export const SNAPSHOT_HEADER_BYTES = 32;
/** The magic number, the ASCII bytes `AKSN` read as a little-endian u32. */
export const SNAPSHOT_MAGIC = 0x4e534b41;

/** What a snapshot holds. */
export type SnapshotKind = "arena" | "table";

const KIND_CODE: Readonly<Record<SnapshotKind, number>> = { arena: 1, table: 2 };

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
    throw new SnapshotError(
      "kind",
      `it holds ${got}, not ${kind === "arena" ? "an" : "a"} ${kind}`,
    );
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
