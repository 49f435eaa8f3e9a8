// Shared arenas: an arena opened from a handle works on the owner's memory and state. In one
// thread, Arena.open(arena.handle()) stands in for a second thread: allocations never overlap,
// each side reads the other's records, the owner's reset and release reach views of both sides,
// and an opened arena refuses what only the owner may do. A model-based fuzz interleaves two
// arenas over one handle; one test runs a real worker.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Arena,
  type ArenaHandle,
  type ArenaMark,
  bufferOf,
  InvalidMarkError,
  offsetOf,
  StaleViewError,
  t,
} from "../../../mod.ts";
import { ArenaFullError } from "../../../lib/errors.ts";
import { CUT_CAPACITY, TOPS } from "../../../lib/memory/control.ts";
import { reportFuzz, rng, runtimeName } from "../../_fuzz.ts";

const HAS_SAB = typeof SharedArrayBuffer !== "undefined";
const P = t.struct({ id: t.u32(), x: t.f64() }, { name: "P" });
const SIZE = 16;

// deno-lint-ignore no-explicit-any
type Any = any;

const controlTop = (h: ArenaHandle, k = 0) => Atomics.load(new Int32Array(h.control), TOPS + k);

function env(name: string): string | undefined {
  const g = globalThis as {
    Deno?: { env: { get(k: string): string | undefined } };
    process?: { env: Record<string, string | undefined> };
  };
  return g.Deno ? g.Deno.env.get(name) : g.process?.env[name];
}

