// Id arithmetic: slotOf and counterOf avoid floating-point remainders, and must answer exactly as
// the remainder-based definitions do, for every number (ids come from users: negative,
// fractional, huge, NaN).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { checkedSlotOf, counterOf, idOf, slotOf, SLOTS, TAG_UNIT } from "../../../lib/table/ids.ts";
import { InvalidIdError } from "../../../lib/errors.ts";

// The definitions, with `%`.
function slotOfByRemainder(gens: Uint32Array, hw: number, id: number): number {
  const slot = id % SLOTS;
  if (!((slot | 0) === slot && slot >= 0 && slot < hw)) return -1;
  const gen = (id - slot) / SLOTS;
  return gens[slot] === gen && (gen & 1) === 1 ? slot : -1;
}

describe("id arithmetic", () => {
  // Live (odd), free (even) and large generation words in slots at both ends of the slot range
  // (a sparse stand-in for a table of SLOTS slots: unset slots read as generation 0 would).
  const words = [1, 2, 3, 0x1fff_ffff, 0x1fff_fffe, TAG_UNIT + 1, 5, 7];
  const slots = [0, 1, 2, 3, SLOTS / 2 - 1, SLOTS / 2, SLOTS - 2, SLOTS - 1];
  const gens = new Proxy({} as Record<number, number>, {
    get: (_, k) => words[slots.indexOf(Number(k))] ?? 0,
  }) as unknown as Uint32Array;
  const ids = fc.oneof(
    fc.double(),
    fc.double({ min: -(2 ** 54), max: 2 ** 54 }),
    // Ids of every slot and generation, exact or off by a little.
    fc.tuple(
      fc.constantFrom(...slots, 4, SLOTS / 2 + 1),
      fc.constantFrom(...words, 0, 1, 4),
      fc.constantFrom(0, 0, 0.5, -1, -0.25),
    ).map(([slot, g, off]) => idOf(g, slot) + off),
    fc.constantFrom(NaN, Infinity, -Infinity, -0, 0, SLOTS, -SLOTS, 2 ** 53, 2 ** 53 + 2, -1),
  );

  it("slotOf answers as the remainder definition does, for any number", () => {
    fc.assert(
      fc.property(ids, fc.constantFrom(0, 3, 8, SLOTS / 2, SLOTS - 1, SLOTS), (id, hw) => {
        assert.equal(slotOf(gens, hw, id), slotOfByRemainder(gens, hw, id));
      }),
      { numRuns: 5000 },
    );
    // And it finds live records: every odd generation of a slot below hw.
    slots.forEach((s, i) => {
      const want = (words[i] & 1) === 1 ? s : -1;
      assert.equal(slotOf(gens, SLOTS, idOf(words[i], s)), want);
    });
  });

  it("checkedSlotOf refuses exactly the values that cannot be ids, else answers as slotOf", () => {
    const anything = fc.oneof(ids, fc.anything(), fc.bigInt(), fc.constantFrom("1", null));
    fc.assert(
      fc.property(anything, fc.constantFrom(0, 3, SLOTS / 2, SLOTS), (id, hw) => {
        const invalid = typeof id !== "number" || !Number.isSafeInteger(id) || id < SLOTS ||
          (Math.floor(id / SLOTS) & 1) === 0;
        if (invalid) {
          assert.throws(() => checkedSlotOf(gens, hw, id, "get"), InvalidIdError);
        } else {
          assert.equal(checkedSlotOf(gens, hw, id, "get"), slotOfByRemainder(gens, hw, id));
        }
      }),
      { numRuns: 5000 },
    );
  });

  it("counterOf is the remainder by TAG_UNIT for every generation word", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (g) => {
        assert.equal(counterOf(g), g % TAG_UNIT);
      }),
      { numRuns: 5000 },
    );
    assert.equal(counterOf(TAG_UNIT * 5 + 7), 7);
    assert.equal(counterOf(2 ** 32 - 1), TAG_UNIT - 1);
  });
});
