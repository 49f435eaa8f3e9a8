/**
 * The one registry of scalar kinds: every fact about `i8` … `u64`, `bool` and `ref` (size,
 * typed array, DataView method, range, C and WGSL names, zod mapping, what a value must be to
 * fit) lives in one entry here. Layout, codegen, the jitless twin, the value checks, `toZod` and
 * the C and WGSL emitters all derive from it, so adding a kind is one entry plus its tests.
 *
 * @module
 */
import type { BigIntKind, NumberKind } from "./types.ts";

/** Kinds stored as one number: the numeric kinds, `bool` (one byte) and `ref` (an f64 id). */
export type ScalarKind = NumberKind | BigIntKind | "bool" | "ref";

/** Kinds built from others. */
export type CompoundKind = "enum" | "string" | "array" | "vec" | "mat" | "struct";

/** Every schema kind. */
export type Kind = ScalarKind | CompoundKind;

/** The typed-array member of a chunk's memory a kind is read through. */
export type MemKey = NumberKind | BigIntKind;

/** The JS type a scalar kind reads back as. */
export type JsType = "number" | "bigint" | "boolean" | "id";

/** How `toZod` expresses a scalar kind. */
export type ZodForm = "int" | "f32" | "f64" | "int64" | "uint64" | "boolean" | "id";

/** Everything arenakit knows about one scalar kind. */
export interface KindInfo {
  /** Bytes it occupies; also its C alignment. */
  readonly size: number;
  /** The `Mem` typed array (and SoA column type) it lives in. */
  readonly mem: MemKey;
  /** Name of that typed array's constructor. */
  readonly typedArray: string;
  /** The DataView accessor suffix (`getInt8` / `setInt8` for `"Int8"`). */
  readonly dataView: string;
  /** The JS type of its values. */
  readonly js: JsType;
  /** Smallest and largest value, for integer kinds. */
  readonly range?: readonly [number, number] | readonly [bigint, bigint];
  /** What a value must be, in words, when it has the wrong JS type. */
  readonly expected: string;
  /** What a value must be, in words, when it has the right type but cannot be held. */
  readonly expectedRange?: string;
  /** The jitless test: does `v` fit? */
  readonly fits: (v: unknown) => boolean;
  /** The same test as JS source over a variable `v`, for generated code. */
  readonly fitsSource: string;
  /** Its negation, written so V8 folds it well (what a setter tests before taking the slow path). */
  readonly badSource: string;
  /** The C11 `<stdint.h>` type. */
  readonly c: string;
  /** The WGSL type, or why it has none and what to use instead. */
  readonly wgsl: { readonly type: string } | { readonly instead: string };
  /** How `toZod` builds it. */
  readonly zod: ZodForm;
}

// The 8- and 16-bit kinds' tests follow from their range; i32 and u32 have shorter exact ones
// (`(v | 0) === v`, `v >>> 0 === v`).
function small(lo: number, hi: number): [string, string, (v: unknown) => boolean] {
  const src = `(v | 0) === v && v >= ${lo} && v <= ${hi}`;
  const fits = (v: unknown) => typeof v === "number" && (v | 0) === v && v >= lo && v <= hi;
  return [src, `!(${src})`, fits];
}

function int(
  size: number,
  mem: MemKey,
  typedArray: string,
  dataView: string,
  lo: number,
  hi: number,
  [fitsSource, badSource, fits]: [string, string, (v: unknown) => boolean],
  c: string,
  wgsl: KindInfo["wgsl"],
): KindInfo {
  const expected = `an integer from ${lo} to ${hi}`;
  return {
    size,
    mem,
    typedArray,
    dataView,
    js: "number",
    range: [lo, hi],
    expected,
    fits,
    fitsSource,
    badSource,
    c,
    wgsl,
    zod: "int",
  };
}

function big(mem: "i64" | "u64", lo: bigint, hi: bigint, lit: [string, string]): KindInfo {
  const fitsSource = `typeof v === "bigint" && v >= ${lit[0]} && v <= ${lit[1]}`;
  return {
    size: 8,
    mem,
    typedArray: mem === "i64" ? "BigInt64Array" : "BigUint64Array",
    dataView: mem === "i64" ? "BigInt64" : "BigUint64",
    js: "bigint",
    range: [lo, hi],
    expected: `a bigint from ${lo} to ${hi}`,
    fits: (v) => typeof v === "bigint" && v >= lo && v <= hi,
    fitsSource,
    badSource: `typeof v !== "bigint" || v < ${lit[0]} || v > ${lit[1]}`,
    c: mem === "i64" ? "int64_t" : "uint64_t",
    wgsl: { instead: mem === "i64" ? "vec2i" : "vec2u" },
    zod: mem === "i64" ? "int64" : "uint64",
  };
}

