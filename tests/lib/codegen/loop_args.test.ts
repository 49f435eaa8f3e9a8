/**
 * A table's `forEach` passes `(record, id)`, except to a callback that certainly cannot see a
 * second argument (an arrow with at most one plain parameter), which its loop calls with the
 * record alone. Every callback that could read the id must still get it.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as t from "../../../schemas/t.ts";
import { Table } from "../../../lib/table/table.ts";
import { seesSecondArgument } from "../../../lib/codegen/emit_loops.ts";
import { each } from "../table/_fixtures.ts";

describe("seesSecondArgument()", () => {
  it("is false only for arrows of at most one plain parameter", () => {
    for (
      const src of [
        "p => p.x",
        "(p) => p.x",
        "( p ) => 1",
        "() => 1",
        "async p => 1",
        "async (p) => 1",
        "$ => 1",
        "_p1 => 1",
      ]
    ) {
      assert.equal(seesSecondArgument(src), false, src);
    }
    const sees = [
      "(p, id) => id",
      "(p, ...rest) => rest",
      "(...all) => all",
      "(p = 1, q) => q",
      "(p, id = -1) => id",
      "({ x }, id) => id",
      "({ x }) => x",
      "([a]) => a",
      "(p /* , id */) => p",
      "function (p) { return arguments[1]; }",
      "function f(p) { return p; }",
      "each(p) { return p; }",
      "function () { [native code] }",
      "class { }",
      "async function (p) {}",
      "(p\n, id) => id",
    ];
    for (const src of sees) assert.equal(seesSecondArgument(src), true, src);
  });

  it("takes the real source of arrows as engines print them", () => {
    assert.equal(seesSecondArgument(Function.prototype.toString.call((p: number) => p)), false);
    assert.equal(seesSecondArgument(Function.prototype.toString.call(() => 0)), false);
    const two = (p: number, id: number) => p + id;
    assert.equal(seesSecondArgument(Function.prototype.toString.call(two)), true);
    assert.equal(seesSecondArgument(Function.prototype.toString.call(two.bind(null))), true);
  });
});

const S = t.struct({ v: t.f32() }, { name: "LoopArgs" });

each((layout, jitless) => {
  it("every callback that can read the id gets it; the rest get the record", () => {
    const table = new Table(S, { capacity: 8, layout, jitless });
    const ids = [1.5, 2.5, 3.5].map((v) => table.create({ v }));
    table.delete(table.create({ v: 9 }));
    const got: Record<string, unknown[]> = {};
    const log = (k: string, x: unknown) => (got[k] ??= []).push(x);
    table.forEach((_p, id) => log("two", id));
    table.forEach((_p, ...rest) => log("rest", rest));
    table.forEach((...all) => log("all", all[1]));
    table.forEach((_p, id = -1) => log("default", id));
    table.forEach(({ v }, id) => log("destructured", [v, id]));
    table.forEach(function (_p) {
      log("arguments", arguments[1]);
    });
    table.forEach((p) => log("one", p.v));
    table.forEach(() => log("none", 0));
    assert.deepEqual(got, {
      two: ids,
      rest: ids.map((id) => [id]),
      all: ids,
      default: ids,
      destructured: ids.map((id, i) => [1.5 + i, id]),
      arguments: ids,
      one: [1.5, 2.5, 3.5],
      none: [0, 0, 0],
    });
  });

  it("for…of: one result object per iterator, { value: the cursor, done }, then done", () => {
    const table = new Table(S, { capacity: 8, layout, jitless });
    [1.5, 2.5].forEach((v) => table.create({ v }));
    const it = table[Symbol.iterator]();
    const first = it.next();
    const vs = [(first.value as { v: number }).v];
    const second = it.next();
    vs.push((second.value as { v: number }).v);
    // The same object each step (no allocation), holding the one re-pointed cursor.
    assert.equal(second, first);
    assert.equal(second.done, false);
    const end = it.next();
    assert.deepEqual([end.done, end.value, vs], [true, undefined, [1.5, 2.5]]);
    // Pooled: the next loop reuses the iterator, and a loop left early leaves it idle.
    let n = 0;
    for (const p of table) {
      n += p.v;
      break;
    }
    for (const p of table) n += p.v;
    assert.equal(n, 1.5 + 1.5 + 2.5);
  });

  it("where(pred).forEach(fn): pred and fn each get the id when they can read it", () => {
    const table = new Table(S, { capacity: 8, layout, jitless });
    const ids = [1.5, 2.5, 3.5].map((v) => table.create({ v }));
    const got: unknown[][] = [];
    table.where((p) => p.v > 2).forEach((_p, id) => got.push(["fn", id]));
    table.where((_p, id) => id !== ids[1]).forEach((p) => got.push(["pred", p.v]));
    table.where((p) => p.v < 2).forEach((p) => got.push(["one", p.v]));
    table.where((_p, ...r) => r[0] === ids[2]).forEach((...a) => got.push(["rest", a[1]]));
    assert.deepEqual(got, [
      ["fn", ids[1]],
      ["fn", ids[2]],
      ["pred", 1.5],
      ["pred", 3.5],
      ["one", 1.5],
      ["rest", ids[2]],
    ]);
  });
});