for (const jitless of [false, true]) {
  describe(`Arena.open(handle) (jitless: ${jitless})`, { skip: !HAS_SAB }, () => {
    const pair = (extra: object = {}) => {
      const owner = new Arena({ bytes: 1 << 16, shared: true, jitless, ...extra });
      return { owner, opened: Arena.open(owner.handle()) };
    };

    it("interleaves allocations that never overlap, each side reading the other's records", () => {
      const { owner, opened } = pair();
      const views: Any[] = [];
      for (let i = 0; i < 600; i++) {
        const side = i % 3 === 0 ? opened : owner;
        views.push(side.alloc(P, { id: i, x: i + 0.5 }));
      }
      const offsets = views.map((v) => offsetOf(v)).sort((a, b) => a - b);
      for (let i = 1; i < offsets.length; i++) assert.ok(offsets[i] - offsets[i - 1] >= SIZE);
      const buffer = bufferOf(views[0]);
      const dv = new DataView(buffer);
      views.forEach((v, i) => {
        assert.equal(bufferOf(v), buffer);
        assert.equal(dv.getUint32(offsetOf(v), true), i);
        assert.equal(v.x, i + 0.5);
      });
      // The owner's bytes, written through an opened arena's view and the other way round.
      views[1].x = 7.25;
      views[0].id = 99;
      assert.equal(dv.getFloat64(offsetOf(views[1]) + 8, true), 7.25);
      assert.equal(dv.getUint32(offsetOf(views[0]), true), 99);
    });

    it("gives the same arena through a structuredClone of the handle", () => {
      const owner = new Arena({ bytes: 1 << 16, shared: true, jitless });
      const h = structuredClone(owner.handle());
      assert.ok(h.control instanceof SharedArrayBuffer);
      const opened = Arena.open(h);
      const a = opened.alloc(P, { id: 1, x: 2 });
      const b = owner.alloc(P, { id: 3, x: 4 });
      assert.notEqual(bufferOf(a), bufferOf(b)); // two objects over one memory
      new DataView(bufferOf(b)).setUint32(offsetOf(a), 42, true);
      assert.equal(a.id, 42);
      owner.reset();
      assert.throws(() => a.id, StaleViewError);
      assert.equal(opened.generation, 1);
    });

    it("makes views of both sides stale at the owner's reset", () => {
      const { owner, opened } = pair();
      const a = owner.alloc(P, { id: 1 });
      const b = opened.alloc(P, { id: 2 });
      const arr = opened.allocArray(P, 3);
      owner.reset();
      for (const touch of [() => a.id, () => b.id, () => arr.at(0).x, () => arr.cursor().id]) {
        assert.throws(touch, StaleViewError);
      }
      // Both allocate again from the bottom, in blocks that do not overlap.
      const c = opened.alloc(P, { id: 5 });
      const d = owner.alloc(P, { id: 6 });
      assert.deepEqual([offsetOf(c), offsetOf(d), c.id, d.id], [0, 4096, 5, 6]);
      assert.deepEqual([owner.stats().resets, opened.stats().resets], [1, 1]);
    });

    it("keeps records below a release mark readable from both sides, and frees the rest", () => {
      const { owner, opened } = pair();
      const below = [owner.alloc(P, { id: 1 }), opened.alloc(P, { id: 2 })];
      const m = owner.mark();
      assert.equal(m.position, owner.used);
      // The opened arena still has room in the block it took before the mark: below it.
      const late = opened.alloc(P, { id: 3 });
      assert.ok(offsetOf(late) < m.position);
      const above = [owner.alloc(P, { id: 4 }), owner.allocArray(P, 2).at(1)];
      assert.ok(above.every((v) => offsetOf(v) >= m.position));
      owner.release(m);
      assert.deepEqual([...below, late].map((v) => v.id), [1, 2, 3]);
      for (const v of above) assert.throws(() => v.id, StaleViewError);
      assert.deepEqual([owner.used, opened.used], [m.position, m.position]);
      // After the release the opened arena leaves its old block: its next record is above the
      // mark, and freed by the next release to it.
      const next = opened.alloc(P, { id: 5 });
      assert.ok(offsetOf(next) >= m.position);
      owner.release(m);
      assert.throws(() => next.id, StaleViewError);
      assert.equal(late.id, 3);
    });

    it("leaves reset, release, restore and scopes to the owner", () => {
      const { owner, opened } = pair();
      const m = opened.mark();
      const snap = owner.snapshot();
      const refused = [
        () => opened.reset(),
        () => opened.release(m),
        () => opened.release(owner.mark()),
        () => opened.scope(),
        () => opened.restore(snap),
      ];
      for (const f of refused) {
        assert.throws(f, (e: unknown) =>
          e instanceof TypeError &&
          /^Cannot \w+( a scope in)? an opened arena: only the arena that made its handle can$/
            .test(e.message));
      }
      owner.restore(snap);
      owner.reset();
      owner.release(owner.mark());
    });

    it("never adds chunks to an opened arena: full is ArenaFullError, or undefined", () => {
      const owner = new Arena({ bytes: 256, shared: true, jitless, blockBytes: 64 });
      const opened = Arena.open(owner.handle());
      const got: Any[] = [];
      for (let v; (v = opened.tryAlloc(P)) !== undefined;) got.push(v);
      assert.equal(got.length, 16);
      assert.throws(
        () => opened.alloc(P),
        (e: unknown) =>
          e instanceof ArenaFullError && e.requested === SIZE && e.available === 0 &&
          e.message ===
            "Cannot allocate 16 bytes: arena has 0 bytes left, and only the arena that made the handle adds chunks",
      );
      assert.equal(owner.tryAlloc(P), undefined);
    });

    it("takes the owner's new chunks through adopt(newer handle)", () => {
      const owner = new Arena({
        bytes: 256,
        chunkBytes: 1024,
        blockBytes: 64,
        overflow: "grow",
        shared: true,
        jitless,
      });
      const opened = Arena.open(owner.handle());
      const kept = opened.alloc(P, { id: 1 });
      for (let i = 0; i < 20; i++) owner.alloc(P); // 320 bytes: a second chunk
      assert.equal(owner.capacity, 1280);
      assert.equal(opened.capacity, 1280); // the control block knows it, the arena does not have it
      while (opened.tryAlloc(P) !== undefined);
      assert.throws(() => opened.alloc(P), /adopt\(\)/);
      opened.adopt(owner.handle());
      const v = opened.alloc(P, { id: 2 });
      assert.equal(bufferOf(v).byteLength, 1024);
      assert.deepEqual([kept.id, v.id], [1, 2]);
      const other = new Arena({ bytes: 64, shared: true });
      assert.throws(() => opened.adopt(other.handle()), /another arena/);
    });

    it("takes one atomic step per block, not per record", () => {
      const { owner } = pair();
      const h = owner.handle();
      const cas = Atomics.compareExchange;
      let calls = 0;
      (Atomics as Any).compareExchange = (...a: Any[]) => (calls++, (cas as Any)(...a));
      const tops: number[] = [];
      try {
        for (let i = 0; i < 1000; i++) {
          owner.alloc(P, { id: i });
          const top = controlTop(h);
          if (tops[tops.length - 1] !== top) tops.push(top);
        }
      } finally {
        Atomics.compareExchange = cas;
      }
      assert.deepEqual(tops, [4096, 8192, 12288, 16384]);
      assert.equal(calls, 4);
      assert.equal(owner.used, 16000);
      assert.equal(owner.mark().position, 16000); // the tail of the last block goes back
      assert.equal(controlTop(h), 16000);
    });

    it("refuses a release past the cut stack's capacity, changing nothing", () => {
      const owner = new Arena({ bytes: 1 << 16, shared: true, jitless });
      let m: ArenaMark | undefined;
      for (let i = 0; i < CUT_CAPACITY; i++) {
        owner.alloc(P);
        m = owner.mark();
        owner.release(m);
      }
      owner.alloc(P);
      const last = owner.mark();
      const v = owner.alloc(P, { id: 9 });
      const g = owner.generation;
      assert.throws(
        () => owner.release(last),
        (e: unknown) => e instanceof RangeError && /at most 256 releases/.test(e.message),
      );
      assert.deepEqual([owner.generation, v.id], [g, 9]);
      owner.release(m!);
      assert.throws(() => v.id, StaleViewError);
      owner.reset();
      owner.release(owner.mark());
    });
  });
}

