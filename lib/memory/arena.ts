/**
 * Bump-allocating arenas over an ArrayBuffer (or SharedArrayBuffer), with O(1) reset, stack-like
 * marks and scopes, and a choice of what happens when the memory runs out.
 *
 * @module
 */
import type { DeepPartial, Infer, StructSchema, ViewOf } from "../../schemas/types.ts";
import type { ArenaState, Placement, ViewInternals } from "../codegen/runtime.ts";
import type { ViewClass } from "../codegen/compile.ts";
import type { Mem } from "../values/codec.ts";
import { copyRecord } from "./views.ts";
import type { SnapshotOptions } from "../snapshot/envelope.ts";
import { decodeArena, encodeArena } from "../snapshot/arena_section.ts";
import { fingerprintsOf } from "../snapshot/fingerprint.ts";
import {
  type AccessorClass,
  type ArenaOptions,
  type ArenaScope,
  type ArenaStats,
  nextArenaId,
  type Overflow,
  parseArenaOptions,
} from "./arena_options.ts";
import { CAN_TRANSFER, Chunks } from "./chunks.ts";
import { ArenaClasses } from "./classes.ts";
import { Epochs } from "./epochs.ts";
import { Cuts, type CutStack, SharedCuts } from "./cuts.ts";
import { type ArenaHandle, handleOf, type OpenedHandle, openHandle } from "./handle.ts";
import { SharedChunks } from "./shared_chunks.ts";
import { type ArenaMark, Marks } from "./mark.ts";
import { Pool } from "./pool.ts";
import { repoint, StructArray } from "./struct_array.ts";

export type {
  AccessorClass,
  ArenaHandle,
  ArenaMark,
  ArenaOptions,
  ArenaScope,
  ArenaStats,
  Overflow,
};

