/**
 * Bump-allocating arenas over an ArrayBuffer (or SharedArrayBuffer), with O(1) reset, stack-like
 * marks and scopes, and a choice of what happens when the memory runs out.
 *
 * @module
 */
import { layoutOf } from "../schemas/layout.ts";
import type { DeepPartial, Infer, StructSchema, ViewOf } from "../schemas/types.ts";
import { type Mem, memOf, validate } from "./_codec.ts";
import type { ArenaState, ViewInternals } from "./_helpers.ts";
import { type ViewClass, viewClass } from "./compile.ts";
import { ArenaFullError, SnapshotError } from "./errors.ts";
import {
  decodeSnapshot,
  encodeSnapshot,
  fingerprintsOf,
  layoutSetFingerprint,
  type SnapshotOptions,
} from "./snapshot.ts";
import { Pool } from "./pool.ts";
import { repoint, StructArray } from "./struct_array.ts";

/** What an arena does when an allocation does not fit. */
export type Overflow = "throw" | "grow" | "pool";

/** Options of {@linkcode Arena}. */
export interface ArenaOptions {
  /** Size of the first chunk in bytes. */
  bytes: number;
  /** Back the arena with SharedArrayBuffer, so its bytes can be posted to workers. */
  shared?: boolean;
  /**
   * `"throw"` (default): a full arena throws {@linkcode ArenaFullError} (`tryAlloc` returns
   * undefined). `"grow"`: chain new chunks, kept for reuse after `reset()`. `"pool"`: take extra
   * chunks from a {@linkcode Pool} of buffers and hand them back at `reset()`.
   */
  overflow?: Overflow;
  /** Upper bound of all chunks together, for `"grow"` and `"pool"` (default: no bound). */
  maxBytes?: number;
  /** Size of each extra chunk (default: `bytes`; larger allocations get a chunk of their own). */
  chunkBytes?: number;
  /** For `"pool"`: the pool extra chunks come from, to share one among several arenas. */
  pool?: Pool<ArrayBuffer | SharedArrayBuffer>;
  /**
   * Check lifetimes (default true). With `false`, views skip the generation check, so a view kept
   * past `reset()` reads and writes whatever now occupies its bytes: use it only for loops you
   * have tested checked. Values, strings, enum literals and cursor indices are checked either
   * way, so bad input still throws before a byte is written.
   */
  checked?: boolean;
  /** Build accessor classes from closures instead of `new Function` (same behaviour, slower). */
  jitless?: boolean;
}

/** A generated accessor class, as users see it. */
export interface AccessorClass {
  /** The struct's name. */
  readonly name: string;
  /** The generated source (kept for jitless classes too). */
  readonly source: string;
}

/** Counters of an arena, as a plain snapshot. */
export interface ArenaStats {
  /** Bytes of all chunks. */
  capacity: number;
  /** Bytes consumed since the last reset, padding and skipped chunk tails included. */
  used: number;
  /** Largest `used` ever seen. */
  highWater: number;
  /** Allocations since the last reset. */
  allocations: number;
  /** Allocations since the arena was made. */
  totalAllocations: number;
  /** Chunks added because the arena was full, since it was made. */
  overflows: number;
  /** Number of resets. */
  resets: number;
  /** Current generation (bumped by every reset and release). */
  generation: number;
}

const dispose: symbol = (Symbol as { dispose?: symbol }).dispose ?? Symbol.for("Symbol.dispose");

/** A stack-like scope of an arena: releasing it frees what was allocated since it was opened. */
export interface ArenaScope extends Disposable {
  /** The mark the scope releases to. */
  readonly mark: number;
  /** Frees every allocation since the scope opened (once; later calls do nothing). */
  release(): void;
}

function positiveInt(name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > 0x7fff_fff0) {
    throw new RangeError(
      `Cannot create Arena: option "${name}" must be a positive integer, got ${String(v)}`,
    );
  }
  return v;
}

const roundUp16 = (n: number) => (n + 15) & ~15;

// Words of an arena snapshot's meta section before the chunk table: id, generation,
// allocations, chunk count, fingerprint count, reserved.
const META_WORDS = 6;

