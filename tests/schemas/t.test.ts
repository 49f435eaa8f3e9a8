// The schema DSL: what every constructor returns, that it is frozen plain data, that scalar,
// vector and matrix schemas are singletons, and every refusal with its SchemaError path.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as t from "../../schemas/t.ts";
import { SchemaError } from "../../lib/errors.ts";
import type { Schema } from "../../schemas/types.ts";

/** Asserts that `fn` throws a SchemaError at `path` whose message matches `message`. */
function refuses(fn: () => unknown, path: string, message: RegExp | string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof SchemaError, `expected a SchemaError, got ${String(e)}`);
    assert.ok(e instanceof TypeError);
    assert.equal(e.name, "SchemaError");
    assert.equal(e.path, path);
    if (typeof message === "string") assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

const NUMBERS = ["i8", "u8", "i16", "u16", "i32", "u32", "f32", "f64"] as const;
const BIGINTS = ["i64", "u64"] as const;

describe("t scalars", () => {
  it("return frozen { kind } objects", () => {
    for (const kind of [...NUMBERS, ...BIGINTS, "bool"] as const) {
      const s = t[kind]();
      assert.deepEqual({ ...s }, { kind });
      assert.ok(Object.isFrozen(s), kind);
      assert.ok(t.isSchema(s));
    }
  });

  it("return one shared object per kind", () => {
    for (const kind of [...NUMBERS, ...BIGINTS, "bool"] as const) {
      assert.equal(t[kind](), t[kind](), kind);
    }
    assert.notEqual(t.u8() as Schema, t.i8() as Schema);
  });
});

describe("t vectors and matrices", () => {
  it("carry element and length", () => {
    const cases = [
      [t.vec2f(), "f32", 2],
      [t.vec3f(), "f32", 3],
      [t.vec4f(), "f32", 4],
      [t.vec2i(), "i32", 2],
      [t.vec3i(), "i32", 3],
      [t.vec4i(), "i32", 4],
      [t.vec2u(), "u32", 2],
      [t.vec3u(), "u32", 3],
      [t.vec4u(), "u32", 4],
    ] as const;
    for (const [s, element, length] of cases) {
      assert.deepEqual({ ...s }, { kind: "vec", element, length });
      assert.ok(Object.isFrozen(s));
    }
  });

  it("are singletons", () => {
    assert.equal(t.vec3f(), t.vec3f());
    assert.equal(t.vec2u(), t.vec2u());
    assert.equal(t.mat3x3f(), t.mat3x3f());
    assert.notEqual(t.vec3f() as Schema, t.vec3i() as Schema);
  });

  it("matrices carry cols and rows", () => {
    assert.deepEqual({ ...t.mat2x2f() }, { kind: "mat", cols: 2, rows: 2 });
    assert.deepEqual({ ...t.mat3x3f() }, { kind: "mat", cols: 3, rows: 3 });
    assert.deepEqual({ ...t.mat4x4f() }, { kind: "mat", cols: 4, rows: 4 });
    assert.ok(Object.isFrozen(t.mat4x4f()));
  });
});

describe("t.enum()", () => {
  it("keeps the literals frozen, in order, stored as u8", () => {
    const e = t.enum(["spark", "smoke", "ember"]);
    assert.equal(e.kind, "enum");
    assert.deepEqual(e.values, ["spark", "smoke", "ember"]);
    assert.equal(e.storage, "u8");
    assert.ok(Object.isFrozen(e));
    assert.ok(Object.isFrozen(e.values));
  });

  it("copies the literal array, so later edits of it do not leak in", () => {
    const values: [string, ...string[]] = ["a", "b"];
    const e = t.enum(values);
    values.push("c");
    assert.deepEqual(e.values, ["a", "b"]);
  });

  it("switches to u16 storage past 256 literals", () => {
    const names = (n: number) => Array.from({ length: n }, (_, i) => `v${i}`) as [string];
    assert.equal(t.enum(names(256)).storage, "u8");
    assert.equal(t.enum(names(257)).storage, "u16");
    assert.equal(t.enum(names(65536)).storage, "u16");
  });

  it("refuses an empty list", () => {
    refuses(
      () => t.enum([] as never),
      "",
      "t.enum() needs a non-empty array of strings, got an array of length 0",
    );
    refuses(() => t.enum("abc" as never), "", /needs a non-empty array of strings, got "abc"/);
  });

  it("refuses repeated literals", () => {
    refuses(() => t.enum(["a", "b", "a"]), "", 't.enum() literal "a" is repeated');
  });

  it("refuses non-string literals and too many literals", () => {
    refuses(() => t.enum(["a", 1] as never), "", /literals must be strings, got 1/);
    const many = Array.from({ length: 65537 }, (_, i) => `v${i}`) as [string];
    refuses(() => t.enum(many), "", "t.enum() takes at most 65536 literals, got 65537");
  });
});

