// Behaviour ported from Go's src/sync/pool_test.go (TestPool, TestPoolNew, TestPoolRelease,
// TestPoolStress), with GC runs replaced by explicit cycle() calls, plus the arenakit additions:
// tryGet, reset, maxSize and stats.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Pool, type PoolOptions, type PoolStats } from "../../../lib/memory/pool.ts";

interface Item {
  id: number;
  dirty: boolean;
}

/** A pool of `Item`s whose `create` numbers them 1, 2, 3, ... and whose `reset` cleans them. */
function itemPool(maxSize?: number): { pool: Pool<Item>; created: () => number } {
  let created = 0;
  const pool = new Pool<Item>({
    create: () => ({ id: ++created, dirty: false }),
    reset: (x) => {
      x.dirty = false;
    },
    maxSize,
  });
  return { pool, created: () => created };
}

function sizes<T extends NonNullable<unknown>>(pool: Pool<T>): [number, number] {
  const s = pool.stats();
  return [s.primarySize, s.victimSize];
}

describe("new Pool()", () => {
  it("throws a TypeError naming create when create is not a function", () => {
    for (const create of [undefined, null, 1, "f", {}]) {
      assert.throws(
        () => new Pool({ create } as unknown as PoolOptions<object>),
        (e: unknown) => {
          assert.ok(e instanceof TypeError);
          assert.match(e.message, /^Cannot create Pool: option "create" must be a function, got /);
          return true;
        },
      );
    }
  });

  it("names the value it got", () => {
    assert.throws(
      () => new Pool({ create: "make" } as unknown as PoolOptions<object>),
      {
        name: "TypeError",
        message: 'Cannot create Pool: option "create" must be a function, got "make"',
      },
    );
    assert.throws(
      () => new Pool(undefined as unknown as PoolOptions<object>),
      { message: 'Cannot create Pool: option "create" must be a function, got undefined' },
    );
  });

  it("throws a TypeError naming reset when reset is given and not a function", () => {
    assert.throws(
      () => new Pool({ create: () => ({}), reset: 3 } as unknown as PoolOptions<object>),
      {
        name: "TypeError",
        message: 'Cannot create Pool: option "reset" must be a function, got 3',
      },
    );
  });

  it("throws a RangeError for a negative, fractional or NaN maxSize", () => {
    for (const maxSize of [-1, 1.5, -Infinity, NaN]) {
      assert.throws(
        () => new Pool({ create: () => ({}), maxSize }),
        {
          name: "RangeError",
          message:
            `Cannot create Pool: option "maxSize" must be a non-negative integer, got ${maxSize}`,
        },
      );
    }
  });

  it("throws a TypeError for a maxSize that is not a number", () => {
    assert.throws(
      () => new Pool({ create: () => ({}), maxSize: "4" } as unknown as PoolOptions<object>),
      {
        name: "TypeError",
        message: 'Cannot create Pool: option "maxSize" must be a number, got "4"',
      },
    );
  });

  it("accepts maxSize 0, integers and Infinity, defaulting to Infinity", () => {
    assert.equal(new Pool({ create: () => ({}), maxSize: 0 }).maxSize, 0);
    assert.equal(new Pool({ create: () => ({}), maxSize: 7 }).maxSize, 7);
    assert.equal(new Pool({ create: () => ({}), maxSize: Infinity }).maxSize, Infinity);
    assert.equal(new Pool({ create: () => ({}) }).maxSize, Infinity);
  });

  it("starts empty with zero counters", () => {
    assert.deepEqual(new Pool({ create: () => ({}) }).stats(), {
      hits: 0,
      primaryHits: 0,
      victimHits: 0,
      misses: 0,
      puts: 0,
      dropped: 0,
      primarySize: 0,
      victimSize: 0,
    });
  });
});

