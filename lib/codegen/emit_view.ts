/**
 * The AoS emitter: a class plan becomes the source text of one accessor class. Nothing here
 * evaluates code; the jitless twin in `jitless_view.ts` follows the same plan, so both paths
 * behave the same.
 *
 * @module
 */
import type { Schema } from "../../schemas/types.ts";
import { type ClassPlan, type FieldPlan, planOf, SCALAR_HOW } from "./plan.ts";
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
import { fitsExpr } from "./checks.ts";

/** Source of the expression reading field `f` from memory `m` (or view fields when `self`). */
function readExpr(f: FieldPlan, self: boolean, base?: string): string {
  const a = f.access;
  const o = `${base ?? (self ? "this.$o" : "o")} + ${f.offset}`;
  const arr = (name: string) => (self ? `this.$m.${name}` : `m.${name}`);
  switch (a.how) {
    case "scalar":
      return a.shift === 0 ? `${arr(a.arr)}[${o}]` : `${arr(a.arr)}[(${o}) >> ${a.shift}]`;
    case "dataview":
      return `${self ? "this.$m" : "m"}.dv.${a.get}(${o}${a.little ? ", true" : ""})`;
    case "bool":
      return `${arr("u8")}[${o}] !== 0`;
    case "enum": {
      const idx = a.dv
        ? `${self ? "this.$m" : "m"}.dv.getUint16(${o}, true)`
        : a.shift === 0
        ? `${arr(a.arr)}[${o}]`
        : `${arr(a.arr)}[(${o}) >> 1]`;
      return `$d.E[${a.enumIndex}][${idx}]`;
    }
    case "string":
      return `$h.readString(${arr("u8")}, ${o}, ${a.cap})`;
    case "ref": {
      const id = a.arr
        ? `${arr("f64")}[(${o}) >> 3]`
        : `${self ? "this.$m" : "m"}.dv.getFloat64(${o}, true)`;
      return id;
    }
    default:
      throw new TypeError(`no scalar read for ${a.how}`);
  }
}

/** Source of the statement writing `x` (already checked) into field `f`. */
function writeStmt(
  f: FieldPlan,
  self: boolean,
  x: string,
  path: string,
  base?: string,
  d = "$d",
): string {
  const a = f.access;
  const o = `${base ?? (self ? "this.$o" : "o")} + ${f.offset}`;
  const m = self ? "this.$m" : "m";
  const arr = (name: string) => (self ? `this.$m.${name}` : `m.${name}`);
  switch (a.how) {
    case "scalar":
      return a.shift === 0
        ? `${arr(a.arr)}[${o}] = ${x};`
        : `${arr(a.arr)}[(${o}) >> ${a.shift}] = ${x};`;
    case "dataview":
      return `${m}.dv.${a.set}(${o}, ${x}${a.little ? ", true" : ""});`;
    case "bool":
      return `${arr("u8")}[${o}] = ${x} ? 1 : 0;`;
    case "enum": {
      const idx = `$h.enumIndexOf(${d}.F[${f.fieldIndex}], ${d}.M[${a.enumIndex}], ${x}, ${path})`;
      if (a.dv) return `${m}.dv.setUint16(${o}, ${idx}, true);`;
      return a.shift === 0
        ? `${arr(a.arr)}[${o}] = ${idx};`
        : `${arr(a.arr)}[(${o}) >> 1] = ${idx};`;
    }
    case "string":
      return `$h.writeStringChecked(${d}.F[${f.fieldIndex}], ${arr("u8")}, ${o}, ${x}, ${path});`;
    case "ref": {
      const id = `${x} === null ? 0 : ${x}`;
      return a.arr
        ? `${arr("f64")}[(${o}) >> 3] = ${id};`
        : `${m}.dv.setFloat64(${o}, ${id}, true);`;
    }
    default:
      throw new TypeError(`no scalar write for ${a.how}`);
  }
}

/**
 * The statement of a scalar setter that checks `v` and writes it at offset `at` (the view's own
 * by default): the value test is part of the written expression, so only the rare slow path hands
 * the value (a double, boxed) to a call; kinds whose test reads `v` more than once go through a
 * `$k<kind>` method, added to `checkKinds`.
 */
