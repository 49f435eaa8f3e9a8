// The snapshot format (header, sections, checksums, fingerprints), Arena.snapshot()/restore()
// with its lifetime rule, corruption handling that leaves the target untouched, the exact JSON
// form, and the rollback use case: save every frame, roll back 8, re-simulate, same bytes.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Arena } from "../../../lib/memory/arena.ts";
import { bufferOf, offsetOf } from "../../../lib/memory/views.ts";
import { FieldRangeError, FieldTypeError, StaleViewError } from "../../../lib/errors.ts";
import { bodyChecksum, crc32, fnv1a32 } from "../../../lib/snapshot/checksum.ts";
import {
  canonicalLayout,
  layoutFingerprint,
  layoutSetFingerprint,
} from "../../../lib/snapshot/fingerprint.ts";
import {
  decodeSnapshot,
  encodeSnapshot,
  SNAPSHOT_HEADER_BYTES,
  SNAPSHOT_VERSION,
} from "../../../lib/snapshot/envelope.ts";
import { fromJSON, jsonOf } from "../../../lib/json.ts";
import { SnapshotError, type SnapshotErrorReason } from "../../../lib/errors.ts";
import * as t from "../../../schemas/t.ts";
import { Table } from "../../../lib/table/table.ts";

function rejects(fn: () => unknown, reason: SnapshotErrorReason): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof SnapshotError, String(e));
    assert.ok(e instanceof TypeError);
    assert.equal(e.name, "SnapshotError");
    assert.equal(e.reason, reason, e.message);
    assert.match(e.message, /^Cannot restore snapshot: /);
    return true;
  });
}

describe("snapshot format", () => {
  it("hashes with the standard FNV-1a and CRC-32 values", () => {
    assert.equal(fnv1a32(""), 0x811c9dc5);
    assert.equal(fnv1a32("a"), 0xe40c292c);
    assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
  });

  it("writes the documented header bytes", () => {
    const snap = encodeSnapshot("table", 0xdeadbeef, [new Uint8Array([1, 2, 3])]);
    const dv = new DataView(snap.buffer);
    assert.deepEqual([...snap.subarray(0, 4)], [0x41, 0x4b, 0x53, 0x4e]); // "AKSN"
    assert.equal(dv.getUint16(4, true), SNAPSHOT_VERSION);
    assert.equal(snap[6], 2);
    assert.equal(dv.getUint32(8, true), 0xdeadbeef);
    assert.equal(dv.getUint32(12, true), snap.length - SNAPSHOT_HEADER_BYTES);
    assert.equal(dv.getUint32(28, true), crc32(snap.subarray(0, 28)));
    // Body: count, one length, padding to 8, then the section padded to 8.
    assert.equal(snap.length, 32 + 8 + 8);
    assert.deepEqual([...snap.subarray(32)], [1, 0, 0, 0, 3, 0, 0, 0, 1, 2, 3, 0, 0, 0, 0, 0]);
    const [a, b] = bodyChecksum(snap.subarray(32));
    assert.deepEqual([dv.getUint32(16, true), dv.getUint32(20, true)], [a, b]);
  });

  it("round-trips sections, also from an unaligned copy", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 5 }), (sections) => {
        const snap = encodeSnapshot("arena", 7, sections);
        const shifted = new Uint8Array(snap.length + 1).subarray(1);
        shifted.set(snap);
        for (const bytes of [snap, shifted]) {
          const back = decodeSnapshot(bytes, "arena", 7);
          assert.deepEqual(back.sections.map((s) => [...s]), sections.map((s) => [...s]));
        }
      }),
    );
  });

  it("refuses a snapshot of the other kind, version or fingerprint", () => {
    const snap = encodeSnapshot("table", 1, []);
    rejects(() => decodeSnapshot(snap, "arena"), "kind");
    rejects(() => decodeSnapshot(snap, "table", 2), "fingerprint");
    const v2 = snap.slice();
    new DataView(v2.buffer).setUint16(4, SNAPSHOT_VERSION + 1, true);
    new DataView(v2.buffer).setUint32(28, crc32(v2.subarray(0, 28)), true);
    rejects(() => decodeSnapshot(v2, "table"), "version");
    rejects(() => decodeSnapshot(new Uint8Array(40), "table"), "magic");
  });

  it("writes into a given buffer, checking its size first", () => {
    const into = new Uint8Array(100).fill(9);
    const snap = encodeSnapshot("arena", 1, [new Uint8Array(4)], { into });
    assert.equal(snap.buffer, into.buffer);
    assert.equal(into[snap.length], 9);
    const small = new Uint8Array(20).fill(9);
    assert.throws(
      () => encodeSnapshot("arena", 1, [new Uint8Array(4)], { into: small }),
      RangeError,
    );
    assert.deepEqual([...small], new Array(20).fill(9));
  });
});

