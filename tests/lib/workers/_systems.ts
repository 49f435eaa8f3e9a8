// Systems for the worker pool tests (a module of the kind WorkerPool.start loads in each worker).
import type { SystemContext } from "../../../mod.ts";
import { Body, type Shot } from "./_schemas.ts";
import { rng } from "../../_fuzz.ts";

type Ctx<A = unknown> = SystemContext<typeof Body, A>;

export function integrate(ctx: Ctx<{ dt: number }>): void {
  const dt = ctx.args.dt;
  ctx.forEach((b) => {
    b.x += b.vx * dt;
  });
}

/** Stamps each record of the share with the worker's number (through the columns for SoA). */
export function stamp(ctx: Ctx): void {
  if (ctx.table.layout === "aos") {
    ctx.forEach((b) => {
      b.who = ctx.worker + 1;
      b.seen++;
    });
    return;
  }
  const who = ctx.table.fields["who"] as Int32Array;
  const seen = ctx.table.fields["seen"] as Int32Array;
  for (const s of ctx.slots) {
    who[s] = ctx.worker + 1;
    seen[s]++;
  }
}

export function scale(ctx: Ctx<{ by: number; add: number }>): void {
  ctx.forEach((b) => {
    b.x = b.x * ctx.args.by + ctx.args.add;
  });
}

/** Writes its (JSON) arguments' `list` sum and `tag` length into `x` of every record. */
export function json(ctx: Ctx<{ list: number[]; tag: string }>): void {
  const v = ctx.args.list.reduce((a, b) => a + b, 0) + ctx.args.tag.length;
  ctx.forEach((b) => {
    b.x = v;
  });
}

export function noop(): void {}

/** Busy for `ms` milliseconds: a run that is surely still going while the test looks at it. */
export function linger(ctx: Ctx<{ ms: number }>): void {
  const until = performance.now() + ctx.args.ms;
  while (performance.now() < until) { /* busy */ }
}

export function boom(ctx: SystemContext): void {
  if (ctx.worker === 1) throw new RangeError("boom in worker 1");
}

export function die(ctx: SystemContext): void {
  if (ctx.worker !== 0) return;
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  if (g.Deno) g.Deno.exit(3);
  else g.process.exit(3);
}

export function hang(ctx: SystemContext): void {
  if (ctx.worker !== 0) return;
  for (;;) { /* never ends */ }
}

export function createUndeclared(ctx: Ctx): void {
  ctx.table.create({ x: 1 });
}

let kept: { x: number } | undefined;

/** Keeps a view of the first record of its share, for `readKept`. */
export function keep(ctx: Ctx): void {
  kept = undefined;
  ctx.forEach((b) => {
    kept ??= ctx.table.get(ctx.table.idOf(b)!);
  });
}

export function readKept(ctx: Ctx): void {
  const x = kept?.x;
  ctx.forEach((b) => {
    b.x = x ?? -1;
  });
}

/** Allocates `n` records in the `frame` arena and sums their values into the share's records. */
export function allocate(ctx: Ctx<{ n: number }>): void {
  const frame = ctx.arenas.frame;
  let sum = 0;
  for (let i = 0; i < ctx.args.n; i++) {
    const v = frame.alloc(Body, { x: i, vx: ctx.worker });
    sum += v.x + v.vx;
  }
  ctx.forEach((b) => {
    b.x = sum;
  });
}

// Per worker: the ids it created and still owns, by serial.
const mine = new Map<number, number>();
const gone: number[] = [];
let serial = 0;

/**
 * Random creates and deletes of this worker's own records, decided by a generator seeded with
 * (seed, round, worker), so the main thread can replay the same decisions in its model. Each
 * record holds its creator, serial and id; ids it deleted must never come back.
 */
export function churn(ctx: Ctx<{ seed: number; round: number; ops: number }>): void {
  const { seed, round, ops } = ctx.args;
  if (round === 0) {
    mine.clear();
    gone.length = 0;
    serial = 0;
  }
  const r = rng(seed * 1000 + round * 16 + ctx.worker);
  const table = ctx.table;
  for (let i = 0; i < ops; i++) {
    if (r() < 0.6 || mine.size === 0) {
      const id = table.create({ who: ctx.worker + 1, seen: serial, vx: 0 });
      table.update(id, { x: id });
      mine.set(serial++, id);
    } else {
      const keys = [...mine.keys()];
      const k = keys[Math.floor(r() * keys.length)];
      const id = mine.get(k)!;
      if (!table.delete(id)) throw new Error(`record ${id} was gone before its owner deleted it`);
      mine.delete(k);
      gone.push(id);
    }
  }
  for (const id of gone) if (table.has(id)) throw new Error(`deleted id ${id} resolves again`);
}

// deno-lint-ignore require-await
export async function later(ctx: Ctx): Promise<void> {
  ctx.forEach((b) => {
    b.x = -1;
  });
}

/** Copies each shot's shooter's hp into `x` through its t.ref() field (-1 once it is gone). */
export function follow(ctx: SystemContext<typeof Shot>): void {
  ctx.forEach((s) => {
    s.x = s.from?.hp ?? -1;
  });
}
