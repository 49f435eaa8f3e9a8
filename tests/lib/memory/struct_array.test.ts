// StructArray: records back to back, reached through fresh views, one reusable cursor, or
// typed-array columns; all checked against the bytes with DataView.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as t from "../../../schemas/t.ts";
import { layoutOf } from "../../../schemas/layout.ts";
import { Arena } from "../../../lib/memory/arena.ts";
import { bufferOf, offsetOf } from "../../../lib/memory/views.ts";
import { StaleViewError } from "../../../lib/errors.ts";

const P = t.struct({
  pos: t.vec2f(),
  life: t.f32(),
  id: t.u16(),
  big: t.i64(),
  inner: t.struct({ x: t.f64(), on: t.bool() }, { name: "Inner" }),
}, { name: "P" });
const SIZE = layoutOf(P).size;
const off = (name: string) => layoutOf(P).fields.find((f) => f.name === name)!.offset;

for (const jitless of [false, true]) {
  const mode = jitless ? "jitless" : "jit";

  const setup = (n = 4) => {
    const arena = new Arena({ bytes: 4096, jitless });
    arena.alloc(t.struct({ pad: t.u8() }));
    const ps = arena.allocArray(P, n);
    return { arena, ps, dv: new DataView(ps.buffer) };
  };

  describe(`StructArray (${mode})`, () => {
    it("lays records out stride bytes apart, aligned", () => {
      const { ps } = setup();
      assert.equal(SIZE, 40);
      assert.equal(ps.stride, SIZE);
      assert.equal(ps.length, 4);
      assert.equal(ps.byteOffset, 8);
      assert.equal(ps.schema, P);
      assert.equal(offsetOf(ps.at(3)), 8 + 3 * SIZE);
      assert.equal(bufferOf(ps.at(0)), ps.buffer);
    });

    it("at(i) gives a view of record i, checked against the bytes", () => {
      const { ps, dv } = setup();
      ps.at(2).life = 2.5;
      ps.at(2).inner.x = -1.25;
      assert.equal(dv.getFloat32(ps.byteOffset + 2 * SIZE + off("life"), true), 2.5);
      assert.equal(dv.getFloat64(ps.byteOffset + 2 * SIZE + off("inner"), true), -1.25);
      dv.setUint16(ps.byteOffset + SIZE + off("id"), 513, true);
      assert.equal(ps.at(1).id, 513);
      assert.notEqual(ps.at(1), ps.at(1));
    });

    it("at(i) refuses indices out of bounds", () => {
      const { ps } = setup();
      for (const i of [-1, 4, 1.5, NaN]) {
        assert.throws(() => ps.at(i), {
          name: "RangeError",
          message: `Cannot read record ${i}: expected an index from 0 to 3`,
        });
      }
    });

    it("cursor() is one object that seek(i) moves", () => {
      const { ps, dv } = setup();
      const c = ps.cursor();
      assert.equal(ps.cursor(), c);
      assert.equal(offsetOf(c), ps.byteOffset);
      assert.equal(c.seek(3), c);
      c.life = 9;
      c.pos.x = 3;
      assert.equal(dv.getFloat32(ps.byteOffset + 3 * SIZE + off("life"), true), 9);
      assert.equal(dv.getFloat32(ps.byteOffset + 3 * SIZE + off("pos"), true), 3);
      c.seek(0);
      assert.equal(c.life, 0);
      // The nested view is one cached object, re-pointed each time it is taken from the cursor.
      const pos = c.pos;
      assert.equal(pos.x, 0);
      c.seek(3);
      assert.equal(c.pos, pos);
      assert.equal(pos.x, 3);
    });

    it("seek() refuses indices out of bounds", () => {
      const { ps } = setup();
      const c = ps.cursor();
      for (const i of [-1, 4, 0.5]) {
        assert.throws(() => c.seek(i), {
          name: "RangeError",
          message: `Cannot seek to ${i}: expected an integer index from 0 to 3`,
        });
      }
      // A single view is not a cursor: it moves nowhere, not even to its own record.
      for (const i of [0, 1]) {
        assert.throws(() => (ps.at(1) as unknown as { seek(i: number): void }).seek(i), {
          name: "RangeError",
          message: `Cannot seek to ${i}: a view of one record does not move (a struct array's ` +
            `cursor() does)`,
        });
      }
    });

    it("forEach() and iteration visit every record in order with the cursor", () => {
      const { ps, dv } = setup();
      const seen: number[] = [];
      ps.forEach((p, i) => {
        assert.equal(p, ps.cursor());
        p.id = 10 + i;
        seen.push(i);
      });
      assert.deepEqual(seen, [0, 1, 2, 3]);
      assert.deepEqual(
        [0, 1, 2, 3].map((i) => dv.getUint16(ps.byteOffset + i * SIZE + off("id"), true)),
        [10, 11, 12, 13],
      );
      const ids: number[] = [];
      for (const p of ps) ids.push(p.id);
      assert.deepEqual(ids, [10, 11, 12, 13]);
    });

    for (const checked of [true, false]) {
      it(`a cursor kept from a finished iteration writes nothing, and refuses bad values (checked ${checked})`, () => {
        const arena = new Arena({ bytes: 4096, jitless, checked });
        const ps = arena.allocArray(P, 2);
        let kept: typeof ps extends Iterable<infer C> ? C : never = ps.cursor();
        for (const p of ps) kept = p;
        const before = new Uint8Array(ps.buffer).slice();
        const good = (): void => {
          kept.life = 2.5;
          kept.id = 7;
          kept.big = 5n;
          kept.inner.on = true;
          kept.inner.x = 0.5;
        };
        // Checked: stale. Unchecked: the retired cursor points at memory of no bytes.
        if (checked) assert.throws(good, StaleViewError);
        else good();
        assert.throws(() => {
          kept.life = "2.5" as unknown as number;
        }, checked ? StaleViewError : TypeError);
        assert.throws(() => {
          kept.id = 70000;
        }, checked ? StaleViewError : RangeError);
        assert.deepEqual(new Uint8Array(ps.buffer), before);
        assert.equal(ps.at(1).life, 0);
        // Packed fields go through a DataView; enums and strings have writers of their own.
        const Q = t.struct({ a: t.u8(), b: t.f64(), c: t.i32(), k: t.enum(["p", "q"]) }, {
          layout: "packed",
        });
        const qs = arena.allocArray(Q, 2);
        let q = qs.cursor();
        for (const x of qs) q = x;
        const qBefore = new Uint8Array(qs.buffer).slice();
        const writeQ = (): void => {
          q.b = 1.5;
          q.c = -3;
          q.k = "q";
        };
        if (checked) assert.throws(writeQ, StaleViewError);
        else writeQ();
        assert.throws(() => {
          q.c = 0.5;
        }, checked ? StaleViewError : RangeError);
        assert.deepEqual(new Uint8Array(qs.buffer), qBefore);
      });
    }

    it("column() gives the typed array, index and stride of a field", () => {
      const { ps, dv } = setup();
      const life = ps.column("life");
      assert.ok(life.array instanceof Float32Array);
      assert.equal(life.array.buffer, ps.buffer);
      // Element 0 is record 0's field: index 0 for every column.
      assert.equal(life.array.byteOffset, ps.byteOffset + off("life"));
      assert.equal(life.index, 0);
      assert.equal(life.stride, SIZE / 4);
      assert.equal(life.length, 4);
      life.array[life.index + 2 * life.stride] = 0.5;
      assert.equal(dv.getFloat32(ps.byteOffset + 2 * SIZE + off("life"), true), 0.5);
      assert.equal(ps.at(2).life, 0.5);
      const id = ps.column<Uint16Array>("id");
      assert.ok(id.array instanceof Uint16Array);
      assert.equal(id.stride, SIZE / 2);
      id.array[id.index + id.stride] = 7;
      assert.equal(ps.at(1).id, 7);
      const big = ps.column<BigInt64Array>("big");
      big.array[big.index + 3 * big.stride] = -5n;
      assert.equal(ps.at(3).big, -5n);
    });

    it("column() follows dotted paths into structs and vectors", () => {
      const { ps, dv } = setup();
      const y = ps.column("pos.y");
      assert.equal(y.array.byteOffset, ps.byteOffset + off("pos") + 4);
      assert.equal(y.index, 0);
      y.array[y.index + y.stride] = 4;
      assert.equal(dv.getFloat32(ps.byteOffset + SIZE + off("pos") + 4, true), 4);
      const x = ps.column<Float64Array>("inner.x");
      assert.ok(x.array instanceof Float64Array);
      x.array[x.index] = 1.5;
      assert.equal(ps.at(0).inner.x, 1.5);
      const on = ps.column<Uint8Array>("inner.on");
      on.array[on.index + 3 * on.stride] = 1;
      assert.equal(ps.at(3).inner.on, true);
    });

    it("column() returns the same object, moved when allocArray re-points the array", () => {
      const { ps, arena } = setup();
      const life = ps.column("life");
      assert.equal(ps.column("life"), life);
      assert.notEqual(ps.column("id"), life);
      arena.reset();
      arena.alloc(P);
      assert.equal(arena.allocArray(P, 3, ps), ps);
      assert.equal(ps.column("life"), life);
      assert.equal(life.array.byteOffset, ps.byteOffset + off("life"));
      assert.equal(life.index, 0);
      assert.equal(life.length, 3);
      life.array[life.index + 2 * life.stride] = 0.75;
      assert.equal(ps.at(2).life, 0.75);
      const other = new Arena({ bytes: 1024, jitless });
      other.allocArray(P, 2, ps);
      assert.equal(ps.column("life"), life);
      assert.equal(life.array.buffer, bufferOf(other.alloc(P)));
      assert.equal(life.length, 2);
      life.array[life.index + life.stride] = 1.25;
      assert.equal(ps.at(1).life, 1.25);
    });

    it("column() keeps its typed array while the records stay where they were", () => {
      const { ps, arena } = setup();
      const life = ps.column("life");
      const array = life.array;
      const at = ps.byteOffset;
      const m = arena.mark();
      arena.allocArray(P, 2);
      arena.release(m); // a release keeps the buffer
      assert.equal(ps.column("life").array, array);
      arena.reset();
      arena.alloc(t.struct({ pad: t.u8() })); // as in setup()
      assert.equal(arena.allocArray(P, 2, ps), ps); // same place, fewer records
      assert.equal(ps.byteOffset, at);
      // A reset detached the old array (a checked arena's chunk moves to a new buffer).
      assert.equal(array.length, 0);
      const fresh = ps.column("life").array;
      assert.notEqual(fresh, array);
      assert.equal(ps.column("life").array, fresh);
      assert.equal(life.length, 2);
      arena.reset();
      arena.alloc(P);
      arena.allocArray(P, 2, ps); // moved: a new typed array in the same object
      assert.equal(ps.column("life"), life);
      assert.notEqual(life.array, fresh);
      assert.equal(life.array.byteOffset, ps.byteOffset + off("life"));
    });

    it("column() arrays of different fields share one index per record", () => {
      const { ps } = setup();
      const x = ps.column<Float32Array>("pos.x");
      const y = ps.column<Float32Array>("pos.y").array;
      const life = ps.column<Float32Array>("life").array;
      const id = ps.column<Uint16Array>("id");
      for (let i = 0; i < ps.length; i++) {
        const o = i * x.stride;
        x.array[o] = i + 0.5;
        y[o] = -i;
        life[o] = i * 0.25;
        id.array[i * id.stride] = 100 + i;
      }
      for (let i = 0; i < ps.length; i++) {
        const p = ps.at(i);
        assert.deepEqual([p.pos.x, p.pos.y, p.life, p.id], [i + 0.5, -i, i * 0.25, 100 + i]);
      }
    });

    it("column() refuses unknown, compound and misaligned fields", () => {
      const { ps, arena } = setup();
      assert.throws(() => ps.column("nope"), {
        name: "RangeError",
        message: 'Cannot find column "nope": P has no field "nope"',
      });
      assert.throws(() => ps.column("pos.q"), /has no field "q"/);
      assert.throws(() => ps.column("inner"), {
        message: 'Cannot make a column of "inner": it is not a number field',
      });
      const Packed = t.struct({ tag: t.u8(), v: t.f32() }, { layout: "packed" });
      const packed = arena.allocArray(Packed, 3);
      assert.throws(() => packed.column("v"), {
        name: "RangeError",
        message: 'Cannot make a column of "v": it is not 4-byte aligned',
      });
      assert.equal(packed.column<Uint8Array>("tag").stride, 5);
    });

    it("bytes() is a view of the records' bytes", () => {
      const { ps } = setup(2);
      const bytes = ps.bytes();
      assert.equal(bytes.length, 2 * SIZE);
      assert.equal(bytes.byteOffset, ps.byteOffset);
      ps.at(1).id = 0x0102;
      assert.equal(bytes[SIZE + off("id")], 0x02);
      assert.equal(bytes[SIZE + off("id") + 1], 0x01);
      bytes[off("life") + 3] = 0x3f;
      bytes[off("life") + 2] = 0x80;
      assert.equal(ps.at(0).life, 1);
    });

    it("toObject() copies every record out", () => {
      const { ps } = setup(2);
      ps.at(1).set({ life: 1, big: 3n, inner: { on: true } });
      assert.deepEqual(ps.toObject(), [
        { pos: { x: 0, y: 0 }, life: 0, id: 0, big: 0n, inner: { x: 0, on: false } },
        { pos: { x: 0, y: 0 }, life: 1, id: 0, big: 3n, inner: { x: 0, on: true } },
      ]);
    });

    it("goes stale with its cursor and views on reset", () => {
      const { arena, ps } = setup();
      const c = ps.cursor();
      const v = ps.at(1);
      arena.reset();
      assert.throws(() => c.life, StaleViewError);
      assert.throws(() => c.seek(1).life, StaleViewError);
      assert.throws(() => v.life, StaleViewError);
      assert.throws(() => ps.cursor(), StaleViewError);
      assert.throws(() => ps.at(0), StaleViewError);
      assert.throws(() => ps.column("life"), StaleViewError);
      assert.throws(() => ps.bytes(), StaleViewError);
      assert.throws(() => ps.toObject(), StaleViewError);
      assert.throws(() => ps.forEach(() => {}), StaleViewError);
    });

    it("survives a release to a mark taken after it", () => {
      const { arena, ps } = setup();
      const c = ps.cursor();
      const m = arena.mark();
      const later = arena.allocArray(P, 2);
      arena.release(m);
      c.seek(3).life = 2;
      assert.equal(ps.at(3).life, 2);
      assert.throws(() => later.at(0), StaleViewError);
    });

    it("allows zero records", () => {
      const arena = new Arena({ bytes: 64, jitless });
      const empty = arena.allocArray(P, 0);
      assert.equal(empty.length, 0);
      assert.deepEqual(empty.toObject(), []);
      assert.equal(empty.bytes().length, 0);
      // forEach calls its callback for no record (the generated loop calls the first record
      // before its loop) and neither does iteration.
      let calls = 0;
      empty.forEach(() => calls++);
      for (const _ of empty) calls++;
      assert.equal(calls, 0);
      assert.throws(() => arena.allocArray(P, -1), RangeError);
      assert.throws(() => arena.allocArray(P, 1.5), RangeError);
    });
  });
}

