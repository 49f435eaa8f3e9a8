/** The pool's chunk split: pure arithmetic, tested without workers. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { MAX_CHUNKS, MIN_CHUNK, splitBounds } from "../../../lib/workers/protocol.ts";

function split(n: number, workers: number, chunks?: number): number[] {
  const bounds = new Int32Array(MAX_CHUNKS + 1).fill(-1);
  const count = splitBounds(n, workers, chunks, bounds);
  return Array.from(bounds.subarray(0, count + 1));
}

const sizes = (b: number[]): number[] => b.slice(1).map((e, i) => e - b[i]);

describe("splitBounds", () => {
  it("makes chunks that shrink as the run goes by default", () => {
    // One million records over two workers: a quarter of what is left each time, down to 4096.
    const s = sizes(split(1_000_000, 2));
    assert.deepEqual(s.slice(0, 4), [250_000, 187_500, 140_625, 105_469]);
    assert.equal(s.at(-2), MIN_CHUNK);
    assert.ok(s.length > 16 && s.length < 40, `${s.length} chunks`);
  });

  it("gives small tables an even share per worker, and empty chunks past the records", () => {
    assert.deepEqual(split(5000, 2), [0, 2500, 5000]);
    assert.deepEqual(split(3, 4), [0, 1, 2, 3, 3]);
    assert.deepEqual(split(0, 2), [0, 0, 0]);
  });

  it("splits into the given number of chunks as evenly as it can", () => {
    assert.deepEqual(split(10, 3, 3), [0, 3, 6, 10]);
    assert.deepEqual(split(8572, 2, 2), [0, 4286, 8572]);
  });

  it("covers every record once, in order, with no more chunks than the control block holds", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1 << 26 }),
        fc.integer({ min: 1, max: 16 }),
        fc.option(fc.integer({ min: 0, max: MAX_CHUNKS }), { nil: undefined }),
        (n, workers, given) => {
          const chunks = given === undefined ? undefined : Math.max(workers, given);
          const b = split(n, workers, chunks);
          const s = sizes(b);
          assert.equal(b[0], 0);
          assert.equal(b.at(-1), n);
          assert.ok(s.length >= workers && s.length <= MAX_CHUNKS);
          if (chunks !== undefined) assert.equal(s.length, chunks);
          assert.ok(s.every((x) => x >= 0));
          if (chunks === undefined) {
            // Never growing, and every chunk but the last one with records holds at least the least.
            assert.ok(s.every((x, i) => i === 0 || x <= s[i - 1]), `sizes ${s}`);
            const least = Math.min(MIN_CHUNK, Math.ceil(n / workers));
            const full = s.filter((x) => x > 0);
            assert.ok(full.slice(0, -1).every((x) => x >= least));
          } else {
            assert.ok(Math.max(...s) - Math.min(...s) <= 1);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
