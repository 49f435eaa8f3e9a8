/**
 * The hashes snapshots use: FNV-1a for layout text, CRC-32 for the header, and the body checksum.
 *
 * @module
 */
const encoder = new TextEncoder();

/**
 * FNV-1a, 32 bits, over the UTF-8 bytes of `text`. Stable across runtimes and versions, so it
 * can name layouts in files.
 *
 * @example Hash a string
 * ```ts
 * import { fnv1a32 } from "./checksum.ts";
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
 * import { crc32 } from "./checksum.ts";
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
 * import { bodyChecksum } from "./checksum.ts";
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
