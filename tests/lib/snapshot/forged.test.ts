/**
 * Structure-aware snapshot fuzzing (issue #14, item 15): valid arena and table snapshots with
 * their fields rewritten (header words, generations, free-list links, chunk tables, section
 * lengths, envelope fields), checksums recomputed so the forgery reaches the structural checks.
 * Every forgery is either refused with SnapshotError, leaving the target byte for byte as it was,
 * or accepted only when it leaves the target consistent. `FUZZ_SEED=<n>` replays another seed.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as t from "../../../schemas/t.ts";
import { Table } from "../../../lib/table/table.ts";
import { Arena } from "../../../lib/memory/arena.ts";
import { SnapshotError, TableFullError } from "../../../lib/errors.ts";
import { bodyChecksum, crc32 } from "../../../lib/snapshot/checksum.ts";
import {
  decodeSnapshot,
  encodeSnapshot,
  type SnapshotKind,
} from "../../../lib/snapshot/envelope.ts";
import { TABLE_HEADER, TABLE_SECTION } from "../../../lib/snapshot/table_section.ts";
import { MAX_GEN, RETIRED, TAG_UNIT, tagOf } from "../../../lib/table/ids.ts";
import { each } from "../table/_fixtures.ts";
import { rng } from "../../_fuzz.ts";

const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env;
const SEED = Number(env?.FUZZ_SEED ?? 42);
const FORGERIES = Number(env?.FUZZ_FORGERIES ?? 1200);

/** Recomputes the body checksum (when the snapshot has one) and the header CRC. */
function reseal(snap: Uint8Array): Uint8Array {
  const dv = new DataView(snap.buffer, snap.byteOffset, snap.byteLength);
  if ((snap[7] & 1) === 0 && snap.length >= 32) {
    const [a, b] = bodyChecksum(snap.subarray(32));
    dv.setUint32(16, a, true);
    dv.setUint32(20, b, true);
  }
  dv.setUint32(28, crc32(snap.subarray(0, 28)), true);
  return snap;
}

const Rec = t.struct({ a: t.f32(), b: t.u16(), e: t.enum(["x", "y"]) }, { name: "ForgeRec" });

