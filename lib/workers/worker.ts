/**
 * The worker side of a {@linkcode WorkerPool}: loads the systems module, opens the tables and
 * arenas the pool hands it, then sleeps on the control block's job word and runs each job it is
 * woken for over its share of the table. Between jobs it is blocked in `Atomics.wait`; it goes
 * back to its event loop only when the pool posts new handles (the "sync" job).
 *
 * @module
 */
import type { StructSchema, ViewOf } from "../../schemas/types.ts";
import { Arena, type ArenaHandle } from "../memory/arena.ts";
import { bindRefs, Table, tableCore } from "../table/table.ts";
import type { Core } from "../table/core.ts";
import type { TableHandle } from "../table/handle.ts";
import {
  areasOf,
  ARGS,
  ERROR_BYTES,
  type FromWorker,
  imageOf,
  MAX_CHUNKS,
  OP,
  PER_WORKER,
  PW,
  readText,
  TEXT_BYTES,
  type ToWorker,
  W,
  wordsOf,
  writeText,
} from "./protocol.ts";

/** The URL of this module: Node's pool workers import it and call {@linkcode listen}. */
export const WORKER_URL: string = import.meta.url;

/**
 * The URL of `boot.ts` beside this module (with this module's extension, so the pair survives
 * transpiling): what Web workers start with.
 */
export const BOOT_URL: string = import.meta.url.replace(/worker\.([a-z]+)$/, "boot.$1");

/**
 * What a system receives: the run's table opened in this worker, this worker's share of it, the
 * run's arguments and arenas. A system is a function exported by the pool's module:
 * `export function integrate(ctx: SystemContext<typeof Particle, { dt: number }>) { … }`.
 *
 * Lifetimes: the context object is reused for every call in this worker; read what you need
 * from it during the call. `slots` is valid until the call returns. A system runs once per
 * chunk (see `RunOptions.chunks`). A system must be synchronous: one that returns a promise is
 * refused, since the worker does not return to its event loop during a job.
 *
 * @example A system (it runs in a worker; here called as a plain function)
 * ```ts
 * import type { SystemContext } from "@arenakit/core";
 * import { t } from "@arenakit/core";
 * import assert from "node:assert/strict";
 * const P = t.struct({ x: t.f32(), vx: t.f32() });
 * function integrate(ctx: SystemContext<typeof P, { dt: number }>) {
 *   ctx.forEach((p) => { p.x += p.vx * ctx.args.dt; });
 * }
 * assert.equal(typeof integrate, "function");
 * ```
 */
export interface SystemContext<S extends StructSchema = StructSchema, A = unknown> {
  /** The system's name. */
  readonly system: string;
  /** The run's table, opened in this worker. Throws TypeError for a run without one. */
  readonly table: Table<S>;
  /**
   * The live slots of this call's chunk (a contiguous run of the table's `liveSlots()` at the
   * run's start): this worker's share, or one of the chunks it claimed (option `chunks`).
   */
  readonly slots: Uint32Array;
  /** First slot of the chunk. */
  readonly from: number;
  /** End of the chunk (exclusive): its records are the live ones in `[from, to)`. */
  readonly to: number;
  /** Calls `fn(cursor, id)` for each live record of the chunk, in slot order. */
  forEach(fn: (record: ViewOf<S>, id: number) => void): void;
  /** The run's `args` (the same object from job to job while their keys stay the same). */
  readonly args: A;
  /** The run's arenas, by the names given to `run`, opened in this worker. */
  readonly arenas: Readonly<Record<string, Arena>>;
  /** This worker's index, from 0. */
  readonly worker: number;
  /** Number of workers in the pool. */
  readonly workers: number;
}

/** The port a worker talks to the pool through (the Web worker scope, or Node's parentPort). */
export interface WorkerPort {
  postMessage(m: FromWorker): void;
}

type System = (ctx: SystemContext) => unknown;

