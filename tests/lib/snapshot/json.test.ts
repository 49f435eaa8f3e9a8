import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as t from "../../../schemas/t.ts";
import { fromJSON } from "../../../lib/json.ts";
import { FieldTypeError } from "../../../lib/errors.ts";

describe("fromJSON()", () => {
  const S = t.struct({ hp: t.u8(), pos: t.vec2f() }, { name: "ProtoProbe" });

  it("refuses a __proto__ key the same way in every runtime", () => {
    for (const text of ['{"hp":1,"__proto__":null}', '{"hp":1,"__proto__":{"hp":2}}']) {
      assert.throws(() => fromJSON(S, JSON.parse(text)), (e: unknown) => {
        assert.ok(e instanceof FieldTypeError);
        assert.equal(e.path, "__proto__");
        assert.match(e.message, /^Cannot write .* to "__proto__": expected no such field: /);
        return true;
      });
    }
    assert.throws(
      () => fromJSON(S, JSON.parse('{"hp":1,"pos":{"x":1,"y":2,"__proto__":null}}')),
      (e: unknown) => e instanceof FieldTypeError && e.path === "pos.__proto__",
    );
  });

  it("refuses keys that are not fields, before anything is decoded", () => {
    assert.throws(
      () => fromJSON(S, { hp: 1, extra: "x" }),
      (e: unknown) => e instanceof FieldTypeError && e.path === "extra",
    );
    assert.throws(
      () => fromJSON(S, { hp: 1, pos: { x: 1, y: 2, z: 3 } }),
      (e: unknown) => e instanceof FieldTypeError && e.path === "pos.z",
    );
  });

  it("returns plain objects with the ordinary prototype", () => {
    const v = fromJSON(S, JSON.parse('{"hp":1,"pos":{"x":1,"y":2}}'));
    assert.equal(Object.getPrototypeOf(v), Object.prototype);
    assert.equal(Object.getPrototypeOf(v.pos), Object.prototype);
    assert.deepEqual(v, { hp: 1, pos: { x: 1, y: 2 } });
  });
});
