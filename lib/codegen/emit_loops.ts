/**
 * The pure half of table iteration codegen: the `forEach` loop, the `where` loop and the
 * `for…of` iterator of `Table`, emitted once per accessor class. One generic loop shared by every
 * schema would see every schema's cursor class at its stores and every callback at its call, so
 * V8 and JavaScriptCore would stop inlining there; a loop per class keeps both sites
 * monomorphic. `tableLoops` in `compile.ts` evaluates the source (or builds the jitless twin).
 *
 * @module
 */
import type { ArenaState } from "./runtime.ts";

/** Number of slots an id can address: an id is `generation * SLOTS + slot`. */
export const ID_SLOTS = 0x100_0000 as const;

/** What the loops need of their cursor. */
export interface LoopCursor {
  /** The record's table address, `slot * stride`. */
  readonly $o: number;
  /** What it reads (set by the loops when they end it). */
  $m: unknown;
  /** Moves the cursor and the nested views it made to table address `o`. */
  $at(o: number): void;
}

/** What the loops need of a table (its internal core). */
export interface LoopTable {
  /** The generation cell: bumped by every delete, clear, growth and restore. */
  readonly state: ArenaState;
  /** Slots ever used: every live record is below. */
  readonly hw: number;
  /** Per slot generation, odd while a record lives there. Replaced by a growth. */
  readonly gens: Uint32Array;
  /** Bumped when the storage is replaced (growth, restore): cursors must be renewed. */
  readonly epoch: number;
  /** Pool of idle iterators. */
  readonly iterators: LoopIterator[];
  /** A new cursor over the current storage: each loop lends its own. */
  takeCursor(): LoopCursor;
  /** What a new cursor reads: the loops make theirs themselves, `lend` counts it as lent. */
  cursorMem(): unknown;
  /** Counts cursor `c`, just made over {@linkcode cursorMem}, as lent; returns it. */
  lend(c: LoopCursor): LoopCursor;
  /** Marks a lent cursor (and the child views it made) live in generation `g`. */
  resync(c: LoopCursor, g: number): void;
  /**
   * Ends a lent cursor when its loop ends: it then throws `StaleViewError` on any access (reads
   * nothing in unchecked tables), so a cursor kept past its loop fails loudly.
   */
  retire(c: LoopCursor): void;
  /**
   * Ends a lent cursor as `retire` does, but for the store of its own memory object, which the
   * caller makes (`c.$m = t.ending(c)`): in a loop emitted per class, that store sees one class.
   */
  ending(c: LoopCursor): unknown;
}

/** A pooled `for…of` iterator of one table. */
export interface LoopIterator extends IterableIterator<unknown> {
  /** Rewinds to the first slot and marks the iterator busy; returns itself. */
  start(): LoopIterator;
}

/** The loops of one accessor class. */
export interface TableLoops {
  /** Calls `fn(cursor, id)` for each live record in slots [from, to), in slot order. */
  each(t: LoopTable, fn: (record: unknown, id: number) => void, from: number, to: number): void;
  /**
   * Calls `fn(cursor, id)` for each live record in slots [from, to) that `pred(cursor, id)`
   * accepts, in slot order.
   */
  filter(
    t: LoopTable,
    pred: (record: unknown, id: number) => boolean,
    fn: (record: unknown, id: number) => void,
    from: number,
    to: number,
  ): void;
  /** Makes an idle iterator of table `t`. */
  Iterator: new (t: LoopTable) => LoopIterator;
}

/** Which callbacks of a loop copy get the record's id: `fn` (of `each` and `filter`) and `pred`. */
export interface LoopIds {
  readonly fn: boolean;
  readonly pred: boolean;
}

const ALL_IDS: LoopIds = { fn: true, pred: true };

const args = (id: boolean) => (id ? `c, x * ${ID_SLOTS} + s` : "c");

/**
 * Emits the loops of the accessor class `name` whose cursors step `stride` units per slot (bytes
 * for array-of-structs classes, 1 for struct-of-arrays ones): the body of a function of one
 * argument, `$Cursor` (that class, whose instances the loops lend), that returns a
 * {@linkcode TableLoops}. `serial` only goes into the first comment:
 * V8 caches `new Function` by source text and shares type feedback between functions compiled
 * from the same text, so each class's loops must have a text of their own.
 *
 * Semantics both loops share: they visit slots [from, to) below `hw`, read once (records created
 * during the loop in new slots are not visited); any delete, clear or growth bumps `state.g`, and only then does a loop look
 * further: it resyncs the cursor's generation, and after a growth continues with the new
 * generations array and a cursor over the new storage.
 */
