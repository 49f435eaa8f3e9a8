/**
 * The jitless twin of `emit_loops.ts`: the same table loops, with the stride in a variable.
 *
 * @module
 */
import {
  ID_SLOTS,
  type LoopCursor,
  type LoopIterator,
  type LoopTable,
  type TableLoops,
} from "./emit_loops.ts";
// The jitless twin of emitTableLoops: the same loops with the stride in a variable.
export function buildLoopsJitless(stride: number): TableLoops {
  const move = (c: LoopCursor, s: number): void => c.$at(s * stride);
  type Fn = (record: unknown, id: number) => unknown;
  const run = (t: LoopTable, pred: Fn | undefined, fn: Fn, from: number, to: number): void => {
    const st = t.state;
    const hw = t.hw;
    const end = to < hw ? to : hw;
    let c = t.takeCursor();
    let gens = t.gens;
    let ep = t.epoch;
    let g = st.g;
    for (let s = from; s < end; s++) {
      if (st.g !== g) {
        g = st.g;
        if (t.epoch !== ep) {
          ep = t.epoch;
          gens = t.gens;
          t.retire(c);
          c = t.takeCursor();
        }
        t.resync(c, g);
      }
      const x = gens[s];
      if ((x & 1) === 0) continue;
      move(c, s);
      if (pred === undefined || pred(c, x * ID_SLOTS + s)) fn(c, x * ID_SLOTS + s);
    }
    t.retire(c);
  };
  class Iterator implements LoopIterator {
    t: LoopTable;
    c: LoopCursor;
    gens: Uint32Array;
    ep: number;
    g = 0;
    s = 0;
    e = 0;
    on = false;
    // Its own result, as generated: value (the cursor) and done.
    value: unknown = undefined;
    done = false;
    constructor(t: LoopTable) {
      this.t = t;
      this.c = t.takeCursor();
      this.gens = t.gens;
      this.ep = t.epoch;
    }
    start(): this {
      this.ep = this.t.epoch;
      this.gens = this.t.gens;
      this.c = this.t.takeCursor();
      this.s = 0;
      this.e = this.t.hw;
      this.on = true;
      this.g = this.t.state.g;
      this.done = false;
      return this;
    }
    next(): IteratorResult<unknown> {
      if (this.t.state.g !== this.g) {
        this.g = this.t.state.g;
        if (this.ep !== this.t.epoch) this.renew();
        this.t.resync(this.c, this.g);
      }
      for (let s = this.s; s < this.e; s++) {
        if ((this.gens[s] & 1) !== 0) {
          this.s = s + 1;
          move(this.c, s);
          this.value = this.c;
          return this as IteratorResult<unknown>;
        }
      }
      this.s = this.e;
      this.value = undefined;
      this.done = true;
      this.release();
      return this as IteratorResult<unknown>;
    }
    renew(): void {
      this.ep = this.t.epoch;
      this.gens = this.t.gens;
      this.t.retire(this.c);
      this.c = this.t.takeCursor();
    }
    return(): IteratorResult<unknown> {
      this.s = this.e;
      this.release();
      return { value: undefined, done: true };
    }
    release(): void {
      if (!this.on) return;
      this.on = false;
      this.t.retire(this.c);
      this.t.iterators.push(this);
    }
    [Symbol.iterator](): this {
      return this;
    }
  }
  return {
    each: (t, fn, from, to) => run(t, undefined, fn, from, to),
    filter: (t, pred, fn, from, to) => run(t, pred, fn, from, to),
    Iterator,
  };
}
