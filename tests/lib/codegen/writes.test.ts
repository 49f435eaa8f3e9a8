// Every write path (alloc(S, init), view.set, field setters, Table.create / update, AoS and SoA)
// reads each input property exactly once and is all or nothing: a bad value, or a getter that
// throws, leaves the target byte for byte as it was. The generated classes, their jitless twins
// and toZod agree on what they accept, on random schemas and hostile values.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Arena } from "../../../lib/memory/arena.ts";
import { bufferOf, offsetOf } from "../../../lib/memory/views.ts";
import { Table } from "../../../lib/table/table.ts";
import { toZod } from "../../../lib/interop/to_zod.ts";
import { FieldRangeError, FieldTypeError, StaleViewError } from "../../../lib/errors.ts";
import { layoutOf } from "../../../schemas/layout.ts";
import * as t from "../../../schemas/t.ts";
import type { Schema, StructSchema } from "../../../schemas/types.ts";
import { schemaAndValue } from "../../schemas/_arbitraries.ts";
import { keyCounting } from "../../../lib/codegen/checks.ts";
import { withKeyCounting } from "./_pinned.ts";

const Inner = t.struct({ x: t.f32(), y: t.f32() }, { name: "Inner" });
const S = t.struct({
  a: t.u8(),
  b: t.f32(),
  s: t.string(8),
  k: t.enum(["on", "off"]),
  v: t.vec2f(),
  inner: Inner,
  hist: t.array(t.i16(), 3),
}, { name: "S" });

type Rec = Record<string, unknown>;

const bytesOf = (v: object, size: number) => new Uint8Array(bufferOf(v), offsetOf(v), size).slice();

// An input whose every property is a getter that counts its reads and answers `first` the first
// time, `later` after that.
function shifty(first: Record<string, unknown>, later: Record<string, unknown>) {
  const reads: Record<string, number> = {};
  const o: Record<string, unknown> = {};
  for (const k of Object.keys(first)) {
    reads[k] = 0;
    Object.defineProperty(o, k, {
      enumerable: true,
      get: () => (reads[k]++ === 0 ? first[k] : later[k]),
    });
  }
  return { o, reads };
}

// The same through a Proxy, counting `get` traps per key.
function proxied(first: Record<string, unknown>, later: Record<string, unknown>) {
  const reads: Record<string, number> = {};
  const o = new Proxy({ ...first }, {
    get(target, k) {
      if (typeof k !== "string" || !(k in target)) return undefined;
      reads[k] = (reads[k] ?? 0) + 1;
      return reads[k] === 1 ? first[k] : later[k];
    },
  });
  return { o, reads };
}

const FIRST = { a: 5, s: "hello", k: "off", b: 1.5 };
const LATER = { a: 300, s: 5, k: "nope", b: "x" };