// A random base keeps ids of arenas in different processes apart; the counter, within one.
let arenaIds = (Math.random() * 0x1_0000_0000) >>> 0;
function nextArenaId(): number {
  arenaIds = (arenaIds + 1) >>> 0;
  return arenaIds;
}

/**
 * A bump allocator for structs: `alloc` is a pointer bump, `reset()` frees everything at once.
 *
 * Lifetimes: every view, cursor and struct array taken from an arena lives until `reset()`, or
 * until a `release(mark)` (or a scope) covers it. In checked mode (the default) touching one
 * afterwards throws {@linkcode StaleViewError}, never reads another allocation's bytes; copy what
 * must survive with {@linkcode Arena.copy} into a longer-lived arena first.
 *
 * @example One arena per frame
 * ```ts
 * import { Arena, StaleViewError, t } from "@arenakit/core";
 * import assert from "node:assert/strict";
 * const Particle = t.struct({ pos: t.vec2f(), life: t.f32() });
 * const frame = new Arena({ bytes: 1 << 20 });
 * const p = frame.alloc(Particle, { pos: { x: 1.5, y: 2 }, life: 1 });
 * p.pos.x += 0.25;
 * assert.equal(p.pos.x, 1.75);
 * frame.reset();
 * assert.throws(() => p.life, StaleViewError);
 * ```
 */
export class Arena {
  /** The generation cell (`g`). Views compare against it on every access in checked mode. */
  readonly state: ArenaState;
  /** Whether views check lifetimes (values are checked either way). */
  readonly checked: boolean;
  /** Whether accessor classes are built without eval. */
  readonly jitless: boolean;
  /** What happens when an allocation does not fit. */
  readonly overflow: Overflow;
  #shared: boolean;
  #chunkBytes: number;
  #maxBytes: number;
  #pool: Pool<ArrayBuffer | SharedArrayBuffer> | undefined;
  #chunks: Mem[];
  #ci = 0;
  #mem: Mem;
  #top = 0;
  // Monotonic stack of (generation, cut): see isLive(). Entries are overwritten in place, so a
  // steady reset/release loop allocates nothing.
  #cutGen: number[] = [];
  #cutPos: number[] = [];
  #cuts = 0;
  #allocs = 0;
  #totalAllocs = 0;
  #highWater = 0;
  #overflows = 0;
  #resets = 0;
  #classes = new Map<StructSchema, ViewClass>();
  #lastSchema: StructSchema | undefined = undefined;
  #lastClass: ViewClass | undefined = undefined;
  // Tells this arena's snapshots from other arenas' (see restore()).
  #id = nextArenaId();

  /** Makes an arena with a first chunk of `bytes` bytes. */
  constructor(options: ArenaOptions) {
    if (typeof options !== "object" || options === null) {
      throw new TypeError(`Cannot create Arena: expected an options object like { bytes: 65536 }`);
    }
    const bytes = roundUp16(positiveInt("bytes", options.bytes));
    const overflow = options.overflow ?? "throw";
    if (overflow !== "throw" && overflow !== "grow" && overflow !== "pool") {
      throw new RangeError(
        `Cannot create Arena: option "overflow" must be "throw", "grow" or "pool", got ${
          String(overflow)
        }`,
      );
    }
    this.overflow = overflow;
    this.#shared = options.shared === true;
    if (this.#shared && typeof SharedArrayBuffer === "undefined") {
      throw new TypeError("Cannot create a shared Arena: SharedArrayBuffer is not available here");
    }
    this.#chunkBytes = roundUp16(positiveInt("chunkBytes", options.chunkBytes ?? bytes));
    const max = options.maxBytes ?? Infinity;
    if (typeof max !== "number" || !(max >= bytes)) {
      throw new RangeError(
        `Cannot create Arena: option "maxBytes" must be at least "bytes" (${bytes}), got ${
          String(max)
        }`,
      );
    }
    this.#maxBytes = max;
    this.checked = options.checked ?? true;
    this.jitless = options.jitless ?? false;
    if (overflow === "pool") {
      const size = this.#chunkBytes;
      this.#pool = options.pool ?? new Pool({ create: () => this.#buffer(size) });
    }
    this.state = { g: 0 };
    this.#mem = memOf(this.#buffer(bytes), 0);
    this.#chunks = [this.#mem];
  }