describe("t.string()", () => {
  it("carries its byte capacity", () => {
    const s = t.string(12);
    assert.deepEqual({ ...s }, { kind: "string", maxBytes: 12 });
    assert.ok(Object.isFrozen(s));
  });

  it("refuses capacities that are not positive integers", () => {
    for (const bad of [0, -1, 1.5, NaN, Infinity, "4"]) {
      refuses(
        () => t.string(bad as number),
        "",
        /^t\.string\(\) capacity must be an integer from 1 to/,
      );
    }
    refuses(
      () => t.string(0),
      "",
      `t.string() capacity must be an integer from 1 to ${t.MAX_SCHEMA_BYTES}, got 0`,
    );
    refuses(() => t.string(t.MAX_SCHEMA_BYTES + 1), "", /capacity must be an integer/);
  });
});

describe("t.array()", () => {
  it("keeps the element schema and length", () => {
    const P = t.struct({ x: t.f32() });
    const a = t.array(P, 3);
    assert.equal(a.kind, "array");
    assert.equal(a.element, P);
    assert.equal(a.length, 3);
    assert.ok(Object.isFrozen(a));
  });

  it("refuses lengths that are not positive integers", () => {
    for (const bad of [0, -1, 2.5, NaN]) {
      refuses(() => t.array(t.u8(), bad), "", /^t\.array\(\) length must be an integer from 1 to/);
    }
    refuses(
      () => t.array(t.u8(), -1),
      "",
      `t.array() length must be an integer from 1 to ${t.MAX_SCHEMA_BYTES}, got -1`,
    );
  });

  it("refuses an element that is not a schema", () => {
    refuses(() => t.array({ kind: "f32" } as never, 2), "[]", /unknown schema kind "f32"/);
    refuses(() => t.array(5 as never, 2), "[]", /expected an arenakit schema .* got 5/);
  });
});

describe("t.ref()", () => {
  it("keeps a resolver for a schema or a thunk", () => {
    const Ship = t.struct({ hp: t.f32() });
    const direct = t.ref(Ship);
    const lazy = t.ref(() => Ship);
    assert.equal(direct.kind, "ref");
    assert.equal(direct.target(), Ship);
    assert.equal(lazy.target(), Ship);
    assert.ok(Object.isFrozen(direct));
  });

  it("refuses a non-struct schema", () => {
    refuses(() => t.ref(t.f32() as never), "", "t.ref() needs a struct schema, got f32");
  });
});

