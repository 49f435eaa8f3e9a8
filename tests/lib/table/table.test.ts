import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as t from "../../../schemas/t.ts";
import { layoutOf } from "../../../schemas/layout.ts";
import { Table } from "../../../lib/table/table.ts";
import { MAX_TABLE_CAPACITY } from "../../../lib/table/options.ts";
import {
  FieldRangeError,
  FieldTypeError,
  InvalidIdError,
  StaleViewError,
  TableFullError,
} from "../../../lib/errors.ts";
import type { ViewOf } from "../../../schemas/types.ts";
import { contents, each, LAYOUTS, Particle } from "./_fixtures.ts";

each((layout, jitless) => {
  const make = (capacity = 8, extra = {}) =>
    new Table(Particle, { capacity, layout, jitless, resolveRefs: false, ...extra });

  describe("Table.create() / get()", () => {
    it("stores the init and zeroes the rest", () => {
      const table = make();
      const id = table.create({ pos: { x: 1.5, y: 2 }, life: 1, kind: "smoke", name: "ab" });
      assert.deepEqual(table.get(id)?.toObject(), {
        pos: { x: 1.5, y: 2 },
        vel: { x: 0, y: 0 },
        life: 1,
        hp: 0,
        kind: "smoke",
        name: "ab",
        hist: [0, 0, 0],
        big: 0n,
        alive: false,
      });
      assert.equal(table.count, 1);
    });

    it("returns distinct non-zero safe-integer ids that survive JSON", () => {
      const table = make();
      const ids = [table.create(), table.create(), table.create()];
      for (const id of ids) {
        assert.ok(Number.isSafeInteger(id) && id > 0);
        assert.equal(JSON.parse(JSON.stringify(id)), id);
        assert.ok(table.has(id));
      }
      assert.equal(new Set(ids).size, 3);
    });

    it("reuses a deleted slot under a new id, and the old id stays dead", () => {
      const table = make(1);
      const a = table.create({ life: 1 });
      table.delete(a);
      const b = table.create({ life: 2 });
      assert.notEqual(a, b);
      assert.equal(table.slotOf(a), undefined);
      assert.equal(table.slotOf(b), 0);
      assert.equal(table.get(a), undefined);
      assert.equal(table.get(b)?.life, 2);
    });

    it("zeroes a reused slot", () => {
      const table = make(1);
      table.delete(table.create({ life: 1, name: "old", big: 5n, hist: [1, 2, 3] }));
      const id = table.create();
      assert.deepEqual(table.get(id)?.toObject().hist, [0, 0, 0]);
      assert.equal(table.get(id)?.name, "");
      assert.equal(table.get(id)?.big, 0n);
    });
  });

  describe("Table full", () => {
    it("throws TableFullError with the capacity, and tryCreate returns undefined", () => {
      const table = make(2);
      table.create();
      table.create();
      assert.throws(() => table.create(), (e: unknown) => {
        assert.ok(e instanceof TableFullError && e instanceof RangeError);
        assert.equal(e.capacity, 2);
        assert.equal(
          e.message,
          "Cannot create a record: table is full at its capacity of 2 records",
        );
        return true;
      });
      assert.equal(table.tryCreate({ life: 1 }), undefined);
      assert.equal(table.count, 2);
    });

    it("tryCreate still throws for bad values", () => {
      const table = make(1);
      table.create();
      assert.throws(() => table.tryCreate({ hp: 300 }), FieldRangeError);
    });
  });

  describe("Table growth", () => {
    it("doubles, keeps every id valid and every value", () => {
      const table = make(2, { growth: "double" });
      const ids: number[] = [];
      for (let i = 0; i < 40; i++) ids.push(table.create({ life: i + 0.5, name: `n${i}` }));
      assert.equal(table.capacity, 64);
      ids.forEach((id, i) => {
        assert.equal(table.get(id)?.life, i + 0.5);
        assert.equal(table.get(id)?.name, `n${i}`);
      });
    });

    it("makes views from before the growth stale, not wrong", () => {
      const table = make(1, { growth: "double" });
      const id = table.create({ life: 1 });
      const v = table.get(id)!;
      table.create();
      assert.throws(() => v.life, StaleViewError);
      table.get(id)!.life = 3;
      assert.equal(table.get(id)?.life, 3);
    });

    it("stops at maxCapacity", () => {
      const table = make(2, { growth: "double", maxCapacity: 3 });
      table.create();
      table.create();
      table.create();
      assert.equal(table.capacity, 3);
      assert.throws(() => table.create(), { name: "TableFullError" });
    });

    it("continues an iteration that grows the table with the new storage", () => {
      const table = make(2, { growth: "double" });
      table.create({ life: 1 });
      table.create({ life: 2 });
      const seen: number[] = [];
      table.forEach((p) => {
        seen.push(p.life);
        p.life += 0.5;
        const grows = table.count === table.capacity;
        table.create({ life: 10 });
        // The cursor pointed into the storage the growth replaced.
        if (grows) assert.throws(() => p.life, StaleViewError);
      });
      assert.deepEqual(seen, [1, 2]);
      assert.deepEqual(table.ids().map((id) => table.get(id)!.life), [1.5, 2.5, 10, 10]);
    });
  });

  describe("Table.update()", () => {
    it("writes only the given fields", () => {
      const table = make();
      const id = table.create({ life: 1, hp: 3 });
      assert.equal(table.update(id, { life: 0.5, pos: { y: 2 } }), true);
      const o = table.get(id)!.toObject();
      assert.equal(o.life, 0.5);
      assert.equal(o.hp, 3);
      assert.deepEqual(o.pos, { x: 0, y: 2 });
    });

    it("returns false for a deleted record", () => {
      const table = make();
      const id = table.create();
      table.delete(id);
      assert.equal(table.update(id, { life: 1 }), false);
    });
  });

  describe("bad input", () => {
    const bad: [string, unknown, new (...a: never[]) => Error][] = [
      ["unknown field", { lfe: 1 }, FieldTypeError],
      ["unknown nested field", { pos: { z: 1 } }, FieldTypeError],
      ["u8 out of range", { life: 2, hp: 256 }, FieldRangeError],
      ["fractional u8", { hp: 1.5 }, FieldRangeError],
      ["string too long", { name: "123456789" }, FieldRangeError],
      ["unknown enum literal", { kind: "fire" }, FieldRangeError],
      ["wrong array length", { life: 1, hist: [1, 2] }, FieldRangeError],
      ["number for bigint", { big: 1 }, FieldTypeError],
      ["bigint for f32", { life: 1n }, FieldTypeError],
      ["not an object", 5, FieldTypeError],
    ];
    for (const [what, value, E] of bad) {
      it(`create and update refuse ${what} and change nothing`, () => {
        const table = make(4);
        const id = table.create({ life: 0.25, name: "keep", hist: [1, 2, 3] });
        const before = contents(table);
        const slots = table.slots;
        assert.throws(() => table.create(value as never), E);
        assert.throws(() => table.update(id, value as never), E);
        assert.deepEqual(contents(table), before);
        assert.equal(table.count, 1);
        assert.equal(table.slots, slots);
      });
    }

    for (const checked of [true, false]) {
      it(`view setters refuse bad values and change nothing (checked: ${checked})`, () => {
        const table = make(4, { checked });
        const id = table.create({ life: 0.25, hp: 3, name: "keep", hist: [1, 2, 3] });
        const p = table.get(id)!;
        const before = contents(table);
        const writes: [() => void, new (...a: never[]) => Error][] = [
          [() => (p.hp = 256), FieldRangeError],
          [() => (p.hp = 1.5), FieldRangeError],
          [() => ((p as unknown as { life: unknown }).life = "1"), FieldTypeError],
          [() => ((p.pos as unknown as { x: unknown }).x = null), FieldTypeError],
          [() => (p.big = 1 as never), FieldTypeError],
          [() => (p.alive = 1 as never), FieldTypeError],
          [() => (p.kind = "fire" as never), FieldRangeError],
          [() => (p.name = "123456789"), FieldRangeError],
          [() => ((p as unknown as { hist: unknown }).hist = [1, 2]), FieldRangeError],
          [() => p.set({ hp: -1 }), FieldRangeError],
        ];
        for (const [write, E] of writes) assert.throws(write, E);
        assert.deepEqual(contents(table), before);
        p.life = -Infinity;
        assert.equal(table.get(id)!.life, -Infinity);
      });
    }

    it("throws InvalidIdError for values that cannot be ids", () => {
      const table = make();
      table.create();
      for (
        const id of [NaN, -1, 0, 1.5, 5, Infinity, 2 ** 53, "16777216", null, undefined, 2 ** 25]
      ) {
        assert.throws(() => table.get(id as number), (e: unknown) => {
          assert.ok(e instanceof InvalidIdError && e instanceof TypeError);
          assert.equal(e.id, id);
          assert.match(e.message, /^Cannot get .*: expected an id returned by Table\.create\(\)/);
          return true;
        });
        assert.throws(() => table.delete(id as number), InvalidIdError);
        assert.throws(() => table.update(id as number, {}), InvalidIdError);
        assert.equal(table.has(id as number), false);
        assert.equal(table.slotOf(id as number), undefined);
      }
      assert.equal(table.count, 1);
    });

    it("returns undefined for a forged generation or an unused slot", () => {
      const table = make();
      const id = table.create();
      assert.equal(table.get(id + 2 * MAX_TABLE_CAPACITY), undefined);
      assert.equal(table.get(id + 5), undefined);
      assert.equal(table.delete(id + 2 * MAX_TABLE_CAPACITY), false);
      assert.ok(table.has(id));
    });

    it("validates the options", () => {
      assert.throws(() => new Table(Particle, { capacity: 0 }), {
        name: "RangeError",
        message:
          `Cannot create Table: option "capacity" must be an integer from 1 to ${MAX_TABLE_CAPACITY}, got 0`,
      });
      assert.throws(() => new Table(Particle, { capacity: 1, layout: "xyz" as never }), RangeError);
      assert.throws(() => new Table(Particle, { capacity: 1, growth: "x" as never }), RangeError);
      assert.throws(() => new Table(t.f32() as never, { capacity: 1 }), TypeError);
    });

    it("refuses a boolean option given as anything but a boolean (it never means the other)", () => {
      for (const key of ["checked", "jitless", "resolveRefs", "shared"]) {
        for (const v of [0, 1, "false", "yes", null]) {
          assert.throws(() => new Table(Particle, { capacity: 1, [key]: v } as never), {
            name: "TypeError",
            message: `Cannot create Table: option "${key}" must be a boolean, got ${
              v === null ? "null" : typeof v === "string" ? JSON.stringify(v) : String(v)
            }`,
          });
        }
        // Absent, undefined, true and false are all fine.
        for (const v of [undefined, true, false]) new Table(Particle, { capacity: 1, [key]: v });
      }
    });
  });

  describe("views", () => {
    it("a view of a deleted record throws StaleViewError, even after the slot is reused", () => {
      const table = make(1);
      const id = table.create({ life: 1 });
      const v = table.get(id)!;
      const pos = v.pos;
      table.delete(id);
      assert.throws(() => v.life, StaleViewError);
      table.create({ life: 2 });
      assert.throws(() => v.life, StaleViewError);
      assert.throws(() => pos.x, StaleViewError);
      assert.throws(() => (v.life = 5), StaleViewError);
    });

    it("a view survives deletes of other records", () => {
      const table = make();
      const a = table.create({ life: 1 });
      const b = table.create({ life: 2 });
      const v = table.get(a)!;
      table.delete(b);
      table.create({ life: 3 });
      assert.equal(v.life, 1);
      v.life = 4;
      assert.equal(table.get(a)!.life, 4);
    });

    it("setters check values", () => {
      const table = make();
      const v = table.get(table.create())!;
      assert.throws(() => (v.hp = 300), FieldRangeError);
      assert.throws(() => ((v as { life: unknown }).life = "x"), FieldTypeError);
      assert.throws(() => (v.kind = "fire" as never), FieldRangeError);
      v.kind = "smoke";
      v.set({ pos: { x: 0.5 }, hist: [1, 2, 3] });
      assert.equal(v.kind, "smoke");
      assert.equal(v.pos.x, 0.5);
      assert.deepEqual([...v.hist], [1, 2, 3]);
    });

    it("setters name the nested field, accept NaN and ±Infinity, and resync after other deletes", () => {
      const table = make();
      const other = table.create();
      const v = table.get(table.create())!;
      assert.throws(() => ((v.pos as unknown as { y: unknown }).y = "1"), (e: unknown) => {
        assert.ok(e instanceof FieldTypeError);
        assert.equal(e.path, "pos.y");
        return true;
      });
      assert.throws(() => ((v.vel as { x: unknown }).x = "1"), { name: "FieldTypeError" });
      v.pos.x = Infinity;
      v.vel.y = -Infinity;
      v.life = NaN;
      assert.deepEqual([v.pos.x, v.vel.y, v.life], [Infinity, -Infinity, NaN]);
      // The next write takes the slow path once (another record was deleted), then writes.
      table.delete(other);
      v.pos.y = 2.5;
      assert.equal(table.get(table.idOf(v)!)!.pos.y, 2.5);
      const pos = v.pos;
      table.delete(table.idOf(v)!);
      assert.throws(() => (pos.x = 1), (e: unknown) => {
        assert.ok(e instanceof StaleViewError);
        assert.match(e.message, /"pos\.x"/);
        return true;
      });
    });

    it("clear() ends every view and id", () => {
      const table = make();
      const id = table.create();
      const v = table.get(id)!;
      table.clear();
      assert.equal(table.count, 0);
      assert.equal(table.has(id), false);
      assert.throws(() => v.life, StaleViewError);
      const again = table.create();
      assert.equal(table.slotOf(again), 0);
      assert.notEqual(again, id);
    });
  });

  describe("iteration", () => {
    it("visits live records in slot order with one cursor", () => {
      const table = make();
      const ids = [1, 2, 3, 4].map((life) => table.create({ life }));
      table.delete(ids[1]);
      const seen: number[] = [];
      const cursors = new Set<unknown>();
      for (const p of table) {
        seen.push(p.life);
        cursors.add(p);
      }
      assert.deepEqual(seen, [1, 3, 4]);
      assert.equal(cursors.size, 1);
      const pairs: [number, number][] = [];
      table.forEach((p, id) => pairs.push([id, p.life]));
      assert.deepEqual(pairs, [[ids[0], 1], [ids[2], 3], [ids[3], 4]]);
    });

    it("allows deleting the current and later records", () => {
      const table = make();
      const ids = [1, 2, 3, 4].map((life) => table.create({ life }));
      const seen: number[] = [];
      table.forEach((p, id) => {
        seen.push(p.life);
        table.delete(id);
        if (id === ids[0]) table.delete(ids[2]);
        assert.throws(() => p.life, StaleViewError);
      });
      assert.deepEqual(seen, [1, 2, 4]);
      assert.equal(table.count, 0);
    });

    it("a child view kept past its loop throws StaleViewError, like the cursor", () => {
      const loops = {
        "for…of": (table: ReturnType<typeof make>, fn: (p: ViewOf<typeof Particle>) => void) => {
          for (const p of table) fn(p);
        },
        forEach: (table: ReturnType<typeof make>, fn: (p: ViewOf<typeof Particle>) => void) =>
          table.forEach(fn),
        where: (table: ReturnType<typeof make>, fn: (p: ViewOf<typeof Particle>) => void) =>
          table.where(() => true).forEach(fn),
      };
      for (const [how, loop] of Object.entries(loops)) {
        const table = make();
        [1, 2].forEach((life) => table.create({ life, pos: { x: life * 10, y: 0 } }));
        let pos: ViewOf<typeof Particle>["pos"] | undefined;
        const xs: number[] = [];
        loop(table, (p) => {
          // The child taken at the first record follows the cursor to the next one.
          pos ??= p.pos;
          xs.push(pos.x);
        });
        assert.deepEqual(xs, [10, 20], how);
        assert.throws(() => pos!.x, StaleViewError, how);
        assert.throws(() => (pos!.x = 1), StaleViewError, how);
        assert.deepEqual(table.ids().map((id) => table.get(id)!.pos.x), [10, 20], how);
      }
    });

    it("a child view of the cursor throws once its record is deleted in the loop", () => {
      const table = make();
      [1, 2, 3].forEach((life) => table.create({ life, pos: { x: life, y: 0 } }));
      const seen: number[] = [];
      table.forEach((p, id) => {
        const pos = p.pos;
        seen.push(pos.x);
        if (pos.x === 2) {
          table.delete(id);
          assert.throws(() => pos.x, StaleViewError);
        }
      });
      assert.deepEqual(seen, [1, 2, 3]);
    });

    it("visits a record created during the loop in a slot freed ahead of the cursor", () => {
      for (const how of ["for…of", "forEach"]) {
        const table = make();
        const ids = [1, 2, 3].map((life) => table.create({ life }));
        const seen: number[] = [];
        const body = (p: { life: number }) => {
          seen.push(p.life);
          if (p.life === 1) {
            table.delete(ids[1]);
            table.create({ life: 7 });
          }
          p.life += 0.5;
        };
        if (how === "for…of") { for (const p of table) body(p); }
        else table.forEach(body);
        assert.deepEqual(seen, [1, 7, 3], how);
        assert.deepEqual(table.ids().map((id) => table.get(id)!.life), [1.5, 7.5, 3.5], how);
      }
    });

    it("for…of continues with the new storage when the loop body grows the table", () => {
      const table = make(2, { growth: "double" });
      table.create({ life: 1 });
      table.create({ life: 2 });
      const seen: number[] = [];
      for (const p of table) {
        seen.push(p.life);
        p.life += 0.5;
        if (table.count === table.capacity) {
          table.create({ life: 10 });
          assert.throws(() => p.life, StaleViewError);
        }
      }
      assert.deepEqual(seen, [1, 2]);
      assert.deepEqual(table.ids().map((id) => table.get(id)!.life), [1.5, 2.5, 10]);
    });

    it("forEach and where continue with the new storage when the body grows the table", () => {
      for (
        const [how, checked] of [["forEach", true], ["where", true], ["forEach", false]] as const
      ) {
        const table = make(2, { growth: "double", checked });
        const ids = [1, 2].map((life) => table.create({ life }));
        const seen: number[] = [];
        const body = (p: { life: number }, id: number) => {
          seen.push(p.life);
          p.life += 0.5;
          if (id === ids[0]) {
            // A growth (new storage, the cursor replaced), then a delete with the new cursor.
            table.create({ life: 10 });
            if (checked) assert.throws(() => p.life, StaleViewError, how);
          } else table.delete(id);
        };
        if (how === "forEach") table.forEach(body);
        else table.where(() => true).forEach(body);
        assert.deepEqual(seen, [1, 2], how);
        assert.deepEqual(table.ids().map((id) => table.get(id)!.life), [1.5, 10], how);
      }
    });

    it("a loop that throws leaves the table iterable", () => {
      const table = make();
      [1, 2].forEach((life) => table.create({ life }));
      assert.throws(() => {
        for (const p of table) if (p.life === 1) throw new Error("stop");
      }, /stop/);
      assert.throws(() =>
        table.forEach(() => {
          throw new Error("stop");
        }), /stop/);
      assert.deepEqual([...table].length, 2);
      let n = 0;
      table.forEach(() => n++);
      assert.equal(n, 2);
    });

    it("loops that end out of order: deleting the record a live one stands on still ends it", () => {
      const table = make();
      const ids = [1, 2, 3].map((life) => table.create({ life }));
      const a = table[Symbol.iterator]();
      const b = table[Symbol.iterator]();
      const c = table[Symbol.iterator]();
      const pa = a.next().value!;
      const pb = b.next().value!;
      b.next();
      const pc = c.next().value!;
      c.next();
      c.next();
      // The first and the last to start end first; b stands on the second record.
      a.return!();
      c.return!();
      assert.throws(() => pa.life, StaleViewError);
      assert.throws(() => pc.life, StaleViewError);
      assert.equal(pb.life, 2);
      table.delete(ids[1]);
      assert.throws(() => pb.life, StaleViewError);
      // b goes on with the next record, through a fresh copy.
      assert.equal(b.next().value!.life, 3);
      assert.equal(b.next().done, true);
      assert.throws(() => pb.life, StaleViewError);
    });

    it("a loop whose callback throws retires its cursor, as one that ends does", () => {
      for (const extra of [{}, { shared: true }, { growth: "double" as const }]) {
        const table = make(2, extra);
        [1, 2].forEach((life) => table.create({ life }));
        const how = JSON.stringify(extra);
        const loops = {
          forEach: (fn: (p: ViewOf<typeof Particle>) => void) => table.forEach(fn),
          where: (fn: (p: ViewOf<typeof Particle>) => void) => table.where(() => true).forEach(fn),
          "where (pred throws)": (fn: (p: ViewOf<typeof Particle>) => void) =>
            table.where((p) => {
              fn(p);
              return true;
            }).count(),
        };
        for (const [name, loop] of Object.entries(loops)) {
          for (const at of [1, 2]) {
            let kept: ViewOf<typeof Particle> | undefined;
            let pos: ViewOf<typeof Particle>["pos"] | undefined;
            assert.throws(
              () =>
                loop((p) => {
                  kept = p;
                  pos = p.pos;
                  const life = p.life;
                  // Where the table can grow, a growth first (the loop then takes a new cursor).
                  if ("growth" in extra && table.count === 2) table.create({ life: 3 });
                  if (life === at) throw new Error("stop");
                }),
              /stop/,
              `${how} ${name} at ${at}`,
            );
            assert.throws(() => kept!.life, StaleViewError, `${how} ${name} at ${at}`);
            assert.throws(() => (kept!.life = 9), StaleViewError, `${how} ${name} at ${at}`);
            assert.throws(() => pos!.x, StaleViewError, `${how} ${name} at ${at}`);
          }
        }
        assert.deepEqual(table.ids().map((id) => table.get(id)!.life).slice(0, 2), [1, 2], how);
      }
    });

    it("an inner loop that throws, caught inside the outer one, retires only its own cursor", () => {
      const table = make();
      [1, 2].forEach((life) => table.create({ life }));
      const seen: number[] = [];
      table.forEach((outer) => {
        let inner: ViewOf<typeof Particle> | undefined;
        assert.throws(() =>
          table.forEach((p) => {
            inner = p;
            throw new Error("stop");
          }), /stop/);
        assert.throws(() => inner!.life, StaleViewError);
        // The outer loop's cursor is still lent, and still at its record.
        seen.push(outer.life);
        outer.life += 0.5;
      });
      assert.deepEqual(seen, [1, 2]);
      assert.deepEqual(table.ids().map((id) => table.get(id)!.life), [1.5, 2.5]);
    });

    it("nested loops over one table get their own cursors", () => {
      const table = make();
      [1, 2].forEach((life) => table.create({ life }));
      const pairs: number[][] = [];
      for (const a of table) for (const b of table) pairs.push([a.life, b.life]);
      assert.deepEqual(pairs, [[1, 1], [1, 2], [2, 1], [2, 2]]);
    });

    it("break returns the iterator to the pool", () => {
      const table = make();
      [1, 2, 3].forEach((life) => table.create({ life }));
      for (const p of table) if (p.life === 1) break;
      assert.deepEqual([...table].length, 3);
    });

    it("idOf() names the cursor's record", () => {
      const table = make();
      const a = table.create({ life: 1 });
      const b = table.create({ life: 2 });
      const found: (number | undefined)[] = [];
      for (const p of table) found.push(table.idOf(p));
      assert.deepEqual(found, [a, b]);
      assert.equal(table.idOf({} as never), undefined);
    });
  });

  describe("Table.column()", () => {
    it("indexes a number field by slot", () => {
      const table = make();
      const a = table.create({ pos: { x: 1.5 }, hp: 7 });
      const b = table.create({ pos: { x: 2.5 }, hp: 9 });
      const x = table.column<Float32Array>("pos.x");
      const hp = table.column<Uint8Array>("hp");
      assert.ok(x.array instanceof Float32Array);
      assert.ok(hp.array instanceof Uint8Array);
      assert.equal(x.length, 2);
      assert.equal(x.array[x.index + table.slotOf(b)! * x.stride], 2.5);
      assert.equal(hp.array[hp.index + table.slotOf(a)! * hp.stride], 7);
      x.array[x.index + table.slotOf(a)! * x.stride] = 4.5;
      assert.equal(table.get(a)!.pos.x, 4.5);
      const vy = table.column("vel.y");
      assert.ok(vy.array instanceof Float32Array);
      if (layout === "soa") {
        assert.equal(x.index, 0);
        assert.equal(x.stride, 1);
      } else {
        assert.equal(x.stride, layoutOf(Particle).size / 4);
      }
    });

    it("gives every column index 0, so one slot * stride indexes them all", () => {
      const table = make();
      const ids = [0, 1, 2, 3].map((i) =>
        table.create({
          pos: { x: i + 0.5, y: -i },
          vel: { x: 2 * i, y: 0.25 },
          hp: 10 + i,
          big: 7n,
        })
      );
      table.delete(ids[1]);
      const cols = ["pos.x", "pos.y", "vel.x", "vel.y", "life", "hp", "big"];
      for (const path of cols) assert.equal(table.column(path).index, 0, path);
      const x = table.column<Float32Array>("pos.x");
      const y = table.column<Float32Array>("pos.y").array;
      const vx = table.column<Float32Array>("vel.x").array;
      const hp = table.column<Uint8Array>("hp");
      const big = table.column<BigInt64Array>("big");
      const live = table.liveSlots();
      for (let k = 0; k < live.length; k++) {
        const o = live[k] * x.stride;
        x.array[o] += vx[o];
        y[o] -= 1;
        hp.array[live[k] * hp.stride] += 1;
        big.array[live[k] * big.stride] *= 3n;
      }
      const read = ids.map((id) => {
        const p = table.get(id);
        return p && [p.pos.x, p.pos.y, p.vel.x, p.hp, p.big, p.life];
      });
      assert.deepEqual(read, [
        [0.5, -1, 0, 11, 21n, 0],
        undefined,
        [6.5, -3, 4, 13, 21n, 0],
        [9.5, -4, 6, 14, 21n, 0],
      ]);
      if (layout === "aos") {
        // Views over the one record buffer, each starting at its field.
        assert.equal(x.array.buffer, hp.array.buffer);
        assert.equal(
          x.array.byteOffset,
          layoutOf(Particle).fields.find((f) => f.name === "pos")!.offset,
        );
      }
    });

    it("returns the same object per path until a growth, with length following slots", () => {
      const table = make(2, { growth: "double" });
      const first = table.column("life");
      assert.equal(first.length, 0);
      const a = table.create({ life: 0.5 });
      assert.equal(table.column("life"), first);
      assert.equal(first.length, 1);
      table.create({ life: 1.5 });
      table.create({ life: 2.5 }); // grows: the old column keeps the old storage
      const grown = table.column<Float32Array>("life");
      assert.notEqual(grown, first);
      assert.equal(grown.length, 3);
      assert.equal(grown.array[2 * grown.stride], 2.5);
      grown.array[table.slotOf(a)! * grown.stride] = 9;
      assert.equal(table.get(a)!.life, 9);
      assert.equal((first.array as Float32Array)[0], 0.5);
    });

    it("refuses unknown and non-number fields", () => {
      const table = make();
      assert.throws(() => table.column("nope"), RangeError);
      assert.throws(() => table.column("pos"), RangeError);
      assert.throws(() => table.column("name"), RangeError);
    });
  });

  describe("memory", () => {
    it("costs at most the layout size + 16 bytes per record", () => {
      const table = make(1000);
      for (let i = 0; i < 1000; i++) table.create();
      assert.ok(table.byteLength <= 1000 * (layoutOf(Particle).size + 16));
    });

    it("counts the liveSlots() index: 4 more bytes per record of capacity", () => {
      const table = make(1000);
      for (let i = 0; i < 10; i++) table.create();
      const before = table.byteLength;
      table.liveSlots();
      assert.equal(table.byteLength, before + 4 * 1000);
      table.create();
      table.liveSlots();
      assert.equal(table.byteLength, before + 4 * 1000);
    });
  });
});

