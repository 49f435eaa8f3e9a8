/** Regression tests of issue #14 ("Every promise holds under attack") for tables. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as t from "../../../schemas/t.ts";
import { Table } from "../../../lib/table/table.ts";
import { TableFullError } from "../../../lib/errors.ts";
import { each } from "./_fixtures.ts";

// A value that passes the check, then fails on a later read: what create() must survive.
function flaky(): unknown {
  let reads = 0;
  return {
    get hp() {
      if (++reads > 1) throw new Error("changed its mind");
      return 1;
    },
  };
}

describe("Table.create() that fails", () => {
  each((layout, jitless) => {
    it("gives its slot back (issue #14, item 7)", () => {
      const S = t.struct({ hp: t.u8() }, { name: "LeakProbe" });
      const table = new Table(S, { capacity: 2, layout, jitless });
      // Whether create() reads its input once or twice, a failure must not use up a slot.
      const made = new Set<number>();
      const attempt = () => {
        try {
          made.add(table.create(flaky() as never));
        } catch (e) {
          assert.ok(!(e instanceof TableFullError), "a failed create leaked a slot");
        }
      };
      attempt();
      attempt();
      assert.equal(table.count, made.size);
      for (const id of made) table.delete(id);
      made.clear();
      attempt(); // on a free-list slot now
      assert.equal(table.count, made.size);
      while (table.count < 2) made.add(table.create({ hp: 4 }));
      assert.equal(made.size, 2);
      for (const id of made) assert.ok(table.get(id)!.hp >= 1);
      assert.throws(() => table.create(), TableFullError);
    });
  });
});