export function emitTableLoops(
  name: string,
  stride: number,
  serial: number,
  ids: LoopIds = ALL_IDS,
): string {
  // A loop's cursor moves with the nested views it made: $at(address).
  const move = (c: string, s: string) => `${c}.$at(${stride === 1 ? s : `${s} * ${stride}`});`;
  const loop = (fn: string, call: string): string[] => {
    const p = fn === "filter" ? "pred, " : "";
    // The body both loops run per live record: skip free slots, move the cursor, call.
    const body = [
      `    let x = gens[s];`,
      `    while ((x & 1) === 0) {`,
      `      if (++s >= end) break scan;`,
      `      x = gens[s];`,
      `    }`,
      `    ${move("c", "s")}`,
      `    ${call}`,
    ];
    // After a change of generation: a growth replaces the storage, so the cursor too.
    const resync = (pad: string) => [
      `${pad}if (t.epoch !== ep) {`,
      `${pad}  ep = t.epoch;`,
      `${pad}  gens = t.gens;`,
      `${pad}  t.retire(c);`,
      `${pad}  c = t.takeCursor();`,
      `${pad}}`,
      `${pad}t.resync(c, g);`,
    ];
    return [
      // Free slots are skipped by an inner loop, so that every pass of the outer one runs the
      // body: V8 then keeps the cursor's fields in registers across records (a continue past
      // the body costs about 2× per record). Only the body can delete, clear or grow, so the
      // generation is tested after it, and a change hands the rest of the loop to ${fn}Moved:
      // with the resync inside this loop, even never taken, every loop copy but the first one
      // compiled ran 1.7-2× slower per record in V8 (the ECS suite's forEach over tables of
      // 1000 records took 1.7-1.8× as long).
      //
      // The first live record is called before the loop (peeled): what the callback checks on
      // every call and that cannot change between calls is then checked once. V8 specialises a
      // callback it inlines only when it sees one function object; a callback made anew per call
      // (an arrow written inside a function declaration) keeps each check, such as that a module
      // constant it reads is initialized (the let/const temporal dead zone), and with the check
      // in the loop a 4-field update took 2× as long per record (6.1 against 3.5 ns in Deno).
      `const ${fn} = function ${fn}(t, ${p}fn, from, to) {`,
      `  const st = t.state;`,
      // Made here, not by the table: a construct site shared by every class turns megamorphic
      // once a program has several tables (in V8, taking and ending a cursor cost 113 ns a loop
      // over 26 tables of 26 classes, 41 ns over 26 tables of one).
      `  let c = t.lend(new $Cursor(t, t.cursorMem(), 0, st.g, ""));`,
      `  const hw = t.hw;`,
      `  const end = to < hw ? to : hw;`,
      `  const gens = t.gens;`,
      `  const ep = t.epoch;`,
      `  const g = st.g;`,
      `  // The first live record, called before the loop: its checks then hold for the rest.`,
      `  let s = from;`,
      `  while (s < end && (gens[s] & 1) === 0) s++;`,
      `  if (s < end) {`,
      `    const x = gens[s];`,
      `    ${move("c", "s")}`,
      `    ${call}`,
      `    if (st.g !== g) c = ${fn}Moved(t, ${p}fn, s + 1, end, c, ep);`,
      `    else {`,
      `      scan: for (s++; s < end; s++) {`,
      ...body.map((l) => `    ${l}`),
      `        if (st.g !== g) {`,
      `          c = ${fn}Moved(t, ${p}fn, s + 1, end, c, ep);`,
      `          break;`,
      `        }`,
      `      }`,
      `    }`,
      `  }`,
      `  c.$m = t.ending(c);`,
      `};`,
      // The rest of a loop whose body deleted, cleared or grew: resync first, then each record
      // as before, resyncing after every change.
      `const ${fn}Moved = function ${fn}Moved(t, ${p}fn, from, end, c, ep) {`,
      `  const st = t.state;`,
      `  let gens = t.gens;`,
      `  let g = st.g;`,
      ...resync("  "),
      `  scan: for (let s = from; s < end; s++) {`,
      ...body,
      `    if (st.g !== g) {`,
      `      g = st.g;`,
      ...resync("      "),
      `    }`,
      `  }`,
      `  return c;`,
      `};`,
    ];
  };
  const L: string[] = [
    `// ${name} table loops #${serial} (stride ${stride}) — generated by arenakit`,
    "// t: the table's core (state: generation cell, gens: slot generations, hw: slots in use,",
    "//   epoch: bumped when storage moves) · c: the loop's own cursor, moved with its nested",
    "//   views by c.$at(address), resynced by t.resync, retired when the loop ends · <name>Moved:",
    "//   the rest of a loop after a delete, clear or growth, returning its cursor · an id is",
    "//   generation * 2^24 + slot · $Cursor: the class of the loops' cursors (made here, lent",
    "//   by t.lend)",
    `"use strict";`,
    // A callback that cannot see a second argument gets none: V8 computes an argument it does
    // not need all the same (for a deoptimization's frame), about 20% of a one-field loop.
    ...loop("each", `fn(${args(ids.fn)});`),
    ...loop("filter", `if (pred(${args(ids.pred)})) fn(${args(ids.fn)});`),
    `const Iterator = class {`,
    `  constructor(t) {`,
    `    this.t = t;`,
    `    this.st = t.state;`,
    `    this.c = undefined;`,
    `    this.gens = t.gens;`,
    `    this.ep = t.epoch;`,
    `    this.g = 0;`,
    `    this.s = 0;`,
    `    this.e = 0;`,
    `    this.on = false;`,
    `    this.value = undefined;`,
    `    this.done = false;`,
    `  }`,
    `  start() {`,
    `    this.ep = this.t.epoch;`,
    `    this.gens = this.t.gens;`,
    `    this.c = this.t.lend(new $Cursor(this.t, this.t.cursorMem(), 0, this.st.g, ""));`,
    `    this.s = 0;`,
    `    this.e = this.t.hw;`,
    `    this.on = true;`,
    `    this.g = this.st.g;`,
    `    this.value = this.c;`,
    `    this.done = false;`,
    `    return this;`,
    `  }`,
    // Small enough to inline into the caller's for…of: the next slot holds a record and nothing
    // changed (the usual case) costs two tests and two stores (slot, cursor). The iterator is
    // its own result (value: the cursor, done), so the caller reads the object it already has
    // (5-7% of a one-field loop against a separate result object). Anything else goes through
    // step().
    `  next() {`,
    `    const s = this.s;`,
    `    if (this.st.g === this.g && s < this.e && (this.gens[s] & 1) !== 0) {`,
    `      this.s = s + 1;`,
    `      ${move("this.c", "s")}`,
    `      return this;`,
    `    }`,
    `    return this.step();`,
    `  }`,
    `  step() {`,
    `    if (this.st.g !== this.g) this.sync();`,
    `    const gens = this.gens;`,
    `    const e = this.e;`,
    `    for (let s = this.s; s < e; s++) {`,
    `      if ((gens[s] & 1) !== 0) {`,
    `        this.s = s + 1;`,
    `        ${move("this.c", "s")}`,
    `        return this;`,
    `      }`,
    `    }`,
    `    return this.finish();`,
    `  }`,
    `  sync() {`,
    `    this.g = this.st.g;`,
    `    if (this.ep !== this.t.epoch) this.renew();`,
    `    this.t.resync(this.c, this.g);`,
    `  }`,
    `  renew() {`,
    `    this.ep = this.t.epoch;`,
    `    this.gens = this.t.gens;`,
    `    this.t.retire(this.c);`,
    `    this.c = this.t.takeCursor();`,
    `    this.value = this.c;`,
    `  }`,
    `  finish() {`,
    `    this.s = this.e;`,
    `    this.value = undefined;`,
    `    this.done = true;`,
    `    this.release();`,
    `    return this;`,
    `  }`,
    `  return() {`,
    `    this.s = this.e;`,
    `    this.release();`,
    `    return { value: undefined, done: true };`,
    `  }`,
    `  release() {`,
    `    if (!this.on) return;`,
    `    this.on = false;`,
    `    this.c.$m = this.t.ending(this.c);`,
    `    this.t.iterators.push(this);`,
    `  }`,
    `  [Symbol.iterator]() {`,
    `    return this;`,
    `  }`,
    `};`,
    `return { each, filter, Iterator };`,
    `//# sourceURL=arenakit:///${name}.loops.js`,
  ];
  return L.join("\n");
}

