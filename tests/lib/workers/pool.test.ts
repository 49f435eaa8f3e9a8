// The worker pool in this runtime's own workers (Web workers in Deno and Bun, worker_threads in
// Node): shares, arguments, ordering, guards, cross-thread lifetimes, creates and deletes from
// several workers against a model, and every kind of fault leaving the pool usable.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { Table } from "../../../lib/table/table.ts";
import { Arena } from "../../../lib/memory/arena.ts";
import { WorkerPool } from "../../../lib/workers/pool.ts";
import { SystemError } from "../../../lib/errors.ts";
import { Body, Ship, Shot } from "./_schemas.ts";
import { reportFuzz, rng } from "../../_fuzz.ts";

const MODULE = new URL("./_systems.ts", import.meta.url);

const bodies = (n: number, layout: "aos" | "soa" = "soa", capacity = n) => {
  const table = new Table(Body, { capacity, layout, shared: true });
  for (let i = 0; i < n; i++) table.create({ x: i, vx: 1 });
  return table;
};

describe("WorkerPool", () => {
  let pool: WorkerPool;
  before(async () => {
    pool = await WorkerPool.start({ module: MODULE, workers: 2, timeout: 10_000 });
  });
  after(async () => {
    await pool.close();
  });

  it("lists the module's exported functions as its systems", () => {
    assert.equal(pool.workers, 2);
    assert.ok(pool.systems.includes("integrate") && pool.systems.includes("churn"));
  });

  for (const layout of ["aos", "soa"] as const) {
    it(`runs a system over every live record exactly once, in two even shares (${layout})`, async () => {
      const table = bodies(10001, layout);
      // Holes: deleted records are in no share.
      for (const id of table.ids().filter((_, i) => i % 7 === 3)) table.delete(id);
      await pool.run("stamp", { table, writes: ["who", "seen"], chunks: 2 });
      const who: number[] = [];
      table.forEach((b) => {
        assert.equal(b.seen, 1);
        who.push(b.who);
      });
      const first = who.filter((w) => w === 1).length;
      assert.deepEqual([first, who.length - first], [4286, 4286]);
      // Contiguous: worker 1's share is the lower half of the slots.
      assert.deepEqual(who, [...Array(4286).fill(1), ...Array(4286).fill(2)]);
      // By default, more chunks than workers: still every record once.
      await pool.run("stamp", { table, writes: ["who", "seen"] });
      table.forEach((b) => assert.equal(b.seen, 2));
      await pool.run("integrate", { table, reads: ["vx"], writes: ["x"], args: { dt: 0.5 } });
      table.forEach((b, id) => assert.equal(b.x, table.slotOf(id)! + 0.5));
    });
  }

  it("splits into more chunks than workers when asked, each record still visited once", async () => {
    const table = bodies(1000);
    await pool.run("stamp", { table, writes: ["who", "seen"], chunks: 16 });
    const who = new Set<number>();
    table.forEach((b) => {
      assert.equal(b.seen, 1);
      who.add(b.who);
    });
    assert.ok(who.size >= 1 && [...who].every((w) => w === 1 || w === 2));
    await pool.run("integrate", { table, writes: ["x"], args: { dt: 1 }, chunks: 7 });
    table.forEach((b, id) => assert.equal(b.x, table.slotOf(id)! + 1));
  });

  it("sends numeric arguments through shared memory and anything else as JSON", async () => {
    const table = bodies(10);
    await pool.run("scale", { table, writes: ["x"], args: { by: 2, add: 1 } });
    await pool.run("scale", { table, writes: ["x"], args: { add: 0, by: 10 } });
    assert.deepEqual(table.toArray().map((b) => b.x), table.ids().map((_, i) => (i * 2 + 1) * 10));
    await pool.run("json", { table, writes: ["x"], args: { list: [1, 2, 3], tag: "abcd" } });
    table.forEach((b) => assert.equal(b.x, 10));
    // Arguments are taken at the call: changing the object afterwards changes nothing.
    const args = { by: 2, add: 0 };
    const run = pool.run("scale", { table, writes: ["x"], args });
    args.by = 100;
    await run;
    table.forEach((b) => assert.equal(b.x, 20));
  });

  it("gives each run its own arguments when a getter of one starts another", async () => {
    const a = bodies(10);
    const b = bodies(10);
    const c = bodies(10);
    let inner: Promise<void> | undefined;
    let queued: Promise<void> | undefined;
    // Numeric arguments of the outer run are read while it is being prepared: the getter starts
    // a run (nothing queued yet), and a JSON one after it.
    const args = {
      add: 1,
      get by() {
        inner = pool.run("scale", { table: b, writes: ["x"], args: { by: 3, add: 7 } });
        queued = pool.run("json", { table: c, writes: ["x"], args: { list: [4], tag: "ab" } });
        return 2;
      },
    };
    await pool.run("scale", { table: a, writes: ["x"], args: args as never });
    await Promise.all([inner, queued]);
    assert.deepEqual(a.toArray().map((r) => r.x), a.ids().map((_, i) => i * 2 + 1));
    assert.deepEqual(b.toArray().map((r) => r.x), b.ids().map((_, i) => i * 3 + 7));
    c.forEach((r) => assert.equal(r.x, 6));
  });

  it("reads each option once: a getter cannot swap the table after it was checked", async () => {
    const shared = bodies(10);
    const local = new Table(Body, { capacity: 4, layout: "soa" });
    local.create({ x: 5, vx: 1 });
    let reads = 0;
    const options = {
      get table() {
        return reads++ === 0 ? shared : local;
      },
      writes: ["x"],
      args: { by: 2, add: 0 },
    };
    await pool.run("scale", options as never);
    assert.equal(reads, 1);
    assert.deepEqual(shared.toArray().map((r) => r.x), shared.ids().map((_, i) => i * 2));
    assert.equal(local.toArray()[0].x, 5);
  });

  it("queues runs in call order", async () => {
    const table = bodies(100);
    const a = pool.run("scale", { table, writes: ["x"], args: { by: 0, add: 3 } });
    const b = pool.run("scale", { table, writes: ["x"], args: { by: 2, add: 0 } });
    await Promise.all([a, b]);
    table.forEach((r) => assert.equal(r.x, 6));
  });

  it("refuses the main thread's creates and deletes on a table a run writes, until it ends", async () => {
    const table = bodies(1000, "soa", 1010);
    const id = table.ids()[0];
    // Long enough to be still going below (a short run may be over before run() returns).
    const run = pool.run("linger", { table, writes: ["x"], args: { ms: 50 } });
    // The guard is up from the call to the run's end.
    assert.throws(() => table.create(), /owns this table/);
    await Promise.resolve();
    await Promise.resolve();
    assert.throws(() => table.create(), /owns this table; await the run first/);
    assert.throws(() => table.delete(id), /owns this table/);
    await run;
    assert.equal(table.delete(id), true);
    assert.equal(typeof table.create(), "number");
    // Taken at the call: changing the options object afterwards neither keeps nor drops it.
    const options: { table: typeof table; writes?: string[]; args: { ms: number } } = {
      table,
      writes: ["x"],
      args: { ms: 50 },
    };
    const again = pool.run("linger", options);
    delete options.writes;
    await Promise.resolve();
    assert.throws(() => table.create(), /owns this table/);
    await again;
    assert.equal(typeof table.create(), "number");
  });

  it("refuses bad calls before anything runs, naming the problem", async () => {
    const table = bodies(4);
    await assert.rejects(pool.run("nope"), /exports no such function \(its systems: .*integrate/);
    await assert.rejects(
      pool.run("integrate", { table: new Table(Body, { capacity: 4 }) }),
      /its table is not shared/,
    );
    await assert.rejects(
      pool.run("integrate", { table, writes: ["pos"] }),
      (e) => e instanceof RangeError && /"pos", which is no field of Body/.test(e.message),
    );
    await assert.rejects(
      pool.run("integrate", { table, args: 5 as never }),
      /"args" must be an object/,
    );
    await assert.rejects(pool.run("integrate", { table, timeout: -1 }), RangeError);
    await assert.rejects(
      pool.run("integrate", { table, chunks: 1 }),
      /"chunks" must be an integer from 2/,
    );
  });

  it("makes a worker's view stale once the main thread deletes its record", async () => {
    const table = bodies(10);
    await pool.run("keep", { table });
    await pool.run("readKept", { table, writes: ["x"] });
    table.forEach((b) => assert.equal(b.x, b.x === 0 ? 0 : b.x));
    const first = table.ids()[0];
    table.delete(first);
    await assert.rejects(
      pool.run("readKept", { table, writes: ["x"] }),
      (e) =>
        e instanceof SystemError && e.reason === "threw" &&
        (e.cause as Error).name === "StaleViewError",
    );
  });

  it("refuses a system that returns a promise, whose rest would never be waited for", async () => {
    const table = bodies(4);
    await assert.rejects(
      pool.run("later", { table, writes: ["x"] }),
      (e) =>
        e instanceof SystemError && e.reason === "threw" &&
        /returned a promise: systems must be synchronous/.test((e.cause as Error).message),
    );
  });

  it("follows t.ref() fields to the shared tables they resolve against, in the workers", async () => {
    const ships = new Table(Ship, { capacity: 8, shared: true });
    const shots = new Table(Shot, { capacity: 8, shared: true, refs: [ships] });
    const a = ships.create({ hp: 3 });
    const b = ships.create({ hp: 5 });
    const sa = shots.create({ from: a });
    const sb = shots.create({ from: b });
    await pool.run("follow", { table: shots, writes: ["x"] });
    assert.deepEqual([shots.get(sa)?.x, shots.get(sb)?.x], [3, 5]);
    ships.delete(a);
    await pool.run("follow", { table: shots, writes: ["x"] });
    assert.deepEqual([shots.get(sa)?.x, shots.get(sb)?.x], [-1, 5]);
  });

  it("refuses a create the system did not declare, in the worker", async () => {
    const table = bodies(4, "soa", 8);
    await assert.rejects(
      pool.run("createUndeclared", { table, writes: ["x"] }),
      (e) =>
        e instanceof SystemError && (e.cause as Error) instanceof TypeError &&
        /did not declare creates/.test((e.cause as Error).message),
    );
    assert.equal(table.count, 4);
  });

  it("rejects with the worker's error and stack when a system throws, and stays usable", async () => {
    await assert.rejects(pool.run("boom"), (e) => {
      assert.ok(e instanceof SystemError);
      assert.deepEqual([e.system, e.worker, e.reason], ["boom", 1, "threw"]);
      assert.equal(e.message, 'System "boom" failed in worker 1: RangeError: boom in worker 1');
      const cause = e.cause as Error;
      assert.ok(cause instanceof RangeError);
      assert.match(String(cause.stack), /_systems\.ts/);
      return true;
    });
    await pool.run("noop");
  });

  it("rejects when a worker dies, replaces it and stays usable", async () => {
    await assert.rejects(
      pool.run("die"),
      (e) => e instanceof SystemError && e.reason === "died" && e.worker === 0,
    );
    const table = bodies(50);
    await pool.run("stamp", { table, writes: ["who", "seen"] });
    assert.deepEqual(new Set(table.toArray().map((b) => b.who)), new Set([1, 2]));
  });

  it("rejects a run still busy at its timeout, replaces the worker and stays usable", async () => {
    const t0 = performance.now();
    await assert.rejects(
      pool.run("hang", { timeout: 300 }),
      (e) => e instanceof SystemError && e.reason === "timeout" && /within 300 ms/.test(e.message),
    );
    assert.ok(performance.now() - t0 >= 290);
    const table = bodies(50);
    await pool.run("integrate", { table, writes: ["x"], args: { dt: 1 } });
    table.forEach((b, id) => assert.equal(b.x, table.slotOf(id)! + 1));
  });

  it("keeps ids unique and generational with two workers creating and deleting", async () => {
    const seed = Number(globalThis.process?.env?.FUZZ_SEED ?? 16);
    const rounds = 20;
    const ops = 60;
    const table = new Table(Body, { capacity: 4096, layout: "aos", shared: true });
    // The model replays each worker's decisions (same generator, same seed) with serials.
    const models = [new Map<number, true>(), new Map<number, true>()];
    const serials = [0, 0];
    for (let round = 0; round < rounds; round++) {
      await pool.run("churn", {
        table,
        writes: ["x", "who", "seen"],
        creates: true,
        deletes: true,
        args: { seed, round, ops },
      });
      for (let w = 0; w < 2; w++) {
        const r = rng(seed * 1000 + round * 16 + w);
        const m = models[w];
        for (let i = 0; i < ops; i++) {
          if (r() < 0.6 || m.size === 0) m.set(serials[w]++, true);
          else {
            const keys = [...m.keys()];
            m.delete(keys[Math.floor(r() * keys.length)]);
          }
        }
      }
      const seen = [new Set<number>(), new Set<number>()];
      table.forEach((b, id) => {
        assert.equal(b.x, id, "each record holds the id its creator got");
        seen[b.who - 1].add(b.seen);
      });
      for (let w = 0; w < 2; w++) {
        assert.deepEqual([...seen[w]].sort(), [...models[w].keys()].sort());
      }
      assert.equal(table.count, models[0].size + models[1].size);
    }
    reportFuzz("worker pool create/delete fuzz (2 workers, shared table)", rounds * ops * 2, seed);
  });
});

describe("WorkerPool.start() and close()", () => {
  it("refuses bad options", async () => {
    await assert.rejects(WorkerPool.start(undefined as never), TypeError);
    await assert.rejects(WorkerPool.start({ module: MODULE, workers: 0 }), RangeError);
    await assert.rejects(WorkerPool.start({ module: 5 as never }), TypeError);
    for (const spinMs of [-1, Number.NaN, 1001, "1"]) {
      await assert.rejects(
        WorkerPool.start({ module: MODULE, workers: 1, spinMs: spinMs as never }),
        (e) =>
          e instanceof RangeError && e.message.includes(`"spinMs"`) &&
          e.message.includes(`got ${typeof spinMs === "string" ? `"${spinMs}"` : spinMs}`),
      );
    }
  });

  // Polling workers pick a run up without being woken: every run must still be done by each
  // worker exactly once, whichever of them polls (the last to finish sleeps, the others poll).
  for (const spinMs of [0, 0.2, 50]) {
    it(`completes every one of many back-to-back runs (spinMs ${spinMs})`, async () => {
      const pool = await WorkerPool.start({ module: MODULE, workers: 2, spinMs });
      try {
        const table = bodies(5000);
        for (let r = 0; r < 200; r++) {
          await pool.run("integrate", { table, reads: ["vx"], writes: ["x"], args: { dt: 1 } });
          if (r % 50 === 0) await pool.run("noop");
        }
        table.forEach((b, id) => assert.equal(b.x, table.slotOf(id)! + 200));
      } finally {
        await pool.close();
      }
    });
  }

  it("rejects when the module cannot be loaded", async () => {
    await assert.rejects(
      WorkerPool.start({ module: new URL("./_missing.ts", import.meta.url), workers: 1 }),
      /failed to load in worker 0|died/,
    );
  });

  it("lets the process exit by itself once closed", () => {
    const child = fileURLToPath(new URL("./_close_child.ts", import.meta.url));
    // deno-lint-ignore no-explicit-any
    const g = globalThis as any;
    const [cmd, args] = g.Deno
      ? [process.execPath, ["run", "-A", child]]
      : g.Bun
      ? [process.execPath, [child]]
      : [process.execPath, ["--import", "tsx", child]];
    const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 60_000 });
    assert.equal(r.error, undefined, "the process did not exit within 60 s");
    assert.equal(r.stdout.trim(), "closed", r.stderr);
    assert.equal(r.status, 0);
  });

  it("ends its workers on close and refuses runs after it", async () => {
    const pool = await WorkerPool.start({ module: MODULE, workers: 1 });
    await pool.run("noop");
    await pool.close();
    await pool.close();
    await assert.rejects(pool.run("noop"), /the pool is closed/);
  });
});