function checkedWrite(
  f: FieldPlan,
  path: string,
  at: string | undefined,
  checkKinds: Set<string>,
): string {
  const fits = f.schema.kind !== "ref" ? fitsExpr(f.schema.kind) : undefined;
  const quick = !fits ? quickBad(f.schema.kind) : undefined;
  if (quick) checkKinds.add(f.schema.kind);
  const wat = quick ? `this.$k${f.schema.kind}(${f.fieldIndex}, v)` : at;
  const value = fits ? `(${fits} ? v : $h.valueSlow(this, ${f.fieldIndex}, v))` : "v";
  return writeStmt(f, true, value, path, wat);
}

/**
 * The body of a setter that writes when its memory is live and the value passes the quick fit
 * test, and otherwise runs `slow`; undefined for fields written another way (not one of `hows`,
 * or a kind without a quick test).
 */
function liveSetter(
  f: FieldPlan,
  path: string,
  slow: string,
  hows: readonly string[],
): string[] | undefined {
  const fits = fitsExpr(f.schema.kind);
  if (!hows.includes(f.access.how) || fits === undefined) return undefined;
  return [
    `    const m = this.$m;`,
    `    if (m.live === true && ${fits}) ${writeStmt(f, false, "v", path, "this.$o")}`,
    `    else ${slow}`,
  ];
}

/** Source of the test that is true when `x` (defined) is not a valid value of scalar field `f`. */
function verdictBad(f: FieldPlan, d: string): string {
  const a = f.access;
  if (a.how === "enum") return `${d}.M[${a.enumIndex}].get(x) === undefined`;
  if (a.how === "string") return `!$h.scalarFits(${d}.F[${f.fieldIndex}], x)`;
  return badCheck(f.schema.kind, "x")!;
}

/**
 * The fields of `plan` as a flat `$w` reads them, at `base` bytes into the record, or undefined
 * when one (or one of a nested struct) is an array, which is staged. `d` is the source of the
 * class's inputs: a nested struct's are its class's (`$d.C[i].deps`).
 */
function flatOf(plan: ClassPlan, d: string, base: number): FlatItem[] | undefined {
  const out: FlatItem[] = [];
  for (const f of plan.fields) {
    const a = f.access;
    if (a.how === "child") {
      const cd = `${d}.C[${a.childIndex}].deps`;
      const fields = flatOf(planOf(plan.children[a.childIndex]), cd, base + f.offset);
      if (fields === undefined) return undefined;
      out.push({ name: f.name, schema: `${cd}.S`, fields });
      continue;
    }
    if (!SCALAR_HOW.has(a.how)) return undefined;
    const at = { ...f, offset: base + f.offset };
    const write = (x: string) => writeStmt(at, false, x, `""`, undefined, d);
    out.push(flatField(f.name, `${d}.F[${f.fieldIndex}]`, verdictBad(f, d), write));
  }
  return out;
}

/** The typed-array element a trap getter reads, or undefined when the field needs a test. */
function trapElement(f: FieldPlan): string | undefined {
  const a = f.access;
  const o = `this.$o + ${f.offset}`;
  if (a.how === "scalar" || (a.how === "enum" && a.dv === undefined)) {
    return a.shift === 0 ? `this.$m.${a.arr}[${o}]` : `this.$m.${a.arr}[(${o}) >> ${a.shift}]`;
  }
  if (a.how === "bool") return `this.$m.u8[${o}]`;
  if (a.how === "ref" && a.arr !== undefined) return `this.$m.f64[(${o}) >> 3]`;
  return undefined;
}

/**
 * A trap class's getter and setter of a scalar field. A typed-array read folds `undefined` (a
 * killed epoch's zero-length array) into the `$t<i>` getter, so the live path has no test;
 * anything else (DataView, strings) tests `$m.live` first. A numeric setter tests liveness and
 * the value in one condition, with one short slow call for both.
 */