class Context implements SystemContext {
  system = "";
  slots: Uint32Array = new Uint32Array(0);
  from = 0;
  to = 0;
  args: unknown = undefined;
  arenas: Record<string, Arena> = {};
  worker: number;
  workers: number;
  t: Table<StructSchema> | undefined = undefined;
  core: Core | undefined = undefined;

  constructor(worker: number, workers: number) {
    this.worker = worker;
    this.workers = workers;
  }

  get table(): Table<StructSchema> {
    if (this.t === undefined) {
      throw new TypeError(`Cannot read ctx.table: system "${this.system}" was run without one`);
    }
    return this.t;
  }

  forEach(fn: (record: never, id: number) => void): void {
    const core = this.core;
    if (core === undefined) {
      throw new TypeError(`Cannot ctx.forEach: system "${this.system}" was run without a table`);
    }
    core.runLoop(core.loopsFor(fn), undefined, fn as never, this.from, this.to);
  }
}

class Worker {
  readonly port: WorkerPort;
  ctl!: Int32Array;
  numbers!: Float64Array;
  text!: Uint8Array;
  error!: Uint8Array;
  bounds!: Int32Array;
  spinMs = 0;
  lastSpinMs = 0;
  // Whether this worker finished its last job after every other (it woke the main thread).
  last = true;
  views: Uint32Array[] = [];
  refusals: [string, string][] = [];
  base = 0;
  seen = 0;
  names: string[] = [];
  fns: System[] = [];
  tables = new Map<number, Table<StructSchema>>();
  arenas = new Map<number, Arena>();
  ctx!: Context;
  shape = -1;
  keys: string[] = [];
  args: Record<string, unknown> = {};
  arenaShape = 0;
  arenaNames: string[] = [];

  constructor(port: WorkerPort) {
    this.port = port;
  }

  async receive(m: ToWorker): Promise<void> {
    if (m.type === "init") {
      try {
        await this.init(m);
      } catch (e) {
        this.port.postMessage({ type: "failed", error: imageOf(e) });
        return;
      }
      this.port.postMessage({ type: "ready", systems: this.names });
      this.loop();
    } else {
      this.open(m);
      // The sync job this message came with is done once the handles are open.
      this.finish(this.seen);
      this.loop();
    }
  }

  open(m: { tables: ToWorker["tables"]; arenas: ToWorker["arenas"] }): void {
    for (const { id, handle } of m.tables) {
      this.tables.set(id, Table.open(handle as TableHandle));
    }
    // References last: a table may refer to one opened after it, or to itself through another.
    for (const { id, refs } of m.tables) {
      const paths = Object.keys(refs);
      if (paths.length === 0) continue;
      const given: Record<string, Table<StructSchema>> = {};
      for (const p of paths) given[p] = this.tables.get(refs[p]) as Table<StructSchema>;
      bindRefs(tableCore(this.tables.get(id)) as Core, given);
    }
    for (const { id, handle } of m.arenas) {
      const known = this.arenas.get(id);
      if (known !== undefined) known.adopt(handle as ArenaHandle);
      else this.arenas.set(id, Arena.open(handle as ArenaHandle));
    }
  }

  /** Tells the pool this worker is ending (a system exited it), so it need not wait it out. */
  gone(): void {
    if (this.ctl === undefined) return;
    Atomics.store(this.ctl, this.base + PW.gone, 1);
    Atomics.add(this.ctl, W.done, 1);
    Atomics.notify(this.ctl, W.done);
  }