describe("Arena.handle()", { skip: !HAS_SAB }, () => {
  it("refuses an arena that is not shared", () => {
    assert.throws(
      () => new Arena({ bytes: 64 }).handle(),
      (e: unknown) =>
        e instanceof TypeError &&
        e.message ===
          "Cannot make a handle of this arena: it is not shared (create it with shared: true)",
    );
  });

  it("makes a plain object Arena.open accepts, and refuses forged ones naming the field", () => {
    const owner = new Arena({ bytes: 256, shared: true });
    const h = owner.handle();
    const other = new Arena({ bytes: 256, shared: true }).handle();
    assert.deepEqual(Object.keys(h).sort(), [
      "blockBytes",
      "checked",
      "chunks",
      "control",
      "jitless",
      "kind",
      "overflow",
    ]);
    const chunk = h.chunks[0];
    const forged: [unknown, RegExp][] = [
      [undefined, /expected a handle from Arena\.handle\(\), got undefined/],
      [42, /got 42/],
      [{ ...h, kind: "x" }, /"kind" is "x"/],
      [{ ...h, control: new ArrayBuffer(8) }, /"control" must be a SharedArrayBuffer/],
      [
        { ...h, control: new SharedArrayBuffer(h.control.byteLength) },
        /not an arena's control block/,
      ],
      [{ ...h, chunks: [] }, /"chunks" must be an array/],
      [{ ...h, chunks: [{ ...chunk, start: 16 }] }, /"chunks\[0\]\.start" must be 0, got 16/],
      [{ ...h, chunks: [{ ...chunk, buffer: new ArrayBuffer(256) }] }, /"chunks\[0\]\.buffer"/],
      [{ ...h, chunks: [{ ...chunk, id: -1 }] }, /"chunks\[0\]\.id"/],
      [{ ...h, chunks: other.chunks }, /not the first chunk of the arena of "control"/],
      [{ ...h, overflow: "more" }, /"overflow" must be/],
      [{ ...h, checked: 1 }, /"checked" must be a boolean/],
      [{ ...h, blockBytes: 0 }, /"blockBytes"/],
      [new Proxy({}, {}), /"kind" is undefined/],
    ];
    for (const [bad, message] of forged) {
      assert.throws(
        () => Arena.open(bad as ArenaHandle),
        (e: unknown) =>
          e instanceof TypeError && e.message.startsWith("Cannot open an arena: ") &&
          message.test(e.message),
        String(message),
      );
    }
    assert.equal(Arena.open(h).alloc(P, { id: 3 }).id, 3);
  });
});

