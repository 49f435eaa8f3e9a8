/**
 * Lazy filtered passes over a table: what `Table.where()` returns.
 *
 * @module
 */
import type { StructSchema, ViewOf } from "../../schemas/types.ts";
import type { Core } from "./core.ts";

let makeQuery: <S extends StructSchema>(
  core: Core,
  pred: (record: ViewOf<S>, id: number) => boolean,
) => Query<S>;

/**
 * Internal (not exported from mod.ts): the query of the live records of `core` that `pred`
 * accepts, for {@linkcode Table.where}.
 */
export function queryOf<S extends StructSchema>(
  core: Core,
  pred: (record: ViewOf<S>, id: number) => boolean,
): Query<S> {
  return makeQuery(core, pred);
}

/**
 * A filtered pass over a table: `table.where(pred)` runs `pred` with a cursor at each live
 * record when one of its methods is called (nothing is computed before).
 *
 * Lifetimes: as for {@linkcode Table.forEach}: the record passed to callbacks is a cursor, valid
 * during the call only.
 *
 * @example Ids of the dying particles
 * ```ts
 * import { Table, t } from "@arenakit/core";
 * import assert from "node:assert/strict";
 * const P = t.struct({ life: t.f32() });
 * const ps = new Table(P, { capacity: 16 });
 * for (const life of [0.05, 0.5, 0.01]) ps.create({ life });
 * assert.equal(ps.where((p) => p.life < 0.1).count(), 2);
 * ```
 */
export class Query<S extends StructSchema> {
  #core!: Core;
  #pred!: (record: ViewOf<S>, id: number) => boolean;

  // Queries come from Table.where() (through queryOf()), so the table's core stays out of the
  // public API.
  private constructor() {}

  static {
    makeQuery = <S extends StructSchema>(
      core: Core,
      pred: (record: ViewOf<S>, id: number) => boolean,
    ) => {
      const q = new Query<S>();
      q.#core = core;
      q.#pred = pred;
      return q;
    };
  }

  /**
   * Calls `fn` with a cursor at each matching record, in slot order. Deleting records from the
   * callback is safe.
   *
   * @example Age the young ones
   * ```ts
   * import { Table, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const ps = new Table(t.struct({ life: t.f32() }), { capacity: 8 });
   * ps.create({ life: 0.25 });
   * ps.where((p) => p.life < 0.5).forEach((p) => { p.life += 0.5; });
   * assert.deepEqual(ps.toArray().map((p) => p.life), [0.75]);
   * ```
   */
  forEach(fn: (record: ViewOf<S>, id: number) => void): void {
    const core = this.#core;
    core.runLoop(core.loopsFor(fn, this.#pred), this.#pred as never, fn as never, 0, core.hw);
  }

  /**
   * The ids of the matching records, in slot order.
   *
   * @example Collect ids
   * ```ts
   * import { Table, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const ps = new Table(t.struct({ life: t.f32() }), { capacity: 8 });
   * const a = ps.create({ life: 0.5 });
   * ps.create({ life: 2 });
   * assert.equal(ps.where((p) => p.life < 1).ids().length, 1);
   * assert.equal(ps.has(a), true);
   * ```
   */
  ids(): number[] {
    const core = this.#core;
    const out: number[] = [];
    core.runLoop(core.loops, this.#pred as never, (_, id) => out.push(id), 0, core.hw);
    return out;
  }

  /**
   * Number of matching records.
   *
   * @example Count
   * ```ts
   * import { Table, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const ps = new Table(t.struct({ hp: t.u8() }), { capacity: 8 });
   * ps.create({ hp: 0 });
   * ps.create({ hp: 3 });
   * assert.equal(ps.where((p) => p.hp === 0).count(), 1);
   * ```
   */
  count(): number {
    const core = this.#core;
    let n = 0;
    core.runLoop(core.loops, this.#pred as never, () => n++, 0, core.hw);
    return n;
  }

  /**
   * Deletes the matching records and returns how many.
   *
   * @example Remove the dead
   * ```ts
   * import { Table, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const ps = new Table(t.struct({ life: t.f32() }), { capacity: 8 });
   * ps.create({ life: 0 });
   * ps.create({ life: 1 });
   * assert.deepEqual([ps.where((p) => p.life <= 0).delete(), ps.count], [1, 1]);
   * ```
   */
  delete(): number {
    const core = this.#core;
    let n = 0;
    core.runLoop(
      core.loops,
      this.#pred as never,
      (_, id) => {
        if (core.delete(id, "delete")) n++;
      },
      0,
      core.hw,
    );
    return n;
  }
}