  async init(m: Extract<ToWorker, { type: "init" }>): Promise<void> {
    const { control, index, workers } = m;
    this.spinMs = m.spinMs;
    this.lastSpinMs = m.lastSpinMs;
    const areas = areasOf(workers);
    this.ctl = new Int32Array(control, 0, W.header + workers * PER_WORKER);
    this.numbers = new Float64Array(control, areas.numbers, 64);
    this.text = new Uint8Array(control, areas.text, TEXT_BYTES);
    this.error = new Uint8Array(control, areas.errors + index * ERROR_BYTES, ERROR_BYTES);
    this.base = W.header + index * PER_WORKER;
    this.bounds = new Int32Array(control, wordsOf(workers) * 4, MAX_CHUNKS + 1);
    this.seen = Atomics.load(this.ctl, W.seq);
    this.ctx = new Context(index, workers);
    this.open(m);
    const mod = await import(m.module) as Record<string, unknown>;
    this.names = Object.keys(mod).filter((k) => typeof mod[k] === "function").sort();
    this.fns = this.names.map((k) => mod[k] as System);
    // Made once: a message built per job would be garbage every frame.
    this.refusals = this.names.map((k) => [
      `system "${k}" did not declare creates`,
      `system "${k}" did not declare deletes`,
    ]);
  }

  loop(): void {
    const ctl = this.ctl;
    for (;;) {
      // A short poll first: a frame's next run often comes within microseconds of the last, and
      // waking a sleeping thread costs tens of them. Not by the worker that finished last when
      // there is a worker per core: the main thread, woken by it, runs on the core it frees.
      const until = performance.now() + (this.last ? this.lastSpinMs : this.spinMs);
      while (Atomics.load(ctl, W.seq) === this.seen && performance.now() < until) { /* spin */ }
      Atomics.wait(ctl, W.seq, this.seen);
      const seq = Atomics.load(ctl, W.seq);
      if (seq === this.seen) continue;
      this.seen = seq;
      // The pool wakes one worker per job; each passes the wake-up on (a no-op once none sleeps).
      Atomics.notify(ctl, W.seq, 1);
      const op = ctl[W.op];
      // Back to the event loop, where the handles posted with this job are waiting.
      if (op === OP.sync) return;
      if (op === OP.exit) {
        this.finish(seq);
        return;
      }
      try {
        this.job();
      } catch (e) {
        const n = writeText(this.error, JSON.stringify(imageOf(e)));
        ctl[this.base + PW.errorBytes] = n < 0 ? writeText(this.error, "{}") : n;
        Atomics.store(ctl, this.base + PW.error, seq);
      }
      this.finish(seq);
    }
  }

  finish(seq: number): void {
    const ctl = this.ctl;
    Atomics.store(ctl, this.base + PW.done, seq);
    // Only the last worker of the job wakes the main thread: one wake-up per run, not one each.
    this.last = Atomics.sub(ctl, W.remaining, 1) === 1;
    if (!this.last) return;
    Atomics.add(ctl, W.done, 1);
    Atomics.notify(ctl, W.done);
  }

  job(): void {
    const ctl = this.ctl;
    const ctx = this.ctx;
    const fn = this.fns[ctl[W.system]];
    ctx.system = this.names[ctl[W.system]];
    ctx.args = this.readArgs();
    const tid = ctl[W.table];
    const table = tid < 0 ? undefined : this.tables.get(tid);
    const core = table === undefined ? undefined : tableCore(table);
    ctx.t = table;
    ctx.core = core;
    const arenas = this.readArenas();
    try {
      if (core === undefined) {
        ctx.slots = ctx.slots.subarray(0, 0);
        ctx.from = 0;
        ctx.to = 0;
        settled(fn(ctx), ctx.system);
        return;
      }
      const flags = ctl[W.flags];
      const refused = this.refusals[ctl[W.system]];
      core.createGuard = (flags & 1) !== 0 ? undefined : refused[0];
      core.deleteGuard = (flags & 2) !== 0 ? undefined : refused[1];
      core.privateLive = true;
      try {
        // Its own chunk first, then whatever chunks are left (when there are more than workers).
        const live = core.liveBuf;
        const bounds = this.bounds;
        const chunks = ctl[W.chunks];
        for (let c = ctx.worker; c < chunks; c = Atomics.add(ctl, W.next, 1)) {
          const a = bounds[c];
          const end = bounds[c + 1];
          ctx.slots = this.chunkView(live, c, a, end);
          ctx.from = end > a ? live[a] : 0;
          ctx.to = end > a ? live[end - 1] + 1 : 0;
          settled(fn(ctx), ctx.system);
        }
      } finally {
        core.createGuard = undefined;
        core.deleteGuard = undefined;
        core.privateLive = false;
      }
    } finally {
      // Each job gives up its arena blocks, so between jobs the owner sees every allocation.
      const names = this.arenaNames;
      for (let i = 0; i < names.length; i++) flushArena(arenas[names[i]]);
    }
  }

