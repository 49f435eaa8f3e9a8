/**
 * Generational ids: an id is `generation * SLOTS + slot`, where the 29-bit generation word holds
 * a table tag in its top {@linkcode TAG_BITS} bits and a per-slot counter below. Counters of live
 * records are odd, so an id is never 0, and every id is a safe integer (it survives JSON and
 * `postMessage`). The tag tells ids of different tables apart: a slot's generation word includes
 * it, so the one comparison that checks an id's generation also checks its table.
 *
 * @module
 */
import { InvalidIdError } from "../errors.ts";
import { ID_SLOTS } from "../codegen/emit_loops.ts";

/**
 * Number of slots an id can address (the slot part has 24 bits): the largest table capacity.
 * The generated table loops build ids with the same constant.
 */
export const SLOTS: 0x100_0000 = ID_SLOTS;

/** Bits of the table tag, the top of the 29-bit generation word. */
export const TAG_BITS = 6;

/** Number of distinct table tags. */
export const TAGS: number = 2 ** TAG_BITS;

/** The generation word of tag `tag` with counter 0: counters count up from here. */
export const TAG_UNIT: number = 2 ** (29 - TAG_BITS);

/**
 * Counter of a slot's last record: deleting it leaves the counter at `MAX_GEN + 1`
 * ({@linkcode RETIRED}), and the slot is retired rather than reused, so its ids can never come
 * back. It stays below {@linkcode TAG_UNIT}: a counter never carries into the tag.
 */
export const MAX_GEN: number = TAG_UNIT - 3;

/** Counter of a retired slot. */
export const RETIRED: number = MAX_GEN + 1;

/** The tag of a generation word. */
export function tagOf(gen: number): number {
  return Math.floor(gen / TAG_UNIT);
}

/** The counter part of a generation word. */
export function counterOf(gen: number): number {
  // The low bits: `gen % TAG_UNIT` for the integers a generation array holds, without the
  // floating-point remainder JavaScriptCore calls out for (17–26% of a delete loop's time).
  return gen & (TAG_UNIT - 1);
}

/** The id of the record living at `slot` under generation word `gen`. */
export function idOf(gen: number, slot: number): number {
  return gen * SLOTS + slot;
}

/**
 * The live slot of `id` in a table whose first `hw` slots have generations `gens`, or -1. Never
 * throws, whatever `id` is.
 */
export function slotOf(gens: Uint32Array, hw: number, id: number): number {
  // Division by a power of two and the product are exact: the same answer as splitting with
  // `id % SLOTS` for every number, without a floating-point remainder (a library call).
  const gen = Math.floor(id / SLOTS);
  const slot = id - gen * SLOTS;
  if (!((slot | 0) === slot && slot >= 0 && slot < hw)) return -1;
  return gens[slot] === gen && (gen & 1) === 1 ? slot : -1;
}

/**
 * Like {@linkcode slotOf}, but throws {@linkcode InvalidIdError} (naming operation `op`) for
 * values that cannot be ids of any table: non-numbers, unsafe or non-integers, and numbers whose
 * generation part is even (0 included).
 */
export function checkedSlotOf(gens: Uint32Array, hw: number, id: unknown, op: string): number {
  if (typeof id !== "number" || !Number.isSafeInteger(id) || id < SLOTS) {
    throw new InvalidIdError(op, id);
  }
  // Split once (the delete path): a safe integer of SLOTS or more has an integer slot below SLOTS.
  const gen = Math.floor(id / SLOTS);
  if ((gen & 1) === 0) throw new InvalidIdError(op, id);
  const slot = id - gen * SLOTS;
  return slot < hw && gens[slot] === gen ? slot : -1;
}