  #buffer(bytes: number): ArrayBuffer | SharedArrayBuffer {
    return this.#shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  }

  /**
   * The accessor class this arena uses for `schema`, generated once per schema and mode. Its
   * `source` is the generated code, for reading and debugging.
   *
   * @example Print the generated accessors
   * ```ts
   * import { Arena, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const arena = new Arena({ bytes: 64 });
   * const src = arena.classOf(t.struct({ life: t.f32() }, { name: "P" })).source;
   * assert.equal(src.includes("get \"life\"()"), true);
   * ```
   */
  classOf(schema: StructSchema): AccessorClass {
    return this.#classOf(schema);
  }

  #classOf(schema: StructSchema): ViewClass {
    // Frame loops allocate one schema many times in a row: skip the map for a repeat.
    if (schema === this.#lastSchema) return this.#lastClass!;
    let C = this.#classes.get(schema);
    if (C === undefined) {
      const layout = layoutOf(schema);
      C = viewClass(
        { schema, mode: layout.mode, baseAlign: layout.align, checked: this.checked },
        this.jitless,
      );
      this.#classes.set(schema, C);
    }
    this.#lastSchema = schema;
    this.#lastClass = C;
    return C;
  }

  /**
   * Tells whether memory at arena address `pos`, last known live in generation `gen`, is still
   * live: no reset since then, and no release to a mark at or below `pos`.
   */
  isLive(gen: number, pos: number): boolean {
    const gens = this.#cutGen;
    // Cuts rise with generation, so the first cut after `gen` is the lowest one since then.
    for (let i = 0; i < this.#cuts; i++) {
      if (gens[i] > gen) return this.#cutPos[i] > pos;
    }
    return true;
  }

  #cut(pos: number): void {
    const gen = ++this.state.g;
    // A newer, lower cut hides every higher one for all queries that could reach it.
    let n = this.#cuts;
    while (n > 0 && this.#cutPos[n - 1] >= pos) n--;
    this.#cutGen[n] = gen;
    this.#cutPos[n] = pos;
    this.#cuts = n + 1;
  }

