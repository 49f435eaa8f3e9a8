/**
 * The errors arenakit throws. Each subclasses the closest built-in, sets `name` and carries typed
 * fields, so callers can branch on `instanceof` and read the details without parsing messages.
 *
 * This module is the ground floor: it imports only the shared text helpers, so every layer
 * (`schemas/` included) can throw these without an import pointing back up.
 *
 * @module
 */
import { show } from "./_text.ts";

/**
 * A schema that cannot be built or laid out: an unknown kind, a bad field name, a size that is not
 * a positive integer, or a type the chosen layout cannot share (WGSL has no `u8`).
 *
 * @example Catching a bad schema
 * ```ts
 * import { SchemaError, t } from "@arenakit/core";
 * import assert from "node:assert/strict";
 * assert.throws(() => t.struct({ "a-b": t.f32() }), (e) => e instanceof SchemaError && e.path === "a-b");
 * ```
 */
export class SchemaError extends TypeError {
  /** The error name. */
  override name = "SchemaError";
  /** Where in the schema the problem is, as a dotted path ("" for the root). */
  readonly path: string;
  /** What is wrong, without the path (the message is the path and this). */
  readonly detail: string;
  /** Builds the error; `detail` follows the path in the message. */
  constructor(path: string, detail: string) {
    super(path === "" ? detail : `Invalid schema at "${path}": ${detail}`);
    this.path = path;
    this.detail = detail;
  }
}

/**
 * An arena could not serve an allocation: it is full and its `overflow` policy does not allow it
 * to get more memory (or the `maxBytes` limit is reached).
 *
 * @example Reading the numbers of a failed allocation
 * ```ts
 * import { Arena, ArenaFullError, t } from "@arenakit/core";
 * import assert from "node:assert/strict";
 * const arena = new Arena({ bytes: 16 });
 * arena.alloc(t.struct({ a: t.f64() }));
 * assert.throws(
 *   () => arena.alloc(t.struct({ a: t.f64(), b: t.f64() })),
 *   (e) => e instanceof ArenaFullError && e.requested === 16 && e.available === 8,
 * );
 * ```
 */
export class ArenaFullError extends RangeError {
  /** The error name. */
  override name = "ArenaFullError";
  /** Bytes the allocation needed (its size; alignment padding is not counted). */
  readonly requested: number;
  /** Bytes that were left. */
  readonly available: number;
  /**
   * Builds the error from the two byte counts; `detail` (e.g. "and only the arena that made the
   * handle adds chunks") follows them in the message.
   */
  constructor(requested: number, available: number, detail = "") {
    super(
      `Cannot allocate ${requested} bytes: arena has ${available} bytes left${
        detail === "" ? "" : `, ${detail}`
      }`,
    );
    this.requested = requested;
    this.available = available;
  }
}

/**
 * A view, cursor or struct array was used after the memory under it was freed by
 * `Arena.reset()`, by a `release()` that covers it, or by a frame arena turning over.
 *
 * @example A view does not survive its arena's reset
 * ```ts
 * import { Arena, StaleViewError, t } from "@arenakit/core";
 * import assert from "node:assert/strict";
 * const arena = new Arena({ bytes: 64 });
 * const v = arena.alloc(t.struct({ life: t.f32() }));
 * arena.reset();
 * assert.throws(() => v.life, StaleViewError);
 * ```
 */
export class StaleViewError extends ReferenceError {
  /** The error name. */
  override name = "StaleViewError";
  /** Dotted path of the field that was touched, from the record the view was taken of. */
  readonly path: string;
  /** Name of the struct (or vector) whose field was touched. */
  readonly struct: string;
  /** Generation the view was taken in. */
  readonly viewGeneration: number;
  /** Generation of the arena when the view was touched. */
  readonly arenaGeneration: number;
  /** Builds the error for a touch of `path` in a view of struct `struct`. */
  constructor(path: string, viewGeneration: number, arenaGeneration: number, struct = "") {
    super(
      `Cannot use "${path}"${struct === "" ? "" : ` of ${struct}`}: its memory was freed ` +
        `(arena reset or released, record deleted, or the loop that lent it ended) ` +
        `(view from generation ${viewGeneration}, arena now at ${arenaGeneration})`,
    );
    this.path = path;
    this.struct = struct;
    this.viewGeneration = viewGeneration;
    this.arenaGeneration = arenaGeneration;
  }
}