describe("references", () => {
  for (const layout of LAYOUTS) {
    for (const jitless of [false, true]) {
      it(`resolve to the target's view, then undefined once it is deleted (${layout}, jitless ${jitless})`, () => {
        const Ship = t.struct({ hp: t.f32() }, { name: "Ship" });
        const Bullet = t.struct({ from: t.ref(Ship), x: t.f32() }, { name: "Bullet" });
        const ships = new Table(Ship, { capacity: 4, layout, jitless });
        const bullets = new Table(Bullet, { capacity: 4, layout, jitless, refs: { from: ships } });
        const s = ships.create({ hp: 100 });
        const b = bullets.create({ from: s, x: 0.5 });
        const none = bullets.create({ x: 1 });
        assert.equal(bullets.get(b)!.from?.hp, 100);
        assert.equal(bullets.get(none)!.from, undefined);
        assert.deepEqual(bullets.get(b)!.toObject(), { from: s, x: 0.5 });
        ships.delete(s);
        assert.equal(bullets.get(b)!.from, undefined);
        const s2 = ships.create({ hp: 5 });
        assert.equal(ships.slotOf(s2), ships.slotOf(s) ?? 0);
        assert.equal(bullets.get(b)!.from, undefined);
        bullets.get(b)!.from = s2 as never;
        assert.equal(bullets.get(b)!.from?.hp, 5);
        assert.throws(() => bullets.update(b, { from: 1.5 }), FieldRangeError);
      });
    }
  }

  it("resolve against the table given in refs, whatever tables are made later (issue #14, item 12)", () => {
    const Node = t.struct({ v: t.f32() }, { name: "Node" });
    const Edge = t.struct({ to: t.ref(() => Node) }, { name: "Edge" });
    const a = new Table(Node, { capacity: 4 });
    const id = a.create({ v: 1 });
    const edges = new Table(Edge, { capacity: 4, refs: { to: a } });
    const e = edges.create({ to: id });
    const b = new Table(Node, { capacity: 4, resolveRefs: false });
    b.create({ v: 2 });
    assert.equal(edges.get(e)!.to?.v, 1);
    const c = new Table(Node, { capacity: 4 });
    c.create({ v: 3 });
    assert.equal(edges.get(e)!.to?.v, 1);
  });
});