/** The registry. */
export const KINDS: Readonly<Record<ScalarKind, KindInfo>> = {
  i8: int(
    1,
    "i8",
    "Int8Array",
    "Int8",
    -128,
    127,
    small(-128, 127),
    "int8_t",
    { instead: "i32" },
  ),
  u8: int(
    1,
    "u8",
    "Uint8Array",
    "Uint8",
    0,
    255,
    small(0, 255),
    "uint8_t",
    { instead: "u32" },
  ),
  i16: int(
    2,
    "i16",
    "Int16Array",
    "Int16",
    -32768,
    32767,
    small(-32768, 32767),
    "int16_t",
    { instead: "i32" },
  ),
  u16: int(
    2,
    "u16",
    "Uint16Array",
    "Uint16",
    0,
    65535,
    small(0, 65535),
    "uint16_t",
    { instead: "u32" },
  ),
  i32: int(
    4,
    "i32",
    "Int32Array",
    "Int32",
    -2147483648,
    2147483647,
    ["(v | 0) === v", "(v | 0) !== v", (v) => typeof v === "number" && (v | 0) === v],
    "int32_t",
    { type: "i32" },
  ),
  u32: int(
    4,
    "u32",
    "Uint32Array",
    "Uint32",
    0,
    4294967295,
    ["v >>> 0 === v", "v >>> 0 !== v", (v) => typeof v === "number" && v >>> 0 === v],
    "uint32_t",
    { type: "u32" },
  ),
  f32: {
    size: 4,
    mem: "f32",
    typedArray: "Float32Array",
    dataView: "Float32",
    js: "number",
    // Like Float32Array and C: a finite number too large for f32 rounds to ±Infinity.
    expected: "a number",
    fits: (v) => typeof v === "number",
    fitsSource: 'typeof v === "number"',
    badSource: 'typeof v !== "number"',
    c: "float",
    wgsl: { type: "f32" },
    zod: "f32",
  },
  f64: {
    size: 8,
    mem: "f64",
    typedArray: "Float64Array",
    dataView: "Float64",
    js: "number",
    expected: "a number",
    fits: (v) => typeof v === "number",
    fitsSource: 'typeof v === "number"',
    badSource: 'typeof v !== "number"',
    c: "double",
    wgsl: { instead: "f32" },
    zod: "f64",
  },
  i64: big("i64", -(1n << 63n), (1n << 63n) - 1n, ["-0x8000000000000000n", "0x7fffffffffffffffn"]),
  u64: big("u64", 0n, (1n << 64n) - 1n, ["0n", "0xffffffffffffffffn"]),
  bool: {
    size: 1,
    mem: "u8",
    typedArray: "Uint8Array",
    dataView: "Uint8",
    js: "boolean",
    expected: "a boolean",
    fits: (v) => typeof v === "boolean",
    fitsSource: 'typeof v === "boolean"',
    badSource: 'typeof v !== "boolean"',
    c: "bool",
    wgsl: { instead: "u32" },
    zod: "boolean",
  },
  ref: {
    // An id of a table record is a safe integer; 0 stands for null.
    size: 8,
    mem: "f64",
    typedArray: "Float64Array",
    dataView: "Float64",
    js: "id",
    expected: "an id or null",
    expectedRange: "an id (a positive integer) or null",
    fits: (v) => v === null || (typeof v === "number" && Number.isSafeInteger(v) && v >= 1),
    fitsSource: "v === null || (Number.isSafeInteger(v) && v >= 1)",
    badSource: "v !== null && !(Number.isSafeInteger(v) && v >= 1)",
    c: "double",
    wgsl: { instead: "u32" },
    zod: "id",
  },
} satisfies Record<ScalarKind, KindInfo>;

/** What to tell a WGSL user instead of a compound kind the GPU cannot share with the host. */
export const WGSL_COMPOUND_INSTEAD: Readonly<Partial<Record<CompoundKind, string>>> = {
  enum: "u32",
  string: "an array of u32",
};

/** Every compound kind, in the order the DSL documents them. */
export const COMPOUND_KINDS: readonly CompoundKind[] = [
  "enum",
  "string",
  "array",
  "vec",
  "mat",
  "struct",
];

/** Whether `kind` is a scalar kind (a key of {@linkcode KINDS}). */
export function isScalarKind(kind: string): kind is ScalarKind {
  return Object.hasOwn(KINDS, kind);
}

/** The registry entry of a scalar kind. */
export function kindInfo(kind: ScalarKind): KindInfo {
  return KINDS[kind];
}

/** For the end of every `switch` on a kind: a kind nobody handled is a compile error. */
export function assertNever(kind: never, what = "kind"): never {
  throw new TypeError(`Unknown ${what} ${JSON.stringify(String(kind))}`);
}