describe("WorkerPool with shared arenas", () => {
  it("lets each worker allocate in a shared arena, one block at a time, and see new chunks", async () => {
    const pool = await WorkerPool.start({ module: MODULE, workers: 2 });
    try {
      const frame = new Arena({
        bytes: 1 << 16,
        shared: true,
        overflow: "grow",
        chunkBytes: 1 << 16,
      });
      const table = bodies(2);
      await pool.run("allocate", { table, writes: ["x"], arenas: { frame }, args: { n: 100 } });
      // Worker w sums i + w over 100 records: 4950 + 100 w.
      assert.deepEqual(table.toArray().map((b) => b.x), [4950, 5050]);
      assert.ok(frame.used >= 200 * 24, `used ${frame.used}`);
      // Past the first chunk: the owner adds one, the workers adopt it before the next run.
      frame.reset();
      frame.alloc(Body);
      while (frame.capacity === 1 << 16) frame.alloc(Body);
      await pool.run("allocate", { table, writes: ["x"], arenas: { frame }, args: { n: 100 } });
      assert.deepEqual(table.toArray().map((b) => b.x), [4950, 5050]);
      await assert.rejects(
        pool.run("allocate", {
          table,
          arenas: { frame: new Arena({ bytes: 64 }) },
          args: { n: 1 },
        }),
        /is not shared/,
      );
    } finally {
      await pool.close();
    }
  });
});
