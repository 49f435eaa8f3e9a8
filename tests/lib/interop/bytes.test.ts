// byteRangeOf() and ExternalMemory: the exact bytes of views, struct arrays and tables, and views
// over buffers arenakit did not allocate; all checked against the bytes with DataView.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as t from "../../../schemas/t.ts";
import { layoutOf } from "../../../schemas/layout.ts";
import { Arena } from "../../../lib/memory/arena.ts";
import { Table } from "../../../lib/table/table.ts";
import { StaleViewError } from "../../../lib/errors.ts";
import { byteRangeOf, ExternalMemory } from "../../../lib/interop/bytes.ts";

const P = t.struct({ pos: t.vec3f(), life: t.f32(), id: t.u32() }, {
  name: "P",
  layout: "wgsl",
});

for (const jitless of [false, true]) {
  const mode = jitless ? "jitless" : "jit";

  describe(`byteRangeOf() (${mode})`, () => {
    it("gives a struct array's buffer, first byte and length", () => {
      const arena = new Arena({ bytes: 1024, jitless });
      arena.alloc(t.struct({ tick: t.u32() }));
      const ps = arena.allocArray(P, 3);
      ps.at(2).life = 1.5;
      const r = byteRangeOf(ps);
      assert.equal(r.buffer, ps.buffer);
      assert.deepEqual([r.byteOffset, r.byteLength], [16, 96]); // 16: P aligns to 16
      assert.equal(new DataView(r.buffer).getFloat32(r.byteOffset + 2 * 32 + 12, true), 1.5);
    });

    it("gives one view's record, and throws for a stale view", () => {
      const arena = new Arena({ bytes: 1024, jitless });
      arena.alloc(P);
      const v = arena.alloc(P, { id: 7 });
      const r = byteRangeOf(v);
      assert.deepEqual([r.byteOffset, r.byteLength], [32, layoutOf(P).size]);
      assert.equal(new DataView(r.buffer).getUint32(r.byteOffset + 16, true), 7);
      arena.reset();
      assert.throws(() => byteRangeOf(v), StaleViewError);
      assert.throws(() => byteRangeOf({}), TypeError);
    });

    it("gives an AoS table's slots, and refuses SoA tables", () => {
      const table = new Table(P, { capacity: 8, jitless });
      table.create({ id: 1 });
      table.create({ id: 2 });
      const r = byteRangeOf(table);
      assert.deepEqual([r.byteOffset, r.byteLength], [0, 64]);
      assert.equal(new DataView(r.buffer).getUint32(32 + 16, true), 2);
      assert.throws(() => byteRangeOf(new Table(P, { capacity: 2, layout: "soa" })), TypeError);
    });
  });

  describe(`ExternalMemory (${mode})`, () => {
    it("reads and writes a buffer filled elsewhere, in place", () => {
      const buffer = new ArrayBuffer(128);
      const dv = new DataView(buffer);
      dv.setFloat32(32 + 32 + 12, 0.25, true);
      dv.setUint32(32 + 32 + 16, 9, true);
      const mem = new ExternalMemory(new Uint8Array(buffer, 32, 96), { jitless });
      const ps = mem.array(P);
      assert.equal(ps.length, 3);
      assert.deepEqual(ps.at(1).toObject(), { pos: { x: 0, y: 0, z: 0 }, life: 0.25, id: 9 });
      mem.view(P, 64).set({ life: 2 });
      assert.equal(dv.getFloat32(32 + 64 + 12, true), 2);
    });

    it("refuses ranges out of bounds or misaligned", () => {
      const mem = new ExternalMemory(new ArrayBuffer(64), { jitless });
      assert.throws(() => mem.array(P, 3), RangeError);
      assert.throws(() => mem.view(P, 8), /aligned to 16/);
      assert.throws(() => new ExternalMemory(new Uint8Array(64).subarray(4)).view(P), RangeError);
    });

    it("makes every view stale at release()", () => {
      const mem = new ExternalMemory(new ArrayBuffer(64), { jitless });
      const v = mem.view(P);
      const ps = mem.array(P, 2);
      const c = ps.cursor();
      mem.release();
      assert.throws(() => v.life, StaleViewError);
      assert.throws(() => c.seek(1).id, StaleViewError);
      assert.throws(() => ps.toObject(), StaleViewError);
      assert.throws(() => mem.view(P), RangeError);
    });
  });
}
