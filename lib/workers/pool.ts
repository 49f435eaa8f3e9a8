/**
 * `WorkerPool`: runs systems (functions a module exports) over shared tables in several workers
 * at once, each over its share of the live records, and resolves when all are done.
 *
 * @module
 */
import type { StructSchema } from "../../schemas/types.ts";
import { show } from "../_text.ts";
import { SystemError } from "../errors.ts";
import { Arena } from "../memory/arena.ts";
import { Core } from "../table/core.ts";
import { handleOf, type Table, tableCore } from "../table/table.ts";
import {
  areasOf,
  ARGS,
  ERROR_BYTES,
  type ErrorImage,
  errorOf,
  type FromWorker,
  MAX_CHUNKS,
  MAX_NUMERIC_ARGS,
  MAX_RUN_ARENAS,
  OP,
  PER_WORKER,
  PW,
  readText,
  splitBounds,
  TEXT_BYTES,
  type ToWorker,
  W,
  waitAsync,
  wordsOf,
  writeText,
} from "./protocol.ts";
import { spawn, type Thread } from "./spawn.ts";
import { BOOT_URL, WORKER_URL } from "./worker.ts";

/** Options of {@linkcode WorkerPool.start}. */
export interface WorkerPoolOptions {
  /** The module whose exported functions are the systems (`new URL("./systems.ts", import.meta.url)`). */
  module: URL | string;
  /** Number of workers (default: one per core but one, at least 1). */
  workers?: number;
  /** Milliseconds a run may take before it is rejected and its late workers replaced (default 30 000). */
  timeout?: number;
  /**
   * Milliseconds a worker that has finished its part of a run keeps polling for the next run
   * before it sleeps (default 0.2; 0 never polls). Waking a sleeping thread costs tens of
   * microseconds, so a frame's runs that follow each other within this time start at once. The
   * cost is a core kept busy that long after each run: with as many workers as cores, the last
   * worker to finish a run never polls (the main thread needs its core), and with more workers
   * than cores none does.
   */
  spinMs?: number;
}

/** What a run works on, and what it declares. */
export interface RunOptions<A = unknown> {
  /**
   * The shared table the system runs over: its live records are split into one contiguous share
   * per worker (`ctx.slots`, `ctx.forEach`).
   */
  // deno-lint-ignore no-explicit-any
  table?: Table<any>;
  /** Fields the system reads (checked against the schema; documentation for readers). */
  reads?: readonly string[];
  /**
   * Fields the system writes. While a run that writes, creates or deletes is in flight, the main
   * thread's `create`, `delete`, `clear` and `restore` on the table throw TypeError.
   */
  writes?: readonly string[];
  /** Whether the system creates records (otherwise `create` in the worker throws TypeError). */
  creates?: boolean;
  /** Whether the system deletes records (otherwise `delete` and `clear` in the worker throw). */
  deletes?: boolean;
  /** Shared arenas the system uses, by name (`ctx.arenas.frame`), opened in each worker. */
  arenas?: Readonly<Record<string, Arena>>;
  /**
   * The system's arguments (`ctx.args`): an object of numbers travels through shared memory with
   * no allocation; anything else JSON can hold is sent as JSON.
   */
  args?: A;
  /** Milliseconds this run may take (default: the pool's). */
  timeout?: number;
  /**
   * Number of contiguous chunks the live records are split into: each worker runs the system
   * over its own chunk, then claims the next unclaimed one until none is left, so a worker slowed
   * by other load does less. Given, the chunks are as even as the count allows: `chunks` equal
   * to the number of workers gives each worker one even share, worker `w` the `w`-th. Default:
   * chunks that shrink as the run goes, each `1 / (2 · workers)` of the records left but at least
   * 4096 (or an even share per worker, when that is fewer): few claims, and a worker that loses
   * its core near the end holds the frame up by a small chunk. The system runs once per chunk.
   */
  chunks?: number;
}

/** A table the workers opened: its id, its handle, and its reference fields' tables by id. */
interface OpenedTable {
  readonly id: number;
  readonly handle: unknown;
  readonly refs: Record<string, number>;
}

interface Args {
  mode: number;
  /** Number of arguments: the lists are reused and never shortened, so only `[0, n)` counts. */
  n: number;
  keys: string[];
  values: number[];
  json: string;
}