describe("Table.isLive()", () => {
  for (const layout of ["aos", "soa"] as const) {
    it(`is true exactly for slots that hold a live record (${layout})`, () => {
      const S = t.struct({ v: t.f32() }, { name: "LiveProbe" });
      const table = new Table(S, { capacity: 8, layout });
      const ids = [0, 1, 2, 3].map((i) => table.create({ v: i + 0.5 }));
      table.delete(ids[1]);
      table.delete(ids[3]);
      const live = [];
      for (let s = 0; s < table.slots; s++) live.push(table.isLive(s));
      assert.deepEqual(live, [true, false, true, false]);
      for (let s = 0; s < table.slots; s++) {
        assert.equal(table.isLive(s), table.idAt(s) !== undefined, `slot ${s}`);
      }
      for (const bad of [-1, 8, 100, 1.5, NaN]) assert.equal(table.isLive(bad), false, `${bad}`);
      table.create({ v: 9.5 }); // reuses a freed slot
      assert.equal([0, 1, 2, 3].filter((s) => table.isLive(s)).length, 3);
    });
  }
});

describe("Table.liveSlots()", () => {
  for (const layout of ["aos", "soa"] as const) {
    it(`lists the live slots in order and is rebuilt after every change (${layout})`, () => {
      const S = t.struct({ v: t.f32() }, { name: "LiveSlotsProbe" });
      const table = new Table(S, { capacity: 2, layout, growth: "double" });
      assert.deepEqual([...table.liveSlots()], []);
      const ids = [0, 1, 2, 3, 4].map((i) => table.create({ v: i + 0.5 })); // grows twice
      const first = table.liveSlots();
      assert.deepEqual([...first], [0, 1, 2, 3, 4]);
      assert.equal(table.liveSlots(), first, "no change: the same array, nothing allocated");
      table.delete(ids[1]);
      table.delete(ids[3]);
      assert.deepEqual([...table.liveSlots()], [0, 2, 4]);
      table.create({ v: 9.5 }); // takes a freed slot
      const after = [...table.liveSlots()];
      assert.equal(after.length, 4);
      for (const s of after) assert.equal(table.isLive(s), true, `slot ${s}`);
      const snap = table.snapshot();
      table.clear();
      assert.deepEqual([...table.liveSlots()], []);
      table.restore(snap);
      assert.deepEqual([...table.liveSlots()], after);
      // Every listed slot reads its record through the columns.
      const v = table.column("v");
      const read = [...table.liveSlots()].map((s) => v.array[v.index + s * v.stride]);
      const viaViews: number[] = [];
      for (const p of table) viaViews.push(p.v);
      assert.deepEqual(read, viaViews);
    });
  }
});