/**
 * What both field errors carry: {@linkcode FieldTypeError} (wrong type) and
 * {@linkcode FieldRangeError} (right type, cannot be held). They keep their own built-in
 * ancestors (`TypeError`, `RangeError`), so this is the common shape, and `instanceof FieldError`
 * is true for either.
 *
 * @example Catching either field error
 * ```ts
 * import { Arena, FieldError, t } from "@arenakit/core";
 * import assert from "node:assert/strict";
 * const v = new Arena({ bytes: 64 }).alloc(t.struct({ hp: t.u8(), name: t.string(4) }));
 * assert.throws(() => v.hp = 300, (e) => e instanceof FieldError && e.path === "hp");
 * assert.throws(
 *   () => (v as { name: unknown }).name = 5,
 * (e) => e instanceof FieldError && e.path === "name" && e.value === 5,
 * );
 * ```
 */
export abstract class FieldError extends Error {
  /** Dotted path of the field, starting at the root struct. */
  declare readonly path: string;
  /** The offending value. */
  declare readonly value: unknown;
  /** What the field accepts, in words. */
  declare readonly expected: string;
  /** True for a {@linkcode FieldTypeError} or a {@linkcode FieldRangeError}. */
  static override [Symbol.hasInstance](e: unknown): boolean {
    return e instanceof FieldTypeError || e instanceof FieldRangeError;
  }
}

function fieldMessage(path: string, value: unknown, expected: string): string {
  return `Cannot write ${show(value)} to "${path}": expected ${expected}`;
}

/**
 * A value of the wrong type for a field (a string into an `f32`, a number into a `bool`). Checked
 * mode throws it before any byte is written.
 *
 * @example Writing a string into a number field
 * ```ts
 * import { Arena, FieldTypeError, t } from "@arenakit/core";
 * import assert from "node:assert/strict";
 * const arena = new Arena({ bytes: 64 });
 * const v = arena.alloc(t.struct({ life: t.f32() }));
 * assert.throws(
 *   () => (v as { life: unknown }).life = "soon",
 *   (e) => e instanceof FieldTypeError && e.path === "life" && e.value === "soon",
 * );
 * ```
 */
export class FieldTypeError extends TypeError implements FieldError {
  /** The error name. */
  override name = "FieldTypeError";
  /** Dotted path of the field, starting at the root struct. */
  readonly path: string;
  /** The offending value. */
  readonly value: unknown;
  /** What the field accepts, in words. */
  readonly expected: string;
  /** Builds the error. */
  constructor(path: string, value: unknown, expected: string) {
    super(fieldMessage(path, value, expected));
    this.path = path;
    this.value = value;
    this.expected = expected;
  }
}

/**
 * A value of the right type that the field cannot hold: an integer out of range or fractional,
 * a string longer than its byte capacity, an unknown enum literal, an array of the wrong length.
 * Checked mode throws it before any byte is written.
 *
 * @example Writing 300 into a u8
 * ```ts
 * import { Arena, FieldRangeError, t } from "@arenakit/core";
 * import assert from "node:assert/strict";
 * const arena = new Arena({ bytes: 64 });
 * const v = arena.alloc(t.struct({ hp: t.u8() }));
 * assert.throws(() => v.hp = 300, {
 *   name: "FieldRangeError",
 *   message: 'Cannot write 300 to "hp": expected an integer from 0 to 255',
 * });
 * assert.equal(v.hp, 0); // nothing was written
 * ```
 */
export class FieldRangeError extends RangeError implements FieldError {
  /** The error name. */
  override name = "FieldRangeError";
  /** Dotted path of the field, starting at the root struct. */
  readonly path: string;
  /** The offending value. */
  readonly value: unknown;
  /** What the field accepts, in words. */
  readonly expected: string;
  /** Builds the error. */
  constructor(path: string, value: unknown, expected: string) {
    super(fieldMessage(path, value, expected));
    this.path = path;
    this.value = value;
    this.expected = expected;
  }
}

/**
 * A table had no free slot for a new record: it is full and its `growth` is `"fixed"`, or it
 * reached `maxCapacity`.
 *
 * @example Catching a full table
 * ```ts
 * import { Table, TableFullError, t } from "@arenakit/core";
 * import assert from "node:assert/strict";
 * const table = new Table(t.struct({ hp: t.f32() }), { capacity: 1 });
 * table.create();
 * assert.throws(() => table.create(), (e) => e instanceof TableFullError && e.capacity === 1);
 * ```
 */
