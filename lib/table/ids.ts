/**
 * Generational ids: an id is `generation * SLOTS + slot`. Generations of live records are odd,
 * so an id is never 0, and 29 generation bits keep every id a safe integer (it survives JSON and
 * `postMessage`).
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

/**
 * Generation of a slot's last record: deleting it leaves the slot at `MAX_GEN + 1`, retired
 * rather than reused, so its ids can never come back.
 */
export const MAX_GEN = 2 ** 29 - 1;

/** The id of the record living at `slot` in generation `gen`. */
export function idOf(gen: number, slot: number): number {
  return gen * SLOTS + slot;
}

/**
 * The live slot of `id` in a table whose first `hw` slots have generations `gens`, or -1. Never
 * throws, whatever `id` is.
 */
export function slotOf(gens: Uint32Array, hw: number, id: number): number {
  const slot = id % SLOTS;
  if (!((slot | 0) === slot && slot >= 0 && slot < hw)) return -1;
  const gen = (id - slot) / SLOTS;
  return gens[slot] === gen && (gen & 1) === 1 ? slot : -1;
}

/**
 * Like {@linkcode slotOf}, but throws {@linkcode InvalidIdError} (naming operation `op`) for
 * values that cannot be ids of any table: non-numbers, unsafe or non-integers, and numbers whose
 * generation part is even (0 included).
 */
export function checkedSlotOf(gens: Uint32Array, hw: number, id: unknown, op: string): number {
  if (
    typeof id !== "number" || !Number.isSafeInteger(id) || id < SLOTS ||
    (Math.floor(id / SLOTS) & 1) === 0
  ) {
    throw new InvalidIdError(op, id);
  }
  return slotOf(gens, hw, id);
}