for (const jitless of [false, true]) {
  describe(`writes read each property once (jitless: ${jitless})`, () => {
    for (const [what, make] of [["getters", shifty], ["a Proxy", proxied]] as const) {
      it(`alloc(S, init) and set() with ${what}`, () => {
        const arena = new Arena({ bytes: 1024, jitless });
        let input = make(FIRST, LATER);
        const v = arena.alloc(S, input.o as never);
        assert.deepEqual([v.a, v.s, v.k, v.b], [5, "hello", "off", 1.5]);
        for (const k of Object.keys(FIRST)) assert.equal(input.reads[k], 1, k);
        const w = arena.alloc(S);
        input = make(FIRST, LATER);
        w.set(input.o as never);
        assert.deepEqual([w.a, w.s, w.k, w.b], [5, "hello", "off", 1.5]);
        for (const k of Object.keys(FIRST)) assert.equal(input.reads[k], 1, k);
        // Nested values too.
        const nested = make({ x: 0.5, y: 2 }, { x: "bad", y: "bad" });
        (w as unknown as Rec).inner = nested.o;
        assert.deepEqual([w.inner.x, w.inner.y], [0.5, 2]);
        assert.deepEqual(nested.reads, { x: 1, y: 1 });
        const arr = new Proxy([1, 2, 3], {
          get: (target, k) => (k === "length" ? 3 : typeof k === "string" ? target[+k] : undefined),
        });
        (w as unknown as Rec).hist = arr;
        assert.deepEqual([...w.hist], [1, 2, 3]);
      });

      for (const layout of ["aos", "soa"] as const) {
        it(`Table.create() and update() with ${what} (${layout})`, () => {
          const table = new Table(S, { capacity: 4, layout, jitless });
          let input = make(FIRST, LATER);
          const id = table.create(input.o as never);
          for (const k of Object.keys(FIRST)) assert.equal(input.reads[k], 1, k);
          input = make({ a: 7 }, { a: 999 });
          table.update(id, input.o as never);
          assert.equal(input.reads.a, 1);
          assert.deepEqual(table.get(id)?.toObject().a, 7);
          assert.equal(table.get(id)?.s, "hello");
        });
      }
    }
  });

  describe(`writes are all or nothing (jitless: ${jitless})`, () => {
    const size = layoutOf(S).size;
    const bad: [string, Record<string, unknown>, new (...a: never[]) => Error][] = [
      ["a bad later field", { a: 9, b: 2.5, hist: [1, 2, 40000] }, FieldRangeError],
      ["an unknown key after good ones", { a: 9, zzz: 1 }, FieldTypeError],
      ["a bad nested field", { a: 9, inner: { x: 1, y: "2" } }, FieldTypeError],
      ["a bad enum literal", { a: 9, k: "maybe" }, FieldRangeError],
      ["an array as a struct", { a: 9, inner: [] }, FieldTypeError],
      ["an array as a vector", { a: 9, v: [1, 2] }, FieldTypeError],
    ];
    const throwing = () => {
      const o: Record<string, unknown> = { a: 9 };
      Object.defineProperty(o, "b", {
        enumerable: true,
        get() {
          throw new Error("boom");
        },
      });
      return o;
    };
    it("set() and field setters leave the record as it was", () => {
      const arena = new Arena({ bytes: 1024, jitless });
      const v = arena.alloc(S, { a: 1, b: 0.25, s: "keep", hist: [1, 2, 3] });
      const before = bytesOf(v, size);
      for (const [why, value, E] of bad) assert.throws(() => v.set(value as never), E, why);
      assert.throws(() => v.set(throwing() as never), /boom/);
      assert.throws(() => ((v as unknown as Rec).inner = { x: 1, y: "2" }), FieldTypeError);
      assert.throws(() => ((v as unknown as Rec).hist = [1, 2, "3"]), FieldTypeError);
      assert.deepEqual(bytesOf(v, size), before);
    });
    it("alloc(S, init) allocates nothing when init is bad", () => {
      const arena = new Arena({ bytes: 1024, jitless });
      arena.alloc(S, { a: 1 });
      const used = arena.used;
      const allocations = arena.allocations;
      for (const [why, value, E] of bad) {
        assert.throws(() => arena.alloc(S, value as never), E, why);
      }
      assert.throws(() => arena.alloc(S, throwing() as never), /boom/);
      assert.deepEqual([arena.used, arena.allocations], [used, allocations]);
    });
    for (const layout of ["aos", "soa"] as const) {
      it(`Table.create() and update() change nothing and leak no slot (${layout})`, () => {
        const table = new Table(S, { capacity: 2, layout, jitless });
        for (const [why, value, E] of bad) {
          assert.throws(() => table.create(value as never), E, why);
        }
        assert.throws(() => table.create(throwing() as never), /boom/);
        assert.deepEqual([table.count, table.slots], [0, 0]);
        const id = table.create({ a: 1, s: "keep" });
        const before = table.snapshot();
        for (const [why, value, E] of bad) {
          assert.throws(() => table.update(id, value as never), E, why);
        }
        assert.throws(() => table.update(id, throwing() as never), /boom/);
        assert.deepEqual(table.snapshot(), before);
        table.create();
        assert.equal(table.count, 2);
      });
    }
  });

  describe(`flat structs write from locals, with the same promises (jitless: ${jitless})`, () => {
    const F = t.struct({ a: t.u8(), b: t.f32(), k: t.enum(["on", "off"]) }, { name: "Flat" });
    it("set() reads each property once and changes nothing on a bad later field", () => {
      const arena = new Arena({ bytes: 256, jitless });
      const v = arena.alloc(F, { a: 1, b: 0.5, k: "on" });
      const input = shifty({ a: 5, b: 1.5, k: "off" }, { a: 300, b: "x", k: "nope" });
      v.set(input.o as never);
      assert.deepEqual(v.toObject(), { a: 5, b: 1.5, k: "off" });
      assert.deepEqual(input.reads, { a: 1, b: 1, k: 1 });
      const before = bytesOf(v, layoutOf(F).size);
      assert.throws(() => v.set({ a: 9, b: 2, k: "maybe" } as never), FieldRangeError);
      assert.throws(() => v.set({ a: 9, zz: 1 } as never), FieldTypeError);
      assert.deepEqual(bytesOf(v, layoutOf(F).size), before);
      const w = arena.alloc(F);
      w.set(v as never);
      assert.deepEqual(w.toObject(), v.toObject());
    });
    it("SoA table views of a flat struct do the same", () => {
      const table = new Table(F, { capacity: 2, layout: "soa", jitless });
      const p = table.get(table.create({ a: 1 }))!;
      const before = table.snapshot();
      assert.throws(() => p.set({ a: 2, b: "x" } as never), FieldTypeError);
      assert.deepEqual(table.snapshot(), before);
      const input = shifty({ a: 7 }, { a: 999 });
      p.set(input.o as never);
      assert.deepEqual([p.a, input.reads.a], [7, 1]);
    });
  });

  describe(`struct names are never bindings (jitless: ${jitless})`, () => {
    const names = [
      "undefined",
      "Float32Array",
      "Number",
      "Object",
      "if",
      "class",
      "let",
      "eval",
      "enum",
      "null",
      "this",
      "yield",
      "static",
      "arguments",
    ];
    for (const name of names) {
      it(`works with name "${name}"`, () => {
        const N = t.struct({ a: t.f32(), b: t.u8(), h: t.array(t.f32(), 2) }, { name });
        const arena = new Arena({ bytes: 256, jitless });
        const v = arena.alloc(N, { a: 1.5, b: 2, h: [1, 2] });
        v.set({ a: 2.5 });
        assert.deepEqual(v.toObject(), { a: 2.5, b: 2, h: [1, 2] });
        assert.equal(v.h[1], 2);
        assert.equal(arena.classOf(N).name, name);
        for (const layout of ["aos", "soa"] as const) {
          const table = new Table(N, { capacity: 2, layout, jitless });
          const id = table.create({ a: 0.5 });
          table.update(id, { b: 3 });
          assert.deepEqual(table.get(id)?.toObject(), { a: 0.5, b: 3, h: [0, 0] });
          table.forEach((p) => (p.a += 1));
          assert.equal(table.get(id)?.a, 1.5);
        }
      });
    }
  });

  describe(`messages name only public things (jitless: ${jitless})`, () => {
    it("set(otherView) copies the record, and a stale view names its struct", () => {
      const arena = new Arena({ bytes: 1024, jitless });
      const a = arena.alloc(S, { a: 3, s: "abc", inner: { x: 1, y: 2 } });
      const b = arena.alloc(S);
      b.set(a as never);
      assert.deepEqual(b.toObject(), a.toObject());
      (b as unknown as Rec).inner = a.inner;
      const other = arena.alloc(t.struct({ zzz: t.f32() }, { name: "Other" }));
      assert.throws(() => b.set(other as never), (e: unknown) => {
        assert.ok(e instanceof FieldTypeError);
        assert.equal(e.path, "zzz");
        assert.doesNotMatch(e.message, /\$/);
        return true;
      });
      const inner = a.inner;
      arena.reset();
      assert.throws(() => inner.x, (e: unknown) => {
        assert.ok(e instanceof StaleViewError);
        assert.equal(e.path, "inner.x");
        assert.equal(e.struct, "Inner");
        assert.match(e.message, /^Cannot use "inner\.x" of Inner: /);
        return true;
      });
    });
    it('says "an Arena", not "a Arena"', () => {
      const arena = new Arena({ bytes: 64, jitless });
      const v = arena.alloc(t.struct({ a: t.f32() }));
      assert.throws(() => v.set({ a: arena } as never), /Cannot write an Arena to "a"/);
    });
  });

  describe(`loops lend cursors that end with the loop (jitless: ${jitless})`, () => {
    for (const layout of ["aos", "soa"] as const) {
      it(`[...table] fails loudly, toArray() keeps views (${layout})`, () => {
        const table = new Table(t.struct({ x: t.f32() }), { capacity: 8, layout, jitless });
        for (const x of [1, 2, 3]) table.create({ x });
        assert.throws(() => [...table].map((p) => p.x), StaleViewError);
        assert.deepEqual(table.toArray().map((p) => p.x), [1, 2, 3]);
        const kept: { x: number }[] = [];
        table.forEach((p) => kept.push(p));
        assert.throws(() => kept[0].x, StaleViewError);
        for (const p of table) {
          kept.push(p);
          break;
        }
        assert.throws(() => kept[1].x, StaleViewError);
        // A new loop does not bring an old cursor back.
        let sum = 0;
        for (const p of table) sum += p.x;
        assert.equal(sum, 6);
        assert.throws(() => kept[1].x, StaleViewError);
      });
    }
    it("[...structArray] fails loudly; at(i) keeps views", () => {
      const arena = new Arena({ bytes: 1024, jitless });
      const ps = arena.allocArray(t.struct({ x: t.f32() }), 3);
      ps.forEach((p, i) => (p.x = i + 1));
      assert.throws(() => [...ps].map((p) => p.x), StaleViewError);
      assert.deepEqual([0, 1, 2].map((i) => ps.at(i).x), [1, 2, 3]);
      assert.equal(ps.cursor().seek(2).x, 3);
    });
  });
}

