/**
 * The value and lifetime checks both emitters (AoS and SoA) put into generated classes, as
 * source text: what a value of each kind must satisfy, written once.
 *
 * @module
 */
import { isScalarKind, KINDS } from "../../schemas/kinds.ts";

/**
 * How the emitted readers count the keys of a value (to refuse unknown ones). Chosen once, for
 * the engine: JavaScriptCore folds `Object.keys(v).length` for an object of a known shape into a
 * read (the count is then free), while V8 allocates the array and is faster with `for…in`
 * (which costs about 5 ns per object in V8 and 7 in JavaScriptCore, whatever its key count).
 * Both give the same answers; tests set it to compare.
 */
export const keyCounting: { ownKeys: boolean } = { ownKeys: isJavaScriptCore() };

function isJavaScriptCore(): boolean {
  const g = globalThis as { Bun?: unknown; navigator?: { vendor?: unknown } };
  // Bun, or a WebKit browser (every browser on iOS is one).
  return g.Bun !== undefined || g.navigator?.vendor === "Apple Computer, Inc.";
}

/**
 * Source lines that subtract the keys of object `v` from `n` (the count of known fields it has),
 * so `n !== 0` means an unknown key or a key set to undefined. With own keys: a plain object
 * whose prototype is an unpolluted `Object.prototype` has exactly the keys `for…in` would visit,
 * so a count that adds up is the answer; anything else is counted by `for…in`.
 */
export function keyCountLines(indent: string, v = "v", n = "n"): string[] {
  if (!keyCounting.ownKeys) return [`${indent}for (const _ in ${v}) ${n}--;`];
  return [
    `${indent}if (`,
    `${indent}  $h.protoOf(${v}) !== $h.OP || $h.ownKeys(${v}).length !== ${n} ||`,
    `${indent}  $h.ownKeys($h.OP).length !== 0`,
    `${indent}) {`,
    `${indent}  for (const _ in ${v}) ${n}--;`,
    `${indent}} else {`,
    `${indent}  ${n} = 0;`,
    `${indent}}`,
  ];
}

/**
 * Source lines of the check methods, shared by both emitters: `$c(i)` (checked classes only)
 * returns the record offset after the liveness check; `$k<kind>(i, v)` checks the value (and, in
 * checked classes, liveness) and returns the offset. Accessors call them so each accessor stays
 * tiny.
 */
export function checkMethods(kinds: Iterable<string>, checked: boolean): string[] {
  const L = checked
    ? [
      `  $c(i) {`,
      `    if (this.$g !== this.$s.g) $h.staleAt(this, i);`,
      `    return this.$o;`,
      `  }`,
    ]
    : [];
  for (const kind of kinds) {
    L.push(
      `  $k${kind}(i, v) {`,
      checked
        ? `    if (this.$g !== this.$s.g || ${quickBad(kind)}) $h.setSlow(this, i, v);`
        : `    if (${quickBad(kind)}) $h.valueSlow(this, i, v);`,
      `    return this.$o;`,
      `  }`,
    );
  }
  return L;
}

/** How `$rd` reads one field: into a child's staging tree, through `$h.stage`, or as a scalar. */
export type ReadField =
  & { readonly name: string; readonly fieldIndex: number }
  & (
    | { readonly child: string }
    | { readonly stage: true }
    | { readonly bad: string }
  );

/**
 * Source lines of `$rd(v, p, s)` and `$tree()`, shared by both emitters: `$rd` reads every field
 * of `v` once into staging tree `s`, checking each (`bad` is the source of the test that is true
 * for a bad scalar `x`), then refuses unknown keys; `$tree()` makes a tree of the same shape
 * every time. `self` and `schema` are the sources naming the class and its schema.
 */
export function readerMethods(
  self: string,
  schema: string,
  fields: readonly ReadField[],
): string[] {
  const L = [
    `  static $rd(v, p, s) {`,
    `    if (typeof v !== "object" || v === null || Array.isArray(v)) $h.stage(${schema}, v, p, true);`,
    `    let n = 0;`,
    `    let x;`,
  ];
  for (const f of fields) {
    const name = JSON.stringify(f.name);
    const path = `$h.join(p, ${name})`;
    L.push(`    x = v[${name}];`);
    L.push(`    if (x !== undefined) {`);
    if ("child" in f) L.push(`      x = ${f.child}.$rd(x, ${path}, s.$c${f.fieldIndex});`);
    else if ("stage" in f) L.push(`      x = $h.stage($d.F[${f.fieldIndex}], x, ${path}, true);`);
    else L.push(`      if (${f.bad}) $h.bad($d.F[${f.fieldIndex}], x, ${path});`);
    L.push(`      n++;`);
    L.push(`    }`);
    L.push(`    s[${name}] = x;`);
  }
  L.push(...keyCountLines("    "));
  // A view as the value has keys of its own: it stands for its record, read again as a plain
  // object (off the hot path: only a count that does not add up gets here).
  L.push(`    if (n !== 0) {`);
  L.push(`      if ($h.isView(v)) return ${self}.$rd(v.toObject(), p, s);`);
  L.push(`      $h.unknownKey(${schema}, v, p);`);
  L.push(`    }`);
  L.push(`    return s;`);
  L.push(`  }`);
  // The same shape for every record of the class, so $rd and $wr stay monomorphic.
  L.push(`  static $tree() {`);
  L.push(`    return {`);
  for (const f of fields) L.push(`      [${JSON.stringify(f.name)}]: undefined,`);
  for (const f of fields) if ("child" in f) L.push(`      $c${f.fieldIndex}: ${f.child}.$tree(),`);
  L.push(`      $busy: false,`);
  L.push(`    };`);
  L.push(`  }`);
  return L;
}

