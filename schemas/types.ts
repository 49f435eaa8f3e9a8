/**
 * Schema data: plain frozen objects with a `kind` tag. Static types ride on a phantom symbol
 * field that never exists at run time, so `Infer<S>` costs nothing.
 *
 * @module
 */

/** Phantom key that carries a schema's plain-object type. It is never set at run time. */
export const $infer: unique symbol = Symbol.for("arenakit.infer") as never;
/** Phantom key that carries a schema's view type. It is never set at run time. */
export const $view: unique symbol = Symbol.for("arenakit.view") as never;

/** The plain-object type of a schema, like `z.infer`. */
export type Infer<S extends Schema> = S[typeof $infer];
/** The type of the in-place accessor a schema reads back as. */
export type ViewOf<S extends Schema> = S[typeof $view];

/** How a struct's fields are placed in memory. */
export type LayoutMode = "c" | "packed" | "wgsl" | "wgsl-uniform";

/** Number kinds that read back as JS numbers. */
export type NumberKind = "i8" | "u8" | "i16" | "u16" | "i32" | "u32" | "f32" | "f64";
/** 64-bit integer kinds that read back as bigints. */
export type BigIntKind = "i64" | "u64";
/** Element kinds of vectors. */
export type VecElement = "f32" | "i32" | "u32";

/** What every schema carries: a kind tag and the phantom types. */
export interface SchemaBase<T, V> {
  /** The kind tag. */
  readonly kind: string;
  /** Phantom: the plain-object type. */
  readonly [$infer]: T;
  /** Phantom: the view type. */
  readonly [$view]: V;
}

/** A fixed-width number: `t.f32()`, `t.u8()`, … */
export interface NumberSchema<K extends NumberKind = NumberKind>
  extends SchemaBase<number, number> {
  /** Which number type. */
  readonly kind: K;
}

/** A 64-bit integer, read and written as a bigint: `t.i64()`, `t.u64()`. */
export interface BigIntSchema<K extends BigIntKind = BigIntKind>
  extends SchemaBase<bigint, bigint> {
  /** Which integer type. */
  readonly kind: K;
}

/** A boolean stored in one byte (0 or 1). */
export interface BoolSchema extends SchemaBase<boolean, boolean> {
  /** The kind tag. */
  readonly kind: "bool";
}

/** One of a fixed list of string literals, stored as its index (u8, or u16 past 256 members). */
export interface EnumSchema<L extends readonly string[] = readonly string[]>
  extends SchemaBase<L[number], L[number]> {
  /** The kind tag. */
  readonly kind: "enum";
  /** The literals, in index order. */
  readonly values: L;
  /** The integer type that stores the index. */
  readonly storage: "u8" | "u16";
}

/** A UTF-8 string of at most `maxBytes` bytes, zero-padded in place. */
export interface StringSchema extends SchemaBase<string, string> {
  /** The kind tag. */
  readonly kind: "string";
  /** Capacity in UTF-8 bytes. */
  readonly maxBytes: number;
}

/** Typed array a numeric array field reads back as. */
export interface TypedArrayOf {
  /** `t.i8()` arrays. */
  i8: Int8Array;
  /** `t.u8()` arrays. */
  u8: Uint8Array;
  /** `t.i16()` arrays. */
  i16: Int16Array;
  /** `t.u16()` arrays. */
  u16: Uint16Array;
  /** `t.i32()` arrays. */
  i32: Int32Array;
  /** `t.u32()` arrays. */
  u32: Uint32Array;
  /** `t.f32()` arrays. */
  f32: Float32Array;
  /** `t.f64()` arrays. */
  f64: Float64Array;
  /** `t.i64()` arrays. */
  i64: BigInt64Array;
  /** `t.u64()` arrays. */
  u64: BigUint64Array;
}

/** Indexable view of a fixed-length array whose elements are not plain numbers. */
export interface ArrayView<T, V> extends Iterable<V> {
  /** Number of elements. */
  readonly length: number;
  /** Element `i` (a view for struct and vector elements). */
  at(i: number): V;
  /** Writes element `i`. */
  setAt(i: number, value: T): void;
  /** The elements as plain values. */
  toObject(): T[];
}

/** What an array field's view is: a typed array for numbers, else an {@linkcode ArrayView}. */
export type ArrayViewType<E extends Schema> = E extends NumberSchema<infer K> ? TypedArrayOf[K]
  : E extends BigIntSchema<infer K> ? TypedArrayOf[K]
  : ArrayView<Infer<E>, ViewOf<E>>;

/**
 * A fixed-length array: numeric elements read back as a typed array over the arena bytes. In a
 * `"packed"` struct, a numeric array at an offset not aligned to its element size cannot be a
 * typed array; it reads back as an {@linkcode ArrayView} there (its static type still says typed
 * array: index it with `at()`/`setAt()`, which both have).
 *
 * The typed array is raw: element writes convert as the typed array does (`v.hist[0] = 40000`
 * on an `i16` array stores -25536) with no value check, while writing the whole field
 * (`v.hist = [...]`, `set()`, `alloc(S, init)`) is checked. Kept past a checked arena's
 * `reset()` it is detached (length 0, writes dropped); see `StructArray.column` for releases,
 * unchecked and shared arenas.
 */