// The handle Arena.open() is building an arena over; the constructor takes it.
let opening: OpenedHandle | undefined;

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
  /** The generation cell views compare with on access in checked mode. */
  readonly state: ArenaState;
  /** Whether views check lifetimes (values are checked either way). */
  readonly checked: boolean;
  /** Whether accessor classes are built without eval. */
  readonly jitless: boolean;
  /** What happens when an allocation does not fit. */
  readonly overflow: Overflow;
  #c: Chunks;
  #cuts: CutStack;
  // The same chain when the arena is shared (its state is then in a control block).
  #shared: SharedChunks | undefined;
  // Opened from a handle: allocates, but leaves resets, releases and new chunks to the owner.
  #opened: boolean;
  #resets = 0;
  #marks: Marks;
  #classes: ArenaClasses;
  // Where alloc(S, init) and tryAlloc(S, init) put a record (see Placement).
  #hard: ArenaPlacer;
  #soft: ArenaPlacer;
  // Tells this arena's snapshots from other arenas' (see restore()).
  #id = nextArenaId();

  /** Makes an arena with a first chunk of `bytes` bytes. */
  constructor(options: ArenaOptions) {
    const h = opening;
    opening = undefined;
    if (h !== undefined) {
      this.overflow = h.overflow;
      this.checked = h.checked;
      this.jitless = h.jitless;
      const size = h.chunks[0].mem.size;
      const policy = {
        shared: true,
        overflow: h.overflow,
        chunkBytes: size,
        maxBytes: Infinity,
        pool: undefined,
        detach: false,
      };
      const c = new SharedChunks(size, policy, h.blockBytes, h);
      this.#c = this.#shared = c;
      this.#opened = true;
      this.state = c.ctl.state;
      this.#cuts = new SharedCuts(c.ctl);
    } else {
      const o = parseArenaOptions(options);
      const { bytes, overflow, shared, chunkBytes, maxBytes, rawArrays } = o;
      this.overflow = overflow;
      this.checked = o.checked;
      this.jitless = o.jitless;
      const buffer = () => shared ? new SharedArrayBuffer(chunkBytes) : new ArrayBuffer(chunkBytes);
      const pool = overflow !== "pool" ? undefined : options.pool ?? new Pool({ create: buffer });
      const detach = this.checked && !shared && CAN_TRANSFER && rawArrays === "detach";
      const policy = { shared, overflow, chunkBytes, maxBytes, pool, detach };
      this.#opened = false;
      if (shared) {
        const c = new SharedChunks(bytes, policy, o.blockBytes);
        this.#c = this.#shared = c;
        this.state = c.ctl.state;
        this.#cuts = new SharedCuts(c.ctl);
      } else {
        this.state = { g: 0 };
        this.#cuts = new Cuts(this.state);
        this.#c = new Chunks(bytes, policy);
        // Lifetimes by trap: views read through epochs that cuts kill. A shared arena's views
        // test the generation in its control block instead, since other threads cut too.
        if (this.checked) this.#c.epochs = new Epochs(this.#c, this.state);
      }
    }
    this.#classes = new ArenaClasses(this.checked, this.jitless, this.#c.epochs !== undefined);
    this.#hard = new ArenaPlacer(this, this.#c, this.#classes, false);
    this.#soft = new ArenaPlacer(this, this.#c, this.#classes, true);
    this.#marks = new Marks(this, this.#c, this.#cuts);
  }

  #ownerOnly(what: string): void {
    if (this.#opened) {
      throw new TypeError(
        `Cannot ${what} an opened arena: only the arena that made its handle can`,
      );
    }
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
    return this.#classes.of(schema);
  }

  /**
   * Tells whether memory at arena address `pos`, last known live in generation `gen`, is still
   * live: no reset since then, and no release to a mark at or below `pos`. (What views ask their
   * arena; `Table.isLive(slot)` is the table's own test of a slot.)
   */
  liveAt(gen: number, pos: number): boolean {
    return this.#cuts.isLive(gen, pos);
  }

  /** @deprecated Renamed {@linkcode Arena.liveAt}: `isLive` is `Table.isLive(slot)`'s name. */
  isLive(gen: number, pos: number): boolean {
    return this.#cuts.isLive(gen, pos);
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
    // Two paths, so a frame loop's own inlining budget is charged only for the short one.
    return (init === undefined
      ? this.#hard.blank(schema)
      : this.#hard.place(schema, init)) as unknown as ViewOf<S>;
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
    const t = this.#soft;
    return (init === undefined ? t.blank(schema) : t.place(schema, init)) as unknown as
      | ViewOf<S>
      | undefined;
  }

  /**
   * Allocates `length` zeroed records back to back and returns them as a {@linkcode StructArray}
   * (a cursor, columns and views over them).
   *
   * Lifetimes: as for `alloc`; the array, its cursor and columns go stale together. Passing
   * `reuse` (an array of the same schema you are done with, e.g. the one from the frame before
   * last) re-points that object and its cursor at the new records instead of making new ones:
   * a cursor frame loop then allocates no JS objects at all (a loop over `column()` arrays makes
   * new typed arrays after each reset of a checked arena, which detaches the old ones; see
   * {@linkcode Arena.reset}). Every reference to `reuse` sees the new
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
    const C = this.#classes.of(schema);
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
    // Exact below 2⁵³; anything larger is far beyond MAX_CHUNK_BYTES and refused by bump().
    const bytes = C.plan.size * length;
    const o = this.#c.bump(bytes, C.plan.align, false);
    const m = this.#c.memFor(o);
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
    return copyRecord(view, this, this.#classes, this.#c) as V;
  }

  /**
   * Frees every allocation of this arena at once, in O(1).
   *
   * Lifetimes: every view, cursor, struct array and mark taken from this arena since it was
   * created (or since the last reset) becomes stale. In checked mode touching one throws
   * {@linkcode StaleViewError} (a mark: {@linkcode InvalidMarkError}); copy what must survive
   * with {@linkcode Arena.copy} first. Raw typed arrays cannot throw, so a checked arena over
   * ArrayBuffers detaches them: each chunk a raw array or buffer was taken of (a column, a
   * numeric array field such as `v.hist`, `bufferOf()`, `bytes()`) moves its bytes to a new
   * buffer (`transfer()`, O(1), no copy, a dozen small objects), and a kept array then has
   * length 0: reads give `undefined`, writes are dropped. Chunks only views and cursors touched
   * keep their buffer, so such a frame loop allocates nothing. Unchecked and shared arenas keep
   * their buffers. With `overflow: "pool"`, extra chunks go back to the pool here, detached the same way.
   *
   * @example Reuse one arena per frame
   * ```ts
   * import { Arena, StaleViewError, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const Particle = t.struct({ life: t.f32() });
   * const frame = new Arena({ bytes: 1 << 20 });
   * const p = frame.alloc(Particle, { life: 1 });
   * const bytes = new Float32Array(frame.allocArray(Particle, 4).buffer);
   * frame.reset();
   * assert.throws(() => p.life, StaleViewError);
   * assert.equal(bytes.length, 0); // a raw array kept across the reset is detached
   * ```
   */
  reset(): void {
    this.#ownerOnly("reset");
    const c = this.#c;
    // Below every address: kills every view and mark, zero-length arrays and marks at 0 too.
    this.#cuts.cut(-1);
    c.epochs?.cut(-1);
    c.rewind(0);
    if (this.overflow === "pool") c.drop(1);
    c.detachAll();
    c.recount(0);
    this.#resets++;
    if (this.#shared !== undefined) this.#shared.ctl.resets = this.#resets;
  }

  /**
   * The current top of the arena as an {@linkcode ArenaMark}, to hand to
   * {@linkcode Arena.release} later. A mark knows its arena and when it was taken, so a release
   * refuses it once it could free a live allocation. Taking a mark where the last one still
   * stands returns that same mark, so a loop of mark/alloc/release allocates nothing.
   *
   * Lifetimes: a mark is valid until a `reset()`, a release to an earlier mark (or scope) or a
   * `restore()` frees memory below it; releasing to it any number of times before that is fine.
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
   * assert.deepEqual([keep.v, arena.used, m.position], [1, 4, 4]);
   * ```
   */
  mark(): ArenaMark {
    return this.#marks.mark();
  }

  /**
   * Frees everything allocated since `mark` was taken; views from before it stay valid.
   *
   * Lifetimes: views, cursors and struct arrays allocated after the mark become stale (raw typed
   * arrays do not: see {@linkcode StructArray.column}). Struct arrays of zero records hold no
   * bytes and stay usable until a `reset()`.
   *
   * @throws {InvalidMarkError} If `mark` was not returned by this arena's `mark()`, or memory
   * below it was freed since (a `reset()`, a release to an earlier mark or scope, a `restore()`):
   * releasing to it then could free part of a newer live allocation. Nothing is freed.
   *
   * @example Release to a mark
   * ```ts
   * import { Arena, InvalidMarkError, StaleViewError, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const arena = new Arena({ bytes: 1024 });
   * const V = t.struct({ v: t.f32() });
   * const outer = arena.mark();
   * arena.alloc(V);
   * const inner = arena.mark();
   * const tmp = arena.alloc(V);
   * arena.release(outer);
   * assert.throws(() => tmp.v, StaleViewError);
   * assert.throws(() => arena.release(inner), InvalidMarkError);
   * ```
   */
  release(mark: ArenaMark): void {
    this.#ownerOnly("release");
    this.#marks.release(mark);
  }

  /**
   * Opens a scope: everything allocated until it is released (or disposed, with `using`) is
   * freed together. A scope holds an {@linkcode ArenaMark} and releases to it.
   *
   * Lifetimes: views allocated inside the scope become stale when it closes. Closing a scope
   * whose memory is already free (after a `reset()`, or after an enclosing scope or earlier mark
   * was released) does nothing: it never frees memory allocated after that.
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
    this.#ownerOnly("open a scope in");
    return this.#marks.scope();
  }

  /**
   * A handle of this shared arena, for {@linkcode Arena.open} in another thread: a plain,
   * structured-cloneable object of SharedArrayBuffers (the control block and each chunk, with its
   * start address) and the options an opened arena needs. Post it to a worker as it is.
   *
   * Lifetimes: a handle stays good as long as the arena. It lists the chunks the arena has now;
   * an opened arena can use chunks the owner adds later only after
   * {@linkcode Arena.adopt}ing a newer handle.
   *
   * @throws {TypeError} If the arena is not shared.
   *
   * @example Open a shared arena a second time
   * ```ts
   * import { Arena, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const P = t.struct({ hp: t.u32() });
   * const owner = new Arena({ bytes: 1 << 16, shared: true });
   * const handle = structuredClone(owner.handle()); // what postMessage delivers
   * const worker = Arena.open(handle);
   * const a = worker.alloc(P, { hp: 7 });
   * const b = owner.alloc(P, { hp: 9 });
   * assert.deepEqual([a.hp, b.hp], [7, 9]);
   * assert.throws(() => new Arena({ bytes: 64 }).handle(), TypeError);
   * ```
   */
  handle(): ArenaHandle {
    const c = this.#shared;
    if (c === undefined) {
      throw new TypeError(
        "Cannot make a handle of this arena: it is not shared (create it with shared: true)",
      );
    }
    return handleOf(c, this);
  }

  /**
   * An arena over the memory of the shared arena `handle` came from (see
   * {@linkcode Arena.handle}), usually in another thread, with the same API: alloc, tryAlloc,
   * allocArray, copy, views, cursors, columns. Each Arena object allocates inside blocks it
   * takes from the shared top (`blockBytes` each, one atomic operation per block), so arenas in
   * different threads never hand out the same bytes, and each reads what the others wrote.
   *
   * The arena that made the handle stays the owner: only it resets, releases, restores, opens
   * scopes and adds chunks. An opened arena whose chunks are used up throws
   * {@linkcode ArenaFullError} (`tryAlloc` returns undefined); after the owner added chunks,
   * {@linkcode Arena.adopt} a newer handle.
   *
   * Lifetimes: the generation and cut stack live in the handle's control block, so a view taken
   * in any thread throws {@linkcode StaleViewError} at its next access once the owner's reset or
   * release freed it, with no message needed. The owner should reset or release only while no
   * other thread is allocating (e.g. between jobs); memory below a release mark stays live in
   * every thread.
   *
   * @throws {TypeError} If `handle` is not a handle made by `handle()`, naming the field that is
   * wrong.
   *
   * @example A second arena over the same memory
   * ```ts
   * import { Arena, StaleViewError, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const P = t.struct({ x: t.f32() });
   * const owner = new Arena({ bytes: 1 << 16, shared: true });
   * const opened = Arena.open(owner.handle());
   * const v = opened.alloc(P, { x: 1.5 });
   * assert.equal(v.x, 1.5);
   * owner.reset();
   * assert.throws(() => v.x, StaleViewError);
   * assert.throws(() => opened.reset(), TypeError);
   * assert.throws(() => Arena.open({ kind: "arenakit.arena" } as never), TypeError);
   * ```
   */
  static open(handle: ArenaHandle): Arena {
    const h = openHandle(handle, "open an arena");
    opening = h;
    try {
      return new Arena(undefined as unknown as ArenaOptions);
    } finally {
      opening = undefined;
    }
  }

  /**
   * Takes the chunks an opened arena lacks from a newer `handle` of the same arena: the owner
   * added chunks since this arena's handle was made, or replaced some after a reset. Chunks this
   * arena already has are kept, so its views are unaffected. (Opening the new handle instead
   * works too, but makes a new arena with its own accessor classes.)
   *
   * @throws {TypeError} If `handle` is not a handle, or one of another arena.
   *
   * @example Follow the owner's new chunks
   * ```ts
   * import { Arena, ArenaFullError, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const Big = t.struct({ xs: t.array(t.f64(), 100) });
   * const owner = new Arena({
   *   bytes: 1024, chunkBytes: 4096, blockBytes: 1024, overflow: "grow", shared: true,
   * });
   * const opened = Arena.open(owner.handle());
   * owner.alloc(Big);
   * owner.alloc(Big); // a second chunk
   * assert.throws(() => opened.alloc(Big), ArenaFullError);
   * opened.adopt(owner.handle());
   * assert.equal(opened.alloc(Big).xs.length, 100);
   * ```
   */
  adopt(handle: ArenaHandle): void {
    const c = this.#shared;
    const h = openHandle(handle, "adopt a handle");
    if (c === undefined || h.ctl.id !== c.ctl.id || h.chunks[0].id !== c.ids[0]) {
      throw new TypeError("Cannot adopt a handle: it is a handle of another arena");
    }
    c.adopt(h.chunks);
  }

  /**
   * Gives up the rest of this shared arena's current block, so the bytes go back to the shared
   * top when no other arena took a block since (otherwise they stay unused until a reset).
   * Call it when a thread is done allocating for now, e.g. at the end of a job. Does nothing for
   * an arena that is not shared.
   *
   * @example Hand the rest of a block back
   * ```ts
   * import { Arena, t } from "@arenakit/core";
   * import assert from "node:assert/strict";
   * const owner = new Arena({ bytes: 1 << 16, shared: true });
   * const opened = Arena.open(owner.handle());
   * opened.alloc(t.struct({ n: t.u32() }));
   * assert.equal(opened.available, (1 << 16) - 4);
   * opened.flush();
   * assert.equal(owner.used, 4);
   * ```
   */
  flush(): void {
    this.#shared?.giveUp();
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
    const image = {
      id: this.#id,
      generation: this.state.g,
      allocs: this.#c.allocs,
      chunks: this.#c.images(),
      fingerprints: fingerprintsOf(this.#classes.schemas()),
    };
    return encodeArena(image, options);
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
   * one must not come back to life either. A snapshot of another arena makes every view and mark
   * of this one stale, like `reset()`; otherwise a mark is invalid once the restore frees memory
   * below it.
   * Unchecked views do not check, and read whatever is there. Raw typed arrays (columns, numeric
   * array fields) are not detached by a restore, except over chunks it drops: they see the
   * restored bytes.
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
    this.#ownerOnly("restore");
    const image = decodeArena(bytes, new Set(fingerprintsOf(this.#classes.schemas())));
    const c = this.#c;
    const plan = image.chunks;
    const k = plan.length;
    c.checkFits(plan);
    // Validated: from here on nothing throws.
    const top = plan[k - 1].start + plan[k - 1].bytes.length;
    const mine = image.id === this.#id && image.generation <= this.state.g;
    this.#cuts.cut(mine ? this.#cuts.lowestSince(image.generation, top) : -1);
    // Epochs do not know where the restore cut: all end, and views it kept revive on access.
    c.epochs?.cut(-1);
    c.replace(plan, plan.map((x) => x.bytes), image.allocs);
  }

  /** Whether the arena lives in SharedArrayBuffers (option `shared`), so workers can open it. */
  get shared(): boolean {
    return this.#shared !== undefined;
  }

  /** Bytes of all chunks. */
  get capacity(): number {
    return this.#c.capacity;
  }
  /**
   * Bytes consumed since the last reset (padding and skipped chunk tails included): the position
   * the next `mark()` returns. In a shared arena that is the shared top (whole blocks handed to
   * every arena over it), less this arena's unused block tail when its block was the last one
   * handed out; so a lone owner reads exactly what it allocated.
   */
  get used(): number {
    return this.#c.mark;
  }
  /** Bytes left in the current chunk (in a shared arena: for new blocks, plus this one's block). */
  get available(): number {
    return this.#c.available;
  }
  /** Largest `used` ever seen. */
  get highWater(): number {
    return this.#c.peak;
  }
  /** Allocations since the last reset. */
  get allocations(): number {
    return this.#c.allocs;
  }
  /** Chunks added because an allocation did not fit, since the arena was made. */
  get overflows(): number {
    return this.#shared?.ctl.overflows ?? this.#c.overflows;
  }
  /** Current generation (bumped by every reset and release). */
  get generation(): number {
    return this.state.g;
  }
  /** A snapshot of all counters. */
  stats(): ArenaStats {
    const c = this.#c;
    return {
      capacity: c.capacity,
      used: c.mark,
      highWater: c.peak,
      allocations: c.allocs,
      totalAllocations: c.totalAllocs,
      overflows: this.#shared?.ctl.overflows ?? c.overflows,
      resets: this.#shared?.ctl.resets ?? this.#resets,
      generation: this.state.g,
    };
  }
}

/**
 * An arena's placement for `alloc(S, init)` (see {@linkcode Placement}), and its maker of zeroed
 * records for `alloc(S)`. No private names here: JavaScriptCore counts each one's lookup in a
 * function's inlining cost, and `blank` must stay small enough to inline into frame loops.
 */
class ArenaPlacer implements Placement {
  /** The class of the record being allocated. */
  C: ViewClass | undefined = undefined;
  /** The memory of the record the last take made. */
  m: Mem | undefined = undefined;
  readonly arena: Arena;
  /** The arena's generation cell. */
  readonly state: ArenaState;
  readonly chunks: Chunks;
  readonly classes: ArenaClasses;
  readonly soft: boolean;

  constructor(arena: Arena, chunks: Chunks, classes: ArenaClasses, soft: boolean) {
    this.arena = arena;
    this.state = arena.state;
    this.chunks = chunks;
    this.classes = classes;
    this.soft = soft;
  }

  /** A zeroed record of `schema` and its view, or undefined when soft and full. */
  blank(schema: StructSchema): ViewInternals | undefined {
    const C = this.classes.of(schema);
    const c = this.chunks;
    const o = c.bump(C.$size, C.$align, this.soft);
    if (o < 0) return undefined;
    const m = c.memFor(o);
    C.$z(m, o);
    return new C(this.arena, m, o, this.state.g, "");
  }

  /**
   * A record of `schema` holding `init` and its view, or undefined when soft and full. `init` is
   * read and checked once before anything is allocated: the class takes the record through this
   * placement only then (and writes from locals), so a bad value changes nothing.
   */
  place(schema: StructSchema, init: unknown): ViewInternals | undefined {
    const C = this.classes.of(schema);
    // A getter of `init` may allocate a record of another schema meanwhile.
    const outer = this.C;
    this.C = C;
    let o: number;
    try {
      o = C.$w(this, -1, init, "");
    } finally {
      this.C = outer;
    }
    return o < 0 ? undefined : new C(this.arena, this.m!, o, this.state.g, "");
  }

  $take(): number {
    const C = this.C!;
    const c = this.chunks;
    const o = c.bump(C.$size, C.$align, this.soft);
    if (o < 0) return -1;
    const m = c.memFor(o);
    C.$z(m, o);
    this.m = m;
    return o;
  }

  get $mem(): unknown {
    return this.m;
  }
}