// Values near what a schema accepts: the generated value, or one part of it made hostile.
function hostile(schema: Schema, value: unknown): fc.Arbitrary<unknown> {
  const junk = fc.constantFrom<unknown>(
    [],
    [1, 2],
    null,
    "1",
    1n,
    true,
    1.5,
    -1,
    300,
    2 ** 40,
    NaN,
    new Float32Array(2),
  );
  if (schema.kind === "struct" || schema.kind === "vec") {
    const keys = schema.kind === "struct"
      ? Object.keys(schema.fields)
      : ["x", "y", "z", "w"].slice(0, schema.length);
    const rec = value as Record<string, unknown>;
    return fc.oneof(
      { weight: 4, arbitrary: fc.constant(value) },
      { weight: 1, arbitrary: junk },
      { weight: 1, arbitrary: fc.constant({ ...rec, extra: 1 }) },
      {
        weight: 4,
        arbitrary: fc.constantFrom(...keys).chain((k) => {
          const child = schema.kind === "struct" ? schema.fields[k] : { kind: schema.element };
          return hostile(child as Schema, rec[k]).map((x) => ({ ...rec, [k]: x }));
        }),
      },
    );
  }
  return fc.oneof({ weight: 3, arbitrary: fc.constant(value) }, { weight: 1, arbitrary: junk });
}