describe("layoutFingerprint()", () => {
  it("covers names, kinds, offsets, modes, enum literals and capacities", () => {
    const base = () =>
      t.struct({ a: t.u8(), b: t.f32(), e: t.enum(["x", "y"]), s: t.string(4) }, { name: "P" });
    assert.equal(layoutFingerprint(base()), layoutFingerprint(base()));
    const variants = [
      t.struct({ a: t.u8(), b: t.f32(), e: t.enum(["x", "y"]), s: t.string(4) }, { name: "Q" }),
      t.struct({ a: t.u8(), b: t.f32(), e: t.enum(["x", "y"]), s: t.string(4) }, {
        name: "P",
        layout: "packed",
      }),
      t.struct({ a: t.i8(), b: t.f32(), e: t.enum(["x", "y"]), s: t.string(4) }, { name: "P" }),
      t.struct({ b: t.f32(), a: t.u8(), e: t.enum(["x", "y"]), s: t.string(4) }, { name: "P" }),
      t.struct({ a: t.u8(), b: t.f32(), e: t.enum(["x", "z"]), s: t.string(4) }, { name: "P" }),
      t.struct({ a: t.u8(), b: t.f32(), e: t.enum(["x", "y"]), s: t.string(5) }, { name: "P" }),
      t.struct({ aa: t.u8(), b: t.f32(), e: t.enum(["x", "y"]), s: t.string(4) }, { name: "P" }),
    ];
    const all = new Set([layoutFingerprint(base()), ...variants.map(layoutFingerprint)]);
    assert.equal(all.size, variants.length + 1);
    assert.equal(
      canonicalLayout(base()),
      'struct P c 16/4{a@0:1/1=u8,b@4:4/4=f32,e@8:1/1=enum:u8["x","y"],s@9:4/1=string(4)}',
    );
    assert.equal(layoutSetFingerprint([3, 1, 2]), layoutSetFingerprint([1, 2, 3, 3]));
  });
});

const P = t.struct({ hp: t.u32(), x: t.f32(), id: t.u64() }, { name: "P" });

// The chunk sections of an arena's snapshot: its used bytes, without the arena's id.
function chunks(arena: Arena): number[][] {
  return decodeSnapshot(arena.snapshot(), "arena").sections.slice(1).map((c) => [...c]);
}

function state(arena: Arena): unknown {
  return { ...arena.stats(), bytes: [...new Uint8Array(arena.snapshot())] };
}