function forge(snap: Uint8Array, kind: SnapshotKind, r: () => number, hot: number[]): Uint8Array {
  const int = (n: number) => Math.floor(r() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  const { fingerprint, sections } = decodeSnapshot(snap, kind);
  const secs = sections.map((s) => s.slice());
  const mutations = 1 + int(3);
  for (let m = 0; m < mutations; m++) {
    const what = int(10);
    if (what < 6) {
      // One word of a structural section (table: header, gens, link; arena: meta).
      const si = kind === "table" ? pick(hot) : int(3) === 0 ? int(secs.length) : 0;
      const sec = secs[si];
      if (sec === undefined || sec.length < 4) continue;
      const dv = new DataView(sec.buffer, sec.byteOffset, sec.byteLength);
      const w = int(sec.length >> 2);
      const old = dv.getUint32(4 * w, true);
      const base = tagOf(old) * TAG_UNIT;
      const values = [
        0,
        1,
        2,
        3,
        0xffffffff,
        0xfffffff0,
        0x7fffffff,
        0x80000000,
        old + 1,
        old - 1,
        old + 2,
        old ^ 1,
        old * 2,
        base + RETIRED,
        base + MAX_GEN,
        base + RETIRED + 1,
        old + TAG_UNIT,
        (secs[1]?.length ?? 0) >> 2,
        ((secs[1]?.length ?? 0) >> 2) + 1,
        16,
        4096,
        int(2 ** 32),
      ];
      dv.setUint32(4 * w, pick(values) >>> 0, true);
    } else if (what < 8) {
      // A section of another length, or one section more or fewer.
      const si = int(secs.length);
      const how = int(4);
      if (how === 0) {
        secs[si] = secs[si].subarray(0, Math.max(0, secs[si].length - 4 * (1 + int(2))));
      } else if (how === 1) {
        const longer = new Uint8Array(secs[si].length + 4 * (1 + int(2)));
        longer.set(secs[si]);
        secs[si] = longer;
      } else if (how === 2) secs.splice(si, 1);
      else secs.push(new Uint8Array(4 * int(4)));
    } else {
      // Record bytes: what any value of the fields can be (accepted if nothing else is wrong).
      const sec = secs[secs.length - 1];
      if (sec.length > 0) sec[int(sec.length)] = int(256);
    }
  }
  const out = encodeSnapshot(kind, fingerprint, secs);
  const which = int(12);
  const dv = new DataView(out.buffer);
  if (which === 0) dv.setUint16(4, pick([0, 1, 3, 0xffff]), true);
  else if (which === 1) out[6] = pick([0, 1, 2, 3]);
  else if (which === 2) out[7] = pick([1, 2, 0x80]);
  else if (which === 3) dv.setUint32(12, dv.getUint32(12, true) + pick([-8, 8, 4]), true);
  else if (which === 4) dv.setUint32(8, dv.getUint32(8, true) ^ 1, true);
  else if (which === 5) {
    out[32 + int(out.length - 32)] ^= 1 << int(8); // corruption, not resealed
    return out;
  }
  return reseal(out);
}

function expectRefusal(restore: () => void, state: () => unknown, what: string): boolean {
  const before = state();
  try {
    restore();
    return true;
  } catch (e) {
    assert.ok(e instanceof SnapshotError, `${what}: threw ${e}`);
    assert.deepEqual(state(), before, `${what}: the target changed before the refusal`);
    return false;
  }
}

function tableTarget(layout: "aos" | "soa", jitless: boolean) {
  const src = new Table(Rec, { capacity: 16, layout, jitless, growth: "double", maxCapacity: 64 });
  const ids = Array.from({ length: 10 }, (_, i) => src.create({ a: i, b: i, e: "y" }));
  for (const i of [1, 4, 5, 8]) src.delete(ids[i]);
  src.create({ a: 99 });
  const target = new Table(Rec, {
    capacity: 16,
    layout,
    jitless,
    growth: "double",
    maxCapacity: 64,
  });
  const mine = [target.create({ a: -1 }), target.create({ a: -2 })];
  target.delete(target.create());
  return { snap: src.snapshot(), target, mine };
}

function checkConsistent(table: Table<typeof Rec>, what: string): void {
  const ids = table.ids();
  assert.equal(ids.length, table.count, what);
  for (const id of ids) assert.ok(table.get(id) !== undefined, what);
  for (let i = 0; i < 80; i++) {
    let id: number;
    try {
      id = table.create({ a: 1 });
    } catch (e) {
      assert.ok(e instanceof TableFullError, `${what}: ${e}`);
      break;
    }
    assert.ok(!ids.includes(id), `${what}: create() returned a live id`);
    assert.equal(table.get(id)?.a, 1, `${what}: create() returned an id get() refuses`);
    ids.push(id);
  }
}

describe("forged table snapshots (issue #14, item 15)", () => {
  each((layout, jitless) => {
    it("a free list holding a retired slot is refused before anything changes", () => {
      const { snap, target } = tableTarget(layout, jitless);
      const { fingerprint, sections } = decodeSnapshot(snap, "table");
      const secs = sections.map((s) => s.slice());
      const head = new Int32Array(secs[TABLE_SECTION.header].buffer);
      const gens = new Uint32Array(secs[TABLE_SECTION.gens].buffer);
      const free = head[TABLE_HEADER.free];
      assert.ok(free >= 0);
      gens[free] = tagOf(gens[free]) * TAG_UNIT + RETIRED;
      const forged = encodeSnapshot("table", fingerprint, secs);
      const before = target.snapshot();
      assert.throws(
        () => target.restore(forged),
        (e: unknown) => e instanceof SnapshotError && e.reason === "format",
      );
      assert.deepEqual(target.snapshot(), before);
    });

    it(`refuses every structural forgery with SnapshotError, target unchanged (${FORGERIES} forgeries)`, () => {
      const { snap, target, mine } = tableTarget(layout, jitless);
      const r = rng(SEED);
      const hot = [TABLE_SECTION.header, TABLE_SECTION.gens, TABLE_SECTION.link];
      let accepted = 0;
      for (let i = 0; i < FORGERIES; i++) {
        const forged = forge(snap, "table", r, hot);
        const before = target.snapshot();
        const view = target.get(mine[0])!;
        const ok = expectRefusal(
          () => target.restore(forged),
          () => [target.snapshot(), target.count, view.a],
          `forgery ${i} (seed ${SEED})`,
        );
        if (ok) {
          accepted++;
          checkConsistent(target, `accepted forgery ${i} (seed ${SEED})`);
          target.restore(before);
        }
      }
      console.log(
        `snapshot fuzz: ${FORGERIES} table forgeries (${accepted} accepted), seed ${SEED}`,
      );
    });
  });
});

describe("forged arena snapshots (issue #14, item 15)", () => {
  const S = t.struct({ a: t.f64(), b: t.f64() }, { name: "ForgeArenaRec" });
  const make = () => new Arena({ bytes: 64, overflow: "grow" });
  const source = () => {
    const a = make();
    for (let i = 0; i < 6; i++) a.alloc(S, { a: i, b: -i });
    return a.snapshot();
  };

  it("a chunk of 0xFFFFFFF0 bytes is refused with SnapshotError before the generation changes", () => {
    const { fingerprint, sections } = decodeSnapshot(source(), "arena");
    const secs = sections.map((s) => s.slice());
    const meta = new DataView(secs[0].buffer);
    meta.setUint32(4 * (6 + 3 + 1), 0xfffffff0, true); // chunk 1's size
    const forged = encodeSnapshot("arena", fingerprint, secs);
    const target = make();
    const v = target.alloc(S, { a: 5 });
    const gen = target.generation;
    const before = target.snapshot();
    assert.throws(() => target.restore(forged), SnapshotError);
    assert.equal(target.generation, gen);
    assert.equal(v.a, 5);
    assert.deepEqual(target.snapshot(), before);
  });

  it(`refuses every structural forgery with SnapshotError, target unchanged (${FORGERIES} forgeries)`, () => {
    const snap = source();
    const r = rng(SEED + 1);
    let accepted = 0;
    for (let i = 0; i < FORGERIES; i++) {
      const forged = forge(snap, "arena", r, [0]);
      const target = make();
      const v = target.alloc(S, { a: 5 });
      const ok = expectRefusal(
        () => target.restore(forged),
        () => [target.snapshot(), target.generation, v.a],
        `arena forgery ${i} (seed ${SEED})`,
      );
      if (ok) {
        accepted++;
        target.snapshot();
        target.alloc(S, { a: 1 });
      }
    }
    console.log(`snapshot fuzz: ${FORGERIES} arena forgeries (${accepted} accepted), seed ${SEED}`);
  });
});
