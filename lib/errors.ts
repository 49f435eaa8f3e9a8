/**
 * The errors arenakit throws. Each subclasses the closest built-in, sets `name` and carries typed
 * fields, so callers can branch on `instanceof` and read the details without parsing messages.
 *
 * @module
 */

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
  /** Builds the error; `detail` follows the path in the message. */
  constructor(path: string, detail: string) {
    super(path === "" ? detail : `Invalid schema at "${path}": ${detail}`);
    this.path = path;
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
  /** Builds the error from the two byte counts. */
  constructor(requested: number, available: number) {
    super(`Cannot allocate ${requested} bytes: arena has ${available} bytes left`);
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
  /** The struct's name and the field that was touched. */
  readonly path: string;
  /** Generation the view was taken in. */
  readonly viewGeneration: number;
  /** Generation of the arena when the view was touched. */
  readonly arenaGeneration: number;
  /** Builds the error for a touch of `path`. */
  constructor(path: string, viewGeneration: number, arenaGeneration: number) {
    super(
      `Cannot use "${path}": its memory was freed (arena reset or released, or record deleted) ` +
        `(view from generation ${viewGeneration}, arena now at ${arenaGeneration})`,
    );
    this.path = path;
    this.viewGeneration = viewGeneration;
    this.arenaGeneration = arenaGeneration;
  }
}

function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "number" || typeof value === "boolean" || value == null) {
    return String(value);
  }
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  return `a value of type ${typeof value}`;
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
export class FieldTypeError extends TypeError {
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
    super(`Cannot write ${show(value)} to "${path}": expected ${expected}`);
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
export class FieldRangeError extends RangeError {
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
    super(`Cannot write ${show(value)} to "${path}": expected ${expected}`);
    this.path = path;
    this.value = value;
    this.expected = expected;
  }
}