describe("Pool.get()", () => {
  // Go's TestPoolNew.
  it("calls create on a miss and only on a miss", () => {
    let i = 0;
    const pool = new Pool({ create: () => ++i });
    assert.equal(pool.get(), 1);
    assert.equal(pool.get(), 2);
    pool.put(42);
    assert.equal(pool.get(), 42);
    assert.equal(i, 2);
    assert.equal(pool.get(), 3);
    assert.equal(pool.stats().misses, 3);
    assert.equal(pool.stats().hits, 1);
  });

  // Go's TestPool, without depending on the order within the primary cache.
  it("returns every put value once, in some order, then creates", () => {
    const pool = new Pool({ create: () => "new" });
    pool.put("a");
    pool.put("b");
    const got = [pool.get(), pool.get()].sort();
    assert.deepEqual(got, ["a", "b"]);
    assert.equal(pool.get(), "new");
    assert.deepEqual(sizes(pool), [0, 0]);
  });

  it("takes objects put since the last cycle before older ones", () => {
    const { pool } = itemPool();
    const old1 = pool.get(), old2 = pool.get();
    pool.put(old1);
    pool.put(old2);
    pool.cycle();
    const fresh = { id: 100, dirty: false };
    pool.put(fresh);
    assert.equal(pool.get(), fresh);
    assert.equal(pool.stats().primaryHits, 1);
    const rest = [pool.get(), pool.get()].map((x) => x.id).sort();
    assert.deepEqual(rest, [1, 2]);
    assert.equal(pool.stats().victimHits, 2);
  });

  it("counts primary and victim hits separately", () => {
    const { pool } = itemPool();
    pool.put({ id: 100, dirty: true });
    pool.cycle();
    pool.put({ id: 200, dirty: true });
    assert.equal(pool.get().id, 200);
    assert.equal(pool.get().id, 100);
    assert.equal(pool.get().id, 1);
    const s = pool.stats();
    assert.deepEqual([s.primaryHits, s.victimHits, s.hits, s.misses], [1, 1, 2, 1]);
  });

  it("throws a TypeError when create returns undefined or null", () => {
    for (const bad of [undefined, null]) {
      const pool = new Pool({ create: () => bad as unknown as object });
      assert.throws(() => pool.get(), {
        name: "TypeError",
        message: `Cannot get from Pool: option "create" returned ${bad}, which cannot be pooled`,
      });
      assert.equal(pool.stats().misses, 1);
    }
  });

  it("lets errors thrown by create propagate", () => {
    const pool = new Pool<object>({
      create: () => {
        throw new Error("out of sockets");
      },
    });
    assert.throws(() => pool.get(), { message: "out of sockets" });
    pool.put({});
    assert.doesNotThrow(() => pool.get());
  });

  it("calls create without a this", () => {
    let seen: unknown = "unset";
    const options = {
      create(this: unknown): object {
        seen = this;
        return {};
      },
    };
    new Pool(options).get();
    assert.equal(seen, undefined);
  });
});

describe("Pool.tryGet()", () => {
  it("returns undefined from an empty pool without calling create", () => {
    const { pool, created } = itemPool();
    assert.equal(pool.tryGet(), undefined);
    assert.equal(created(), 0);
    assert.deepEqual([pool.stats().hits, pool.stats().misses], [0, 0]);
  });

  it("takes from the primary, then the victim cache", () => {
    const { pool, created } = itemPool();
    const a = { id: 100, dirty: false }, b = { id: 200, dirty: false };
    pool.put(a);
    pool.cycle();
    pool.put(b);
    assert.equal(pool.tryGet(), b);
    assert.equal(pool.tryGet(), a);
    assert.equal(pool.tryGet(), undefined);
    assert.equal(created(), 0);
    assert.deepEqual([pool.stats().primaryHits, pool.stats().victimHits], [1, 1]);
  });
});