export interface ArraySchema<E extends Schema = Schema, N extends number = number>
  extends SchemaBase<Infer<E>[], ArrayViewType<E>> {
  /** The kind tag. */
  readonly kind: "array";
  /** The element schema. */
  readonly element: E;
  /** Number of elements. */
  readonly length: N;
}

/** Plain form of a vector. */
export type VecValue<N extends 2 | 3 | 4> = N extends 2 ? { x: number; y: number }
  : N extends 3 ? { x: number; y: number; z: number }
  : { x: number; y: number; z: number; w: number };

/** A WGSL-style vector (`vec3f` is `float[3]` in C and `vec3<f32>` in WGSL). */
export interface VecSchema<E extends VecElement = VecElement, N extends 2 | 3 | 4 = 2 | 3 | 4>
  extends SchemaBase<VecValue<N>, VecValue<N> & StructMethods<VecValue<N>>> {
  /** The kind tag. */
  readonly kind: "vec";
  /** Component type. */
  readonly element: E;
  /** Number of components. */
  readonly length: N;
}

/**
 * A column-major `f32` matrix. Its plain form is the `cols * rows` values without padding; its
 * view is a Float32Array over the bytes, which in WGSL layouts includes the column padding
 * (element `(c, r)` is at `c * stride + r`).
 */
export interface MatSchema<C extends 2 | 3 | 4 = 2 | 3 | 4, R extends 2 | 3 | 4 = 2 | 3 | 4>
  extends SchemaBase<number[], Float32Array> {
  /** The kind tag. */
  readonly kind: "mat";
  /** Number of columns. */
  readonly cols: C;
  /** Number of rows. */
  readonly rows: R;
}

/**
 * A reference to a record of another table (see `Table`), stored as its id in 8 bytes. Reading
 * it through a view resolves the id, or gives `undefined` once the target is gone.
 */
export interface RefSchema<S extends StructSchema = StructSchema>
  extends SchemaBase<number | null, ViewOf<S> | undefined> {
  /** The kind tag. */
  readonly kind: "ref";
  /** Returns the schema of the referenced records (a function, so schemas can refer to each other). */
  readonly target: () => S;
}

/** The field map of a struct. */
export type Fields = { readonly [name: string]: Schema };

/** Plain form of a struct's fields. */
export type InferFields<F extends Fields> = { -readonly [K in keyof F]: Infer<F[K]> };

/** Deep partial of a plain value, as accepted by `alloc(S, init)` and `view.set()`. */
export type DeepPartial<T> = T extends readonly unknown[] ? T | ArrayLike<T[number]>
  : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> }
  : T;

/** Methods every struct and vector view has. */
export interface StructMethods<T> {
  /** Writes the given fields (validated first in checked mode; nothing is written on error). */
  set(values: DeepPartial<T>): this;
  /** Copies the fields out as a plain object (bigints stay bigints). */
  toObject(): T;
  /** JSON-safe copy: like `toObject()`, with 64-bit integers as decimal strings. */
  toJSON(): unknown;
}

/** Schemas whose fields read back as plain values. */
export type ScalarLike =
  | NumberSchema
  | BigIntSchema
  | BoolSchema
  | EnumSchema
  | StringSchema
  | RefSchema;
/** Names of a struct's fields that read back as plain values. */
export type ScalarKeys<F extends Fields> = {
  [K in keyof F]: F[K] extends ScalarLike ? K : never;
}[keyof F];
/** Names of a struct's fields that read back as nested views or arrays. */
export type CompoundKeys<F extends Fields> = Exclude<keyof F, ScalarKeys<F>>;

/**
 * The accessor type of a struct: a read-write property per scalar field, a read-only property
 * per nested struct, vector, matrix or array (write those through `set()`), plus the methods.
 */
export type StructView<F extends Fields> =
  & { -readonly [K in ScalarKeys<F>]: ViewOf<F[K]> }
  & { readonly [K in CompoundKeys<F>]: ViewOf<F[K]> }
  & StructMethods<InferFields<F>>;

/**
 * A struct of named fields, laid out by `mode`. Without a type argument it stands for any struct
 * (its field map is then untyped, so specific structs are assignable to it).
 */
// deno-lint-ignore no-explicit-any
export interface StructSchema<F extends Fields = any>
  extends SchemaBase<InferFields<F>, StructView<F>> {
  /** The kind tag. */
  readonly kind: "struct";
  /** Fields in declaration order. */
  readonly fields: F;
  /** The struct's name in generated code and errors. */
  readonly name: string;
  /** The layout mode, or undefined to inherit the enclosing struct's (C at the root). */
  readonly layout: LayoutMode | undefined;
}

/** Any arenakit schema. */
export type Schema =
  | NumberSchema
  | BigIntSchema
  | BoolSchema
  | EnumSchema
  | StringSchema
  | ArraySchema<Schema, number>
  | VecSchema
  | MatSchema
  | RefSchema
  | StructSchema;