describe("Arena.snapshot() / restore()", () => {
  it("brings back bytes, top and allocation count", () => {
    const arena = new Arena({ bytes: 256 });
    const a = arena.alloc(P, { hp: 10, x: 1.5, id: 3n });
    const snap = arena.snapshot();
    const before = arena.stats();
    a.set({ hp: 11, x: 2.5 });
    arena.alloc(P);
    arena.restore(snap);
    assert.deepEqual(a.toObject(), { hp: 10, x: 1.5, id: 3n });
    assert.equal(new DataView(bufferOf(a)).getUint32(offsetOf(a), true), 10);
    assert.equal(arena.used, before.used);
    assert.equal(arena.allocations, before.allocations);
    // The next allocation lands where it would have after the snapshot.
    assert.equal(offsetOf(arena.alloc(P)), 16);
  });

  it("makes views taken after the snapshot stale, and keeps earlier views", () => {
    const arena = new Arena({ bytes: 256 });
    const a = arena.alloc(P, { hp: 1 });
    const snap = arena.snapshot();
    const b = arena.alloc(P, { hp: 2 });
    const arr = arena.allocArray(P, 2);
    arena.restore(snap);
    assert.equal(a.hp, 1);
    assert.throws(() => b.hp, StaleViewError);
    assert.throws(() => arr.at(0), StaleViewError);
    // A new allocation at b's address does not revive b.
    const c = arena.alloc(P, { hp: 3 });
    assert.equal(offsetOf(c), offsetOf(b));
    assert.throws(() => b.hp, StaleViewError);
    assert.equal(c.hp, 3);
  });

  it("does not revive a newer allocation at a released address (and keeps the old view stale)", () => {
    const arena = new Arena({ bytes: 256 });
    const keep = arena.alloc(P, { hp: 1 });
    const m = arena.mark();
    const old = arena.alloc(P, { hp: 2 });
    const snap = arena.snapshot();
    arena.release(m);
    const newer = arena.alloc(P, { hp: 9 });
    assert.equal(offsetOf(newer), offsetOf(old));
    arena.restore(snap);
    assert.throws(() => newer.hp, StaleViewError);
    assert.throws(() => old.hp, StaleViewError);
    assert.equal(keep.hp, 1);
    // The bytes are back all the same.
    assert.equal(new DataView(bufferOf(old)).getUint32(offsetOf(old), true), 2);
  });

  it("keeps views that were touched between snapshot and restore", () => {
    const arena = new Arena({ bytes: 256 });
    const a = arena.alloc(P, { hp: 1 });
    const snap = arena.snapshot();
    {
      using _s = arena.scope();
      arena.alloc(P);
    }
    a.hp = 5; // resyncs a's generation past the snapshot's
    arena.restore(snap);
    assert.equal(a.hp, 1);
    arena.restore(snap);
    assert.equal(a.hp, 1);
  });

  it("makes every view stale after a reset between snapshot and restore", () => {
    const arena = new Arena({ bytes: 256 });
    const a = arena.alloc(P, { hp: 1 });
    const snap = arena.snapshot();
    arena.reset();
    arena.restore(snap);
    assert.throws(() => a.hp, StaleViewError);
    assert.equal(arena.used, 16);
  });

  it("restores another arena's snapshot as a reset plus the bytes", () => {
    const src = new Arena({ bytes: 256 });
    src.alloc(P, { hp: 42 });
    const dst = new Arena({ bytes: 256 });
    const mine = dst.alloc(P, { hp: 7 });
    dst.restore(src.snapshot());
    assert.throws(() => mine.hp, StaleViewError);
    assert.deepEqual(chunks(dst), chunks(src));
    assert.equal(new DataView(bufferOf(mine)).getUint32(0, true), 42);
  });

  it("needs the target to know the snapshot's layouts", () => {
    const src = new Arena({ bytes: 256 });
    src.alloc(P, { hp: 42 });
    const snap = src.snapshot();
    const fresh = new Arena({ bytes: 256 });
    rejects(() => fresh.restore(snap), "fingerprint");
    const Other = t.struct({ hp: t.u32(), x: t.f32(), id: t.i64() }, { name: "P" });
    fresh.classOf(Other);
    rejects(() => fresh.restore(snap), "fingerprint");
    // Same layout under another schema object is fine.
    fresh.classOf(t.struct({ hp: t.u32(), x: t.f32(), id: t.u64() }, { name: "P" }));
    fresh.restore(snap);
    assert.equal(fresh.used, 16);
  });

  it('refuses a first chunk of another size, and extra chunks for overflow: "throw"', () => {
    const src = new Arena({ bytes: 64, overflow: "grow" });
    for (let i = 0; i < 6; i++) src.alloc(P, { hp: i });
    const snap = src.snapshot();
    const small = new Arena({ bytes: 32, overflow: "grow" });
    small.classOf(P);
    rejects(() => small.restore(snap), "capacity");
    const fixed = new Arena({ bytes: 64 });
    fixed.classOf(P);
    rejects(() => fixed.restore(snap), "capacity");
    const capped = new Arena({ bytes: 64, overflow: "grow", maxBytes: 100 });
    capped.classOf(P);
    rejects(() => capped.restore(snap), "capacity");
  });

  for (const overflow of ["grow", "pool"] as const) {
    it(`restores multi-chunk snapshots (overflow "${overflow}")`, () => {
      const arena = new Arena({ bytes: 64, overflow });
      const views = [];
      for (let i = 0; i < 10; i++) views.push(arena.alloc(P, { hp: i, id: BigInt(i) }));
      const snap = arena.snapshot();
      const used = arena.used;
      arena.reset();
      arena.alloc(t.struct({ big: t.array(t.u8(), 200) }));
      arena.classOf(P);
      arena.restore(snap);
      assert.equal(arena.used, used);
      const other = new Arena({ bytes: 64, overflow });
      other.classOf(P);
      other.restore(snap);
      assert.deepEqual(chunks(other), chunks(arena));
      assert.equal(other.used, used);
      assert.equal(chunks(other).length, 3);
      assert.deepEqual(
        chunks(other),
        decodeSnapshot(snap, "arena").sections.slice(1).map((c) => [...c]),
      );
    });
  }

  it("writes into a reusable buffer", () => {
    const arena = new Arena({ bytes: 256 });
    const a = arena.alloc(P, { hp: 1 });
    const ring = new Uint8Array(1024);
    const snap = arena.snapshot({ into: ring });
    assert.equal(snap.buffer, ring.buffer);
    a.hp = 2;
    arena.restore(snap);
    assert.equal(a.hp, 1);
  });
});

