/**
 * The struct-of-arrays emitter: a SoA plan becomes the source text of its classes. Getters read
 * `column[index]`, where `index` is the record's slot. Nothing here evaluates code;
 * `soaViewClass` in `compile.ts` turns the source into classes, and `jitless_soa.ts` follows the
 * same plan with closures.
 *
 * @module
 */
import {
  badCheck,
  checkMethods,
  flatField,
  type FlatItem,
  flatWriteMethod,
  placementMethods,
  quickBad,
  readerMethods,
  type ReadField,
  stagingMethods,
} from "./checks.ts";
import type { SoaFieldPlan, SoaPlan } from "./soa_plan.ts";

function at(o: string, width: number): string {
  return width === 1 ? o : `${o} * ${width}`;
}

/** The comment after a getter: the column it reads, or the class of a nested view. */
function noteOf(plan: SoaPlan, f: SoaFieldPlan): string {
  const a = f.access;
  return a.how === "child" ? `// ${plan.nodes[a.node].name}` : `// c${a.col}`;
}

/** Source of the expression reading scalar field `f` of the record at slot `o` of columns `m`. */
function readExpr(f: SoaFieldPlan, m: string, o: string): string {
  const a = f.access;
  switch (a.how) {
    case "number":
      return `${m}.c${a.col}[${o}]`;
    case "bool":
      return `${m}.c${a.col}[${o}] !== 0`;
    case "enum":
      return `$d.E[${a.enumIndex}][${m}.c${a.col}[${o}]]`;
    case "string":
      return `$h.readString(${m}.c${a.col}, ${at(o, a.cap)}, ${a.cap})`;
    case "ref":
      return `${m}.c${a.col}[${o}]`;
    case "typed":
      return `$d.X.list(${m}.c${a.col}, ${at(o, a.length)}, ${a.length})`;
    case "child":
      return `$N${a.node}.$r(${m}, ${o})`;
  }
}

/** Source of the test that is true when `x` (defined) is not a valid value of scalar field `f`. */
function verdictBad(f: SoaFieldPlan): string {
  const a = f.access;
  switch (a.how) {
    case "enum":
      return `$d.M[${a.enumIndex}].get(x) === undefined`;
    case "string":
      return `!$h.scalarFits($d.F[${f.fieldIndex}], x)`;
    default:
      return badCheck(f.schema.kind, "x")!;
  }
}

/** Source of the statement writing `x` (already checked) into field `f`. */
function writeStmt(f: SoaFieldPlan, m: string, o: string, x: string, path: string): string {
  const a = f.access;
  switch (a.how) {
    case "number":
      return `${m}.c${a.col}[${o}] = ${x};`;
    case "bool":
      return `${m}.c${a.col}[${o}] = ${x} ? 1 : 0;`;
    case "enum":
      return `${m}.c${a.col}[${o}] = $h.enumIndexOf($d.F[${f.fieldIndex}], $d.M[${a.enumIndex}], ` +
        `${x}, ${path});`;
    case "string":
      return `$h.writeStringChecked($d.F[${f.fieldIndex}], ${m}.c${a.col}, ${at(o, a.cap)}, ` +
        `${x}, ${path});`;
    case "ref":
      return `${m}.c${a.col}[${o}] = ${x} === null ? 0 : ${x};`;
    case "typed":
      return `$d.X.put(${m}.c${a.col}, ${at(o, a.length)}, ${x}, ${a.length});`;
    case "child":
      return `$N${a.node}.$wr(${m}, ${o}, ${x});`;
  }
}

/**
 * The fields of node `k` as a flat `$w` reads them, or undefined when one (or one of a nested
 * node) is a typed array, which is staged.
 */
function flatOf(plan: SoaPlan, k: number): FlatItem[] | undefined {
  const out: FlatItem[] = [];
  for (const f of plan.nodes[k].fields) {
    const a = f.access;
    if (a.how === "typed") return undefined;
    if (a.how === "child") {
      const fields = flatOf(plan, a.node);
      if (fields === undefined) return undefined;
      out.push({ name: f.name, schema: `$d.S[${a.node}]`, fields });
      continue;
    }
    const write = (x: string) => writeStmt(f, "m", "o", x, `""`);
    out.push(flatField(f.name, `$d.F[${f.fieldIndex}]`, verdictBad(f), write));
  }
  return out;
}

/** The legend at the top of every SoA class source: what each `$`-name holds. */
const SOA_LEGEND: readonly string[] = [
  "// $h: runtime helpers (slow paths, errors) · $d: inputs (P: the plan, F: field schemas,",
  "//   S: node schemas, E: enum literals, M: enum indices, X: column helpers,",
  "// a view: $a table · $s its generation cell · $m the columns (c<i> below) · $o slot",
  "//   · $g generation it was made in · $p path · $c<i> cached child or array of field i",
  "//   · $t<i> slot that array was made for · $c(i) lifetime check · $k<kind>(i, v) value check",
  "// $N<k>: node k's class",
  "//   N: class names, T: staging trees) · statics: $w read a plain value once and write it",
  "//   = $wr(m, o, $in(v, p)): $in reads and checks it into the staging tree ($rd does, into a",
  "//   given tree; $tree makes one), $wr writes a staged value and cannot throw",
  "//   · $r read a record · $z zero a slot · $w(t, -1, v, p): writes where placement t says",
  "//   once v is read and checked (a table's create or update; a view itself: $take tests its",
  "//   lifetime again, $mem its columns)",
];

