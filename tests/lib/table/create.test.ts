/**
 * `create(init)` reads and checks the whole init before it takes a slot, then writes it from
 * locals (no staged copy). These pin what that order promises: a getter of the init that
 * creates, deletes, clears or grows the same table meanwhile never has its record overwritten,
 * a bad value at any depth changes nothing, and views stand for their records at every level.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as t from "../../../schemas/t.ts";
import { Table } from "../../../lib/table/table.ts";
import { TableFullError } from "../../../lib/errors.ts";
import { soaViewClass, viewClass } from "../../../lib/codegen/compile.ts";
import { layoutOf } from "../../../schemas/layout.ts";
import { each } from "./_fixtures.ts";

// Every scalar kind, two levels down: the flat writer reads all of them into locals.
const Inner = t.struct({
  x: t.f32(),
  tag: t.enum(["a", "b"]),
  on: t.bool(),
  s: t.string(6),
  big: t.i64(),
}, { name: "Inner" });
const Mid = t.struct({ inner: Inner, v: t.vec2f(), k: t.u16() }, { name: "Mid" });
const Rec = t.struct({ mid: Mid, life: t.f32(), n: t.u32() }, { name: "Rec" });

type Plain = ReturnType<typeof plain>;
const plain = (i: number) => ({
  mid: {
    inner: {
      x: i + 0.5,
      tag: (i % 2 === 0 ? "a" : "b") as "a" | "b",
      on: i % 3 === 0,
      s: `r${i}`,
      big: BigInt(i),
    },
    v: { x: i * 2 + 0.25, y: -i },
    k: i * 7,
  },
  life: i / 4,
  n: i * 1000,
});

const read = (table: Table<typeof Rec>, id: number) => table.get(id)?.toObject();

describe("create(init): the flat writer", () => {
  it("is the one both layouts emit for a nested schema of scalars (no staged copy)", () => {
    const l = layoutOf(Rec);
    const aos = viewClass(
      { schema: Rec, mode: l.mode, baseAlign: l.align, checked: true, trap: true },
      false,
    ).source;
    const soa = soaViewClass(Rec, true, false).source;
    for (const source of [aos, soa]) {
      // The root's (SoA nodes come first, the root last).
      const w = source.slice(source.lastIndexOf("static $w(m, o, v, p) {"));
      const body = w.slice(0, w.indexOf("\n  }\n"));
      assert.doesNotMatch(body, /\$in\(/);
      // Two levels of nested reads, each read again when it is a view.
      assert.match(body, /let v2 = v1\["inner"\];/);
      assert.match(body, /v2 = v2\.toObject\(\);/);
    }
  });
});

each((layout, jitless) => {
  const make = (capacity = 8, more: { growth?: "double"; maxCapacity?: number } = {}) =>
    new Table(Rec, { capacity, layout, jitless, ...more });

  it("a getter that creates a record meanwhile: both keep their own values", () => {
    const table = make();
    table.create(plain(1));
    let inner: number | undefined;
    const init = plain(2);
    const hostile = {
      ...init,
      mid: {
        ...init.mid,
        inner: {
          ...init.mid.inner,
          get tag(): "a" | "b" {
            inner ??= table.create(plain(3));
            return "a";
          },
        },
      },
    };
    const outer = table.create(hostile);
    assert.notEqual(inner, undefined);
    assert.notEqual(outer, inner);
    assert.deepEqual(read(table, inner!), plain(3));
    assert.deepEqual(read(table, outer), plain(2));
    assert.equal(table.count, 3);
  });

  it("a getter that deletes a record meanwhile: the create may reuse its slot, whole", () => {
    const table = make();
    const a = table.create(plain(1));
    const b = table.create(plain(2));
    const init = plain(4);
    const hostile = {
      ...init,
      get life() {
        table.delete(a);
        return init.life;
      },
    };
    const id = table.create(hostile);
    assert.equal(table.has(a), false);
    assert.equal(table.slotOf(id), table.slotOf(a) ?? 0);
    assert.deepEqual(read(table, id), plain(4));
    assert.deepEqual(read(table, b), plain(2));
  });

  it("a getter that fills the table: create throws, tryCreate gives undefined, no write", () => {
    for (const soft of [false, true]) {
      const table = make(2);
      const a = table.create(plain(1));
      let filled: number | undefined;
      const hostile = {
        get n() {
          filled ??= table.create(plain(5));
          return 9;
        },
      };
      if (soft) assert.equal(table.tryCreate(hostile), undefined);
      else assert.throws(() => table.create(hostile), TableFullError);
      assert.equal(table.count, 2);
      assert.deepEqual(read(table, a), plain(1));
      assert.deepEqual(read(table, filled!), plain(5));
    }
  });

  it("a getter that makes the table grow: the record lands in the grown storage", () => {
    const table = make(2, { growth: "double", maxCapacity: 64 });
    const first = table.create(plain(1));
    const made: number[] = [];
    const init = plain(6);
    const hostile = {
      ...init,
      mid: {
        ...init.mid,
        get k() {
          if (made.length === 0) {
            for (let i = 0; i < 5; i++) made.push(table.create(plain(10 + i)));
          }
          return init.mid.k;
        },
      },
    };
    const id = table.create(hostile);
    assert.ok(table.capacity > 2);
    assert.deepEqual(read(table, id), plain(6));
    assert.deepEqual(read(table, first), plain(1));
    made.forEach((m, i) => assert.deepEqual(read(table, m), plain(10 + i)));
    assert.equal(table.count, 7);
  });

  it("a getter that clears the table: the record is the only one", () => {
    const table = make();
    const old = [1, 2, 3].map((i) => table.create(plain(i)));
    const init = plain(7);
    const hostile = {
      ...init,
      get mid() {
        table.clear();
        return init.mid;
      },
    };
    const id = table.create(hostile);
    assert.equal(table.count, 1);
    assert.deepEqual(table.ids(), [id]);
    assert.deepEqual(read(table, id), plain(7));
    for (const o of old) assert.equal(table.has(o), false);
  });

  it("views stand for their records: the whole value, a nested struct, two levels down", () => {
    const table = make();
    const other = make();
    const src = other.get(other.create(plain(3)))!;
    const whole = table.create(src as never);
    assert.deepEqual(read(table, whole), plain(3));
    const mid = table.create({ mid: src.mid, life: 9 } as never);
    assert.deepEqual(read(table, mid), { ...plain(3), life: 9, n: 0 });
    const deep = table.create({ mid: { inner: src.mid.inner, k: 2 } } as never);
    const want = { ...plain(0), mid: { ...plain(3).mid, v: { x: 0, y: 0 }, k: 2 }, life: 0, n: 0 };
    assert.deepEqual(read(table, deep), want);
  });

  it("a value that passes for a view is read again as its record, and only that is written", () => {
    const table = make();
    // What it reads first (an inner struct) is not in the record it stands for.
    const fake = { $m: 0, $o: 0, inner: { x: 5 }, toObject: () => ({ k: 3 }) };
    const id = table.create({ mid: fake, life: 1 } as never);
    assert.deepEqual(read(table, id), {
      mid: { inner: { x: 0, tag: "a", on: false, s: "", big: 0n }, v: { x: 0, y: 0 }, k: 3 },
      life: 1,
      n: 0,
    });
  });

  it("fields set to undefined or missing at any depth are zero", () => {
    const table = make();
    const id = table.create({ mid: { inner: { x: 1.5, tag: undefined }, v: undefined } } as never);
    const want = {
      mid: { inner: { x: 1.5, tag: "a", on: false, s: "", big: 0n }, v: { x: 0, y: 0 }, k: 0 },
      life: 0,
      n: 0,
    };
    assert.deepEqual(read(table, id), want);
  });

  it("reads every property of the init once", () => {
    const table = make();
    const reads: string[] = [];
    const spy = <T extends object>(o: T, at: string): T =>
      new Proxy(o, {
        get(target, key, receiver) {
          if (typeof key === "string") reads.push(`${at}${key}`);
          return Reflect.get(target, key, receiver);
        },
      });
    const p = plain(2);
    const init = spy({
      ...p,
      mid: spy(
        { ...p.mid, inner: spy(p.mid.inner, "mid.inner."), v: spy(p.mid.v, "mid.v.") },
        "mid.",
      ),
    }, "");
    const id = table.create(init);
    assert.deepEqual(read(table, id), p);
    const counts = new Map<string, number>();
    for (const r of reads) counts.set(r, (counts.get(r) ?? 0) + 1);
    for (const [key, n] of counts) assert.equal(n, 1, key);
    assert.equal(counts.size, 3 + 3 + 5 + 2);
  });

  it("a bad value at any depth: an error naming it, and nothing changed, byte for byte", () => {
    const table = make();
    const twin = make();
    for (const i of [1, 2, 3]) {
      table.create(plain(i));
      twin.create(plain(i));
    }
    table.delete(table.ids()[1]);
    twin.delete(twin.ids()[1]);
    const bad: [unknown, RegExp][] = [
      [{ mid: { inner: { x: "1" } } }, /mid\.inner\.x/],
      [{ mid: { inner: { tag: "c" } } }, /mid\.inner\.tag/],
      [{ mid: { inner: { s: "far too long" } } }, /mid\.inner\.s/],
      [{ mid: { inner: { big: 1.5 } } }, /mid\.inner\.big/],
      [{ mid: { inner: { on: 1 } } }, /mid\.inner\.on/],
      [{ mid: { inner: { zz: 1 } } }, /mid\.inner\.zz/],
      [{ mid: { inner: [] } }, /mid\.inner/],
      [{ mid: { v: { x: 1, z: 2 } } }, /mid\.v\.z/],
      [{ mid: { k: 70000 } }, /mid\.k/],
      [{ mid: 5 }, /mid/],
      [{ life: 1n }, /life/],
      [{ n: -1 }, /"n"/],
      [{ zz: 1 }, /zz/],
      [null, /Rec/],
    ];
    const before = table.snapshot();
    for (const [value, names] of bad) {
      assert.throws(() => table.create(value as never), names, JSON.stringify(String(value)));
      assert.throws(() => table.tryCreate(value as never), names);
    }
    assert.deepEqual(table.snapshot(), before);
    assert.equal(table.count, 2);
    // The next create takes the slot it would have taken with no failed attempts.
    const id = table.create(plain(8));
    assert.equal(table.slotOf(id), twin.slotOf(twin.create(plain(8))));
    assert.deepEqual(read(table, id), plain(8));
  });
});