// A run as its call took it: the options object may change before the run starts.
class Job {
  system = "";
  index = 0;
  // deno-lint-ignore no-explicit-any
  table: Table<any> | undefined = undefined;
  core: Core | undefined = undefined;
  owned: Core | undefined = undefined;
  flags = 0;
  args: Args = NONE;
  arenas: readonly [string, Arena][] = NO_ARENAS;
  chunks: number | undefined = undefined;
  timeout = 0;
}

const NO_ARENAS: [string, Arena][] = [];
const NONE: Args = { mode: ARGS.none, n: 0, keys: [], values: [], json: "" };
const RESOLVED: Promise<void> = Promise.resolve();

interface Worker {
  thread: Thread;
  /** Why it cannot run jobs any more, or undefined while it can. */
  dead: string | undefined;
  boot: { resolve(): void; reject(e: unknown): void } | undefined;
}

// deno-lint-ignore no-explicit-any
const nav = (globalThis as any).navigator;
// Long enough to cover a run's round trip here (the main thread hearing that the run is done,
// then starting the next: 30-80 µs when the workers sleep), short enough to cost little.
const DEFAULT_SPIN_MS = 0.2;
const cores = (): number =>
  typeof nav?.hardwareConcurrency === "number" ? nav.hardwareConcurrency : 2;

/**
 * A pool of workers that run systems over shared tables: `run("integrate", { table, args })`
 * splits the table's live records into one contiguous share per worker, wakes every worker
 * through shared memory (no `postMessage` per run), and resolves when all have finished.
 *
 * Hazards: the main thread must not write the records a run writes until the run resolves (a
 * run that declares `writes`, `creates` or `deletes` refuses the main thread's creates and
 * deletes on its table meanwhile; field writes through views are not intercepted). Runs are
 * queued: two runs never overlap, so two systems that write the same table never run at once.
 * Call {@linkcode WorkerPool.close} when done: workers keep a process alive. Browsers give
 * SharedArrayBuffer only to cross-origin isolated pages (`Cross-Origin-Opener-Policy:
 * same-origin` and `Cross-Origin-Embedder-Policy: require-corp`).
 *
 * Faults: a system that throws rejects the run with a {@linkcode SystemError} whose `cause` is
 * the worker's error (name, message, stack); a worker that dies, or is still busy when the
 * timeout passes, rejects it too and is replaced, so the pool stays usable. A run that rejects
 * may have changed some records: no run is ever reported complete unless every share finished.
 *
 * @example Two workers double a table (the module is inline here; usually a file of its own)
 * ```ts
 * import { Table, t, WorkerPool } from "@arenakit/core";
 * import assert from "node:assert/strict";
 * const systems = "data:text/javascript," +
 *   encodeURIComponent("export function double(ctx) { ctx.forEach((r) => { r.x *= 2; }); }");
 * const P = t.struct({ x: t.f32() }, { name: "P" });
 * const ps = new Table(P, { capacity: 1000, layout: "soa", shared: true });
 * for (let i = 0; i < 1000; i++) ps.create({ x: 1.5 });
 * const pool = await WorkerPool.start({ module: systems, workers: 2 });
 * try {
 *   await pool.run("double", { table: ps, writes: ["x"] });
 * } finally {
 *   await pool.close();
 * }
 * assert.deepEqual(new Set(ps.toArray().map((p) => p.x)), new Set([3]));
 * ```
 */
export class WorkerPool {
  /** Number of workers. */
  readonly workers: number;
  /** The systems the module exports (its exported functions), sorted. */
  readonly systems: readonly string[];
  readonly #module: string;
  readonly #timeout: number;
  readonly #spinMs: number;
  readonly #control: SharedArrayBuffer;
  readonly #ctl: Int32Array;
  readonly #numbers: Float64Array;
  readonly #text: Uint8Array;
  readonly #errors: Uint8Array;
  readonly #bounds: Int32Array;
  #ws: Worker[] = [];
  #seq = 0;
  #queue: Promise<void> = Promise.resolve();
  #closed = false;
  #tables = new Map<Core, OpenedTable>();
  #arenas = new Map<Arena, { id: number; handle: unknown; capacity: number }>();
  #owners = new Map<Core, number>();
  #checked = new WeakMap<readonly string[], Core>();
  #all: readonly number[] = [];
  #spare: Args = { mode: 0, n: 0, keys: [], values: [], json: "" };
  // Set while the spare lists are being filled (a getter of the arguments may start a run).
  #spareBusy = false;
  #pending = 0;
  #spareJob = new Job();
  #guards = new Map<string, string>();
  // The job in flight (see #start).
  #wSeq = 0;
  #wIds: readonly number[] = [];
  #wSystem = "";
  #wTimeout = 0;
  #wDeadline = 0;
  #wJob: Job | undefined = undefined;
  #argKeys: string[] = [];
  #argShape = 0;
  #arenaNames: string[] = [];
  #arenaShape = 0;