/**
 * Emits the source of the SoA classes planned by `plan`: the body of a function of `$h` (shared
 * helpers) and `$d` (the plan `P`, field schemas `F`, node schemas `S`, enum tables `E`/`M`, SoA
 * helpers `X`) that returns the root class. Field names only appear through `JSON.stringify`.
 */
export function emitSoa(plan: SoaPlan, cursor = false): string {
  const { checked } = plan;
  const L: string[] = [];
  const live = (field: string) =>
    checked ? [`    if (this.$g !== this.$s.g) $h.stale(this, ${JSON.stringify(field)});`] : [];
  L.push(
    `// ${plan.name} (struct of arrays, ${plan.columns.length} columns, ` +
      `${checked ? "checked" : "unchecked"}${
        cursor ? ", loop cursor" : ""
      }) — generated by arenakit`,
  );
  L.push(...SOA_LEGEND);
  if (cursor) L.push("//   · $at(o) moves a loop's cursor and its children to slot o");
  for (const c of plan.columns) {
    L.push(`// c${c.index}: ${c.path} ${c.ctor}${c.width === 1 ? "" : ` × ${c.width}`}`);
  }
  L.push(`"use strict";`);
  // Children first, so each class only names classes already defined.
  for (let k = plan.nodes.length - 1; k >= 0; k--) {
    const node = plan.nodes[k];
    const self = `$N${k}`;
    const checkKinds = new Set<string>();
    // Named through a property key, so the user's name is never a binding here.
    L.push(`const ${self} = { [$d.N[${k}]]: class {`);
    // Every node class carries the whole plan: $h.setSlow finds a field by fieldIndex there.
    L.push(`  static plan = $d.P;`);
    L.push(`  constructor(a, m, o, g, p) {`);
    L.push(`    this.$a = a;`);
    L.push(`    this.$s = a.state;`);
    L.push(`    this.$m = m;`);
    L.push(`    this.$o = o;`);
    L.push(`    this.$g = g;`);
    L.push(`    this.$p = p;`);
    for (const f of node.fields) {
      const a = f.access;
      if (a.how === "child" && cursor) {
        const path = `$h.join(p, ${JSON.stringify(f.name)})`;
        L.push(`    this.$c${f.fieldIndex} = new $N${a.node}(a, m, o, g, ${path});`);
      } else if (a.how === "child") L.push(`    this.$c${f.fieldIndex} = undefined;`);
      if (f.access.how === "typed") {
        L.push(`    this.$c${f.fieldIndex} = undefined;`);
        L.push(`    this.$t${f.fieldIndex} = -1;`);
      }
    }
    L.push(`  }`);
    for (const f of node.fields) {
      const name = JSON.stringify(f.name);
      const a = f.access;
      const path = `$h.join(this.$p, ${name})`;
      const note = noteOf(plan, f);
      const wide = a.how === "child" || a.how === "typed";
      // As in the array-of-structs classes, checked scalar accessors read the slot through
      // this.$c(i), and setters through this.$k<kind>(i, v): one quick test each, the rest out of
      // line, so every accessor stays small enough for V8 to inline into the caller's loop.
      const slot = checked ? `this.$c(${f.fieldIndex})` : "this.$o";
      L.push(`  get ${name}() {`, ...(a.how === "typed" ? live(f.name) : []));
      if (a.how === "child") {
        // A child keeps its own slot and generation: a view never moves (its children are made
        // when first reached), and a loop's cursor, made with its children, moves and resyncs
        // them all together ($at, the table's resync), so this getter stores nothing; a stale
        // child throws at its fields.
        if (cursor) L.push(`    return this.$c${f.fieldIndex}; ${note}`);
        else {
          L.push(`    let c = this.$c${f.fieldIndex};`);
          L.push(
            `    if (c === undefined) c = this.$c${f.fieldIndex} = ` +
              `new $N${a.node}(this.$a, this.$m, this.$o, this.$g, ${path}); ${note}`,
          );
          L.push(`    return c;`);
        }
      } else if (a.how === "typed") {
        L.push(`    let c = this.$c${f.fieldIndex};`);
        L.push(`    if (c === undefined || this.$t${f.fieldIndex} !== this.$o) {`);
        L.push(`      const i = ${at("this.$o", a.length)};`);
        L.push(
          `      c = this.$c${f.fieldIndex} = this.$m.c${a.col}.subarray(i, i + ${a.length}); ${note}`,
        );
        L.push(`      this.$t${f.fieldIndex} = this.$o;`);
        L.push(`    }`);
        L.push(`    return c;`);
      } else if (a.how === "ref") {
        L.push(
          `    return $h.deref(this, $d.F[${f.fieldIndex}], this.$m.c${a.col}[${slot}]); ${note}`,
        );
      } else {
        L.push(`    return ${readExpr(f, "this.$m", slot)}; ${note}`);
      }
      L.push(`  }`);
      L.push(`  set ${name}(v) {`, ...(wide ? live(f.name) : []));
      // Values are checked in both modes: checked: false only drops the lifetime checks.
      const quick = !wide ? quickBad(f.schema.kind) : undefined;
      if (quick) checkKinds.add(f.schema.kind);
      const wslot = quick ? `this.$k${f.schema.kind}(${f.fieldIndex}, v)` : wide ? "this.$o" : slot;
      if (a.how === "child") {
        // The nested view is where the value goes (see $take).
        const c = cursor ? `this.$c${f.fieldIndex}` : `this[${name}]`;
        L.push(`    $N${a.node}.$w(${c}, -1, v, ${path});`);
      } else if (a.how === "typed") {
        // Read once into a checked copy, then written: a getter cannot change what was checked,
        // and one that freed the record meanwhile is caught by the second test.
        L.push(`    const x = $h.stage($d.F[${f.fieldIndex}], v, ${path}, true);`);
        L.push(...live(f.name));
        L.push(`    ${writeStmt(f, "this.$m", wslot, "x", path)}`);
      } else L.push(`    ${writeStmt(f, "this.$m", wslot, "v", path)}`);
      L.push(`  }`);
    }
    L.push(...checkMethods(checkKinds, checked));
    if (cursor) {
      // A loop's cursor moves with its children, which it made with itself.
      L.push(`  $at(o) {`);
      L.push(`    this.$o = o;`);
      for (const f of node.fields) {
        if (f.access.how === "child") L.push(`    this.$c${f.fieldIndex}.$at(o);`);
      }
      L.push(`  }`);
    }
    // Writes are two phases, as in the array-of-structs classes: $rd reads every input property
    // once and checks it into a staging tree, $wr writes the staged values and cannot throw.
    const reads = node.fields.map((f): ReadField => {
      const a = f.access;
      const at = { name: f.name, fieldIndex: f.fieldIndex };
      if (a.how === "child") return { ...at, child: `$N${a.node}` };
      if (a.how === "typed") return { ...at, stage: true };
      return { ...at, bad: verdictBad(f) };
    });
    L.push(...readerMethods(self, `$d.S[${k}]`, reads));
    L.push(`  static $wr(m, o, s) {`);
    L.push(`    let x;`);
    for (const f of node.fields) {
      const name = JSON.stringify(f.name);
      L.push(`    x = s[${name}];`);
      L.push(`    if (x !== undefined) ${writeStmt(f, "m", "o", "x", `""`)}`);
    }
    L.push(`  }`);
    // A node of scalars (or nodes of them) writes straight from locals: no staging tree.
    const flat = flatOf(plan, k);
    L.push(...stagingMethods(self, `$d.T[${k}]`, flat === undefined));
    if (flat !== undefined) L.push(...flatWriteMethod(self, `$d.S[${k}]`, flat));
    L.push(`  static $r(m, o) {`);
    L.push(`    return {`);
    for (const f of node.fields) {
      const expr = f.access.how === "ref"
        ? `$h.refValue(${readExpr(f, "m", "o")})`
        : readExpr(f, "m", "o");
      L.push(`      ${JSON.stringify(f.name)}: ${expr},`);
    }
    L.push(`    };`);
    L.push(`  }`);
    if (k === 0) {
      L.push(`  static $z(m, o) {`);
      for (const c of plan.columns) {
        const zero = c.bigint ? "0n" : "0";
        L.push(
          c.width === 1
            ? `    m.c${c.index}[o] = ${zero};`
            : `    m.c${c.index}.fill(${zero}, o * ${c.width}, o * ${c.width} + ${c.width});`,
        );
      }
      L.push(`  }`);
    }
    L.push(`  set(v) {`, ...live("set"));
    L.push(`    ${self}.$w(this, -1, v, this.$p);`);
    L.push(`    return this;`);
    L.push(`  }`);
    L.push(...placementMethods(live("set")));
    L.push(`  toObject() {`, ...live("toObject"));
    L.push(`    return ${self}.$r(this.$m, this.$o);`);
    L.push(`  }`);
    L.push(`  toJSON() {`);
    // Same JSON form as the array-of-structs classes: exact for bigints, NaN, ±Infinity and -0.
    L.push(`    return $h.jsonOf($d.S[${k}], this.toObject());`);
    L.push(`  }`);
    L.push(`} }[$d.N[${k}]];`);
  }
  L.push(`return $N0;`);
  const kind = `${checked ? "checked" : "unchecked"}${cursor ? ".cursor" : ""}`;
  L.push(`//# sourceURL=arenakit:///${plan.name}.soa.${kind}.js`);
  return L.join("\n");
}