describe("Pool.put()", () => {
  it("applies reset on put, so get hands out clean objects", () => {
    const seen: Item[] = [];
    const pool = new Pool<Item>({
      create: () => ({ id: 0, dirty: false }),
      reset: (x) => {
        seen.push(x);
        x.dirty = false;
      },
    });
    const x = pool.get();
    x.dirty = true;
    pool.put(x);
    assert.deepEqual(seen, [x]);
    assert.equal(x.dirty, false); // at put time, not lazily at get time
    assert.equal(pool.get(), x);
    assert.equal(seen.length, 1);
  });

  it("ignores undefined and null like Go's Put(nil)", () => {
    let resets = 0;
    const pool = new Pool<object>({ create: () => ({}), reset: () => void resets++ });
    pool.put(undefined);
    pool.put(null);
    assert.equal(resets, 0);
    assert.deepEqual(pool.stats(), new Pool({ create: () => ({}) }).stats());
  });

  it("pools falsy values other than undefined and null", () => {
    const pool = new Pool<number | string | boolean>({ create: () => 1 });
    pool.put(0);
    pool.put("");
    pool.put(false);
    assert.equal(pool.stats().primarySize, 3);
    assert.deepEqual(new Set([pool.get(), pool.get(), pool.get()]), new Set([0, "", false]));
    assert.equal(pool.stats().misses, 0);
  });

  it("drops puts beyond maxSize, counts them and does not reset them", () => {
    const { pool } = itemPool(2);
    const items = [1, 2, 3, 4].map((id) => ({ id, dirty: true }));
    for (const x of items) pool.put(x);
    const s = pool.stats();
    assert.deepEqual([s.primarySize, s.puts, s.dropped], [2, 4, 2]);
    assert.deepEqual(items.map((x) => x.dirty), [false, false, true, true]);
    const kept = [pool.get().id, pool.get().id].sort();
    assert.deepEqual(kept, [1, 2]);
  });

  it("keeps nothing with maxSize 0", () => {
    const { pool, created } = itemPool(0);
    pool.put(pool.get());
    assert.equal(pool.get().id, 2);
    assert.equal(created(), 2);
    assert.deepEqual([pool.stats().dropped, pool.stats().primarySize], [1, 0]);
  });

  it("caps the primary cache only, so the pool holds at most 2 * maxSize", () => {
    const { pool } = itemPool(3);
    for (let i = 0; i < 5; i++) pool.put({ id: 100 + i, dirty: false });
    pool.cycle();
    for (let i = 0; i < 5; i++) pool.put({ id: 200 + i, dirty: false });
    assert.deepEqual(sizes(pool), [3, 3]);
    assert.equal(pool.stats().dropped, 4);
  });

  it("does not pool an object whose reset throws", () => {
    const pool = new Pool<Item>({
      create: () => ({ id: 0, dirty: false }),
      reset: (x) => {
        if (x.dirty) throw new Error("cannot clean");
      },
    });
    assert.throws(() => pool.put({ id: 1, dirty: true }), { message: "cannot clean" });
    assert.deepEqual([pool.stats().puts, pool.stats().primarySize], [0, 0]);
    assert.equal(pool.tryGet(), undefined);
  });
});

