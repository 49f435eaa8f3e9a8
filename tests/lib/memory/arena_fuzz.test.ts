// Model-based fuzzing of arenas: a seeded loop of alloc / allocArray / write / mark / release /
// scope / reset over arenas of every overflow policy (two of them sharing one pool with
// different chunk sizes, one shared), with hostile marks (stale, foreign, out of order, forged)
// and raw arrays kept across resets, checked against a plain model after every step.
// FUZZ_SEED=<n> replays another seed; FUZZ_OPS=<n> changes the length of each run.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Arena,
  type ArenaMark,
  type ArenaScope,
  bufferOf,
  InvalidMarkError,
  offsetOf,
  StaleViewError,
  t,
} from "../../../mod.ts";
import { reportFuzz, rng } from "../../_fuzz.ts";
import { Pool } from "../../../lib/memory/pool.ts";
import { layoutOf } from "../../../schemas/layout.ts";

function env(name: string): string | undefined {
  const g = globalThis as {
    Deno?: { env: { get(k: string): string | undefined } };
    process?: { env: Record<string, string | undefined> };
  };
  return g.Deno ? g.Deno.env.get(name) : g.process?.env[name];
}

const SEED = Number(env("FUZZ_SEED") ?? 42);
const OPS = Number(env("FUZZ_OPS") ?? 50_000); // per mode: jit and jitless

const SCHEMAS = [
  t.struct({ a: t.u8() }),
  t.struct({ x: t.f64() }),
  t.struct({ hist: t.array(t.i16(), 3), id: t.u32() }),
  t.struct({ v: t.vec4f(), n: t.u16() }),
  // Nearly a chunk: a pooled chunk of the wrong size would cut it short.
  t.struct({ xs: t.array(t.f64(), 36) }),
] as const;
const BIG = 4;
const SIZES = SCHEMAS.map((s) => layoutOf(s).size);

// deno-lint-ignore no-explicit-any
type Any = any;
const init = (k: number, n: number): Any =>
  [
    { a: n & 255 },
    { x: n + 0.5 },
    { hist: [n & 0x7fff, -(n & 0x7fff), 7], id: n },
    { v: { x: n, y: -n, z: 0.5, w: 2 * n }, n: n & 0xffff },
    { xs: Array.from({ length: 36 }, (_, i) => (i === 0 ? n : i === 35 ? -n : 0)) },
  ][k];
// Reads the record back through its view (cheaper than toObject, and touches a typed-array field).
const matches = (k: number, v: Any, n: number): boolean =>
  [
    () => v.a === (n & 255),
    () => v.x === n + 0.5,
    () => v.hist[0] === (n & 0x7fff) && v.hist[1] === -(n & 0x7fff) && v.id === n,
    () => v.v.w === 2 * n && v.n === (n & 0xffff),
    () => v.xs[0] === n && v.xs[35] === -n,
  ][k]();

interface Rec {
  // A view, or a struct array of `len` records (checked through at(i)).
  obj: Any;
  k: number;
  n: number;
  len: number; // -1 for a single view
  at: number; // arena.used before the allocation: it is freed by a release to a mark <= at
}
interface MarkRec {
  mark: ArenaMark;
  pos: number;
}
interface Model {
  arena: Arena;
  name: string;
  live: Rec[];
  dead: Rec[];
  marks: MarkRec[]; // valid marks
  stale: ArenaMark[]; // marks a reset or an outer release made invalid
  scopes: { scope: ArenaScope; pos: number; mark: ArenaMark }[];
  kept: Float32Array[] | Int16Array[]; // raw arrays kept from before the last reset
  detaches: boolean;
}

