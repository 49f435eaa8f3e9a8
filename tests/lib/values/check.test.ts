// stage(): the interpreter every write path shares reads each property once, returns a plain
// copy of exactly what it read and checked, and refuses what checked mode refuses, naming the
// field; scalarProblem() and the registry's fits test agree.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { scalarFits, scalarProblem, stage, unknownKey } from "../../../lib/values/check.ts";
import { FieldRangeError, FieldTypeError } from "../../../lib/errors.ts";
import { KINDS, type ScalarKind } from "../../../schemas/kinds.ts";
import * as t from "../../../schemas/t.ts";
import type { Schema } from "../../../schemas/types.ts";
import { schemaAndValue } from "../../schemas/_arbitraries.ts";

const S = t.struct({
  a: t.u8(),
  v: t.vec2f(),
  h: t.array(t.i16(), 2),
  inner: t.struct({ s: t.string(4) }),
});

describe("stage()", () => {
  it("returns a plain copy of what it read, reading each property once", () => {
    const reads: string[] = [];
    const src = new Proxy({ a: 7, v: { x: 1, y: 2 }, h: [3, 4], inner: { s: "ok" } }, {
      get(target, k) {
        reads.push(String(k));
        return target[k as keyof typeof target];
      },
    });
    const out = stage(S, src, "", false) as Record<string, unknown>;
    assert.deepEqual(out, { a: 7, v: { x: 1, y: 2 }, h: [3, 4], inner: { s: "ok" } });
    assert.deepEqual(reads.sort(), ["a", "h", "inner", "v"]);
    assert.notEqual(out.v, (src as { v: unknown }).v);
  });

  it("refuses bad values naming the field, and [] as a struct or vector", () => {
    const bad: [unknown, new (...a: never[]) => Error, string][] = [
      [{ a: 256 }, FieldRangeError, "a"],
      [{ v: [] }, FieldTypeError, "v"],
      [{ inner: [] }, FieldTypeError, "inner"],
      [{ h: [1] }, FieldRangeError, "h"],
      [{ h: [1, 1.5] }, FieldRangeError, "h[1]"],
      [{ inner: { s: "toolong" } }, FieldRangeError, "inner.s"],
      [{ zz: 1 }, FieldTypeError, "zz"],
      [[], FieldTypeError, "Struct"],
    ];
    for (const [value, E, path] of bad) {
      assert.throws(() => stage(S, value, "", true), (e: unknown) => {
        assert.ok(e instanceof E, String(e));
        assert.ok((e as unknown as { path: string }).path.startsWith(path), String(e));
        return true;
      });
    }
  });

  it("keeps every generated value exactly (property)", () => {
    fc.assert(
      fc.property(schemaAndValue(), ({ schema, value }) => {
        const out = stage(schema, value, "", false);
        assert.deepEqual(out, value);
        assert.notEqual(out, value);
      }),
      { numRuns: 200, seed: 77 },
    );
  });

  it("treats an explicit undefined as absent, not as an unknown key", () => {
    assert.deepEqual(stage(S, { a: 1, v: undefined }, "", true), { a: 1 });
    assert.doesNotThrow(() => unknownKey(S, { a: 1, v: undefined }, ""));
  });
});

describe("scalarProblem() and the kind registry", () => {
  it("agree with scalarFits and KINDS[kind].fits on every scalar kind", () => {
    const values = [0, -1, 1.5, 255, 256, 2 ** 40, NaN, Infinity, 1n, -1n, true, null, "1", {}];
    for (const kind of Object.keys(KINDS) as ScalarKind[]) {
      const schema = { kind } as Schema;
      for (const v of values) {
        const fits = KINDS[kind].fits(v);
        assert.equal(scalarFits(schema, v), fits, `${kind} ${String(v)}`);
        assert.equal(scalarProblem(schema, v, "f") === undefined, fits, `${kind} ${String(v)}`);
      }
    }
  });
});