// An arrow function's head with at most one parameter, a plain identifier: `p =>`, `(p) =>`,
// `() =>`, `async (p) =>`. Arrows have no `arguments` of their own, so such a function cannot see
// a second argument. Anything else (a second or rest parameter, a default, destructuring,
// comments, a `function`, a method, a bound or native function) is taken to see one.
const ONE_PARAM_ARROW = /^(?:async\s*)?(?:[A-Za-z_$][\w$]*|\(\s*(?:[A-Za-z_$][\w$]*\s*)?\))\s*=>/;

/**
 * Whether a callback whose source is `src` may read its second argument (a table loop's id).
 * False only where it certainly cannot: see `ONE_PARAM_ARROW`.
 */
export function seesSecondArgument(src: string): boolean {
  return !ONE_PARAM_ARROW.test(src);
}

/**
 * Emits a `forEach` of a struct array of class `name` (records `size` bytes apart): the body of
 * a function of no arguments returning `each(cursor, fn)`, which moves the cursor over its
 * records and calls `fn(cursor, index)`, the first before the loop (see {@linkcode emitTableLoops}).
 * One copy per callback source (see `loopsFor` in `compile.ts`); `serial` keeps the texts apart,
 * so V8 keeps their type feedback apart.
 */
export function emitArrayEach(name: string, size: number, serial: number): string {
  return [
    `// ${name} struct array forEach #${serial} — generated by arenakit`,
    "// c: the array's cursor ($b first record, $n record count, $o the record it is at)",
    `"use strict";`,
    `return function each(c, fn) {`,
    `  const b = c.$b;`,
    `  const n = c.$n;`,
    // The first record is called before the loop, as the table loops do (see emitTableLoops).
    `  if (n === 0) return;`,
    `  c.$o = b;`,
    `  fn(c, 0);`,
    `  for (let i = 1; i < n; i++) {`,
    `    c.$o = b + i * ${size};`,
    `    fn(c, i);`,
    `  }`,
    `};`,
    `//# sourceURL=arenakit:///${name}.each.js`,
  ].join("\n");
}
