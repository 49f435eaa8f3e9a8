/**
 * The value and lifetime checks both emitters (AoS and SoA) put into generated classes, as
 * source text: what a value of each kind must satisfy, written once.
 *
 * @module
 */

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
 * A test that is true when `v` can be written as it is (the common case), for kinds whose write
 * takes the value once; rare good values (NaN, ±Infinity in floats) fail it and are accepted by
 * `$h.valueSlow` after the full check.
 */
export function fitsExpr(kind: string): string | undefined {
  switch (kind) {
    case "f32":
      return 'typeof v === "number" && v < 3.4028235677973366e38 && v > -3.4028235677973366e38';
    case "f64":
      return 'typeof v === "number"';
    case "i8":
      return "(v | 0) === v && v >= -128 && v <= 127";
    case "u8":
      return "(v | 0) === v && v >= 0 && v <= 255";
    case "i16":
      return "(v | 0) === v && v >= -32768 && v <= 32767";
    case "u16":
      return "(v | 0) === v && v >= 0 && v <= 65535";
    case "i32":
      return "(v | 0) === v";
    case "u32":
      return "v >>> 0 === v";
    case "i64":
      return 'typeof v === "bigint" && v >= -0x8000000000000000n && v <= 0x7fffffffffffffffn';
    case "u64":
      return 'typeof v === "bigint" && v >= 0n && v <= 0xffffffffffffffffn';
    case "bool":
      return 'typeof v === "boolean"';
    default:
      return undefined;
  }
}

/**
 * A short test that is true when a setter must take the slow path: always when `v` does not fit,
 * and also for rare values that do (NaN and ±Infinity in float fields), which `$h.setSlow`
 * accepts after the full check.
 */
export function quickBad(kind: string): string | undefined {
  if (kind === "f32") {
    return 'typeof v !== "number" || !(v < 3.4028235677973366e38 && v > -3.4028235677973366e38)';
  }
  return badCheck(kind);
}

/**
 * A boolean JS expression that is true when the variable `v` does NOT fit the scalar kind; both
 * emitters (array of structs and struct of arrays) use it, so both accept the same values.
 */
export function badCheck(kind: string, v = "v"): string | undefined {
  const e = badCheckOfV(kind);
  return e === undefined ? undefined : e.replace(/\bv\b/g, v);
}

function badCheckOfV(kind: string): string | undefined {
  switch (kind) {
    case "i8":
      return "!((v | 0) === v && v >= -128 && v <= 127)";
    case "u8":
      return "!((v | 0) === v && v >= 0 && v <= 255)";
    case "i16":
      return "!((v | 0) === v && v >= -32768 && v <= 32767)";
    case "u16":
      return "!((v | 0) === v && v >= 0 && v <= 65535)";
    case "i32":
      return "(v | 0) !== v";
    case "u32":
      return "v >>> 0 !== v";
    case "f32":
      // Finite values from F32_MAX + half an ulp up round to Infinity: refuse those, keep ±Infinity.
      return 'typeof v !== "number" || (v >= 3.4028235677973366e38 && v !== Infinity) || (v <= -3.4028235677973366e38 && v !== -Infinity)';
    case "f64":
      return 'typeof v !== "number"';
    case "i64":
      return 'typeof v !== "bigint" || v < -0x8000000000000000n || v > 0x7fffffffffffffffn';
    case "u64":
      return 'typeof v !== "bigint" || v < 0n || v > 0xffffffffffffffffn';
    case "bool":
      return 'typeof v !== "boolean"';
    case "ref":
      return "v !== null && !(Number.isSafeInteger(v) && v >= 1)";
    default:
      return undefined;
  }
}