describe("Pool.cycle()", () => {
  // Go's TestPool tail and TestPoolRelease, with cycle() standing in for runtime.GC().
  it("keeps objects through one cycle in the victim cache", () => {
    const { pool, created } = itemPool();
    const x = pool.get();
    pool.put(x);
    pool.cycle();
    assert.deepEqual(sizes(pool), [0, 1]);
    assert.equal(pool.get(), x);
    assert.equal(created(), 1);
    assert.equal(pool.stats().victimHits, 1);
  });

  it("drops objects not taken for two cycles, so get creates again", () => {
    const { pool, created } = itemPool();
    const xs = [pool.get(), pool.get(), pool.get()];
    for (const x of xs) pool.put(x);
    pool.cycle();
    pool.cycle();
    assert.deepEqual(sizes(pool), [0, 0]);
    assert.equal(pool.stats().dropped, 3);
    const y = pool.get();
    assert.equal(y.id, 4);
    assert.ok(!xs.includes(y));
    assert.equal(created(), 4);
  });

  it("keeps no objects after two cycles, whatever was put", () => {
    const { pool } = itemPool();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 1000; i++) pool.put({ id: i, dirty: false });
      pool.cycle();
      pool.cycle();
      assert.deepEqual(sizes(pool), [0, 0]);
      assert.equal(pool.tryGet(), undefined);
      assert.equal(pool.stats().dropped, 1000 * (round + 1));
    }
  });

  it("keeps objects put back into the primary between cycles", () => {
    const { pool } = itemPool();
    const x = pool.get();
    pool.put(x);
    for (let frame = 0; frame < 10; frame++) {
      pool.cycle();
      const y = pool.get();
      assert.equal(y, x);
      pool.put(y);
    }
    assert.deepEqual([pool.stats().misses, pool.stats().victimHits, pool.stats().dropped], [
      1,
      10,
      0,
    ]);
  });

  it("does nothing to an empty pool", () => {
    const { pool } = itemPool();
    pool.cycle();
    pool.cycle();
    assert.deepEqual(sizes(pool), [0, 0]);
    assert.equal(pool.stats().dropped, 0);
  });

  it("reaches a steady state where every get after the first frame is a hit", () => {
    const { pool, created } = itemPool();
    const n = 64, frames = 200;
    const held: Item[] = [];
    for (let f = 0; f < frames; f++) {
      for (let i = 0; i < n; i++) held.push(pool.get());
      for (const x of held) pool.put(x);
      held.length = 0;
      pool.cycle();
    }
    const s = pool.stats();
    assert.equal(created(), n);
    assert.deepEqual([s.misses, s.hits, s.victimHits, s.dropped], [
      n,
      n * (frames - 1),
      n * (frames - 1),
      0,
    ]);
    assert.deepEqual(sizes(pool), [0, n]);
  });
});

describe("Pool.clear()", () => {
  it("drops both caches and keeps the counters", () => {
    const { pool } = itemPool();
    pool.put({ id: 1, dirty: false });
    pool.cycle();
    pool.put({ id: 2, dirty: false });
    pool.put({ id: 3, dirty: false });
    pool.clear();
    assert.deepEqual(sizes(pool), [0, 0]);
    assert.equal(pool.tryGet(), undefined);
    assert.deepEqual([pool.stats().puts, pool.stats().dropped], [3, 3]);
  });
});

describe("Pool.stats()", () => {
  it("is a plain snapshot that later operations do not change", () => {
    const { pool } = itemPool();
    const before: PoolStats = pool.stats();
    pool.put(pool.get());
    assert.equal(Object.getPrototypeOf(before), Object.prototype);
    assert.equal(before.misses, 0);
    assert.equal(pool.stats().misses, 1);
    assert.notEqual(pool.stats(), pool.stats());
  });
});