// Two arenas over one handle, driven at random, against a model: a record is live until a reset,
// or a release to a mark at or below its address. The owner adds chunks ("grow"); the opened
// arena adopts a newer handle when it runs out.
function fuzz(jitless: boolean, seed: number, ops: number): number {
  const r = rng(seed);
  const int = (n: number) => Math.floor(r() * n);
  const owner = new Arena({
    bytes: 512,
    chunkBytes: 512,
    blockBytes: 64,
    overflow: "grow",
    shared: true,
    jitless,
  });
  const opened = Arena.open(owner.handle());
  const sides = [owner, opened];
  interface Rec {
    v: Any;
    n: number;
    buffer: ArrayBufferLike;
    o: number;
    addr: number;
  }
  let live: Rec[] = [];
  const dead: Rec[] = [];
  let marks: ArenaMark[] = [];
  const stale: ArenaMark[] = [];
  let n = 0;
  let done = 0;
  const starts = new Map<ArrayBufferLike, number>();
  const addressOf = (v: Any) => {
    const b = bufferOf(v);
    if (!starts.has(b)) {
      for (const c of owner.handle().chunks) starts.set(c.buffer, c.start);
    }
    return starts.get(b)! + offsetOf(v);
  };
  const kill = (pred: (x: Rec) => boolean) => {
    const keep: Rec[] = [];
    for (const x of live) (pred(x) ? dead : keep).push(x);
    live = keep;
    if (dead.length > 32) dead.splice(0, dead.length - 32);
  };
  try {
    for (; done < ops; done++) {
      const op = r();
      const side = sides[int(2)];
      if (op < 0.5) {
        const v = side.tryAlloc(P, { id: ++n, x: n / 4 });
        if (v === undefined) {
          assert.equal(side, opened, "the owner grows");
          opened.adopt(owner.handle());
          continue;
        }
        const x: Rec = { v, n, buffer: bufferOf(v), o: offsetOf(v), addr: addressOf(v) };
        for (const y of live) {
          if (y.buffer === x.buffer) {
            assert.ok(x.o + SIZE <= y.o || y.o + SIZE <= x.o, "live records overlap");
          }
        }
        live.push(x);
      } else if (op < 0.6) {
        const at = owner.used;
        const m = owner.mark();
        assert.equal(m.position, at);
        marks.push(m);
      } else if (op < 0.72) {
        if (marks.length === 0) continue;
        const m = marks[int(marks.length)];
        owner.release(m);
        kill((x) => x.addr >= m.position);
        const keep: ArenaMark[] = [];
        for (const x of marks) (x.position <= m.position ? keep : stale).push(x);
        marks = keep;
        assert.deepEqual([owner.used, opened.used], [m.position, m.position]);
      } else if (op < 0.76) {
        owner.reset();
        kill(() => true);
        stale.push(...marks);
        marks = [];
        if (stale.length > 16) stale.splice(0, stale.length - 16);
      } else if (op < 0.82) {
        side.flush();
      } else if (op < 0.86) {
        if (stale.length === 0) continue;
        assert.throws(() => owner.release(stale[int(stale.length)]), InvalidMarkError);
      } else if (op < 0.9) {
        // A record rewritten through one arena's view reads back through the raw bytes.
        if (live.length === 0) continue;
        const x = live[int(live.length)];
        x.n = ++n;
        x.v.id = n;
        x.v.x = n / 4;
        assert.equal(new DataView(x.buffer as SharedArrayBuffer).getUint32(x.o, true), n);
      }
      for (let k = 0; k < Math.min(3, live.length); k++) {
        const x = live[int(live.length)];
        assert.deepEqual([x.v.id, x.v.x], [x.n, x.n / 4], "a live record reads back");
      }
      if (dead.length > 0 && r() < 0.2) {
        const x = dead[int(dead.length)];
        assert.throws(() => x.v.id, StaleViewError, "a freed record is stale");
      }
    }
    for (const x of live) assert.equal(x.v.id, x.n);
  } catch (e) {
    if (e instanceof Error) {
      e.message += ` (shared arena fuzz seed ${seed}, jitless ${jitless}, op ${done})`;
    }
    throw e;
  }
  return done;
}