/**
 * The step of `$w(m, o, v, p)` between reading and writing. A caller that must not choose the
 * record before the value is read passes a placement (`$take()`, `$mem`) as `m` and -1 as `o`:
 * a table's create, update and an arena's alloc, and a view writing itself (`set()`, a nested
 * struct's setter), since a getter of the value may create, delete or free records meanwhile.
 * `$take()` returns the record's address, or -1 (a full table that may refuse, a gone record).
 */
const TAKE_LINES: readonly string[] = [
  `    if (o < 0) {`,
  `      o = m.$take();`,
  `      if (o < 0) return o;`,
  `      m = m.$mem;`,
  `    }`,
];

/**
 * Source lines that make a view the placement of its own writes: `set(v)` and the setters of
 * nested structs pass the view to `$w` with -1, so its lifetime is tested again (`live`, the
 * class's test) once the value has been read: a getter of the value may free the record and
 * hand its memory to another, which must not be written.
 */
export function placementMethods(live: readonly string[]): string[] {
  return [
    `  $take() {`,
    ...live,
    `    return this.$o;`,
    `  }`,
    `  get $mem() {`,
    `    return this.$m;`,
    `  }`,
  ];
}

/**
 * Source lines of `$in(v, p)` and `$w(m, o, v, p)`, shared by both emitters: `$in` reads and
 * checks a value into the class's staging tree (kept in `tree`, made on first use; a fresh one
 * when a getter of the value writes a record of the same class meanwhile), and `$w` is `$in` then
 * `$wr`, so a bad value is refused before a byte is written. `$w` returns the record's address.
 */
export function stagingMethods(self: string, tree: string, withWrite = true): string[] {
  const L = [
    `  static $in(v, p) {`,
    `    let s = ${tree};`,
    `    if (s === undefined) s = ${tree} = ${self}.$tree();`,
    `    if (s.$busy) s = ${self}.$tree();`,
    `    s.$busy = true;`,
    `    try {`,
    `      return ${self}.$rd(v, p, s);`,
    `    } finally {`,
    `      s.$busy = false;`,
    `    }`,
    `  }`,
  ];
  if (withWrite) {
    L.push(`  static $w(m, o, v, p) {`, `    const s = ${self}.$in(v, p);`);
    L.push(...TAKE_LINES);
    L.push(`    ${self}.$wr(m, o, s);`, `    return o;`, `  }`);
  }
  return L;
}

/** A scalar field as a flat `$w` reads, checks and writes it. */
export interface FlatField {
  readonly name: string;
  /** Source naming the field's schema (for the error of a bad value). */
  readonly schema: string;
  /** Source of the test that is true when the value in variable `x` is bad. */
  bad(x: string): string;
  /** Source of the statement writing the (checked) value in variable `x`. */
  write(x: string): string;
}

/**
 * A scalar field of a flat `$w`: `bad` is the source of the test on a variable named `x` (as
 * `$rd` takes it), renamed here for each local.
 */
export function flatField(
  name: string,
  schema: string,
  bad: string,
  write: (x: string) => string,
): FlatField {
  return { name, schema, bad: (x) => bad.replace(/\bx\b/g, x), write };
}

/** A nested struct or vector field: a flat `$w` reads its fields into locals of its own. */
export interface FlatGroup {
  readonly name: string;
  /** Source naming the nested schema (for the errors of a bad value). */
  readonly schema: string;
  readonly fields: readonly FlatItem[];
}

/** A field of a flat `$w`. */
export type FlatItem = FlatField | FlatGroup;

