/**
 * Identifiers that generated WGSL and C cannot use as struct or member names, and the naming of
 * the struct types a schema tree declares (shared by `wgslOf` and `cHeaderOf`).
 *
 * @module
 */
import type { Layout } from "../../schemas/layout.ts";
import { SchemaError } from "../errors.ts";

// WGSL keywords and reserved words (WGSL spec, sections 15.2 and 15.3).
const WGSL_WORDS =
  "alias break case const const_assert continue continuing default diagnostic discard else " +
  "enable false fn for if let loop override requires return struct switch true var while " +
  "NULL Self abstract active alignas alignof as asm asm_fragment async attribute auto await " +
  "become cast catch class co_await co_return co_yield coherent column_major common compile " +
  "compile_fragment concept const_cast consteval constexpr constinit crate debugger decltype " +
  "delete demote demote_to_helper do dynamic_cast enum explicit export extends extern external " +
  "fallthrough filter final finally friend from fxgroup get goto groupshared highp impl " +
  "implements import inline instanceof interface layout lowp macro macro_rules match mediump " +
  "meta mod module move mut mutable namespace new nil noexcept noinline nointerpolation " +
  "non_coherent noncoherent noperspective null nullptr of operator package packoffset " +
  "partition pass patch pixelfragment precise precision premerge priv protected pub public " +
  "readonly ref regardless register reinterpret_cast require resource restrict self set " +
  "shared sizeof smooth snorm static static_assert static_cast std subroutine super target " +
  "template this thread_local throw trait try type typedef typeid typename typeof union unless " +
  "unorm unsafe unsized use using varying virtual volatile wgsl where with writeonly yield";

// Predeclared WGSL type names: a struct named like one would shadow the type its members use.
const WGSL_TYPES = "bool f16 f32 i32 u32 array atomic ptr sampler sampler_comparison " +
  ["2", "3", "4"].flatMap((n) => [`vec${n}`, `vec${n}f`, `vec${n}h`, `vec${n}i`, `vec${n}u`])
    .join(" ") +
  " " +
  ["2", "3", "4"].flatMap((c) =>
    ["2", "3", "4"].flatMap((r) => [`mat${c}x${r}`, `mat${c}x${r}f`, `mat${c}x${r}h`])
  ).join(" ");

// C11 and C23 keywords, the <stdint.h>, <stdbool.h> and <stddef.h> names the header uses.
const C_WORDS = "auto break case char const continue default do double else enum extern float " +
  "for goto if inline int long register restrict return short signed sizeof static struct " +
  "switch typedef union unsigned void volatile while alignas alignof bool constexpr false " +
  "nullptr static_assert thread_local true typeof typeof_unqual offsetof size_t NULL " +
  "int8_t uint8_t int16_t uint16_t int32_t uint32_t int64_t uint64_t";

const set = (words: string): ReadonlySet<string> => new Set(words.split(/\s+/));
const WGSL_RESERVED = set(WGSL_WORDS);
const WGSL_TYPE_NAMES = set(WGSL_TYPES);
const C_RESERVED = set(C_WORDS);

/** The target language of a generator. */
export type Target = "WGSL" | "C";

/** Throws a {@linkcode SchemaError} at `path` when `name` cannot be an identifier in `target`. */
export function checkName(target: Target, name: string, path: string, what: string): void {
  let why: string | undefined;
  if (target === "WGSL") {
    if (WGSL_RESERVED.has(name)) why = "a WGSL keyword or reserved word";
    else if (name === "_" || name.startsWith("__")) why = `reserved in WGSL ("_" and "__" prefix)`;
    else if (what === "struct name" && WGSL_TYPE_NAMES.has(name)) {
      why = "a predeclared WGSL type, which the declarations use";
    }
  } else {
    if (C_RESERVED.has(name)) why = "a C keyword or a name the header uses";
    else if (/^_[A-Z_]/.test(name)) why = `reserved in C (starts with "_" and a capital or "_")`;
  }
  if (why !== undefined) {
    throw new SchemaError(
      path,
      `${what} ${JSON.stringify(name)} cannot be used in ${target}: it is ${why}, rename it`,
    );
  }
}

/** One struct type of a schema tree, in dependency order, with the name it is declared under. */
export interface NamedLayout {
  /** The type's name in the generated code. */
  readonly name: string;
  /** Its layout. */
  readonly layout: Layout;
  /** Field path of its first use ("" for the root), for errors. */
  readonly path: string;
}

/**
 * Every struct layout reachable from `root`, dependencies before their users. A schema laid out
 * in two modes (a struct nested in a packed and in a C struct) gets the mode as a suffix on its
 * second name; two different structs with one name are refused.
 */
export function structsOf(root: Layout, target: Target, prefix: string): NamedLayout[] {
  const out: NamedLayout[] = [];
  const byLayout = new Map<Layout, NamedLayout>();
  const owner = new Map<string, Layout>();
  const visit = (layout: Layout, path: string): NamedLayout => {
    const known = byLayout.get(layout);
    if (known !== undefined) return known;
    for (const f of layout.fields) {
      if (f.layout !== undefined) visit(f.layout, path === "" ? f.name : `${path}.${f.name}`);
    }
    checkName(target, layout.name, path, "struct name");
    let name = prefix + layout.name;
    const taken = owner.get(name);
    if (taken !== undefined && taken.schema === layout.schema) {
      name = `${name}_${layout.mode.replace("-", "_")}`;
    }
    const other = owner.get(name);
    if (other !== undefined) {
      throw new SchemaError(
        path,
        `two different structs are named ${JSON.stringify(layout.name)}: ` +
          `give one another name (t.struct(fields, { name }))`,
      );
    }
    owner.set(name, layout);
    const named = { name, layout, path };
    byLayout.set(layout, named);
    out.push(named);
    return named;
  };
  visit(root, "");
  return out;
}