describe("Arena.allocArray(schema, length, reuse)", () => {
  const R = t.struct({ x: t.f32(), n: t.u32() }, { name: "Reused" });
  for (const jitless of [false, true]) {
    it(`re-points the array and its cursor at the new records (jitless ${jitless})`, () => {
      const arena = new Arena({ bytes: 1024, jitless });
      const first = arena.allocArray(R, 4);
      const cursor = first.cursor();
      cursor.seek(3).x = 1.5;
      arena.reset();
      arena.allocArray(R, 2); // other records now sit where `first` was
      const again = arena.allocArray(R, 6, first);
      assert.equal(again, first);
      assert.equal(again.length, 6);
      assert.equal(again.byteOffset, 16);
      assert.equal(again.cursor(), cursor); // the same cursor object, re-pointed
      cursor.seek(5).set({ x: 2.5, n: 7 });
      const dv = new DataView(again.buffer);
      assert.equal(dv.getFloat32(16 + 5 * 8, true), 2.5);
      assert.equal(dv.getUint32(16 + 5 * 8 + 4, true), 7);
      // Fresh records are zeroed, not what the array held before.
      assert.equal(again.at(3).x, 0);
      assert.throws(() => cursor.seek(6), RangeError);
    });
  }

  it("makes the old contents unreachable through the reused object, by design", () => {
    const arena = new Arena({ bytes: 1024 });
    const a = arena.allocArray(R, 2);
    a.at(0).x = 9.5;
    const view = a.at(0);
    arena.reset();
    arena.allocArray(R, 2, a);
    // A view taken from the array before stays stale: only the array object was recycled.
    assert.throws(() => view.x, StaleViewError);
    assert.equal(a.at(0).x, 0);
  });

  it("moves an array to another arena", () => {
    const one = new Arena({ bytes: 256 });
    const two = new Arena({ bytes: 256 });
    const a = one.allocArray(R, 2);
    const c = a.cursor();
    two.allocArray(R, 3, a);
    assert.equal(bufferOf(a.at(0)), two.allocArray(R, 1).buffer);
    c.seek(2).x = 4.25;
    one.reset(); // the old arena's reset does not touch the moved array
    assert.equal(c.x, 4.25);
    two.reset();
    assert.throws(() => c.x, StaleViewError);
  });

  it("refuses an array of another schema or something that is not one", () => {
    const arena = new Arena({ bytes: 1024 });
    const other = arena.allocArray(t.struct({ y: t.f64() }), 1);
    const before = arena.used;
    assert.throws(() => arena.allocArray(R, 2, other as never), TypeError);
    assert.throws(() => arena.allocArray(R, 2, {} as never), TypeError);
    assert.equal(arena.used, before); // nothing was allocated
  });

  it("builds a new cursor when the array moves to an arena with the other checking mode", () => {
    const checked = new Arena({ bytes: 256 });
    const unchecked = new Arena({ bytes: 256, checked: false });
    const a = checked.allocArray(R, 2);
    const c1 = a.cursor();
    unchecked.allocArray(R, 2, a);
    const c2 = a.cursor();
    assert.notEqual(c1, c2);
    unchecked.reset();
    // Unchecked cursors do not check lifetimes: the documented hazard of checked: false.
    assert.equal(typeof c2.x, "number");
    assert.throws(() => c1.x, StaleViewError);
  });
});