  // The chunk's slots: the same view as last time while the chunk's bounds are the same, so a
  // steady frame loop makes no new arrays.
  chunkView(live: Uint32Array, c: number, a: number, end: number): Uint32Array {
    const v = this.views[c];
    if (
      v !== undefined && v.buffer === live.buffer && v.byteOffset === a * 4 && v.length === end - a
    ) {
      return v;
    }
    return (this.views[c] = live.subarray(a, end));
  }

  // The run's arenas by name: the same object while the names stay the same.
  readArenas(): Record<string, Arena> {
    const ctl = this.ctl;
    const ctx = this.ctx;
    if (ctl[W.arenaShape] !== this.arenaShape) {
      this.arenaShape = ctl[W.arenaShape];
      const n = ctl[W.arenaNamesBytes];
      this.arenaNames = n === 0 ? [] : JSON.parse(readText(this.text.subarray(TEXT_BYTES / 2), n));
      ctx.arenas = {};
    }
    const names = this.arenaNames;
    const arenas = ctx.arenas;
    for (let i = 0; i < names.length; i++) {
      arenas[names[i]] = this.arenas.get(ctl[W.arenaIds + i]) as Arena;
    }
    return arenas;
  }

  readArgs(): unknown {
    const ctl = this.ctl;
    const mode = ctl[W.argsMode];
    if (mode === ARGS.none) return undefined;
    if (mode === ARGS.json) return JSON.parse(readText(this.text, ctl[W.argsBytes]));
    // Numbers: the same object while the keys stay the same, so a frame loop allocates nothing.
    const shape = ctl[W.argsShape];
    if (shape !== this.shape) {
      this.shape = shape;
      this.keys = JSON.parse(readText(this.text, ctl[W.argsBytes])).keys;
      this.args = {};
    }
    const keys = this.keys;
    const nums = this.numbers;
    const args = this.args;
    for (let i = 0; i < keys.length; i++) args[keys[i]] = nums[i];
    return args;
  }
}

// A system runs to completion inside its job: the worker does not return to its event loop until
// the job is done, so the rest of an async system would run in some later job or never, and its
// run would be reported complete without it.
function settled(result: unknown, system: string): void {
  if (typeof (result as { then?: unknown } | null)?.then === "function") {
    throw new TypeError(
      `System "${system}" returned a promise: systems must be synchronous functions (the run ` +
        `ends when they return)`,
    );
  }
}

function flushArena(arena: Arena): void {
  arena.flush();
}

/** Serves the pool over `port` (what a Node worker's boot code calls with `parentPort`). */
export function listen(
  port: WorkerPort & {
    on?(ev: "message", fn: (m: ToWorker) => void): void;
  },
): void {
  const w = new Worker(port);
  if (typeof port.on === "function") port.on("message", (m) => void w.receive(m));
  else {
    (port as unknown as { onmessage: (e: { data: ToWorker }) => void }).onmessage = (e) =>
      void w.receive(e.data);
  }
  // Deno fires "unload" when a worker exits; Node and Bun report it to the pool themselves.
  const scope = globalThis as { addEventListener?: (ev: string, fn: () => void) => void };
  scope.addEventListener?.("unload", () => w.gone());
}