  private constructor(module: string, workers: number, timeout: number, spinMs: number) {
    this.#module = module;
    this.workers = workers;
    this.#timeout = timeout;
    this.#spinMs = spinMs;
    const areas = areasOf(workers);
    this.#control = new SharedArrayBuffer(areas.bytes);
    this.#ctl = new Int32Array(this.#control, 0, W.header + workers * PER_WORKER);
    this.#numbers = new Float64Array(this.#control, areas.numbers, MAX_NUMERIC_ARGS);
    this.#text = new Uint8Array(this.#control, areas.text, TEXT_BYTES);
    this.#errors = new Uint8Array(this.#control, areas.errors, workers * ERROR_BYTES);
    this.#bounds = new Int32Array(this.#control, wordsOf(workers) * 4, MAX_CHUNKS + 1);
    this.systems = [];
    this.#all = Array.from({ length: workers }, (_, i) => i);
  }

  /**
   * Starts `options.workers` workers, each loading `options.module`, and resolves once all are
   * ready. Rejects (and ends every worker) when the module cannot be loaded.
   *
   * @example Refuse a bad worker count
   * ```ts
   * import { WorkerPool } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * await assert.rejects(WorkerPool.start({ module: "./x.ts", workers: 0 }), RangeError);
   * ```
   */
  static async start(options: WorkerPoolOptions): Promise<WorkerPool> {
    if (typeof options !== "object" || options === null) {
      throw new TypeError(`Cannot start WorkerPool: expected options like { module, workers }`);
    }
    if (typeof SharedArrayBuffer === "undefined" || waitAsync === undefined) {
      throw new TypeError(
        `Cannot start WorkerPool: this runtime lacks SharedArrayBuffer or Atomics.waitAsync ` +
          `(browsers offer them only to cross-origin isolated pages)`,
      );
    }
    const m = options.module;
    if (!(m instanceof URL) && typeof m !== "string") {
      throw new TypeError(`Cannot start WorkerPool: option "module" must be a URL, got ${show(m)}`);
    }
    const n = options.workers ?? Math.max(1, cores() - 1);
    if (!Number.isInteger(n) || n < 1 || n > 64) {
      throw new RangeError(
        `Cannot start WorkerPool: option "workers" must be an integer from 1 to 64, got ${show(n)}`,
      );
    }
    const timeout = options.timeout ?? 30_000;
    if (typeof timeout !== "number" || !(timeout > 0)) {
      throw new RangeError(
        `Cannot start WorkerPool: option "timeout" must be a positive number of milliseconds, ` +
          `got ${show(timeout)}`,
      );
    }
    const spinMs = options.spinMs ?? DEFAULT_SPIN_MS;
    if (typeof spinMs !== "number" || !(spinMs >= 0 && spinMs <= 1000)) {
      throw new RangeError(
        `Cannot start WorkerPool: option "spinMs" must be a number of milliseconds from 0 to ` +
          `1000, got ${show(spinMs)}`,
      );
    }
    const pool = new WorkerPool(String(m), n, timeout, spinMs);
    try {
      await Promise.all(Array.from({ length: n }, (_, i) => pool.#spawn(i)));
    } catch (e) {
      await pool.close();
      throw e;
    }
    return pool;
  }

  async #spawn(i: number): Promise<void> {
    const w: Worker = { thread: undefined as unknown as Thread, dead: undefined, boot: undefined };
    this.#ws[i] = w;
    const booted = new Promise<void>((resolve, reject) => (w.boot = { resolve, reject }));
    w.thread = await spawn(BOOT_URL, WORKER_URL, {
      message: (m: FromWorker) => {
        if (m.type === "ready") {
          (this as { systems: readonly string[] }).systems = Object.freeze([...m.systems]);
          w.boot?.resolve();
        } else {
          w.dead = "its module failed to load";
          w.boot?.reject(
            new TypeError(
              `Cannot start WorkerPool: ${this.#module} failed to load in worker ${i}`,
              {
                cause: errorOf(m.error),
              },
            ),
          );
        }
        w.boot = undefined;
      },
      died: (why) => {
        w.dead = why;
        w.boot?.reject(new TypeError(`Cannot start WorkerPool: worker ${i} died: ${why}`));
        w.boot = undefined;
        // Wakes a run waiting for this worker.
        Atomics.add(this.#ctl, W.done, 1);
        Atomics.notify(this.#ctl, W.done);
      },
    });
    Atomics.store(this.#ctl, W.header + i * PER_WORKER + PW.gone, 0);
    const msg: ToWorker = {
      type: "init",
      control: this.#control,
      index: i,
      workers: this.workers,
      module: this.#module,
      // Polling workers would take the core the main thread needs to hear that they are done:
      // with a worker per core the last one to finish sleeps, and with more none polls.
      spinMs: this.workers <= cores() ? this.#spinMs : 0,
      lastSpinMs: this.workers < cores() ? this.#spinMs : 0,
      // A replacement opens everything the pool opened before it.
      tables: [...this.#tables.values()],
      arenas: [...this.#arenas.values()],
    };
    w.thread.post(msg);
    await booted;
  }

  /**
   * Runs the system `system` (a function the module exports) in every worker, each over its share
   * of `options.table`'s live records, and resolves when all have finished. Runs are queued in
   * call order. Rejects with TypeError or RangeError for a bad call (nothing runs), and with
   * {@linkcode SystemError} when a worker fails (see {@linkcode WorkerPool}).
   *
   * @example Arguments, and a run that throws
   * ```ts
   * import { SystemError, Table, t, WorkerPool } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const systems = "data:text/javascript," + encodeURIComponent(
   *   "export function add(ctx) { ctx.forEach((r) => { r.x += ctx.args.by; }); }\n" +
   *     "export function fail() { throw new RangeError('no'); }",
   * );
   * const ps = new Table(t.struct({ x: t.f32() }), { capacity: 8, shared: true });
   * const id = ps.create({ x: 1 });
   * const pool = await WorkerPool.start({ module: systems, workers: 1 });
   * try {
   *   await pool.run("add", { table: ps, writes: ["x"], args: { by: 0.5 } });
   *   await assert.rejects(pool.run("fail"), (e) => e instanceof SystemError && e.reason === "threw");
   *   await pool.run("add", { table: ps, writes: ["x"], args: { by: 0.5 } });
   * } finally {
   *   await pool.close();
   * }
   * assert.equal(ps.get(id)?.x, 2);
   * ```
   */
  run<A = unknown>(system: string, options: RunOptions<A> = {}): Promise<void> {
    let job: Job;
    try {
      job = this.#prepare(system, options);
    } catch (e) {
      return Promise.reject(e);
    }
    // With nothing queued the run starts now; a frame loop that awaits each run then allocates
    // only the promises of its wait (no closures, no queue links).
    const p = this.#pending++ === 0
      ? this.#begin(job)
      : this.#queue.then(() => this.#begin(job), () => this.#begin(job));
    this.#queue = p;
    return p;
  }

  #prepare(system: string, o: RunOptions<unknown>): Job {
    if (this.#closed) throw new TypeError(`${this.#what(system)}: the pool is closed`);
    const index = this.systems.indexOf(system);
    if (index < 0) {
      throw new TypeError(
        `${this.#what(system)}: the module exports no such function (its systems: ${
          this.systems.join(", ")
        })`,
      );
    }
    if (typeof o !== "object" || o === null) {
      throw new TypeError(
        `${this.#what(system)}: expected options like { table, args }, got ${show(o)}`,
      );
    }
    // Every option is read once, here: a getter cannot change one after it was checked, nor run
    // user code between the arguments' encoding and the job taking them.
    const {
      table,
      reads,
      writes,
      creates,
      deletes,
      arenas: arenaMap,
      timeout: t,
      chunks,
      args: argsIn,
    } = o;
    const core = table === undefined ? undefined : tableCore(table);
    if (table !== undefined && core === undefined) {
      throw new TypeError(
        `${this.#what(system)}: option "table" is not a Table, got ${show(table)}`,
      );
    }
    if (core !== undefined && !core.shared) {
      throw new TypeError(
        `${this.#what(system)}: its table is not shared (make it with { shared: true })`,
      );
    }
    for (let k = 0; k < 2; k++) {
      const key = k === 0 ? "reads" : "writes";
      const list = k === 0 ? reads : writes;
      // A frame loop passes the same lists every frame: checked once per list and table.
      if (list === undefined || (core !== undefined && this.#checked.get(list) === core)) continue;
      if (!Array.isArray(list)) {
        throw new TypeError(`${this.#what(system)}: option "${key}" must be a list`);
      }
      if (core === undefined) {
        throw new TypeError(`${this.#what(system)}: option "${key}" needs a table`);
      }
      for (const f of list) {
        if (!hasPath(core.schema, f)) {
          throw new RangeError(
            `${this.#what(system)}: option "${key}" names ${show(f)}, which is no field of ${
              core.schema.name ?? "the table's schema"
            }`,
          );
        }
      }
      if (core !== undefined) this.#checked.set(list, core);
    }
    const arenas = arenaMap === undefined ? NO_ARENAS : Object.entries(arenaMap);
    if (arenas.length > MAX_RUN_ARENAS) {
      throw new RangeError(`${this.#what(system)}: at most ${MAX_RUN_ARENAS} arenas per run`);
    }
    for (const [name, a] of arenas) {
      if (!(a instanceof Arena)) {
        throw new TypeError(
          `${this.#what(system)}: arena ${show(name)} is not an Arena, got ${show(a)}`,
        );
      }
      if (!a.shared) {
        throw new TypeError(
          `${this.#what(system)}: arena ${
            show(name)
          } is not shared (make it with { shared: true })`,
        );
      }
    }
    const timeout = t ?? this.#timeout;
    if (typeof timeout !== "number" || !(timeout > 0)) {
      throw new RangeError(
        `${this.#what(system)}: option "timeout" must be a positive number, got ${show(timeout)}`,
      );
    }
    if (
      chunks !== undefined &&
      (!Number.isInteger(chunks) || chunks < this.workers || chunks > MAX_CHUNKS)
    ) {
      throw new RangeError(
        `${
          this.#what(system)
        }: option "chunks" must be an integer from ${this.workers} (the workers) to ` +
          `${MAX_CHUNKS}, got ${show(chunks)}`,
      );
    }
    const args = this.#encodeArgs(system, argsIn);
    // Everything the run needs is taken now: the options object may change before it starts.
    const job = this.#pending === 0 ? this.#spareJob : new Job();
    job.system = system;
    job.index = index;
    job.core = core;
    job.table = table;
    job.flags = (creates === true ? 1 : 0) | (deletes === true ? 2 : 0);
    job.args = args;
    job.arenas = arenas;
    job.chunks = chunks;
    job.timeout = timeout;
    // From the call on, so code right after run() cannot slip a create in before the run starts.
    const writing = (writes?.length ?? 0) > 0 || creates === true || deletes === true;
    job.owned = core !== undefined && writing ? core : undefined;
    if (job.owned !== undefined) this.#own(job.owned, system, 1);
    return job;
  }

  // Starts a prepared run (now, or when the run before it settled): opens what the workers have
  // not seen yet, writes the job into the control block and wakes the workers.
  #begin(job: Job): Promise<void> {
    try {
      if (this.#closed) throw new TypeError(`${this.#what(job.system)}: the pool is closed`);
      const opening = this.#register(job.table, job.core, job.arenas);
      if (opening !== undefined) {
        return opening.then(() => this.#launch(job), (e) => this.#failed(job, e));
      }
      return this.#launch(job);
    } catch (e) {
      return this.#failed(job, e);
    }
  }

  #launch(job: Job): Promise<void> {
    try {
      const ctl = this.#ctl;
      const core = job.core;
      ctl[W.system] = job.index;
      ctl[W.table] = core === undefined ? -1 : (this.#tables.get(core) as { id: number }).id;
      ctl[W.flags] = job.flags;
      this.#writeArgs(job.args);
      this.#writeArenas(job.arenas);
      this.#split(core, job.chunks);
      if (core !== undefined) core.privateLive = true;
    } catch (e) {
      return this.#failed(job, e);
    }
    return this.#start(OP.run, job.timeout, this.#all, job.system, job);
  }

  // A run is over: the table it wrote is the main thread's again, and the next queued run may
  // start.
  #settled(job: Job): void {
    this.#pending--;
    if (job.core !== undefined) job.core.privateLive = false;
    if (job.owned !== undefined) this.#own(job.owned, job.system, -1);
    job.table = undefined;
    job.core = job.owned = undefined;
  }

  // A run that failed before its job started.
  #failed(job: Job, error: unknown): Promise<void> {
    this.#settled(job);
    return Promise.reject(error);
  }

  // Counts the queued and running runs that write `core`; the main thread's creates and deletes
  // are refused while there is one.
  #own(core: Core, system: string, by: number): void {
    const n = (this.#owners.get(core) ?? 0) + by;
    this.#owners.set(core, n);
    let guard: string | undefined;
    if (n !== 0) {
      // One text per system: a frame loop that runs it every frame builds no string.
      guard = this.#guards.get(system);
      if (guard === undefined) {
        guard = `a worker pool run of system "${system}" owns this table; await the run first`;
        this.#guards.set(system, guard);
      }
    }
    core.createGuard = core.deleteGuard = guard;
  }

  // Opens in every worker the table and arenas it has not seen yet.
  // (No promise when there is nothing new: a steady frame loop takes no extra turn.)
  #register(
    // deno-lint-ignore no-explicit-any
    table: Table<any> | undefined,
    core: Core | undefined,
    arenas: readonly [string, Arena][],
  ): Promise<void> | undefined {
    if (this.#seen(core, arenas)) return undefined;
    const tables: OpenedTable[] = [];
    const opened: { id: number; handle: unknown }[] = [];
    // The table, and the shared tables its reference fields resolve against (and theirs), so a
    // system can follow its t.ref() fields in the workers.
    const add = (c: Core): number => {
      const known = this.#tables.get(c);
      if (known !== undefined) return known.id;
      const t: OpenedTable = { id: this.#tables.size, handle: handleOf(c), refs: {} };
      this.#tables.set(c, t);
      tables.push(t);
      for (const { path, target } of c.refs?.bindings(c) ?? []) {
        if (target instanceof Core && target.shared) t.refs[path] = add(target);
      }
      return t.id;
    };
    if (table !== undefined && core !== undefined) add(core);
    for (let i = 0; i < arenas.length; i++) {
      const a = arenas[i][1];
      const known = this.#arenas.get(a);
      // An owner that added chunks since: the workers adopt the new handle (same id).
      if (known !== undefined && known.capacity !== a.capacity) {
        known.handle = a.handle();
        known.capacity = a.capacity;
        opened.push(known);
      }
      if (known !== undefined) continue;
      const r = { id: this.#arenas.size, handle: a.handle(), capacity: a.capacity };
      this.#arenas.set(a, r);
      opened.push(r);
    }
    if (tables.length + opened.length === 0) return undefined;
    for (const w of this.#ws) w.thread.post({ type: "open", tables, arenas: opened });
    return this.#start(OP.sync, this.#timeout, this.#all, "");
  }

  // Whether the workers have the table and the arenas as they are now (the steady state).
  #seen(core: Core | undefined, arenas: readonly [string, Arena][]): boolean {
    if (core !== undefined && !this.#tables.has(core)) return false;
    for (let i = 0; i < arenas.length; i++) {
      const a = arenas[i][1];
      if (this.#arenas.get(a)?.capacity !== a.capacity) return false;
    }
    return true;
  }

  #what(system: string): string {
    return `Cannot run system ${show(system)}`;
  }

  #encodeArgs(system: string, args: unknown): Args {
    if (args === undefined) return NONE;
    if (typeof args !== "object" || args === null) {
      throw new TypeError(
        `${this.#what(system)}: option "args" must be an object, got ${show(args)}`,
      );
    }
    // With nothing queued, this run's arguments are the next to be written: the pool's spare
    // lists hold them, so a frame loop that awaits each run allocates none. Not while a getter
    // of the arguments being read starts another run: that one gets lists of its own.
    const spare = this.#pending === 0 && !this.#spareBusy;
    const a: Args = spare ? this.#spare : { mode: 0, n: 0, keys: [], values: [], json: "" };
    const keys = a.keys;
    const values = a.values;
    let n = 0;
    let numeric = true;
    if (spare) this.#spareBusy = true;
    try {
      for (const k in args) {
        const v = (args as Record<string, unknown>)[k];
        if (typeof v !== "number") numeric = false;
        // Index stores, not push after a truncation: the lists keep their storage run to run.
        keys[n] = k;
        values[n] = v as number;
        n++;
      }
    } finally {
      if (spare) this.#spareBusy = false;
    }
    a.n = n;
    if (numeric && n <= MAX_NUMERIC_ARGS) {
      a.mode = ARGS.numbers;
      return a;
    }
    let json: string;
    try {
      json = JSON.stringify(args);
    } catch (e) {
      throw new TypeError(`${this.#what(system)}: option "args" cannot be sent as JSON`, {
        cause: e,
      });
    }
    if (new TextEncoder().encode(json).length > TEXT_BYTES / 2) {
      throw new RangeError(
        `${this.#what(system)}: option "args" is over ${TEXT_BYTES / 2} bytes of JSON`,
      );
    }
    return { mode: ARGS.json, n: 0, keys: [], values: [], json };
  }

  #writeArgs(a: Args): void {
    const ctl = this.#ctl;
    ctl[W.argsMode] = a.mode;
    if (a.mode === ARGS.json) {
      ctl[W.argsBytes] = writeText(this.#text.subarray(0, TEXT_BYTES / 2), a.json);
      return;
    }
    if (a.mode !== ARGS.numbers) return;
    // The keys travel only when they change; each run writes just the numbers.
    const keys = this.#argKeys;
    let same = keys.length === a.n;
    for (let i = 0; same && i < keys.length; i++) same = keys[i] === a.keys[i];
    if (!same) {
      this.#argKeys = a.keys.slice(0, a.n);
      const text = this.#text.subarray(0, TEXT_BYTES / 2);
      ctl[W.argsBytes] = writeText(text, JSON.stringify({ keys: this.#argKeys }));
      ctl[W.argsShape] = ++this.#argShape;
    }
    for (let j = 0; j < a.n; j++) this.#numbers[j] = a.values[j];
    ctl[W.argsCount] = a.n;
  }

  #writeArenas(arenas: readonly [string, Arena][]): void {
    const ctl = this.#ctl;
    let same = arenas.length === this.#arenaNames.length;
    for (let i = 0; same && i < arenas.length; i++) same = arenas[i][0] === this.#arenaNames[i];
    if (!same) {
      this.#arenaNames = arenas.map(([k]) => k);
      const text = this.#text.subarray(TEXT_BYTES / 2);
      ctl[W.arenaNamesBytes] = arenas.length === 0
        ? 0
        : writeText(text, JSON.stringify(this.#arenaNames));
      ctl[W.arenaShape] = ++this.#arenaShape;
    }
    ctl[W.arenas] = arenas.length;
    for (let i = 0; i < arenas.length; i++) {
      ctl[W.arenaIds + i] = (this.#arenas.get(arenas[i][1]) as { id: number }).id;
    }
  }

  // Contiguous chunks of the live slots: shrinking ones by default, else as even as they can be.
  #split(core: Core | undefined, chunks: number | undefined): void {
    const ctl = this.#ctl;
    const n = core === undefined ? 0 : core.liveSlots().length;
    ctl[W.chunks] = splitBounds(n, this.workers, chunks, this.#bounds);
    ctl[W.next] = this.workers;
  }

  // Starts job `op` in the workers `ids` and waits until each finished, failed, died or ran out
  // of time; then replaces the dead and late and rejects with the first failure. Runs are queued
  // and a sync job happens only before its run starts, so one job at most is in flight: its wait
  // lives in the pool's fields, and waking up allocates nothing but the wait's own promises.
  #start(
    op: number,
    timeout: number,
    ids: readonly number[],
    system: string,
    job?: Job,
  ): Promise<void> {
    const ctl = this.#ctl;
    const seq = ++this.#seq;
    this.#wSeq = seq;
    this.#wIds = ids;
    this.#wSystem = system;
    this.#wTimeout = timeout;
    this.#wJob = job;
    ctl[W.op] = op;
    Atomics.store(ctl, W.remaining, ids.length);
    Atomics.store(ctl, W.seq, seq);
    // One worker: each worker that wakes for a job wakes the next (worker.ts), so the cost of
    // waking them is spread over threads instead of all paid here, one futex after another.
    Atomics.notify(ctl, W.seq, 1);
    this.#wDeadline = performance.now() + timeout;
    return this.#wait() ?? RESOLVED;
  }

  // Undefined once the job in flight has ended well; else the promise of its end.
  #wait(): Promise<void> | undefined {
    const ctl = this.#ctl;
    const seq = this.#wSeq;
    const ids = this.#wIds;
    for (;;) {
      const v = Atomics.load(ctl, W.done);
      let pending = false;
      for (let k = 0; k < ids.length; k++) {
        const i = ids[k];
        const w = this.#ws[i];
        const base = W.header + i * PER_WORKER;
        if (w.dead === undefined && Atomics.load(ctl, base + PW.gone) === 1) w.dead = "it exited";
        if (w.dead === undefined && Atomics.load(ctl, base + PW.done) < seq) pending = true;
      }
      if (!pending) break;
      const left = this.#wDeadline - performance.now();
      if (left <= 0) break;
      const r = (waitAsync as NonNullable<typeof waitAsync>)(ctl, W.done, v, left);
      if (r.async) return r.value.then(this.#wake);
    }
    return this.#ended();
  }

  readonly #wake = (): Promise<void> | undefined => this.#wait();

  #ended(): Promise<void> | undefined {
    const ctl = this.#ctl;
    const seq = this.#wSeq;
    const ids = this.#wIds;
    const system = this.#wSystem;
    const job = this.#wJob;
    this.#wJob = undefined;
    let failure: SystemError | undefined;
    let replace: number[] | undefined;
    for (let k = 0; k < ids.length; k++) {
      const i = ids[k];
      const w = this.#ws[i];
      const base = W.header + i * PER_WORKER;
      const finished = Atomics.load(ctl, base + PW.done) >= seq;
      let e: SystemError | undefined;
      if (w.dead !== undefined) {
        e = new SystemError(system, i, "died", `the worker died (${w.dead})`);
        (replace ??= []).push(i);
      } else if (!finished) {
        e = new SystemError(system, i, "timeout", `did not finish within ${this.#wTimeout} ms`);
        (replace ??= []).push(i);
      } else if (Atomics.load(ctl, base + PW.error) === seq) {
        const img = this.#errorOf(i);
        e = new SystemError(system, i, "threw", `${img.name}: ${img.message}`, {
          cause: errorOf(img),
        });
      }
      failure ??= e;
    }
    if (replace !== undefined) return this.#replace(replace, failure, job);
    if (job !== undefined) this.#settled(job);
    return failure === undefined ? undefined : Promise.reject(failure);
  }

  // Replaces the dead and late workers, then rejects with the run's failure.
  async #replace(replace: number[], failure: unknown, job: Job | undefined): Promise<void> {
    try {
      for (const i of replace) {
        await this.#ws[i].thread.terminate();
        if (!this.#closed) await this.#spawn(i);
      }
    } finally {
      if (job !== undefined) this.#settled(job);
    }
    throw failure;
  }

  #errorOf(i: number): ErrorImage {
    const n = this.#ctl[W.header + i * PER_WORKER + PW.errorBytes];
    const area = this.#errors.subarray(i * ERROR_BYTES, (i + 1) * ERROR_BYTES);
    try {
      return JSON.parse(readText(area, n));
    } catch {
      return { name: "Error", message: "(the worker's error could not be read)", stack: "" };
    }
  }

  /**
   * Ends every worker (after the runs already queued) and refuses further runs. Safe to call
   * twice.
   *
   * @example Close twice, then runs are refused
   * ```ts
   * import { WorkerPool } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const systems = "data:text/javascript," + encodeURIComponent("export function noop() {}");
   * const pool = await WorkerPool.start({ module: systems, workers: 1 });
   * await pool.close();
   * await pool.close();
   * await assert.rejects(pool.run("noop"), /the pool is closed/);
   * ```
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue.then(() => {}, () => {});
    // Out of their wait loops first: a worker blocked in Atomics.wait may not end on terminate()
    // alone (Deno then keeps the process alive).
    const alive = this.#ws.map((w, i) => (w?.dead === undefined && w?.boot === undefined ? i : -1))
      .filter((i) => i >= 0);
    if (alive.length > 0) {
      try {
        await this.#start(OP.exit, 2_000, alive, "(close)");
      } catch { /* a worker that does not answer is terminated all the same */ }
    }
    await Promise.all(this.#ws.map((w) => w?.thread?.terminate()));
  }
}

function hasPath(schema: StructSchema, path: unknown): boolean {
  if (typeof path !== "string") return false;
  // deno-lint-ignore no-explicit-any
  let s: any = schema;
  for (const part of path.split(".")) {
    if (s?.kind === "array") s = s.element ?? s.of;
    if (s?.kind !== "struct" || !Object.hasOwn(s.fields, part)) {
      return s?.kind === "vec" && ["x", "y", "z", "w"].includes(part) && path.endsWith(part);
    }
    s = s.fields[part];
  }
  return true;
}
