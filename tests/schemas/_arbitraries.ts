// Test helper: fast-check arbitraries for random struct schemas in every layout mode, and for
// valid plain values of any schema.
import fc from "fast-check";
import * as t from "../../schemas/t.ts";
import type { EnumSchema, LayoutMode, Schema, StructSchema } from "../../schemas/types.ts";
import { INT_RANGE } from "../../lib/values/check.ts";

/** `n` distinct enum literals. */
export const names = (n: number): [string, ...string[]] =>
  Array.from({ length: n }, (_, i) => `v${i}`) as [string, ...string[]];
/** An enum stored as u16. */
export const BIG_ENUM: EnumSchema = t.enum(names(257));

const C_LEAVES: fc.Arbitrary<Schema>[] = [
  fc.constantFrom<Schema>(
    t.i8(),
    t.u8(),
    t.i16(),
    t.u16(),
    t.i32(),
    t.u32(),
    t.f32(),
    t.f64(),
    t.i64(),
    t.u64(),
    t.bool(),
    t.enum(["a", "b", "c"]),
    BIG_ENUM,
    t.vec2f(),
    t.vec3f(),
    t.vec4f(),
    t.vec3i(),
    t.vec2u(),
    t.mat2x2f(),
    t.mat3x3f(),
    t.mat4x4f(),
    t.ref(t.struct({ id: t.u32() })),
  ),
  fc.integer({ min: 1, max: 13 }).map((n) => t.string(n)),
];

const WGSL_LEAVES: fc.Arbitrary<Schema>[] = [
  fc.constantFrom<Schema>(
    t.f32(),
    t.i32(),
    t.u32(),
    t.vec2f(),
    t.vec3f(),
    t.vec4f(),
    t.vec2i(),
    t.vec3u(),
    t.vec4i(),
    t.mat2x2f(),
    t.mat3x3f(),
    t.mat4x4f(),
  ),
];

// Array elements whose stride is a multiple of 16 in the uniform address space.
const UNIFORM_ELEMENTS: fc.Arbitrary<Schema>[] = [
  fc.constantFrom<Schema>(t.vec4f(), t.vec4u(), t.mat2x2f(), t.mat3x3f(), t.mat4x4f()),
];

function fieldsOf(field: fc.Arbitrary<Schema>): fc.Arbitrary<Record<string, Schema>> {
  return fc.array(field, { minLength: 1, maxLength: 5 }).map((fs) =>
    Object.fromEntries(fs.map((s, i) => [`f${i}`, s]))
  );
}

/** Random struct schemas whose root has `mode`; nested structs may pin an allowed mode. */
export function structArb(mode: LayoutMode, depth = 2): fc.Arbitrary<StructSchema> {
  const wgsl = mode === "wgsl" || mode === "wgsl-uniform";
  const leaves = wgsl ? WGSL_LEAVES : C_LEAVES;
  const nestedModes: (LayoutMode | undefined)[] = wgsl
    ? [undefined, undefined, mode]
    : [undefined, undefined, "c", "packed"];
  const nested = depth === 0 ? [] : [
    structArb(mode, depth - 1).chain((s) =>
      fc.constantFrom(...nestedModes).map((layout) => t.struct(s.fields, { layout }))
    ),
  ];
  const element = fc.oneof(...(mode === "wgsl-uniform" ? UNIFORM_ELEMENTS : leaves), ...nested);
  const field = fc.oneof(
    { weight: 4, arbitrary: fc.oneof(...leaves) },
    {
      weight: 1,
      arbitrary: fc.tuple(element, fc.integer({ min: 1, max: 4 })).map(([e, n]) => t.array(e, n)),
    },
    ...nested.map((arbitrary) => ({ weight: 1, arbitrary })),
  );
  return fieldsOf(field).map((fields) => t.struct(fields, { layout: mode }));
}

const encoder = new TextEncoder();