  // Returns the offset of `size` bytes aligned to `align` in this.#mem, or -1 when `soft` and full.
  #bump(size: number, align: number, soft: boolean): number {
    let m = this.#mem;
    let o = (this.#top + align - 1) & -align;
    if (o + size > m.size) {
      if (!this.#nextChunk(size, align, soft)) return -1;
      m = this.#mem;
      o = 0;
    }
    this.#top = o + size;
    this.#allocs++;
    this.#totalAllocs++;
    const used = m.start + this.#top;
    if (used > this.#highWater) this.#highWater = used;
    return o;
  }

  #nextChunk(size: number, align: number, soft: boolean): boolean {
    const need = size + align;
    const next = this.#chunks[this.#ci + 1];
    if (next !== undefined && next.size >= size) {
      this.#ci++;
      this.#mem = next;
      this.#top = 0;
      return true;
    }
    const m = this.#mem;
    const left = Math.max(0, m.size - this.#top);
    if (this.overflow === "throw") {
      if (soft) return false;
      throw new ArenaFullError(size, left);
    }
    const bytes = Math.max(this.#chunkBytes, roundUp16(need));
    const start = m.start + m.size;
    if (start + bytes > this.#maxBytes) {
      if (soft) return false;
      throw new ArenaFullError(size, left);
    }
    // Chunks past the current one were freed by a reset or release; drop the too-small one.
    this.#releaseChunks(this.#ci + 1);
    const buffer = this.#pool !== undefined && bytes === this.#chunkBytes
      ? this.#pool.get()
      : this.#buffer(bytes);
    const mem = memOf(buffer, start);
    this.#chunks.push(mem);
    this.#ci++;
    this.#mem = mem;
    this.#top = 0;
    this.#overflows++;
    return true;
  }

  #releaseChunks(from: number): void {
    const gone = this.#chunks.splice(from);
    if (this.#pool === undefined) return;
    for (const m of gone) if (m.size === this.#chunkBytes) this.#pool.put(m.buffer);
  }

  /**
   * Allocates one zeroed `schema` record, writes `init` into it, and returns its view. `init` is
   * validated first, so a bad value throws before anything is allocated.
   *
   * Lifetimes: the view lives until `reset()` or a `release()` covering it.
   *
   * @example Allocate and read back
   * ```ts
   * import { Arena, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const P = t.struct({ life: t.f32(), kind: t.enum(["spark", "ember"]) });
   * const arena = new Arena({ bytes: 1024 });
   * const p = arena.alloc(P, { life: 0.5, kind: "ember" });
   * assert.deepEqual([p.kind, p.toObject()], ["ember", { life: 0.5, kind: "ember" }]);
   * ```
   */
  alloc<S extends StructSchema>(schema: S, init?: DeepPartial<Infer<S>>): ViewOf<S> {
    return this.#alloc(schema, init, false) as unknown as ViewOf<S>;
  }

  /**
   * Like {@linkcode Arena.alloc}, but returns `undefined` instead of throwing when the arena is
   * full (bad values still throw).
   *
   * @example Fall back when full
   * ```ts
   * import { Arena, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const arena = new Arena({ bytes: 16 });
   * const P = t.struct({ a: t.f64(), b: t.f64() });
   * assert.notEqual(arena.tryAlloc(P), undefined);
   * assert.equal(arena.tryAlloc(P), undefined);
   * ```
   */
  tryAlloc<S extends StructSchema>(schema: S, init?: DeepPartial<Infer<S>>): ViewOf<S> | undefined {
    return this.#alloc(schema, init, true) as unknown as ViewOf<S> | undefined;
  }

  #alloc(schema: StructSchema, init: unknown, soft: boolean): ViewInternals | undefined {
    const C = this.#classOf(schema);
    if (init !== undefined && !C.$v(init)) {
      validate(schema, init, "", true);
    }
    const size = C.plan.size;
    const o = this.#bump(size, C.plan.align, soft);
    if (o < 0) return undefined;
    const m = this.#mem;
    C.$z(m, o);
    const v = new C(this, m, o, this.state.g, "");
    if (init !== undefined) C.$w(m, o, init, "");
    return v;
  }

  /**
   * Allocates `length` zeroed records back to back and returns them as a {@linkcode StructArray}
   * (a cursor, columns and views over them).
   *
   * Lifetimes: as for `alloc`; the array, its cursor and columns go stale together. Passing
   * `reuse` (an array of the same schema you are done with, e.g. the one from the frame before
   * last) re-points that object and its cursor at the new records instead of making new ones:
   * a frame loop then allocates no JS objects at all. Every reference to `reuse` sees the new
   * records afterwards, so only pass an array nothing else still reads.
   *
   * @example A block of particles
   * ```ts
   * import { Arena, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const P = t.struct({ x: t.f32(), y: t.f32() });
   * const arena = new Arena({ bytes: 1 << 16 });
   * const ps = arena.allocArray(P, 1000);
   * ps.forEach((p, i) => { p.x = i * 0.5; });
   * assert.equal(ps.at(3).x, 1.5);
   * ```
   *
   * @example A frame loop with no garbage
   * ```ts
   * import { Arena, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const P = t.struct({ x: t.f32() });
   * const arena = new Arena({ bytes: 1 << 16 });
   * let ps = arena.allocArray(P, 100);
   * const first = ps;
   * for (let frame = 0; frame < 3; frame++) {
   *   arena.reset();
   *   ps = arena.allocArray(P, 100, ps); // same object, new records
   *   ps.cursor().seek(5).x = frame + 0.5;
   * }
   * assert.equal(ps, first);
   * assert.equal(ps.at(5).x, 2.5);
   * ```
   */
  allocArray<S extends StructSchema>(
    schema: S,
    length: number,
    reuse?: StructArray<S>,
  ): StructArray<S> {
    const C = this.#classOf(schema);
    if (reuse !== undefined && !(reuse instanceof StructArray && reuse.schema === schema)) {
      throw new TypeError(
        `Cannot reuse ${String(reuse)} for ${schema.name}: expected a StructArray of that schema`,
      );
    }
    if (!(Number.isInteger(length) && length >= 0 && length <= 0x7fff_ffff)) {
      throw new RangeError(
        `Cannot allocate an array of ${String(length)} records: expected a count`,
      );
    }
    const bytes = C.plan.size * length;
    const o = this.#bump(bytes, C.plan.align, false);
    const m = this.#mem;
    m.u8.fill(0, o, o + bytes);
    if (reuse !== undefined) return repoint(reuse, this, C, m, o, length, this.state.g);
    return new StructArray<S>(this, C, m, o, length, this.state.g);
  }

  /**
   * Copies a view's record into this arena and returns the new view: the explicit way for a
   * value to outlive the arena it was made in.
   *
   * @example Promote a value to a longer-lived arena
   * ```ts
   * import { Arena, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const P = t.struct({ life: t.f32() });
   * const frame = new Arena({ bytes: 256 });
   * const level = new Arena({ bytes: 256 });
   * const kept = level.copy(frame.alloc(P, { life: 0.75 }));
   * frame.reset();
   * assert.equal(kept.life, 0.75);
   * ```
   */
  copy<V extends object>(view: V): V {
    const src = view as unknown as ViewInternals & { toObject(): unknown };
    if (typeof src !== "object" || src === null || !("$m" in src)) {
      throw new TypeError("Cannot copy: expected a view made by an arena or table");
    }
    // toObject() also checks that the source is still live.
    src.toObject();
    const plan = (src.constructor as ViewClass).plan;
    const schema = plan.key.schema as StructSchema;
    // A nested view keeps the mode it inherited (a struct inside a packed one is packed), which
    // the schema alone does not tell: copy it with a class of that mode.
    const mode = plan.key.mode;
    const C = mode === layoutOf(schema).mode ? this.#classOf(schema) : viewClass(
      { schema, mode, baseAlign: plan.align, checked: this.checked },
      this.jitless,
    );
    const o = this.#bump(plan.size, plan.align, false);
    const m = this.#mem;
    m.u8.set(new Uint8Array(src.$m.buffer, src.$o, plan.size), o);
    return new C(this, m, o, this.state.g, "") as unknown as V;
  }

  /**
   * Frees every allocation of this arena at once, in O(1).
   *
   * Lifetimes: every view, cursor and struct array taken from this arena since it was created
   * (or since the last reset) becomes stale. In checked mode touching one throws
   * {@linkcode StaleViewError}; copy what must survive with {@linkcode Arena.copy} first.
   * With `overflow: "pool"`, extra chunks go back to the pool here.
   *
   * @example Reuse one arena per frame
   * ```ts
   * import { Arena, StaleViewError, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const Particle = t.struct({ life: t.f32() });
   * const frame = new Arena({ bytes: 1 << 20 });
   * const p = frame.alloc(Particle, { life: 1 });
   * frame.reset();
   * assert.throws(() => p.life, StaleViewError);
   * ```
   */
  reset(): void {
    this.#cut(0);
    if (this.overflow === "pool") this.#releaseChunks(1);
    this.#ci = 0;
    this.#mem = this.#chunks[0];
    this.#top = 0;
    this.#allocs = 0;
    this.#resets++;
  }

  /**
   * The current top of the arena, to hand to {@linkcode Arena.release} later. Marks are plain
   * numbers (arena addresses), so taking one allocates nothing.
   *
   * @example Free a temporary computation
   * ```ts
   * import { Arena, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const arena = new Arena({ bytes: 1024 });
   * const V = t.struct({ v: t.f32() });
   * const keep = arena.alloc(V, { v: 1 });
   * const m = arena.mark();
   * arena.alloc(V, { v: 2 });
   * arena.release(m);
   * assert.deepEqual([keep.v, arena.used], [1, 4]);
   * ```
   */
  mark(): number {
    return this.#mem.start + this.#top;
  }

  /**
   * Frees everything allocated since `mark` was taken; views from before it stay valid.
   *
   * Lifetimes: views, cursors and arrays allocated after the mark become stale.
   *
   * @example Release to a mark
   * ```ts
   * import { Arena, StaleViewError, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const arena = new Arena({ bytes: 1024 });
   * const V = t.struct({ v: t.f32() });
   * const m = arena.mark();
   * const tmp = arena.alloc(V);
   * arena.release(m);
   * assert.throws(() => tmp.v, StaleViewError);
   * ```
   */
  release(mark: number): void {
    const top = this.mark();
    if (!(Number.isInteger(mark) && mark >= 0 && mark <= top)) {
      throw new RangeError(
        `Cannot release to mark ${String(mark)}: expected a mark from 0 to the arena's top ${top}` +
          ` (was it released already, or taken before a reset?)`,
      );
    }
    let k = this.#ci;
    while (k > 0 && this.#chunks[k].start > mark) k--;
    this.#ci = k;
    this.#mem = this.#chunks[k];
    this.#top = mark - this.#mem.start;
    this.#cut(mark);
  }

  /**
   * Opens a scope: everything allocated until it is released (or disposed, with `using`) is
   * freed together.
   *
   * Lifetimes: views allocated inside the scope become stale when it closes.
   *
   * @example A scope with `using`
   * ```ts
   * import { Arena, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const arena = new Arena({ bytes: 1024 });
   * const V = t.struct({ v: t.f32() });
   * {
   *   using _scope = arena.scope();
   *   arena.alloc(V);
   * }
   * assert.equal(arena.used, 0);
   * ```
   */
  scope(): ArenaScope {
    const mark = this.mark();
    const gen = this.state.g;
    let open = true;
    const release = () => {
      if (!open) return;
      open = false;
      // A reset since the scope opened has freed its memory already.
      if (this.isLive(gen, mark) && mark <= this.mark()) this.release(mark);
    };
    return { mark, release, [dispose]: release } as unknown as ArenaScope;
  }

  /**
   * Copies this arena's state into a snapshot: the used bytes of every chunk up to the top, the
   * allocation counters, and the layout fingerprints of the struct schemas this arena has made
   * accessor classes for since it was created (by `alloc`, `tryAlloc`, `allocArray`, `copy` or
   * `classOf`). See `lib/snapshot.ts` for the byte format.
   *
   * With `options.into`, the snapshot is written at the start of that array and a subarray of
   * it is returned, so a rollback buffer can be reused every frame; otherwise a new array is
   * made. `options.checksum: false` skips the body checksum (trusted in-memory rollback).
   *
   * @example Save and roll back
   * ```ts
   * import { Arena, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const Body = t.struct({ x: t.f32(), vx: t.f32() });
   * const world = new Arena({ bytes: 1024 });
   * const b = world.alloc(Body, { x: 0, vx: 1 });
   * const saved = world.snapshot();
   * b.x += b.vx;
   * world.restore(saved);
   * assert.equal(b.x, 0);
   * ```
   */
  snapshot(options?: SnapshotOptions): Uint8Array {
    const k = this.#ci + 1;
    const last = this.#chunks[this.#ci];
    if (last.start + last.size > 0xffff_ffff) {
      throw new RangeError(
        `Cannot snapshot an arena of ${
          last.start + last.size
        } bytes: the format holds 4 GiB at most`,
      );
    }
    const fps = fingerprintsOf(this.#classes.keys());
    const meta = new Uint32Array(META_WORDS + 3 * k + fps.length);
    meta[0] = this.#id;
    meta[1] = this.state.g;
    meta[2] = this.#allocs;
    meta[3] = k;
    meta[4] = fps.length;
    const sections: Uint8Array[] = [new Uint8Array(meta.buffer)];
    for (let i = 0; i < k; i++) {
      const m = this.#chunks[i];
      // Earlier chunks are kept whole: their skipped tails are not tracked, and they are short.
      const len = i === k - 1 ? this.#top : m.size;
      meta[META_WORDS + 3 * i] = m.start;
      meta[META_WORDS + 3 * i + 1] = m.size;
      meta[META_WORDS + 3 * i + 2] = len;
      sections.push(m.u8.subarray(0, len));
    }
    meta.set(fps, META_WORDS + 3 * k);
    return encodeSnapshot("arena", layoutSetFingerprint(fps), sections, options);
  }

  /**
   * Brings this arena back to the state a {@linkcode Arena.snapshot} recorded: the same bytes,
   * top and allocation count. Everything is checked first (length, magic, checksums, version,
   * layout fingerprints, chunk sizes); on any problem it throws {@linkcode SnapshotError} and
   * the arena is left exactly as it was.
   *
   * The snapshot must hold only layouts this arena knows: every struct schema it was taken with
   * must have the same layout as one this arena has used. To restore into a fresh arena, call
   * `classOf(S)` for those schemas first. The first chunk must be as large as the snapshot's;
   * further chunks are recreated as the snapshot had them (so `overflow: "throw"` arenas can only
   * take one-chunk snapshots).
   *
   * Lifetimes: restoring frees, as `release(m)` would, everything at or above `m`, the lowest
   * address that was free at any moment since the snapshot was taken (its top then, or a lower
   * `release`, scope or `reset` since). So every view, cursor and struct array allocated after
   * the snapshot becomes stale, and views allocated before it that are still live read the
   * restored values. Views of memory freed after the snapshot stay stale even though their bytes
   * come back: the same address may have been handed to a newer allocation meanwhile, and that
   * one must not come back to life either. A snapshot of another arena makes every view of this
   * one stale, like `reset()`. Unchecked views do not check, and read whatever is there.
   *
   * @example Roll back a step
   * ```ts
   * import { Arena, StaleViewError, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const P = t.struct({ hp: t.u32() });
   * const arena = new Arena({ bytes: 256 });
   * const a = arena.alloc(P, { hp: 10 });
   * const saved = arena.snapshot();
   * a.hp = 3;
   * const b = arena.alloc(P, { hp: 99 });
   * arena.restore(saved);
   * assert.equal(a.hp, 10);
   * assert.throws(() => b.hp, StaleViewError);
   * ```
   */
  restore(bytes: Uint8Array): void {
    const snap = decodeSnapshot(bytes, "arena");
    const [metaBytes, ...data] = snap.sections;
    if (
      metaBytes === undefined || metaBytes.length < 4 * META_WORDS || metaBytes.length % 4 !== 0
    ) {
      throw new SnapshotError("format", "the arena section is missing or malformed");
    }
    const dv = new DataView(metaBytes.buffer, metaBytes.byteOffset, metaBytes.byteLength);
    const word = (i: number) => dv.getUint32(4 * i, true);
    const id = word(0);
    const gen = word(1) | 0;
    const allocs = word(2);
    const k = word(3);
    const f = word(4);
    if (k < 1 || data.length !== k || metaBytes.length !== 4 * (META_WORDS + 3 * k + f)) {
      throw new SnapshotError(
        "format",
        `the chunk table does not match its ${data.length} sections`,
      );
    }
    const fps: number[] = [];
    for (let i = 0; i < f; i++) fps.push(word(META_WORDS + 3 * k + i));
    if (layoutSetFingerprint(fps) !== snap.fingerprint) {
      throw new SnapshotError("format", "the listed layouts do not match the header fingerprint");
    }
    const known = new Set(fingerprintsOf(this.#classes.keys()));
    for (const fp of fps) {
      if (!known.has(fp)) {
        throw new SnapshotError(
          "fingerprint",
          `it holds records of a layout (fingerprint 0x${fp.toString(16).padStart(8, "0")}) ` +
            `this arena has not used: allocate, or call classOf(), with the same schemas first`,
        );
      }
    }
    const plan: { start: number; size: number; len: number }[] = [];
    let start = 0;
    for (let i = 0; i < k; i++) {
      const c = {
        start: word(META_WORDS + 3 * i),
        size: word(META_WORDS + 3 * i + 1),
        len: word(META_WORDS + 3 * i + 2),
      };
      if (
        c.start !== start || c.size === 0 || c.size % 16 !== 0 || c.len !== data[i].length ||
        (i < k - 1 ? c.len !== c.size : c.len > c.size)
      ) {
        throw new SnapshotError("format", `chunk ${i} of the chunk table is inconsistent`);
      }
      plan.push(c);
      start += c.size;
    }
    if (plan[0].size !== this.#chunks[0].size) {
      throw new SnapshotError(
        "capacity",
        `its first chunk has ${plan[0].size} bytes, this arena's has ${this.#chunks[0].size}`,
      );
    }
    let reuse = 1;
    while (
      reuse < k && this.#chunks[reuse] !== undefined &&
      this.#chunks[reuse].start === plan[reuse].start &&
      this.#chunks[reuse].size === plan[reuse].size
    ) reuse++;
    if (reuse < k && (this.overflow === "throw" || start > this.#maxBytes)) {
      throw new SnapshotError(
        "capacity",
        this.overflow === "throw"
          ? `it spans ${k} chunks and this arena has overflow "throw"`
          : `it needs ${start} bytes and this arena's maxBytes is ${this.#maxBytes}`,
      );
    }
    // Validated: from here on nothing throws.
    const top = plan[k - 1].start + plan[k - 1].len;
    let low = 0;
    if (id === this.#id && gen <= this.state.g) {
      low = top;
      // The first cut since the snapshot is the lowest one since then (see isLive()).
      for (let i = 0; i < this.#cuts; i++) {
        if (this.#cutGen[i] > gen) {
          low = Math.min(low, this.#cutPos[i]);
          break;
        }
      }
    }
    this.#cut(low);
    if (reuse < k) {
      this.#releaseChunks(reuse);
      for (let i = reuse; i < k; i++) {
        const size = plan[i].size;
        const buffer = this.#pool !== undefined && size === this.#chunkBytes
          ? this.#pool.get()
          : this.#buffer(size);
        this.#chunks.push(memOf(buffer, plan[i].start));
      }
    }
    for (let i = 0; i < k; i++) this.#chunks[i].u8.set(data[i]);
    this.#ci = k - 1;
    this.#mem = this.#chunks[k - 1];
    this.#top = plan[k - 1].len;
    this.#allocs = allocs;
    if (top > this.#highWater) this.#highWater = top;
  }

  /** Bytes of all chunks. */
  get capacity(): number {
    const last = this.#chunks[this.#chunks.length - 1];
    return last.start + last.size;
  }
  /** Bytes consumed since the last reset (padding and skipped chunk tails included). */
  get used(): number {
    return this.#mem.start + this.#top;
  }
  /** Bytes left in the current chunk. */
  get available(): number {
    return this.#mem.size - this.#top;
  }
  /** Largest `used` ever seen. */
  get highWater(): number {
    return this.#highWater;
  }
  /** Allocations since the last reset. */
  get allocations(): number {
    return this.#allocs;
  }
  /** Current generation (bumped by every reset and release). */
  get generation(): number {
    return this.state.g;
  }
  /** A snapshot of all counters. */
  stats(): ArenaStats {
    return {
      capacity: this.capacity,
      used: this.used,
      highWater: this.#highWater,
      allocations: this.#allocs,
      totalAllocations: this.#totalAllocs,
      overflows: this.#overflows,
      resets: this.#resets,
      generation: this.state.g,
    };
  }
}

function internals(view: unknown, what: string): ViewInternals {
  if (typeof view !== "object" || view === null || !("$m" in view)) {
    throw new TypeError(`Cannot take the ${what} of ${String(view)}: expected an arenakit view`);
  }
  return view as ViewInternals;
}

/**
 * The buffer a view's bytes live in (an arena chunk or a table's storage), for handing them to
 * FFI, WebGPU or a worker.
 *
 * Lifetimes: the buffer outlives the view; after a reset its bytes belong to new allocations.
 *
 * @example Read a field with a DataView
 * ```ts
 * import { Arena, bufferOf, layoutOf, offsetOf, t } from "@arenakit/core";
 * import assert from "node:assert/strict";
 * const P = t.struct({ id: t.u32(), life: t.f32() });
 * const arena = new Arena({ bytes: 64 });
 * const p = arena.alloc(P, { life: 1.5 });
 * const life = layoutOf(P).fields[1].offset;
 * assert.equal(new DataView(bufferOf(p)).getFloat32(offsetOf(p) + life, true), 1.5);
 * ```
 */
export function bufferOf(view: object): ArrayBuffer | SharedArrayBuffer {
  return internals(view, "buffer").$m.buffer;
}

/**
 * The byte offset of a view's record in {@linkcode bufferOf}`(view)`; field `f` is at
 * `offsetOf(view) + layoutOf(S).fields[f].offset`.
 *
 * @example Where a record starts
 * ```ts
 * import { Arena, offsetOf, t } from "@arenakit/core";
 * import assert from "node:assert/strict";
 * const arena = new Arena({ bytes: 64 });
 * const P = t.struct({ v: t.f64() });
 * arena.alloc(P);
 * assert.equal(offsetOf(arena.alloc(P)), 8);
 * ```
 */
export function offsetOf(view: object): number {
  return internals(view, "offset").$o;
}