function trapAccessors(
  f: FieldPlan,
  note: string,
  path: string,
  checkKinds: Set<string>,
): string[] {
  const a = f.access;
  const i = f.fieldIndex;
  const name = JSON.stringify(f.name);
  const L: string[] = [];
  const el = trapElement(f);
  L.push(`  get ${name}() {`);
  if (el !== undefined) {
    const x = `${el} ?? this.$t${i}`;
    if (a.how === "scalar") L.push(`    return ${x}; ${note}`);
    else if (a.how === "bool") L.push(`    return (${x}) !== 0; ${note}`);
    else if (a.how === "enum") L.push(`    return $d.E[${a.enumIndex}][${x}]; ${note}`);
    else L.push(`    return $h.deref(this, $d.F[${i}], ${x}); ${note}`);
  } else {
    L.push(`    if (this.$m.live !== true) $h.revive(this, ${name});`);
    L.push(`    return ${readExpr(f, true)}; ${note}`);
  }
  L.push(`  }`);
  if (el !== undefined) {
    L.push(`  get $t${i}() {`, `    return $h.trapRead(this, ${i});`, `  }`);
  }
  L.push(`  set ${name}(v) {`);
  const live = liveSetter(f, path, `this.$y(${i}, v);`, ["scalar", "bool"]);
  if (live !== undefined) L.push(...live);
  else {
    L.push(`    if (this.$m.live !== true) $h.revive(this, ${name});`);
    L.push(`    ${checkedWrite(f, path, undefined, checkKinds)}`);
  }
  L.push(`  }`);
  return L;
}

function describeKind(s: Schema): string {
  switch (s.kind) {
    case "struct":
      return s.name;
    case "vec":
      return `vec${s.length}${s.element[0]}`;
    case "mat":
      return `mat${s.cols}x${s.rows}f`;
    case "array":
      return `${describeKind(s.element)}[${s.length}]`;
    case "string":
      return `string(${s.maxBytes})`;
    case "enum":
      return `enum(${s.values.length})`;
    default:
      return s.kind;
  }
}

/**
 * Emits the source of the accessor class planned by `plan`: the body of a function of `$h`
 * (shared helpers) and `$d` (this class's schemas, child classes and enum tables) that returns
 * the class. Field names only appear through `JSON.stringify`; offsets are literals with a
 * comment naming the field.
 */
/** What a trap class adds to the legend. */
const TRAP_LEGEND: readonly string[] = [
  "// trap: $m is an epoch that a cut kills (zero-length arrays, live false), so a typed-array read",
  "//   of undefined goes to $t<i> (stale, or revived), the rest test $m.live; setters' slow path $y;",
  "//   $g and $s are getters (the epoch's generation, the arena's cell), not fields",
];

/** The legend at the top of every AoS class source: what each `$`-name holds. */
const AOS_LEGEND: readonly string[] = [
  "// $h: runtime helpers (slow paths, errors) · $d: this class's inputs (C: child classes,",
  "//   F: field schemas, E: enum literals, M: enum indices, S: the schema, N: the class name,",
  "//   T: the staging tree) · $C: the class",
  "// a view: $a arena · $s its generation cell · $m typed arrays of the chunk · $o record offset",
  "//   · $g generation it was made in · $b first record and $n record count (cursors) · $p path",
  "//   · $c<i> cached child view of field i · $c(i) lifetime check · $k<kind>(i, v) value check",
  "// statics: $w read a plain value once and write it = $wr(m, o, $in(v, p)): $in reads and",
  "//   checks it into the staging tree ($rd does, into a given tree; $tree makes one), $wr writes",
  "//   a staged value and cannot throw · $r read a record · $z zero one · $w(t, -1, v, p):",
  "//   writes where placement t says once v is read and checked (a table's create or update, an",
  "//   arena's alloc; a view itself: $take tests its lifetime again, $mem its memory)",
];