describe("Shared arena model-based fuzzing", { skip: !HAS_SAB }, () => {
  const SEED = Number(env("FUZZ_SEED") ?? 7);
  const OPS = Number(env("FUZZ_OPS") ?? 20_000);
  it(`agrees with the model for two arenas over one handle (seed ${SEED}, FUZZ_SEED to change)`, () => {
    let total = 0;
    for (const jitless of [false, true]) total += fuzz(jitless, SEED, OPS);
    reportFuzz("shared arena fuzz", total, SEED);
    assert.ok(total >= 2 * OPS);
  });
});

interface WorkerLike {
  post(m: unknown): void;
  next(): Promise<Any>;
  stop(): Promise<unknown> | void;
}

// A worker running _arena_worker.ts: a module web worker in Deno and Bun; in Node a
// worker_threads worker whose first step registers the TypeScript loader.
async function startWorker(): Promise<WorkerLike> {
  const url = new URL("./_arena_worker.ts", import.meta.url);
  const inbox: Any[] = [];
  const waiting: ((m: Any) => void)[] = [];
  const deliver = (m: Any) => {
    const w = waiting.shift();
    if (w) w(m);
    else inbox.push(m);
  };
  const next = () =>
    new Promise<Any>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("the worker did not answer")), 20_000);
      const done = (m: Any) => {
        clearTimeout(timer);
        resolve(m);
      };
      if (inbox.length > 0) done(inbox.shift());
      else waiting.push(done);
    });
  if (runtimeName() === "node") {
    const { Worker } = await import("node:worker_threads");
    const code = `import("tsx/esm/api").then((m) => m.register())` +
      `.then(() => import(${JSON.stringify(url.href)}))`;
    const w = new Worker(code, { eval: true });
    w.on("message", deliver);
    w.on("error", (e) => deliver({ error: String(e) }));
    return { post: (m) => w.postMessage(m), next, stop: () => w.terminate() };
  }
  const W = (globalThis as Any).Worker;
  const w = new W(url.href, { type: "module" });
  w.onmessage = (e: { data: unknown }) => deliver(e.data);
  w.onerror = (e: { message?: string }) => deliver({ error: String(e.message ?? e) });
  return { post: (m) => w.postMessage(m), next, stop: () => w.terminate() };
}

describe("Arena.open in a worker", { skip: !HAS_SAB }, () => {
  it("allocates records the owner reads, and sees the owner's reset", async () => {
    const owner = new Arena({ bytes: 1 << 16, shared: true });
    const before = owner.alloc(P, { id: 1, x: 0.5 });
    const w = await startWorker();
    try {
      assert.equal(await w.next(), "ready");
      w.post({ handle: owner.handle(), count: 300 });
      // The owner keeps allocating while the worker does.
      const mine = [before];
      for (let i = 0; i < 300; i++) mine.push(owner.alloc(P, { id: 2 + i }));
      const reply = await w.next();
      assert.equal(reply.error, undefined, reply.error);
      const offsets: number[] = reply.offsets;
      assert.equal(offsets.length, 300);
      const dv = new DataView(bufferOf(before));
      offsets.forEach((o, i) => {
        assert.equal(dv.getUint32(o, true), 1000 + i);
        assert.equal(dv.getFloat64(o + 8, true), i * 0.5);
      });
      const all = [...offsets, ...mine.map((v) => offsetOf(v))].sort((a, b) => a - b);
      for (let i = 1; i < all.length; i++) assert.ok(all[i] - all[i - 1] >= SIZE, "no overlap");
      owner.reset();
      w.post("touch");
      assert.deepEqual(await w.next(), { stale: true, name: "StaleViewError" });
    } finally {
      await w.stop();
    }
  });
});