/** Random values that `schema` can hold exactly (f32 values are f32-representable). */
export function valueArb(schema: Schema): fc.Arbitrary<unknown> {
  switch (schema.kind) {
    case "i8":
    case "u8":
    case "i16":
    case "u16":
    case "i32":
    case "u32": {
      const [min, max] = INT_RANGE[schema.kind];
      return fc.integer({ min, max });
    }
    case "f32":
      return fc.float();
    case "f64":
      return fc.double();
    case "i64":
      return fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
    case "u64":
      return fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
    case "bool":
      return fc.boolean();
    case "enum":
      return fc.constantFrom(...schema.values);
    case "string": {
      const cap = schema.maxBytes;
      return fc.string({ unit: "binary", maxLength: cap }).filter((s) =>
        !s.includes("\0") && encoder.encode(s).length <= cap
      );
    }
    case "ref":
      return fc.oneof(fc.constant(null), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }));
    case "vec": {
      const e = valueArb({ kind: schema.element } as Schema);
      const keys = ["x", "y", "z", "w"].slice(0, schema.length);
      return fc.record(Object.fromEntries(keys.map((k) => [k, e])), { noNullPrototype: true });
    }
    case "mat": {
      const n = schema.cols * schema.rows;
      return fc.array(fc.float(), { minLength: n, maxLength: n });
    }
    case "array":
      return fc.array(valueArb(schema.element), {
        minLength: schema.length,
        maxLength: schema.length,
      });
    case "struct":
      return fc.record(
        Object.fromEntries(Object.keys(schema.fields).map((k) => [k, valueArb(schema.fields[k])])),
        { noNullPrototype: true },
      );
  }
}

/** A random struct schema of any mode together with a value for it. */
export function schemaAndValue(
  modes: readonly LayoutMode[] = ["c", "packed", "wgsl", "wgsl-uniform"],
): fc.Arbitrary<{ schema: StructSchema; value: Record<string, unknown> }> {
  return fc.constantFrom(...modes).chain((m) => structArb(m)).chain((schema) =>
    valueArb(schema).map((value) => ({ schema, value: value as Record<string, unknown> }))
  );
}

// Field names a struct refuses, and names the WGSL and C generators refuse (keywords and
// reserved words): random names avoid both, so generated code never fails on a name.
const TAKEN = new Set(["set", "toObject", "toJSON", "seek", "then", "constructor", "prototype"]);
for (const n of Object.getOwnPropertyNames(Object.prototype)) TAKEN.add(n);

/**
 * Random field names: identifiers that `t.struct` accepts and `usable(name)` allows (pass the
 * generators' own check, e.g. a call of `wgslOf`/`cHeaderOf` on a one-field struct), mixed with
 * names that look like the generators' own (`_pad0`, `_pad1`) to test that they step aside.
 */
export function fieldNameArb(usable: (name: string) => boolean): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.stringMatching(/^[a-z_][a-z0-9_]{0,7}$/) },
    { weight: 1, arbitrary: fc.constantFrom("_pad0", "_pad1", "x", "pos", "life", "f0") },
  ).filter((n) => !TAKEN.has(n) && usable(n));
}

/** `schema` with every struct's fields renamed to distinct random names (modes kept). */
export function renamedArb(
  schema: StructSchema,
  name: fc.Arbitrary<string>,
): fc.Arbitrary<StructSchema> {
  const rename = (s: Schema): fc.Arbitrary<Schema> => {
    if (s.kind === "array") return rename(s.element).map((e) => t.array(e, s.length));
    if (s.kind !== "struct") return fc.constant(s);
    const keys = Object.keys(s.fields);
    return fc.tuple(
      fc.uniqueArray(name, { minLength: keys.length, maxLength: keys.length }),
      fc.tuple(...keys.map((k) => rename(s.fields[k]))),
    ).map(([names, fields]) =>
      t.struct(Object.fromEntries(names.map((n, i) => [n, fields[i]])), {
        layout: s.layout,
      })
    );
  };
  return rename(schema) as fc.Arbitrary<StructSchema>;
}