function run(jitless: boolean, seed: number, ops: number): number {
  const r = rng(seed);
  const int = (n: number) => Math.floor(r() * n);
  const pool = new Pool<ArrayBuffer | SharedArrayBuffer>({ create: () => new ArrayBuffer(256) });
  const make = (name: string, a: Arena, detaches: boolean): Model => ({
    arena: a,
    name,
    live: [],
    dead: [],
    marks: [],
    stale: [],
    scopes: [],
    kept: [],
    detaches,
  });
  const models: Model[] = [
    make("throw", new Arena({ bytes: 256, jitless }), true),
    make("grow", new Arena({ bytes: 128, overflow: "grow", maxBytes: 1024, jitless }), true),
    make("pool 256", new Arena({ bytes: 256, overflow: "pool", pool, jitless }), true),
    make("pool 320", new Arena({ bytes: 320, overflow: "pool", pool, jitless }), true),
    make("shared", new Arena({ bytes: 256, shared: true, overflow: "grow", jitless }), false),
    make("unchecked", new Arena({ bytes: 256, checked: false, jitless }), false),
  ];
  let n = 0;
  let done = 0;

  const kill = (m: Model, pred: (x: Rec) => boolean) => {
    const keep: Rec[] = [];
    for (const x of m.live) (pred(x) ? m.dead : keep).push(x);
    m.live = keep;
    if (m.dead.length > 48) m.dead.splice(0, m.dead.length - 48);
  };
  const release = (m: Model, pos: number) => {
    // Zero-length arrays hold no bytes: only a reset ends them.
    kill(m, (x) => x.len !== 0 && x.at >= pos);
    const keep: MarkRec[] = [];
    for (const x of m.marks) x.pos <= pos ? keep.push(x) : m.stale.push(x.mark);
    m.marks = keep;
    assert.equal(m.arena.used, pos);
  };
  const reset = (m: Model) => {
    kill(m, () => true);
    for (const x of m.marks) m.stale.push(x.mark);
    m.marks = [];
    if (m.stale.length > 16) m.stale.splice(0, m.stale.length - 16);
  };
  const refused = (m: Model, mark: unknown, reason: string) => {
    const used = m.arena.used;
    assert.throws(
      () => m.arena.release(mark as ArenaMark),
      (e: unknown) => e instanceof InvalidMarkError && e.reason === reason,
      `${m.name}: release(${reason}) must be refused`,
    );
    assert.equal(m.arena.used, used);
  };
  const readable = (x: Rec): boolean => {
    if (x.len < 0) return matches(x.k, x.obj, x.n);
    if (x.len === 0) return x.obj.toObject().length === 0;
    return matches(x.k, x.obj.at(x.len - 1), x.n) && matches(x.k, x.obj.cursor().seek(0), x.n);
  };
  const touch = (x: Rec) => (x.len < 0 ? x.obj.toObject() : x.obj.toObject());
  const verify = (m: Model, all: boolean) => {
    const live = m.live;
    const count = all ? live.length : Math.min(3, live.length);
    for (let i = 0; i < count; i++) {
      const x = all ? live[i] : live[int(live.length)];
      assert.ok(readable(x), `${m.name}: a live record reads back what was written`);
    }
    // Throwing is the slow part (each error takes a stack trace): sample the freed records.
    if (m.arena.checked && (all || r() < 0.25)) {
      const dead = m.dead;
      const d = Math.min(all ? 6 : 1, dead.length);
      for (let i = 0; i < d; i++) {
        const x = dead[int(dead.length)];
        assert.throws(() => touch(x), StaleViewError, `${m.name}: a freed record is stale`);
      }
    }
  };
  const overlaps = (m: Model, x: Rec, size: number) => {
    if (size === 0) return;
    const buf = bufferOf(x.len < 0 ? x.obj : x.obj.at(0));
    const o = offsetOf(x.len < 0 ? x.obj : x.obj.at(0));
    assert.equal(o % layoutOf(SCHEMAS[x.k]).align, 0, "aligned");
    for (const y of m.live) {
      if (y === x || y.len === 0) continue;
      const yv = y.len < 0 ? y.obj : y.obj.at(0);
      if (bufferOf(yv) !== buf) continue;
      const yo = offsetOf(yv);
      const ys = SIZES[y.k] * Math.max(1, y.len);
      assert.ok(o + size <= yo || yo + ys <= o, `${m.name}: live allocations overlap`);
    }
  };

  try {
    steps();
  } catch (e) {
    // Name the run, so FUZZ_SEED replays it.
    if (e instanceof Error) {
      e.message += ` (arena fuzz seed ${seed}, jitless ${jitless}, op ${done})`;
    }
    throw e;
  }
  for (const m of models) verify(m, true);
  return done;

  function steps() {
    for (; done < ops; done++) {
      const m = models[int(models.length)];
      const a = m.arena;
      const op = r();
      if (op < 0.3) {
        const k = r() < 0.05 ? BIG : int(BIG);
        const at = a.used;
        const v = a.tryAlloc(SCHEMAS[k], init(k, ++n));
        if (v !== undefined) {
          const x: Rec = { obj: v, k, n, len: -1, at };
          overlaps(m, x, SIZES[k]);
          m.live.push(x);
        } else assert.ok(m.name === "throw" || m.name === "unchecked" || m.name === "grow");
      } else if (op < 0.4) {
        const k = int(BIG);
        const len = int(4);
        const at = a.used;
        let arr: Any;
        try {
          arr = a.allocArray(SCHEMAS[k], len);
        } catch (e) {
          assert.equal((e as Error).name, "ArenaFullError");
          continue;
        }
        n++;
        for (let i = 0; i < len; i++) arr.at(i).set(init(k, n));
        const x: Rec = { obj: arr, k, n, len, at };
        if (len > 0) overlaps(m, x, SIZES[k] * len);
        m.live.push(x);
      } else if (op < 0.48) {
        // Rewrite a live record.
        if (m.live.length === 0) continue;
        const x = m.live[int(m.live.length)];
        if (x.len === 0) continue;
        x.n = ++n;
        if (x.len < 0) x.obj.set(init(x.k, x.n));
        else for (let i = 0; i < x.len; i++) x.obj.at(i).set(init(x.k, x.n));
      } else if (op < 0.58) {
        const mark = a.mark();
        assert.equal(mark.position, a.used);
        m.marks.push({ mark, pos: mark.position });
      } else if (op < 0.68) {
        if (m.marks.length === 0) continue;
        const { mark, pos } = m.marks[int(m.marks.length)];
        a.release(mark);
        release(m, pos);
      } else if (op < 0.76) {
        // Hostile marks: each must be refused and free nothing.
        const h = int(4);
        if (h === 0 && m.stale.length > 0) {
          const s = m.stale[int(m.stale.length)];
          // A stale mark may have become equal to a valid position again; it stays refused.
          assert.throws(() => a.release(s), InvalidMarkError);
        } else if (h === 1) {
          const other = models[(models.indexOf(m) + 1 + int(models.length - 1)) % models.length];
          refused(m, other.arena.mark(), "foreign");
        } else if (h === 2) {
          const forged = [a.used, 0, { position: a.used }, new Proxy({}, {}), null][int(5)];
          refused(m, forged, "forged");
        } else if (m.marks.length > 0) {
          // Out of order: take an inner mark, release an outer one, then the inner.
          const outer = m.marks[int(m.marks.length)];
          if (a.tryAlloc(SCHEMAS[0], init(0, ++n)) === undefined) continue;
          const inner = a.mark();
          a.release(outer.mark);
          release(m, outer.pos);
          if (inner.position > outer.pos) {
            const big = a.tryAlloc(SCHEMAS[3], init(3, ++n));
            if (big !== undefined) m.live.push({ obj: big, k: 3, n, len: -1, at: outer.pos });
            refused(m, inner, "released");
          }
        }
      } else if (op < 0.84) {
        // Scopes: open one, or close one (in any order).
        if (m.scopes.length === 0 || r() < 0.5) {
          const scope = a.scope();
          // A scope's mark is a mark like any other: the model tracks whether it is still valid.
          m.scopes.push({ scope, pos: a.used, mark: scope.mark });
          m.marks.push({ mark: scope.mark, pos: a.used });
        } else {
          const i = int(m.scopes.length);
          const [{ scope, pos, mark }] = m.scopes.splice(i, 1);
          const valid = m.marks.some((x) => x.mark === mark);
          const used = a.used;
          scope.release();
          if (valid) release(m, pos);
          else assert.equal(a.used, used, `${m.name}: closing a freed scope frees nothing`);
          scope.release(); // closing twice does nothing
        }
      } else if (op < 0.9) {
        // Keep a raw array (a column or a numeric array field) across the next reset.
        const x = m.live.find((y) => y.k === 2 && y.len !== 0);
        if (x !== undefined && m.kept.length < 8) {
          const arr = x.len < 0 ? x.obj.hist : x.obj.column("id").array;
          (m.kept as unknown[]).push(arr);
        }
      } else if (op < 0.97) {
        a.reset();
        reset(m);
        for (const s of m.scopes) s.scope.release(); // all freed: closing does nothing
        m.scopes = [];
        if (m.detaches) {
          for (const k of m.kept) {
            assert.equal(k.length, 0, `${m.name}: a raw array kept across reset is detached`);
            k[0] = 12345; // dropped
          }
        }
        m.kept = [];
      } else {
        verify(m, true);
        continue;
      }
      verify(m, false);
    }
  }
}

describe("Arena model-based fuzzing", () => {
  it(`agrees with the model under hostile use (seed ${SEED}, FUZZ_SEED to change)`, () => {
    let total = 0;
    for (const jitless of [false, true]) total += run(jitless, SEED, OPS);
    reportFuzz("arena fuzz", total, SEED);
    assert.ok(total >= 2 * OPS);
  });
});
