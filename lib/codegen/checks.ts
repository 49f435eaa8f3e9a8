/**
 * The value and lifetime checks both emitters (AoS and SoA) put into generated classes, as
 * source text: what a value of each kind must satisfy, written once.
 *
 * @module
 */
import { isScalarKind, KINDS } from "../../schemas/kinds.ts";

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

/**
 * Source lines of `$in(v, p)` and `$w(m, o, v, p)`, shared by both emitters: `$in` reads and
 * checks a value into the class's staging tree (kept in `tree`, made on first use; a fresh one
 * when a getter of the value writes a record of the same class meanwhile), and `$w` is `$in` then
 * `$wr`, so a bad value is refused before a byte is written.
 */
export function stagingMethods(self: string, tree: string): string[] {
  return [
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
    `  static $w(m, o, v, p) {`,
    `    ${self}.$wr(m, o, ${self}.$in(v, p));`,
    `  }`,
  ];
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
