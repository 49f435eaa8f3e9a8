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

// One round of MurmurHash3's x86_32 body: multiply, rotate, multiply, mix in, rotate, add.
// Multiplications and rotations do not commute with addition, so no fixed pattern of word
// changes (+1 / -2 / +1, swapped words, ...) cancels out the way it does in additive sums.
function mix(h: number, w: number): number {
  let k = Math.imul(w, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  h ^= Math.imul(k, 0x1b873593);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The body checksum: MurmurHash3's 32-bit word mixing in four interleaved lanes (independent
 * chains run in parallel), over little-endian u32 words; the last 0–15 bytes go to the lanes as
 * zero-padded words and the length is mixed in. Every lane is a bijection of its input word for
 * a fixed state, so any change confined to one word always changes the result, and, unlike the
 * additive sums of format version 1, there are no linear collisions such as +1 / -2 / +1 to
 * three words. It is not a cryptographic hash: it catches corruption, not tampering.
 *
 * @example One flipped bit changes the checksum
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
  let h0 = 0x243f6a88, h1 = 0x85a308d3, h2 = 0x13198a2e, h3 = 0x03707344;
  const n = bytes.length;
  const words = n >>> 2;
  const quads = words & ~3;
  let i = 0;
  if ((bytes.byteOffset & 3) === 0) {
    const w = new Uint32Array(bytes.buffer, bytes.byteOffset, words);
    for (; i < quads; i += 4) {
      h0 = mix(h0, w[i]);
      h1 = mix(h1, w[i + 1]);
      h2 = mix(h2, w[i + 2]);
      h3 = mix(h3, w[i + 3]);
    }
  } else {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (; i < quads; i += 4) {
      h0 = mix(h0, dv.getUint32(i << 2, true));
      h1 = mix(h1, dv.getUint32((i + 1) << 2, true));
      h2 = mix(h2, dv.getUint32((i + 2) << 2, true));
      h3 = mix(h3, dv.getUint32((i + 3) << 2, true));
    }
  }
  // The tail: up to four zero-padded words, lane by lane (the length below tells the padding).
  let lane = 0;
  for (let k = quads << 2; k < n; k += 4, lane++) {
    let w = 0;
    for (let j = 0; j < 4 && k + j < n; j++) w |= bytes[k + j] << (8 * j);
    if (lane === 0) h0 = mix(h0, w);
    else if (lane === 1) h1 = mix(h1, w);
    else if (lane === 2) h2 = mix(h2, w);
    else h3 = mix(h3, w);
  }
  const a = fmix(h0 ^ n ^ fmix(h1));
  const b = fmix(h2 ^ Math.imul(n, 0x9e3779b1) ^ fmix(h3) ^ a);
  return [a, b];
}