export function emitAccessors(plan: ClassPlan): string {
  const { checked, mode } = plan.key;
  const trap = checked && plan.key.trap === true;
  const L: string[] = [];
  // Checked accessors must stay small enough for V8 to inline them into the caller's loop (an
  // accessor called out of line boxes every double it passes): one test, one short slow call.
  const live = (field: string) =>
    trap
      ? [`    if (this.$m.live !== true) $h.revive(this, ${JSON.stringify(field)});`]
      : checked
      ? [`    if (this.$g !== this.$s.g) $h.stale(this, ${JSON.stringify(field)});`]
      : [];
  L.push(
    `// ${plan.name} (size ${plan.size}, align ${plan.align}, layout ${mode}, ` +
      `${trap ? "checked by trap" : checked ? "checked" : "unchecked"}) — generated by arenakit`,
  );
  L.push(...AOS_LEGEND);
  if (trap) L.push(...TRAP_LEGEND);
  L.push(`"use strict";`);
  // The class is named through a property key, so the user's name is never a binding here.
  L.push(`const $C = { [$d.N]: class {`);
  L.push(`  constructor(a, m, o, g, p) {`);
  L.push(`    this.$a = a;`);
  // A trap view's generation is its epoch's, and its generation cell its arena's: two fields
  // fewer to fill per view (the getters below give them to the slow paths).
  if (!trap) L.push(`    this.$s = a.state;`);
  L.push(`    this.$m = m;`);
  L.push(`    this.$o = o;`);
  if (!trap) L.push(`    this.$g = g;`);
  const cursor = plan.key.cursor === true;
  // A table loop's cursor keeps $b and $n; a view has neither (fields cost every one of them
  // memory and collector time), and a struct array gives its cursor both.
  if (cursor) {
    L.push(`    this.$b = o;`);
    L.push(`    this.$n = 1;`);
  }
  L.push(`    this.$p = p;`);
  for (const f of plan.fields) {
    const a = f.access;
    if (cursor && a.how === "child") {
      const path = `$h.join(p, ${JSON.stringify(f.name)})`;
      L.push(
        `    this.$c${f.fieldIndex} = new $d.C[${a.childIndex}](a, m, o + ${f.offset}, g, ${path});`,
      );
    } else if (!SCALAR_HOW.has(a.how)) L.push(`    this.$c${f.fieldIndex} = undefined;`);
  }
  L.push(`  }`);
  if (cursor) {
    // The only way such a view moves: with its nested views, each at its own offset.
    L.push(`  $at(o) {`);
    L.push(`    this.$o = o;`);
    L.push(`    this.$b = o;`);
    for (const f of plan.fields) {
      if (f.access.how === "child") L.push(`    this.$c${f.fieldIndex}.$at(o + ${f.offset});`);
    }
    L.push(`  }`);
  }
  const checkKinds = new Set<string>();
  for (const f of plan.fields) {
    const name = JSON.stringify(f.name);
    const note = `// +${f.offset} ${f.name}: ${describeKind(f.schema)}`;
    const path = `$h.join(this.$p, ${name})`;
    const a = f.access;
    if (SCALAR_HOW.has(a.how) && trap) {
      L.push(...trapAccessors(f, note, path, checkKinds));
      continue;
    }
    if (SCALAR_HOW.has(a.how)) {
      // Checked accessors read the offset through this.$c(i), which checks liveness: each
      // accessor stays under V8's always-inline size, so loops never box the doubles they move.
      const at = checked ? `this.$c(${f.fieldIndex})` : undefined;
      L.push(`  get ${name}() {`);
      if (a.how === "ref") {
        L.push(
          `    return $h.deref(this, $d.F[${f.fieldIndex}], ${readExpr(f, true, at)}); ${note}`,
        );
      } else {
        L.push(`    return ${readExpr(f, true, at)}; ${note}`);
      }
      L.push(`  }`);
      // The value test is part of the written expression: only the rare slow path hands the
      // value (a double, boxed) to a call; $c(i) carries no double.
      // Values are checked in both modes: checked: false only drops the lifetime checks.
      L.push(`  set ${name}(v) {`);
      // The trap classes' form, though only a retired cursor's memory is not live here: JSC ran
      // the churn fill loop 4× slower with the plain store (measured, cause not found).
      const live = checked ? undefined : liveSetter(
        f,
        path,
        `$h.setUnchecked(this, ${f.fieldIndex}, v);`,
        ["scalar", "bool", "dataview"],
      );
      L.push(...(live ?? [`    ${checkedWrite(f, path, at, checkKinds)}`]));
      L.push(`  }`);
      continue;
    }
    if (cursor && a.how === "child") {
      // Made with the view and moved by $at: a stale one throws at its own fields.
      L.push(`  get ${name}() {`);
      L.push(`    return this.$c${f.fieldIndex}; ${note}`);
      L.push(`  }`);
      L.push(`  set ${name}(v) {`, ...live(f.name));
      // The nested view is where the value goes (see $take): it tests its lifetime once the
      // value is read.
      L.push(`    $d.C[${a.childIndex}].$w(this.$c${f.fieldIndex}, -1, v, ${path});`);
      L.push(`  }`);
      continue;
    }
    L.push(`  get ${name}() {`, ...live(f.name));
    L.push(`    let c = this.$c${f.fieldIndex};`);
    if (a.how === "child") {
      L.push(
        `    if (c === undefined) c = this.$c${f.fieldIndex} = ` +
          `new $d.C[${a.childIndex}](this.$a, this.$m, this.$o + ${f.offset}, this.$g, ${path});`,
      );
      L.push(`    c.$o = this.$o + ${f.offset}; ${note}`);
      // A trap view's epoch (its generation too) changes when it revives, and a cursor's when
      // its array moves.
      L.push(trap ? `    c.$m = this.$m;` : `    c.$g = this.$g;`);
    } else if (a.how === "typed") {
      L.push(
        `    if (c === undefined || c.byteOffset !== this.$o + ${f.offset} || c.buffer !== this.$m.buffer) {`,
        `      c = this.$c${f.fieldIndex} = new ${a.ctor}(this.$m.buffer, this.$o + ${f.offset}, ${a.length}); ${note}`,
        `      this.$m.raw = true;`,
        `    }`,
      );
    } else {
      const child = a.how === "arrayview" && a.childIndex !== undefined
        ? `$d.C[${a.childIndex}]`
        : "undefined";
      L.push(
        `    if (c === undefined) c = this.$c${f.fieldIndex} = ` +
          `new $h.ArrayView(this, ${f.offset}, $d.F[${f.fieldIndex}], ${child}, ` +
          `${JSON.stringify(mode)}, ${path}); ${note}`,
      );
    }
    L.push(`    return c;`);
    L.push(`  }`);
    L.push(`  set ${name}(v) {`, ...live(f.name));
    if (a.how === "child") {
      // The nested view (made by the getter) is where the value goes: see $take.
      L.push(`    $d.C[${a.childIndex}].$w(this[${name}], -1, v, ${path});`);
    } else {
      // Read once into a checked copy, then written: a getter cannot change what was checked,
      // and one that freed the record meanwhile is caught by the second test.
      L.push(`    const x = $h.stage($d.F[${f.fieldIndex}], v, ${path}, true);`);
      L.push(...live(f.name));
      L.push(
        `    $h.writeValue($d.F[${f.fieldIndex}], ${JSON.stringify(mode)}, this.$m, ` +
          `this.$o + ${f.offset}, x);`,
      );
    }
    L.push(`  }`);
  }
  L.push(...checkMethods(checkKinds, checked && !trap));
  if (trap) {
    L.push(`  $y(i, v) {`, `    $h.setTrap(this, i, v);`, `  }`);
    // Writes are dropped: a revived view moves to a new epoch, a retired one to a dead one.
    L.push(`  get $g() {`, `    return this.$m.gen;`, `  }`, `  set $g(g) {}`);
    L.push(`  get $s() {`, `    return this.$a.state;`, `  }`, `  set $s(s) {}`);
  }
  // Writes are two phases, so every input property is read exactly once and a bad value leaves
  // the record as it was: $rd reads and checks the input into a staging object (no allocation:
  // one tree per class, made once), $wr writes the staged values, and cannot throw.
  const reads = plan.fields.map((f): ReadField => {
    const a = f.access;
    const at = { name: f.name, fieldIndex: f.fieldIndex };
    if (a.how === "child") return { ...at, child: `$d.C[${a.childIndex}]` };
    if (!SCALAR_HOW.has(a.how)) return { ...at, stage: true };
    return { ...at, bad: verdictBad(f, "$d") };
  });
  L.push(...readerMethods("$C", "$d.S", reads));
  L.push(`  static $wr(m, o, s) {`);
  L.push(`    let x;`);
  for (const f of plan.fields) {
    const a = f.access;
    const name = JSON.stringify(f.name);
    L.push(`    x = s[${name}];`);
    let stmt: string;
    if (SCALAR_HOW.has(a.how)) stmt = writeStmt(f, false, "x", `""`);
    else if (a.how === "child") stmt = `$d.C[${a.childIndex}].$wr(m, o + ${f.offset}, x);`;
    else {
      stmt = `$h.writeValue($d.F[${f.fieldIndex}], ${
        JSON.stringify(mode)
      }, m, o + ${f.offset}, x);`;
    }
    L.push(`    if (x !== undefined) ${stmt}`);
  }
  L.push(`  }`);
  // A class of scalars (or nested structs of them) writes straight from locals: no staging tree.
  const flat = flatOf(plan, "$d", 0);
  L.push(...stagingMethods("$C", "$d.T", flat === undefined));
  if (flat !== undefined) L.push(...flatWriteMethod("$C", "$d.S", flat));
  // Zeroing a fresh record inline beats a fill() call for the small structs frames are made of.
  L.push(`  static $z(m, o) {`);
  const wide = plan.align >= 8 && plan.size % 8 === 0
    ? 8
    : plan.align >= 4 && plan.size % 4 === 0
    ? 4
    : 0;
  if (wide > 0 && plan.size / wide <= 8) {
    const arr = wide === 8 ? "f64" : "u32";
    const shift = wide === 8 ? 3 : 2;
    for (let k = 0; k < plan.size / wide; k++) {
      L.push(
        k === 0 ? `    m.${arr}[o >> ${shift}] = 0;` : `    m.${arr}[(o >> ${shift}) + ${k}] = 0;`,
      );
    }
  } else {
    L.push(`    m.u8.fill(0, o, o + ${plan.size});`);
  }
  L.push(`  }`);
  L.push(`  static $r(m, o) {`);
  L.push(`    return {`);
  for (const f of plan.fields) {
    const a = f.access;
    const name = JSON.stringify(f.name);
    let expr: string;
    if (a.how === "ref") expr = `$h.refValue(${readExpr(f, false)})`;
    else if (SCALAR_HOW.has(a.how)) expr = readExpr(f, false);
    else if (a.how === "child") expr = `$d.C[${a.childIndex}].$r(m, o + ${f.offset})`;
    else expr = `$h.readValue($d.F[${f.fieldIndex}], ${JSON.stringify(mode)}, m, o + ${f.offset})`;
    L.push(`      ${name}: ${expr},`);
  }
  L.push(`    };`);
  L.push(`  }`);
  L.push(`  set(v) {`, ...live("set"));
  L.push(`    $C.$w(this, -1, v, this.$p);`);
  L.push(`    return this;`);
  L.push(`  }`);
  L.push(...placementMethods(live("set")));
  L.push(`  toObject() {`, ...live("toObject"));
  L.push(`    return $C.$r(this.$m, this.$o);`);
  L.push(`  }`);
  L.push(`  toJSON() {`);
  // The JSON form keeps what JSON cannot hold (bigints, NaN, ±Infinity, -0) as strings, so
  // fromJSON() round-trips it exactly.
  L.push(`    return $h.jsonOf($d.S, this.toObject());`);
  L.push(`  }`);
  L.push(`  seek(i) {`);
  // One test for "an integer from 0 to $n - 1": negative, fractional, NaN and non-numbers all
  // fail it (nothing but a number is === its int32). Written as a conjunction, which V8 compiles
  // to three compares on an int32 (the >>> 0 form cost about 10% of a cursor loop). Checked in
  // both modes: an index past the end would write another record.
  L.push(`    if (!(i >= 0 && i < this.$n && (i | 0) === i)) $h.badIndex(this, i);`);
  L.push(`    this.$o = this.$b + i * ${plan.size}; // stride ${plan.size}`);
  L.push(`    return this;`);
  L.push(`  }`);
  L.push(`  $each(fn) {`);
  L.push(`    const b = this.$b;`);
  L.push(`    const n = this.$n;`);
  L.push(`    for (let i = 0; i < n; i++) {`);
  L.push(`      this.$o = b + i * ${plan.size};`);
  L.push(`      fn(this, i);`);
  L.push(`    }`);
  L.push(`  }`);
  L.push(`} }[$d.N];`);
  L.push(`return $C;`);
  L.push(
    `//# sourceURL=arenakit:///${plan.name}.${mode}.${
      trap ? "trap" : checked ? "checked" : "unchecked"
    }.js`,
  );
  return L.join("\n");
}