describe("Arena.restore() with a damaged snapshot", () => {
  function setup() {
    const arena = new Arena({ bytes: 128 });
    const a = arena.alloc(P, { hp: 5, x: 0.25, id: 2n ** 40n });
    const snap = arena.snapshot();
    a.set({ hp: 6, x: 0.5 });
    const b = arena.alloc(P, { hp: 7 });
    return { arena, a, b, snap, before: state(arena), gen: arena.generation };
  }
  function unchanged(s: ReturnType<typeof setup>): void {
    assert.equal(s.arena.generation, s.gen);
    assert.deepEqual(state(s.arena), s.before);
    assert.equal(s.a.hp, 6);
    assert.equal(s.b.hp, 7);
  }

  it("rejects every truncation without touching the arena", () => {
    const s = setup();
    for (let n = 0; n < s.snap.length; n++) {
      rejects(() => s.arena.restore(s.snap.subarray(0, n)), "length");
    }
    const longer = new Uint8Array(s.snap.length + 1);
    longer.set(s.snap);
    rejects(() => s.arena.restore(longer), "length");
    unchanged(s);
  });

  it("rejects every flipped header byte without touching the arena", () => {
    const s = setup();
    for (let i = 0; i < SNAPSHOT_HEADER_BYTES; i++) {
      for (const bit of [0x01, 0x80]) {
        const bad = s.snap.slice();
        bad[i] ^= bit;
        rejects(() => s.arena.restore(bad), i < 4 ? "magic" : "header-checksum");
      }
    }
    unchanged(s);
  });

  it("rejects every flipped body byte without touching the arena", () => {
    const s = setup();
    for (let i = SNAPSHOT_HEADER_BYTES; i < s.snap.length; i++) {
      const bad = s.snap.slice();
      bad[i] ^= 0x10;
      rejects(() => s.arena.restore(bad), "body-checksum");
    }
    unchanged(s);
  });

  it("rejects swapped body words", () => {
    const s = setup();
    const bad = s.snap.slice();
    const w = new Uint32Array(bad.buffer);
    [w[12], w[13]] = [w[13], w[12]];
    assert.notDeepEqual(bad, s.snap);
    rejects(() => s.arena.restore(bad), "body-checksum");
    unchanged(s);
  });

  it("rejects inconsistent sections that carry a valid checksum", () => {
    const s = setup();
    const [meta, ...chunks] = decodeSnapshot(s.snap, "arena").sections;
    const m = new Uint32Array(meta.slice().buffer);
    m[3] = 2; // claims two chunks
    const snap = encodeSnapshot("arena", new DataView(s.snap.buffer).getUint32(8, true), [
      new Uint8Array(m.buffer),
      ...chunks,
    ]);
    rejects(() => s.arena.restore(snap), "format");
    rejects(() => s.arena.restore(encodeSnapshot("arena", 0, [])), "format");
    unchanged(s);
  });

  it("rejects a table snapshot", () => {
    const s = setup();
    rejects(() => s.arena.restore(encodeSnapshot("table", 0, [])), "kind");
    unchanged(s);
  });
});