describe("Pool", () => {
  // Go's TestPoolStress, single-threaded: a value cycling through put/get stays intact.
  it("survives many interleaved puts and gets of one value", () => {
    const pool = new Pool({ create: () => 0 });
    let v: number | undefined = 0;
    for (let j = 0; j < 100_000; j++) {
      if (v === undefined) v = 0;
      pool.put(v);
      v = pool.get();
      assert.equal(v, 0);
      if (j % 1000 === 0) pool.cycle();
    }
    assert.equal(pool.stats().misses, 0);
  });

  it("never hands out an object twice under a random stress load", () => {
    const { pool, created } = itemPool(50);
    const held = new Set<Item>();
    let seed = 12345;
    const rand = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    for (let j = 0; j < 100_000; j++) {
      const r = rand();
      if (r < 0.5) {
        const x = pool.get();
        assert.ok(!held.has(x), `object ${x.id} handed out twice`);
        assert.equal(x.dirty, false);
        x.dirty = true;
        held.add(x);
      } else if (r < 0.98) {
        const x = held.values().next().value;
        if (x !== undefined) {
          held.delete(x);
          pool.put(x);
        }
      } else {
        pool.cycle();
      }
    }
    const s = pool.stats();
    assert.equal(s.misses, created());
    assert.equal(s.primarySize + s.victimSize, s.puts - s.hits - s.dropped);
    assert.ok(s.primarySize <= 50 && s.victimSize <= 50);
  });

  it("matches a model of two multisets under random get, tryGet, put and cycle", () => {
    type Op =
      | { op: "get" }
      | { op: "tryGet" }
      | { op: "put"; pick: number }
      | { op: "putNew" }
      | { op: "putNull" }
      | { op: "cycle" };
    const op: fc.Arbitrary<Op> = fc.oneof(
      { arbitrary: fc.constant({ op: "get" } as const), weight: 4 },
      { arbitrary: fc.constant({ op: "tryGet" } as const), weight: 2 },
      { arbitrary: fc.nat().map((pick) => ({ op: "put", pick }) as const), weight: 4 },
      { arbitrary: fc.constant({ op: "putNew" } as const), weight: 1 },
      { arbitrary: fc.constant({ op: "putNull" } as const), weight: 1 },
      { arbitrary: fc.constant({ op: "cycle" } as const), weight: 2 },
    );
    fc.assert(
      fc.property(
        fc.option(fc.nat({ max: 6 }), { nil: undefined }),
        fc.array(op, { maxLength: 200, size: "max" }),
        (maxSize, ops) => {
          const { pool, created } = itemPool(maxSize);
          const cap = maxSize ?? Infinity;
          // Model: which objects each cache holds, which the caller holds, and the counters.
          const primary = new Set<Item>(), victim = new Set<Item>(), held: Item[] = [];
          const m = { primaryHits: 0, victimHits: 0, misses: 0, puts: 0, dropped: 0 };
          let outside = 1000; // ids of objects made by the caller, not by create
          const take = (x: Item | undefined, mayCreate: boolean): void => {
            if (primary.size > 0) {
              assert.ok(x !== undefined && primary.delete(x), "expected an object from primary");
              m.primaryHits++;
            } else if (victim.size > 0) {
              assert.ok(x !== undefined && victim.delete(x), "expected an object from victim");
              m.victimHits++;
            } else if (mayCreate) {
              assert.ok(x !== undefined);
              assert.equal(x.id, created(), "expected a newly created object");
              m.misses++;
            } else {
              assert.equal(x, undefined);
              return;
            }
            assert.ok(!held.includes(x), "object handed out twice");
            assert.equal(x.dirty, false);
            x.dirty = true;
            held.push(x);
          };
          const give = (x: Item): void => {
            m.puts++;
            if (primary.size >= cap) {
              m.dropped++;
              assert.equal(x.dirty, true, "a dropped object must not be reset");
            } else {
              assert.equal(x.dirty, false, "a pooled object must be reset");
              primary.add(x);
            }
          };
          for (const o of ops) {
            switch (o.op) {
              case "get":
                take(pool.get(), true);
                break;
              case "tryGet":
                take(pool.tryGet(), false);
                break;
              case "put":
                if (held.length > 0) {
                  const [x] = held.splice(o.pick % held.length, 1);
                  pool.put(x);
                  give(x);
                }
                break;
              case "putNew": {
                const x = { id: outside++, dirty: true };
                pool.put(x);
                give(x);
                break;
              }
              case "putNull":
                pool.put(null);
                break;
              case "cycle":
                m.dropped += victim.size;
                victim.clear();
                for (const x of primary) victim.add(x);
                primary.clear();
                pool.cycle();
                break;
            }
            assert.deepEqual(pool.stats(), {
              hits: m.primaryHits + m.victimHits,
              ...m,
              primarySize: primary.size,
              victimSize: victim.size,
            });
          }
          // Everything still pooled comes back out, and nothing else does.
          const rest = new Set<Item>();
          for (let x = pool.tryGet(); x !== undefined; x = pool.tryGet()) rest.add(x);
          assert.deepEqual(rest, new Set([...primary, ...victim]));
        },
      ),
      { numRuns: 300 },
    );
  });
});
