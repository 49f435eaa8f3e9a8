// The generated readers count a value's keys in one of two ways, chosen for the engine (own keys
// where JavaScriptCore makes them free, for…in elsewhere). Both must give the same answer as the
// jitless twin on every kind of value: plain objects, inherited and non-enumerable fields, class
// instances, null prototypes, proxies, views, and a polluted Object.prototype.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Arena } from "../../../lib/memory/arena.ts";
import { bufferOf, offsetOf } from "../../../lib/memory/views.ts";
import { Table } from "../../../lib/table/table.ts";
import { layoutOf } from "../../../schemas/layout.ts";
import * as t from "../../../schemas/t.ts";
import type { StructSchema } from "../../../schemas/types.ts";
import { withKeyCounting } from "./_pinned.ts";

type Rec = Record<string, unknown>;

// Fresh schemas for every mode: classes are cached per schema, and the mode is read when one is
// generated.
const flat = () => t.struct({ x: t.f32(), y: t.f32() }, { name: "Flat" });
const nested = () =>
  t.struct({ k: t.u8(), p: t.struct({ x: t.f32(), y: t.f32() }, { name: "P" }), v: t.vec2f() }, {
    name: "Nested",
  });

class Point {
  x = 1.5;
  y = 2.5;
}

// Values for the flat struct, each made afresh per use (some are consumed by getters).
const flatValues: Record<string, () => unknown> = {
  "an exact plain object": () => ({ x: 1.5, y: 2.5 }),
  "one field": () => ({ y: 2.5 }),
  "an unknown key": () => ({ x: 1.5, zzz: 3 }),
  "a field set to undefined": () => ({ x: 1.5, y: undefined }),
  "a field set to undefined and an unknown key": () => ({ x: 1.5, y: undefined, zzz: 1 }),
  "an inherited field": () => Object.assign(Object.create({ x: 4.5 }), { y: 2.5 }),
  "an inherited field and an unknown own key": () =>
    Object.assign(Object.create({ x: 4.5 }), { zzz: 2.5 }),
  "a class instance": () => new Point(),
  "a null prototype": () => Object.assign(Object.create(null), { x: 1.5, y: 2.5 }),
  "a null prototype and an unknown key": () => Object.assign(Object.create(null), { x: 1, q: 2 }),
  "a non-enumerable field and an unknown key": () =>
    Object.defineProperty({ zzz: 1 }, "x", { value: 7.5, enumerable: false }),
  "a symbol key": () => ({ x: 1.5, [Symbol("s")]: 1 }),
  "an index key": () => ({ x: 1.5, 0: 1 }),
  "a proxy": () => new Proxy({ x: 1.5, y: 2.5 }, {}),
  "a proxy with an unknown key": () => new Proxy({ x: 1.5, w: 2.5 }, {}),
  "an array": () => [1, 2],
  "a string": () => "x",
};

// What a write did: the record it left, or the error it threw.
function outcome(run: () => string): string {
  try {
    return `ok ${run()}`;
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
}

type Mode = "own keys" | "for…in" | "jitless";
const MODES: Mode[] = ["own keys", "for…in", "jitless"];

// Runs `body` with classes generated in `mode`.
function inMode<T>(mode: Mode, body: (jitless: boolean) => T): T {
  return withKeyCounting(mode === "own keys", () => body(mode === "jitless"));
}

// Every write path, on a fresh schema, for each value: set() on an arena view, alloc(S, init),
// and Table.create() / update() in both layouts.
function outcomes(make: () => StructSchema, values: Record<string, () => unknown>, mode: Mode) {
  return inMode(mode, (jitless) => {
    const S = make();
    const size = layoutOf(S).size;
    const bytes = (v: object) => Array.from(new Uint8Array(bufferOf(v), offsetOf(v), size)).join();
    const arena = new Arena({ bytes: 1 << 14, jitless });
    const soa = new Table(S, { capacity: 512, layout: "soa", jitless });
    const aos = new Table(S, { capacity: 512, layout: "aos", jitless });
    const out: Rec = {};
    for (const [what, value] of Object.entries(values)) {
      out[`set() with ${what}`] = outcome(() => bytes(arena.alloc(S).set(value() as never)));
      out[`alloc() with ${what}`] = outcome(() => bytes(arena.alloc(S, value() as never)));
      for (const table of [soa, aos]) {
        const layout = table === soa ? "soa" : "aos";
        out[`create() (${layout}) with ${what}`] = outcome(() => {
          const id = table.create(value() as never);
          return JSON.stringify(table.get(id)!.toObject());
        });
        out[`update() (${layout}) with ${what}`] = outcome(() => {
          const id = table.create();
          table.update(id, value() as never);
          return JSON.stringify(table.get(id)!.toObject());
        });
      }
    }
    return out;
  });
}

function assertAgree(make: () => StructSchema, values: Record<string, () => unknown>): void {
  const [own, forIn, jitless] = MODES.map((m) => outcomes(make, values, m));
  assert.deepEqual(own, jitless);
  assert.deepEqual(forIn, jitless);
}

describe("key counting: own keys and for…in agree with the jitless twin", () => {
  it("on a flat struct (the flat writer) and every kind of value", () => {
    assertAgree(flat, flatValues);
    // The answers themselves, so a change to both modes at once cannot slip by.
    const got = outcomes(flat, flatValues, "own keys");
    assert.match(got["set() with an exact plain object"] as string, /^ok /);
    assert.match(got["set() with an unknown key"] as string, /^FieldTypeError: .*zzz/);
    assert.match(got["set() with a field set to undefined"] as string, /^ok /);
    assert.match(got["set() with an inherited field and an unknown own key"] as string, /zzz/);
    assert.match(got["set() with a null prototype and an unknown key"] as string, /"q"|q/);
    assert.match(got["set() with a proxy with an unknown key"] as string, /w/);
    assert.match(got["create() (soa) with a class instance"] as string, /^ok /);
  });

  it("on a nested struct (the staging reader), values at every level", () => {
    const inner = Object.entries(flatValues).filter(([k]) => !/array|string/.test(k));
    const values: Record<string, () => unknown> = {};
    for (const [what, v] of inner) {
      values[`p as ${what}`] = () => ({ k: 3, p: v() });
      values[`v as ${what}`] = () => ({ k: 3, v: v() });
    }
    values["an unknown key at the top"] = () => ({ k: 3, zzz: 1 });
    values["an inherited top field"] = () => Object.assign(Object.create({ k: 9 }), { v: {} });
    assertAgree(nested, values);
    const got = outcomes(nested, values, "own keys");
    assert.match(got["create() (soa) with p as an unknown key"] as string, /p\.zzz/);
    assert.match(got["set() with v as an exact plain object"] as string, /^ok /);
  });

  it("when Object.prototype has enumerable keys (polluted), known or unknown", () => {
    for (const key of ["zzz", "x"]) {
      Object.defineProperty(Object.prototype, key, {
        value: 0.5,
        enumerable: true,
        configurable: true,
        writable: true,
      });
      try {
        assertAgree(flat, flatValues);
        const got = outcomes(flat, flatValues, "own keys");
        // for…in visits the inherited key: an exact object is refused for "zzz", and one lacking
        // "x" reads the inherited 0.5 for "x".
        if (key === "zzz") {
          assert.match(got["set() with an exact plain object"] as string, /zzz/);
        } else {
          assert.match(got["set() with one field"] as string, /^ok /);
          assert.match(got["set() with an unknown key"] as string, /zzz/);
        }
      } finally {
        delete (Object.prototype as Rec)[key];
      }
    }
  });
});