describe("JSON form", () => {
  const J = t.struct({
    f: t.f32(),
    d: t.f64(),
    i: t.i64(),
    u: t.u64(),
    v: t.vec3f(),
    m: t.mat2x2f(),
    a: t.array(t.f32(), 2),
    e: t.enum(["x", "y"]),
    s: t.string(8),
  }, { name: "J" });

  it("round-trips a view exactly through JSON text", () => {
    const arena = new Arena({ bytes: 1024 });
    const v = arena.alloc(J, {
      f: 0.1,
      d: -0,
      i: -(2n ** 63n),
      u: 2n ** 64n - 1n,
      e: "y",
      s: "hé",
    });
    v.a[0] = NaN;
    v.a[1] = -Infinity;
    const text = JSON.stringify(jsonOf(J, v.toObject()));
    const w = arena.alloc(J, fromJSON(J, JSON.parse(text)));
    const size = 72;
    assert.deepEqual(
      new Uint8Array(bufferOf(w), offsetOf(w), size),
      new Uint8Array(bufferOf(v), offsetOf(v), size),
    );
    assert.equal(JSON.parse(text).i, "-9223372036854775808");
  });

  it("round-trips a struct array byte for byte (property)", () => {
    const rec = fc.record({
      f: fc.float(),
      d: fc.double(),
      i: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
      u: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      v: fc.record({ x: fc.float(), y: fc.float(), z: fc.float() }),
      m: fc.array(fc.float(), { minLength: 4, maxLength: 4 }),
      a: fc.array(fc.float(), { minLength: 2, maxLength: 2 }),
      e: fc.constantFrom("x", "y"),
      s: fc.string({ maxLength: 8, unit: fc.constantFrom("a", "é", "z") }).filter((s) =>
        new TextEncoder().encode(s).length <= 8
      ),
    });
    fc.assert(
      fc.property(fc.array(rec, { minLength: 1, maxLength: 5 }), (records) => {
        const arena = new Arena({ bytes: 4096 });
        const src = arena.allocArray(J, records.length);
        records.forEach((r, i) => src.at(i).set(r));
        const dst = arena.allocArray(J, records.length).setJSON(JSON.parse(JSON.stringify(src)));
        const s = src.bytes();
        const d = dst.bytes();
        // NaN payloads may differ: compare NaN fields as values, all other bytes exactly.
        assert.deepEqual(
          JSON.stringify(dst),
          JSON.stringify(src),
        );
        assert.equal(d.length, s.length);
        if (
          !records.some((r) => [r.f, r.d, r.v.x, r.v.y, r.v.z, ...r.m, ...r.a].some(Number.isNaN))
        ) {
          assert.deepEqual(d, s);
        }
      }),
      { numRuns: 100 },
    );
  });

  it("validates on the way in, naming the path, before writing", () => {
    const arena = new Arena({ bytes: 1024 });
    const arr = arena.allocArray(t.struct({ hp: t.u8(), id: t.u64() }, { name: "R" }), 2);
    const before = [...arr.bytes()];
    assert.throws(
      () => arr.setJSON([{ hp: 1, id: "1" }, { hp: 300, id: "2" }]),
      (e: unknown) => e instanceof FieldRangeError && e.path === "[1].hp",
    );
    assert.throws(
      () => arr.setJSON([{ hp: 1, id: "1" }, { hp: 3, id: "x" }]),
      (e: unknown) => e instanceof FieldTypeError && e.path === "[1].id",
    );
    assert.throws(
      () => arr.setJSON([{ hp: 1, id: "1" }, { hp: 3 }]),
      (e: unknown) => e instanceof FieldTypeError && e.path === "[1].id",
    );
    assert.throws(() => arr.setJSON([{ hp: 1, id: "1" }]), FieldTypeError);
    assert.throws(
      () => arr.setJSON([{ hp: 1, id: "1" }, { hp: 1, id: "2", no: 1 }]),
      FieldTypeError,
    );
    assert.throws(() => fromJSON(t.u64(), "18446744073709551616"), FieldRangeError);
    assert.deepEqual([...arr.bytes()], before);
  });
});