export class TableFullError extends RangeError {
  /** Always `"TableFullError"`. */
  override name = "TableFullError";
  /** The capacity the table was full at. */
  readonly capacity: number;
  /** Builds the error for a table of `capacity` records. */
  constructor(capacity: number) {
    super(`Cannot create a record: table is full at its capacity of ${capacity} records`);
    this.capacity = capacity;
  }
}

/**
 * A value passed as an id is not one: not a number, or a number no table ever returns (NaN,
 * negative, fractional, below 2²⁴, above `Number.MAX_SAFE_INTEGER`). Well-formed ids of deleted
 * or never-created records are not errors: `get` returns undefined and `has` false for those.
 *
 * @example Passing an index instead of an id
 * ```ts
 * import { InvalidIdError, Table, t } from "@arenakit/core";
 * import assert from "node:assert/strict";
 * const table = new Table(t.struct({ hp: t.f32() }), { capacity: 8 });
 * assert.throws(() => table.get(0), (e) => e instanceof InvalidIdError && e.id === 0);
 * ```
 */
export class InvalidIdError extends TypeError {
  /** Always `"InvalidIdError"`. */
  override name = "InvalidIdError";
  /** The value that was passed. */
  readonly id: unknown;
  /** Builds the error for operation `op` (`"get"`, `"delete"`, …). */
  constructor(op: string, id: unknown) {
    super(
      `Cannot ${op} ${show(id)}: expected an id returned by Table.create() (a positive integer)`,
    );
    this.id = id;
  }
}

/** Why a snapshot was refused. */
export type SnapshotErrorReason =
  /** Fewer or more bytes than the header announces. */
  | "length"
  /** Not a snapshot: the first four bytes are not `AKSN`. */
  | "magic"
  /** The header's CRC does not match: a header byte was changed. */
  | "header-checksum"
  /** Written by a newer or older format version. */
  | "version"
  /** An arena snapshot given to a table, or the other way round. */
  | "kind"
  /** The body's checksum does not match: a body byte was changed. */
  | "body-checksum"
  /** The layouts the snapshot was taken with differ from the target's. */
  | "fingerprint"
  /** The body is well-formed for the checksum but its sections make no sense. */
  | "format"
  /** The target cannot hold the snapshot (different first chunk, no room to grow). */
  | "capacity";

/**
 * A snapshot was refused: truncated, corrupted, of another format version or kind, or taken
 * with other layouts than the target's. It is thrown before anything is written, so the target
 * is left exactly as it was.
 *
 * @example Detect a corrupted snapshot
 * ```ts
 * import { Arena, SnapshotError, t } from "@arenakit/core";
 * import assert from "node:assert/strict";
 * const arena = new Arena({ bytes: 256 });
 * arena.alloc(t.struct({ hp: t.u32() }), { hp: 7 });
 * const snap = arena.snapshot();
 * snap[snap.length - 1] ^= 1;
 * assert.throws(
 *   () => arena.restore(snap),
 *   (e) => e instanceof SnapshotError && e.reason === "body-checksum",
 * );
 * ```
 */
export class SnapshotError extends TypeError {
  /** The error name. */
  override name = "SnapshotError";
  /** A machine-readable reason. */
  readonly reason: SnapshotErrorReason;
  /** Builds the error; `detail` follows `Cannot restore snapshot: `. */
  constructor(reason: SnapshotErrorReason, detail: string) {
    super(`Cannot restore snapshot: ${detail}`);
    this.reason = reason;
  }
}

/** Why {@linkcode InvalidMarkError} refused a mark. */
export type InvalidMarkReason =
  /** Not a mark returned by `Arena.mark()` (a number, a plain object, a copy). */
  | "forged"
  /** A mark of another arena. */
  | "foreign"
  /** Taken before a `reset()` (or a restore of another arena's snapshot) that freed everything. */
  | "reset"
  /**
   * Memory below the mark was freed since it was taken: by a release to an earlier mark (its
   * outer mark or scope), or a `restore()` to an earlier state. Newer allocations may straddle it.
   */
  | "released";

/**
 * `Arena.release(mark)` was given a mark it cannot release to without freeing memory that a
 * live allocation still holds: a forged mark, another arena's, one taken before a reset, or an
 * inner mark whose outer mark was released first. Nothing is freed.
 *
 * @example Marks die with a reset
 * ```ts
 * import { Arena, InvalidMarkError } from "@arenakit/core";
 * import assert from "node:assert/strict";
 * const arena = new Arena({ bytes: 64 });
 * const m = arena.mark();
 * arena.reset();
 * assert.throws(() => arena.release(m), (e) => e instanceof InvalidMarkError && e.reason === "reset");
 * ```
 */