type Outcome = { ok: true; bytes: string } | { ok: false; error: string; path: string };

function attempt(write: () => object, size: number): Outcome {
  try {
    const v = write();
    return { ok: true, bytes: bytesOf(v, size).join() };
  } catch (e) {
    const err = e as { name: string; path?: string };
    return { ok: false, error: err.name, path: err.path ?? "" };
  }
}

describe("write paths agree (differential fuzz)", () => {
  // `flip`: the generated classes count keys the other engine's way (own keys or for…in), so
  // both ways meet the same hostile values in every runtime.
  const agree = (flip: boolean, seed: number) => {
    let runs = 0;
    fc.assert(
      fc.property(
        schemaAndValue(["c", "packed"]).chain(({ schema, value }) =>
          hostile(schema, value).map((v) => ({ schema, v }))
        ),
        ({ schema, v }) => {
          runs++;
          const size = layoutOf(schema).size;
          const outcomes: Outcome[] = [];
          for (const jitless of [false, true]) {
            withKeyCounting(flip !== keyCounting.ownKeys, () => {
              const arena = new Arena({ bytes: 4096, jitless });
              outcomes.push(attempt(() => arena.alloc(schema, v as never), size));
              outcomes.push(attempt(() => arena.alloc(schema).set(v as never), size));
              const table = new Table(schema as StructSchema, { capacity: 2, jitless });
              outcomes.push(attempt(() => table.get(table.create(v as never))!, size));
              const id = table.create();
              outcomes.push(attempt(() => (table.update(id, v as never), table.get(id)!), size));
            });
          }
          for (const o of outcomes) assert.deepEqual(o, outcomes[0]);
          assert.equal(toZod(schema).safeParse(v).success, outcomes[0].ok);
        },
      ),
      { seed, numRuns: 300 },
    );
    assert.equal(runs, 300);
  };

  it("alloc, set, create and update, jit and jitless, AoS tables, and toZod", () => {
    agree(false, Number(process.env.FUZZ_SEED ?? 5151));
  });

  it("the same with keys counted the other engine's way", () => {
    agree(true, Number(process.env.FUZZ_SEED ?? 5152));
  });
});