describe("rollback", () => {
  // A deterministic world: bodies bounce in a box; the RNG state lives in the arena too, so it
  // rolls back with everything else.
  const Body = t.struct({ pos: t.vec2f(), vel: t.vec2f(), hits: t.u32() }, { name: "Body" });
  const World = t.struct({ frame: t.u32(), rng: t.u32() }, { name: "World" });

  function makeWorld() {
    const arena = new Arena({ bytes: 1 << 16 });
    const world = arena.alloc(World, { rng: 12345 });
    const bodies = arena.allocArray(Body, 64);
    bodies.forEach((b, i) => b.set({ pos: { x: i, y: i * 0.5 }, vel: { x: 1, y: -0.5 } }));
    return { arena, world, bodies };
  }

  function step(w: ReturnType<typeof makeWorld>, input: number): void {
    const dt = 1 / 60;
    w.world.frame++;
    for (const b of w.bodies) {
      w.world.rng = (Math.imul(w.world.rng, 1664525) + 1013904223) >>> 0;
      const kick = ((w.world.rng >>> 16) / 65536 - 0.5) * input;
      b.vel.x += kick;
      b.pos.x += b.vel.x * dt;
      b.pos.y += b.vel.y * dt;
      if (b.pos.x < 0 || b.pos.x > 64) {
        b.vel.x = -b.vel.x;
        b.hits++;
      }
      if (b.pos.y < 0 || b.pos.y > 32) {
        b.vel.y = -b.vel.y;
        b.hits++;
      }
    }
  }

  it("saves every frame, rolls back 8 frames, re-simulates, and ends byte-identical", () => {
    const inputs = Array.from({ length: 120 }, (_, i) => (i * 7) % 5);
    const straight = makeWorld();
    for (const input of inputs) step(straight, input);

    const live = makeWorld();
    const ring: Uint8Array[] = Array.from({ length: 8 }, () => new Uint8Array(1 << 16));
    const saved: Uint8Array[] = [];
    const late = inputs.map((x) => (x + 1) % 5); // mispredicted inputs, corrected 8 frames later
    for (let f = 0; f < inputs.length; f++) {
      saved[f % 8] = live.arena.snapshot({ into: ring[f % 8] });
      step(live, late[f]);
      if (f >= 7 && f % 8 === 7) {
        // The true inputs for frames f-7..f arrive: roll back and re-simulate them.
        live.arena.restore(saved[(f - 7) % 8]);
        assert.equal(live.world.frame, f - 7);
        for (let g = f - 7; g <= f; g++) step(live, inputs[g]);
      }
    }
    assert.equal(live.world.frame, inputs.length);
    assert.deepEqual(live.bodies.bytes(), straight.bodies.bytes());
    assert.deepEqual(chunks(live.arena), chunks(straight.arena));
  });
});

describe("snapshot({ checksum: false })", () => {
  const W = t.struct({ tick: t.u32(), x: t.f64() }, { name: "NoSumWorld" });

  it("round-trips an arena and a table without a body checksum", () => {
    const arena = new Arena({ bytes: 256 });
    const w = arena.alloc(W, { tick: 3, x: 1.25 });
    const snap = arena.snapshot({ checksum: false });
    assert.equal(snap[7], 1); // the flag byte
    assert.equal(new DataView(snap.buffer).getUint32(16, true), 0);
    w.set({ tick: 9, x: -2.5 });
    arena.restore(snap);
    assert.deepEqual(w.toObject(), { tick: 3, x: 1.25 });

    const table = new Table(W, { capacity: 4 });
    const id = table.create({ tick: 1, x: 0.5 });
    const tsnap = table.snapshot({ checksum: false });
    table.delete(id);
    table.restore(tsnap);
    assert.equal(table.get(id)?.x, 0.5);
  });

  it("still refuses a flipped header byte, truncation and unknown flags", () => {
    const arena = new Arena({ bytes: 256 });
    arena.alloc(W, { tick: 3, x: 1.25 });
    const snap = arena.snapshot({ checksum: false });
    const before = arena.snapshot();
    for (let i = 0; i < 32; i++) {
      const bad = snap.slice();
      bad[i] ^= 0x10;
      assert.throws(() => arena.restore(bad), SnapshotError, `header byte ${i}`);
    }
    assert.throws(() => arena.restore(snap.subarray(0, snap.length - 1)), SnapshotError);
    // A flag this build does not know, with a header checksum that matches it.
    const odd = snap.slice();
    odd[7] = 3;
    new DataView(odd.buffer).setUint32(28, crc32(odd.subarray(0, 28)), true);
    assert.throws(
      () => arena.restore(odd),
      (e) => e instanceof SnapshotError && e.reason === "format",
    );
    assert.deepEqual(arena.snapshot(), before);
  });

  it("is what the default checksum protects against: a flipped body byte goes unnoticed", () => {
    const arena = new Arena({ bytes: 256 });
    const w = arena.alloc(W, { tick: 3, x: 1.25 });
    const unchecked = arena.snapshot({ checksum: false });
    const checked = arena.snapshot();
    const flip = (s: Uint8Array) => {
      const b = s.slice();
      b[b.length - 8] ^= 1;
      return b;
    };
    assert.throws(() => arena.restore(flip(checked)), SnapshotError);
    arena.restore(flip(unchecked));
    assert.equal(w.tick, 3);
  });
});