export class InvalidMarkError extends RangeError {
  /** The error name. */
  override name = "InvalidMarkError";
  /** A machine-readable reason. */
  readonly reason: InvalidMarkReason;
  /** What was passed as the mark. */
  readonly mark: unknown;
  /** The arena address of a genuine mark; `undefined` for a forged one. */
  readonly position: number | undefined;
  /** Builds the error; `detail` follows `Cannot release to …: `. */
  constructor(
    reason: InvalidMarkReason,
    mark: unknown,
    position: number | undefined,
    detail: string,
  ) {
    super(
      `Cannot release to ${
        position === undefined ? show(mark) : `the mark at ${position}`
      }: ${detail}`,
    );
    this.reason = reason;
    this.mark = mark;
    this.position = position;
  }
}

/**
 * A `t.ref()` field has no table, or more than one, to resolve against: the `refs` option of a
 * `Table` names a field that is not a reference, gives a table of the wrong schema or two
 * candidates for one field, or a record's reference is read and no table was given for it.
 *
 * @example Reading a reference no table was given for
 * ```ts
 * import { RefError, Table, t } from "@arenakit/core";
 * import assert from "node:assert/strict";
 * const Ship = t.struct({ hp: t.f32() }, { name: "Ship" });
 * const Bullet = t.struct({ from: t.ref(Ship) }, { name: "Bullet" });
 * const ships = new Table(Ship, { capacity: 4 });
 * const bullets = new Table(Bullet, { capacity: 4 });
 * const b = bullets.create({ from: ships.create() });
 * assert.throws(() => bullets.get(b)?.from, (e) => e instanceof RefError && e.path === "from");
 * ```
 */
export class RefError extends ReferenceError {
  /** Always `"RefError"`. */
  override name = "RefError";
  /** Dotted path of the reference field. */
  readonly path: string;
  /** Builds the error; `detail` follows `Cannot resolve "path": `. */
  constructor(path: string, detail: string) {
    super(`Cannot resolve "${path}": ${detail}`);
    this.path = path;
  }
}

/**
 * A view cannot do what was asked because of how its table stores records: a `"soa"` table
 * record has no single buffer and offset (each field lives in its own column).
 *
 * @example The buffer of a struct-of-arrays record
 * ```ts
 * import { bufferOf, LayoutError, Table, t } from "@arenakit/core";
 * import assert from "node:assert/strict";
 * const table = new Table(t.struct({ x: t.f32() }), { capacity: 4, layout: "soa" });
 * const v = table.get(table.create())!;
 * assert.throws(() => bufferOf(v), (e) => e instanceof LayoutError && e.layout === "soa");
 * ```
 */
export class LayoutError extends TypeError {
  /** Always `"LayoutError"`. */
  override name = "LayoutError";
  /** The layout of the view's table. */
  readonly layout: string;
  /** Builds the error; `detail` follows `Cannot ${what}: `. */
  constructor(what: string, layout: string, detail: string) {
    super(`Cannot ${what}: ${detail}`);
    this.layout = layout;
  }
}

/** How a worker of a {@linkcode WorkerPool} failed a run. */
export type SystemErrorReason = "threw" | "died" | "timeout";

/**
 * A worker pool run that did not complete: a system threw in a worker (`reason: "threw"`,
 * `cause` is the worker's error, rebuilt with its name, message and stack), a worker died
 * (`"died"`) or did not finish within the timeout (`"timeout"`). The pool stays usable: a dead or
 * hung worker is replaced before the next run. No part of such a run is reported as complete.
 *
 * @example Branch on the reason
 * ```ts
 * import { SystemError } from "@arenakit/core";
 * import assert from "node:assert/strict";
 * const e = new SystemError("integrate", 1, "timeout", "did not finish within 50 ms");
 * assert.equal(e.message, 'System "integrate" failed in worker 1: did not finish within 50 ms');
 * assert.equal(e.reason, "timeout");
 * ```
 */
export class SystemError extends Error {
  /** Always `"SystemError"`. */
  override name = "SystemError";
  /** The system that was running. */
  readonly system: string;
  /** Index of the worker that failed. */
  readonly worker: number;
  /** What went wrong. */
  readonly reason: SystemErrorReason;
  /** Builds the error; `detail` follows the system and worker in the message. */
  constructor(
    system: string,
    worker: number,
    reason: SystemErrorReason,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`System "${system}" failed in worker ${worker}: ${detail}`, options);
    this.system = system;
    this.worker = worker;
    this.reason = reason;
  }
}