/**
 * Source lines of `$w(m, o, v, p)` for a class whose fields are scalars, or nested structs of
 * them: every scalar is read once into a local and checked, then all are written, with no staging
 * tree (the fast path of `set()` and of a table's create: a staging tree boxes every double it
 * holds). Same reads, checks, errors and order as `$rd` then `$wr`, nested views included: a
 * view given for a nested struct is read again as a plain object, as the nested `$rd` does.
 */
export function flatWriteMethod(
  self: string,
  schema: string,
  fields: readonly FlatItem[],
): string[] {
  const L = [
    `  static $w(m, o, v, p) {`,
    `    if (typeof v !== "object" || v === null || Array.isArray(v)) $h.stage(${schema}, v, p, true);`,
    `    let n = 0;`,
  ];
  const leaves: FlatField[] = [];
  // Scalars of nested structs are assigned in their struct's block: declared up front.
  const nested: string[] = [];
  const body: string[] = [];
  let groups = 0;
  // Reads the fields of object `obj` (its path the source `path`) into locals, counting in `n`.
  const read = (items: readonly FlatItem[], obj: string, n: string, path: string, ind: string) => {
    for (const f of items) {
      const key = JSON.stringify(f.name);
      const at = `$h.join(${path}, ${key})`;
      if ("fields" in f) {
        const k = ++groups;
        const g = `v${k}`;
        const first = leaves.length;
        body.push(`${ind}let ${g} = ${obj}[${key}];`);
        body.push(`${ind}if (${g} !== undefined) {`);
        body.push(
          `${ind}  if (typeof ${g} !== "object" || ${g} === null || Array.isArray(${g})) {`,
        );
        body.push(`${ind}    $h.stage(${f.schema}, ${g}, ${at}, true);`);
        body.push(`${ind}  }`);
        body.push(`${ind}  let n${k};`);
        // At most twice: a view given for the struct is read again as a plain object.
        body.push(`${ind}  for (;;) {`);
        body.push(`${ind}    n${k} = 0;`);
        read(f.fields, g, `n${k}`, at, `${ind}    `);
        body.push(...keyCountLines(`${ind}    `, g, `n${k}`));
        body.push(`${ind}    if (n${k} === 0 || !$h.isView(${g})) break;`);
        body.push(`${ind}    ${g} = ${g}.toObject();`);
        body.push(`${ind}  }`);
        // (Returns when the count is off only by keys set to undefined.)
        body.push(`${ind}  if (n${k} !== 0) $h.unknownKey(${f.schema}, ${g}, ${at});`);
        body.push(`${ind}  ${n}++;`);
        if (obj !== "v") {
          // Read again after a view: a struct absent from the plain object writes nothing.
          body.push(`${ind}} else {`);
          for (let i = first; i < leaves.length; i++) body.push(`${ind}  x${i} = undefined;`);
        }
        body.push(`${ind}}`);
        continue;
      }
      const x = `x${leaves.length}`;
      leaves.push(f);
      if (obj !== "v") nested.push(x);
      body.push(`${ind}${obj === "v" ? "const " : ""}${x} = ${obj}[${key}];`);
      body.push(`${ind}if (${x} !== undefined) {`);
      body.push(`${ind}  if (${f.bad(x)}) $h.bad(${f.schema}, ${x}, ${at});`);
      body.push(`${ind}  ${n}++;`);
      body.push(`${ind}}`);
    }
  };
  read(fields, "v", "n", "p", "    ");
  if (nested.length > 0) L.push(`    let ${nested.join(", ")};`);
  L.push(...body);
  L.push(...keyCountLines("    "));
  L.push(`    if (n !== 0) {`);
  L.push(`      if ($h.isView(v)) return ${self}.$w(m, o, v.toObject(), p);`);
  L.push(`      $h.unknownKey(${schema}, v, p);`);
  L.push(`    }`);
  L.push(...TAKE_LINES);
  leaves.forEach((f, i) => L.push(`    if (x${i} !== undefined) ${f.write(`x${i}`)}`));
  L.push(`    return o;`);
  L.push(`  }`);
  return L;
}

/**
 * A test that is true when `v` can be written as it is, for kinds whose write takes the value
 * once (from the kind registry).
 */
export function fitsExpr(kind: string): string | undefined {
  return isScalarKind(kind) ? KINDS[kind].fitsSource : undefined;
}

/**
 * A short test that is true when a setter must take the slow path, which throws the error naming
 * the field and the value.
 */
export function quickBad(kind: string): string | undefined {
  return badCheck(kind);
}

/**
 * A boolean JS expression that is true when the variable `v` does NOT fit the scalar kind; both
 * emitters (array of structs and struct of arrays) use it, so both accept the same values.
 */
export function badCheck(kind: string, v = "v"): string | undefined {
  if (!isScalarKind(kind)) return undefined;
  return KINDS[kind].badSource.replace(/\bv\b/g, v);
}
