import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import * as t from "../../../schemas/t.ts";
import { bodyChecksum, crc32 } from "../../../lib/snapshot/checksum.ts";
import { SNAPSHOT_VERSION } from "../../../lib/snapshot/envelope.ts";
import { Table } from "../../../lib/table/table.ts";
import { Arena } from "../../../lib/memory/arena.ts";
import { SnapshotError } from "../../../lib/errors.ts";

function addToWord(bytes: Uint8Array, word: number, delta: number): void {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  dv.setUint32(4 * word, (dv.getUint32(4 * word, true) + delta) >>> 0, true);
}

describe("bodyChecksum()", () => {
  it("sees +1 / -2 / +1 to three words 16 bytes apart (issue #14, item 16)", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 48, maxLength: 256 }),
        fc.nat(),
        fc.integer({ min: 1, max: 3 }),
        (raw, at, spread) => {
          const bytes = raw.subarray(0, raw.length & ~3);
          const words = bytes.length / 4;
          const step = 4 * Math.min(spread, Math.floor((words - 1) / 8)); // 16, 32 or 48 bytes apart
          const w = at % (words - 2 * step);
          const before = bodyChecksum(bytes);
          const changed = bytes.slice();
          addToWord(changed, w, 1);
          addToWord(changed, w + step, -2);
          addToWord(changed, w + 2 * step, 1);
          assert.notDeepEqual(bodyChecksum(changed), before);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("sees any change of one word, and swapped words, aligned or not", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 130 }), fc.nat(), (bytes, at) => {
        const before = bodyChecksum(bytes);
        const words = bytes.length >> 2;
        const w = at % words;
        const changed = bytes.slice();
        addToWord(changed, w, 1 + (at % 1000));
        assert.notDeepEqual(bodyChecksum(changed), before);
        const shifted = new Uint8Array(changed.length + 1).subarray(1);
        shifted.set(changed);
        assert.deepEqual(bodyChecksum(shifted), bodyChecksum(changed));
        const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        const v = w + 1 < words ? w + 1 : 0;
        if (dv.getUint32(4 * w, true) !== dv.getUint32(4 * v, true)) {
          const swapped = bytes.slice();
          const sv = new DataView(swapped.buffer);
          sv.setUint32(4 * w, dv.getUint32(4 * v, true), true);
          sv.setUint32(4 * v, dv.getUint32(4 * w, true), true);
          assert.notDeepEqual(bodyChecksum(swapped), before);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("tells bodies that differ only by trailing zeros apart", () => {
    assert.notDeepEqual(bodyChecksum(new Uint8Array(5)), bodyChecksum(new Uint8Array(6)));
    assert.notDeepEqual(bodyChecksum(new Uint8Array(16)), bodyChecksum(new Uint8Array(20)));
  });
});

describe("snapshot format version", () => {
  it('is 2, and snapshots of version 1 are refused with reason "version"', () => {
    assert.equal(SNAPSHOT_VERSION, 2);
    const S = t.struct({ hp: t.u32() }, { name: "VersionProbe" });
    const table = new Table(S, { capacity: 4 });
    table.create({ hp: 1 });
    const arena = new Arena({ bytes: 256 });
    arena.alloc(S, { hp: 2 });
    for (
      const [snap, restore] of [
        [table.snapshot(), (b: Uint8Array) => table.restore(b)],
        [arena.snapshot(), (b: Uint8Array) => arena.restore(b)],
      ] as const
    ) {
      const v1 = snap.slice();
      const dv = new DataView(v1.buffer);
      dv.setUint16(4, 1, true);
      dv.setUint32(28, crc32(v1.subarray(0, 28)), true);
      assert.throws(
        () => restore(v1),
        (e: unknown) => e instanceof SnapshotError && e.reason === "version",
      );
    }
  });
});