describe("t.struct()", () => {
  it("returns frozen data with fields in declaration order", () => {
    const S = t.struct({ b: t.u8(), a: t.f32(), c: t.vec2f() }, {
      name: "Thing",
      layout: "packed",
    });
    assert.equal(S.kind, "struct");
    assert.equal(S.name, "Thing");
    assert.equal(S.layout, "packed");
    assert.deepEqual(Object.keys(S.fields), ["b", "a", "c"]);
    assert.equal(S.fields.a, t.f32());
    assert.ok(Object.isFrozen(S));
    assert.ok(Object.isFrozen(S.fields));
    assert.ok(t.isSchema(S));
  });

  it("copies the field map, so later edits of it do not leak in", () => {
    const fields: Record<string, Schema> = { a: t.u8() };
    const S = t.struct(fields);
    fields.b = t.u8();
    assert.deepEqual(Object.keys(S.fields), ["a"]);
  });

  it("leaves the layout undefined when not given, and names anonymous structs", () => {
    const S = t.struct({ a: t.u8() });
    assert.equal(S.layout, undefined);
    assert.match(S.name, /^Struct\d+$/);
    assert.notEqual(t.struct({ a: t.u8() }).name, S.name);
  });

  it("accepts every layout mode", () => {
    for (const layout of ["c", "packed", "wgsl", "wgsl-uniform"] as const) {
      assert.equal(t.struct({ a: t.f32() }, { layout }).layout, layout);
    }
  });

  it("accepts a null-prototype field map", () => {
    const S = t.struct(Object.assign(Object.create(null), { a: t.u8() }) as { a: Schema });
    assert.deepEqual(Object.keys(S.fields), ["a"]);
  });

  it("refuses a field that is not a schema, naming the field", () => {
    refuses(
      () => t.struct({ pos: { kind: "f33" } } as never),
      "pos",
      'Invalid schema at "pos": unknown schema kind "f33"',
    );
    refuses(() => t.struct({ a: t.u8(), b: 5 } as never), "b", /expected an arenakit schema/);
    refuses(() => t.struct({ a: null } as never), "a", /got null$/);
    refuses(() => t.struct({ a: t.f32 } as never), "a", /got a function$/);
    // A look-alike that is not frozen was not made by t.
    refuses(() => t.struct({ a: { kind: "u8" } } as never), "a", /unknown schema kind "u8"/);
  });

  it("refuses __proto__ written as a literal key (it sets the prototype)", () => {
    refuses(
      () => t.struct({ __proto__: t.u8() } as never),
      "__proto__",
      /field names must be plain own keys/,
    );
  });

  it("refuses __proto__ written as a computed key (an own property)", () => {
    refuses(
      () => t.struct({ ["__proto__"]: t.u8() } as never),
      "__proto__",
      'Invalid schema at "__proto__": field name "__proto__" is reserved',
    );
  });

  it("refuses view method and Object.prototype names", () => {
    for (
      const name of [
        "constructor",
        "toString",
        "valueOf",
        "hasOwnProperty",
        "set",
        "toObject",
        "toJSON",
        "seek",
        "then",
      ]
    ) {
      refuses(
        () => t.struct({ [name]: t.u8() }),
        name,
        `Invalid schema at "${name}": field name "${name}" is reserved`,
      );
    }
  });

  it("refuses names that are not identifiers, and $-names", () => {
    for (const name of ["a-b", "1a", "$x", "a b", "é"]) {
      refuses(
        () => t.struct({ [name]: t.u8() }),
        name,
        `Invalid schema at "${name}": field name ${
          JSON.stringify(name)
        } is not an identifier (letters, digits, _)`,
      );
    }
    // The empty name's path is the empty path, so the message has no "at" prefix.
    refuses(
      () => t.struct({ "": t.u8() }),
      "",
      'field name "" is not an identifier (letters, digits, _)',
    );
  });

  it("refuses symbol keys, empty field maps and non-objects", () => {
    refuses(() => t.struct({ [Symbol("a")]: t.u8() } as never), "", /must be strings, not symbols/);
    refuses(() => t.struct({}), "", "t.struct() needs at least one field");
    refuses(
      () => t.struct([t.u8()] as never),
      "",
      /needs an object of fields, got an array of length 1/,
    );
    refuses(() => t.struct(null as never), "", "t.struct() needs an object of fields, got null");
  });

  it("refuses an unknown layout", () => {
    refuses(
      () => t.struct({ a: t.u8() }, { layout: "std140" as never }),
      "",
      'unknown layout "std140": use "c", "packed", "wgsl" or "wgsl-uniform"',
    );
  });

  it("refuses a bad name", () => {
    for (const name of ["", "my struct", "1S", "a.b"]) {
      refuses(
        () => t.struct({ a: t.u8() }, { name }),
        "",
        `struct name ${JSON.stringify(name)} is not an identifier`,
      );
    }
    refuses(() => t.struct({ a: t.u8() }, { name: 3 as never }), "", /struct name "3"/);
  });
});

describe("t.isSchema()", () => {
  it("tells schemas from look-alikes", () => {
    assert.equal(t.isSchema(t.u8()), true);
    assert.equal(t.isSchema({ kind: "u8" }), false);
    assert.equal(t.isSchema(Object.freeze({ kind: "nope" })), false);
    assert.equal(t.isSchema(null), false);
    assert.equal(t.isSchema("u8"), false);
  });
});
