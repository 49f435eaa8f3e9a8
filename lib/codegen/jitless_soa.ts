/**
 * The jitless twin of `emit_soa.ts`: SoA classes built from closures that follow the same plan.
 *
 * @module
 */
import { type ArenaLike, helpers, type Placement, type ViewInternals } from "./runtime.ts";
import {
  type SoaFieldPlan,
  soaHelpers,
  type SoaMem,
  type SoaPlan,
  type SoaViewClass,
  type SoaViewInternals,
} from "./soa_plan.ts";
import { stage } from "../values/check.ts";
import { definePlacementMem, placedAt, placedMem, recordMethods } from "./jitless_view.ts";

type SoaView = SoaViewInternals & Record<string, unknown>;
type Staged = { $wr(m: SoaMem, o: number, s: unknown): void };
type Column = {
  [i: number]: unknown;
  subarray(a: number, b: number): unknown;
  fill(...a: unknown[]): unknown;
};

// The jitless twin of emitSoa: same plan, same helpers, closures instead of source text.
export function buildSoaJitless(
  plan: SoaPlan,
  enumMaps: Map<string, number>[],
  cursor = false,
): SoaViewClass {
  const { checked } = plan;
  const h = helpers;
  const live = (v: SoaView, field: string) => {
    if (checked && v.$g !== v.$s.g) h.stale(v as unknown as ViewInternals, field);
  };
  const col = (m: SoaMem, c: number) => m[`c${c}`] as unknown as Column;
  const classes: SoaViewClass[] = [];
  const read = (f: SoaFieldPlan, m: SoaMem, o: number): unknown => {
    const a = f.access;
    switch (a.how) {
      case "number":
        return col(m, a.col)[o];
      case "bool":
        return col(m, a.col)[o] !== 0;
      case "enum":
        return plan.enums[a.enumIndex].values[col(m, a.col)[o] as number];
      case "string":
        return h.readString(col(m, a.col) as unknown as Uint8Array, o * a.cap, a.cap);
      case "ref":
        return h.refValue(col(m, a.col)[o] as number);
      case "typed":
        return soaHelpers.list(
          col(m, a.col) as unknown as ArrayLike<unknown>,
          o * a.length,
          a.length,
        );
      case "child":
        return classes[a.node].$r(m, o);
    }
  };
  const write = (f: SoaFieldPlan, m: SoaMem, o: number, x: unknown, path: string): void => {
    const a = f.access;
    switch (a.how) {
      case "number":
        col(m, a.col)[o] = x;
        return;
      case "bool":
        col(m, a.col)[o] = x ? 1 : 0;
        return;
      case "enum":
        col(m, a.col)[o] = h.enumIndexOf(f.schema, enumMaps[a.enumIndex], x, path);
        return;
      case "string":
        h.writeStringChecked(f.schema, col(m, a.col) as unknown as Uint8Array, o * a.cap, x, path);
        return;
      case "ref":
        col(m, a.col)[o] = x === null ? 0 : x;
        return;
      case "typed":
        soaHelpers.put(col(m, a.col), o * a.length, x as ArrayLike<unknown>, a.length);
        return;
      case "child":
        (classes[a.node] as unknown as Staged).$wr(m, o, x);
    }
  };
  for (let k = plan.nodes.length - 1; k >= 0; k--) {
    const node = plan.nodes[k];
    const wide = node.fields.filter((f) => f.access.how === "child" || f.access.how === "typed");
    const C = function (this: SoaView, a: ArenaLike, m: SoaMem, o: number, g: number, p: string) {
      this.$a = a;
      this.$s = a.state;
      this.$m = m;
      this.$o = o;
      this.$g = g;
      this.$p = p;
      for (const f of wide) {
        this[`$c${f.fieldIndex}`] = undefined;
        if (f.access.how === "typed") this[`$t${f.fieldIndex}`] = -1;
      }
    } as unknown as SoaViewClass & { prototype: Record<string, unknown> };
    Object.defineProperty(C, "name", { value: node.name });
    Object.defineProperty(C, "plan", { value: plan, configurable: true });
    for (const f of node.fields) {
      const a = f.access;
      const key = `$c${f.fieldIndex}`;
      const tkey = `$t${f.fieldIndex}`;
      let get: (this: SoaView) => unknown;
      if (a.how === "child") {
        get = function () {
          let c = this[key] as SoaView | undefined;
          if (c === undefined) {
            c = this[key] = new classes[a.node](
              this.$a,
              this.$m,
              this.$o,
              this.$g,
              h.join(this.$p, f.name),
            ) as unknown as SoaView;
          }
          return c;
        };
      } else if (a.how === "typed") {
        get = function () {
          live(this, f.name);
          let c = this[key];
          if (c === undefined || this[tkey] !== this.$o) {
            const i = this.$o * a.length;
            c = this[key] = col(this.$m, a.col).subarray(i, i + a.length);
            this[tkey] = this.$o;
          }
          return c;
        };
      } else if (a.how === "ref") {
        get = function () {
          live(this, f.name);
          return h.deref(this as never, f.schema as never, col(this.$m, a.col)[this.$o] as number);
        };
      } else {
        get = function () {
          live(this, f.name);
          return read(f, this.$m, this.$o);
        };
      }
      const set = function (this: SoaView, v: unknown) {
        live(this, f.name);
        const path = h.join(this.$p, f.name);
        if (a.how === "child") {
          // The nested view is where the value goes (see $take).
          classes[a.node].$w(this[f.name] as never, -1, v, path);
          return;
        }
        if (a.how === "typed") {
          const x = stage(f.schema, v, path, true);
          // A getter of the value may have freed the record meanwhile.
          live(this, f.name);
          write(f, this.$m, this.$o, x, path);
          return;
        }
        if (a.how !== "enum" && a.how !== "string") {
          // As the generated setter's slow path does (see deadCopy).
          if (this.$m.live === false) h.deadCopy(this as unknown as ViewInternals, f.name);
          const p = h.scalarProblem(f.schema, v, path);
          if (p) throw p;
        }
        write(f, this.$m, this.$o, v, path);
      };
      Object.defineProperty(C.prototype, f.name, { get, set, configurable: true });
    }
    const statics = {
      // Read once into a checked copy, then written: nothing is written when a field is bad.
      $in(v: unknown, p: string): unknown {
        return stage(node.schema, v, p, true);
      },
      $w(m: SoaMem | Placement, o: number, v: unknown, p: string): number {
        const s = stage(node.schema, v, p, true);
        const at = placedAt(m, o);
        if (at >= 0) statics.$wr(placedMem<SoaMem>(m, o), at, s);
        return at;
      },
      $wr(m: SoaMem, o: number, s: unknown): void {
        for (const f of node.fields) {
          const x = (s as Record<string, unknown>)[f.name];
          if (x !== undefined) write(f, m, o, x, "");
        }
      },
      $r(m: SoaMem, o: number): unknown {
        const out: Record<string, unknown> = {};
        for (const f of node.fields) out[f.name] = read(f, m, o);
        return out;
      },
      $z(m: SoaMem, o: number): void {
        for (const c of plan.columns) {
          col(m, c.index).fill(c.bigint ? 0n : 0, o * c.width, o * c.width + c.width);
        }
      },
    };
    Object.assign(
      C,
      k === 0 ? statics : { $in: statics.$in, $w: statics.$w, $wr: statics.$wr, $r: statics.$r },
    );
    const children = node.fields.filter((f) => f.access.how === "child")
      .map((f) => `$c${f.fieldIndex}`);
    const methods: Record<string, (this: SoaView, ...args: never[]) => unknown> = {
      ...recordMethods(C, node.schema, live),
    };
    // Children are made when first reached here, also a cursor's: one made later starts at its
    // parent's slot, so moving the ones there are is the same as moving them all.
    if (cursor) {
      methods.$at = function (this: SoaView, o: number): void {
        this.$o = o;
        for (const k of children) (this[k] as { $at(o: number): void } | undefined)?.$at(o);
      };
    }
    for (const [name, fn] of Object.entries(methods)) {
      Object.defineProperty(C.prototype, name, { value: fn, writable: true, configurable: true });
    }
    definePlacementMem(C.prototype);
    classes[k] = C;
  }
  return classes[0];
}
