// Test helper: writes the C equivalent of arenakit struct schemas, compiles it with the system C
// compiler and reads back what the compiler decided (sizeof, _Alignof, offsetof of every member),
// so layout tests can compare layoutOf() with gcc instead of with numbers worked out by hand.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Schema, StructSchema } from "../../schemas/types.ts";

/** What the C compiler says about one struct type. */
export interface CStruct {
  /** The arenakit schema the type was written for. */
  schema: StructSchema;
  /** The mode it was written for (the schema's own, or inherited from its parent). */
  mode: "c" | "packed";
  size: number;
  align: number;
  fields: { name: string; offset: number; size: number; align: number }[];
}

/** The compiler to use, or undefined when none is installed (tests then skip). */
export function findCC(): string | undefined {
  for (const cc of ["cc", "gcc"]) {
    try {
      execFileSync(cc, ["--version"], { stdio: "ignore" });
      return cc;
    } catch {
      // Not installed under this name: try the next one.
    }
  }
  return undefined;
}

const SCALAR_C: Readonly<Record<string, string>> = {
  i8: "int8_t",
  u8: "uint8_t",
  i16: "int16_t",
  u16: "uint16_t",
  i32: "int32_t",
  u32: "uint32_t",
  f32: "float",
  f64: "double",
  i64: "int64_t",
  u64: "uint64_t",
  bool: "bool",
  // arenakit stores a ref's id as an f64.
  ref: "double",
};

/** Writes the C source declaring every struct reachable from `roots` and printing its layout. */
export function cSource(roots: readonly StructSchema[]): { source: string; types: CStruct[] } {
  const types: CStruct[] = [];
  const names = new Map<StructSchema, Map<string, string>>();
  const decls: string[] = [];

  // Returns the C type and array dimensions of a member of schema `s` inside a `mode` struct.
  function member(s: Schema, mode: "c" | "packed"): { type: string; dims: number[] } {
    switch (s.kind) {
      case "struct":
        return { type: `struct ${declare(s, (s.layout as "c" | "packed") ?? mode)}`, dims: [] };
      case "enum":
        return { type: s.storage === "u8" ? "uint8_t" : "uint16_t", dims: [] };
      case "string":
        return { type: "char", dims: [s.maxBytes] };
      case "vec":
        return { type: SCALAR_C[s.element], dims: [s.length] };
      case "mat":
        return { type: "float", dims: [s.cols, s.rows] };
      case "array": {
        const e = member(s.element, mode);
        return { type: e.type, dims: [s.length, ...e.dims] };
      }
      default:
        return { type: SCALAR_C[s.kind], dims: [] };
    }
  }

  function declare(s: StructSchema, mode: "c" | "packed"): string {
    let byMode = names.get(s);
    if (!byMode) names.set(s, byMode = new Map());
    const known = byMode.get(mode);
    if (known) return known;
    const name = `T${types.length}_${s.name}`;
    byMode.set(mode, name);
    const entry: CStruct = { schema: s, mode, size: 0, align: 0, fields: [] };
    types.push(entry);
    const lines = Object.keys(s.fields).map((f) => {
      const m = member(s.fields[f], mode);
      return `  ${m.type} ${f}${m.dims.map((d) => `[${d}]`).join("")};`;
    });
    const attr = mode === "packed" ? " __attribute__((packed))" : "";
    decls.push(`struct${attr} ${name} {\n${lines.join("\n")}\n};`);
    return name;
  }

  for (const r of roots) declare(r, (r.layout as "c" | "packed") ?? "c");
  const prints: string[] = [];
  for (const [i, ty] of types.entries()) {
    const n = `struct ${names.get(ty.schema)!.get(ty.mode)}`;
    prints.push(`  printf("T ${i} %zu %zu\\n", sizeof(${n}), _Alignof(${n}));`);
    for (const f of Object.keys(ty.schema.fields)) {
      prints.push(
        `  printf("F ${i} ${f} %zu %zu %zu\\n", offsetof(${n}, ${f}), ` +
          `sizeof(((${n} *)0)->${f}), __alignof__(((${n} *)0)->${f}));`,
      );
    }
  }
  const source = [
    "#include <stdbool.h>",
    "#include <stddef.h>",
    "#include <stdint.h>",
    "#include <stdio.h>",
    ...decls,
    "int main(void) {",
    ...prints,
    "  return 0;",
    "}",
    "",
  ].join("\n");
  return { source, types };
}

/** Compiles and runs the program for `roots` with `cc`, and returns every struct type's layout. */
export function cLayouts(cc: string, roots: readonly StructSchema[]): CStruct[] {
  const { source, types } = cSource(roots);
  const dir = mkdtempSync(join(tmpdir(), "arenakit-layout-"));
  try {
    const file = join(dir, "layout.c");
    const exe = join(dir, "layout");
    writeFileSync(file, source);
    execFileSync(cc, ["-std=gnu11", "-O0", "-o", exe, file], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    const out = execFileSync(exe, { encoding: "utf8" });
    for (const line of out.trim().split("\n")) {
      const p = line.split(" ");
      const ty = types[Number(p[1])];
      if (p[0] === "T") {
        ty.size = Number(p[2]);
        ty.align = Number(p[3]);
      } else {
        ty.fields.push({
          name: p[2],
          offset: Number(p[3]),
          size: Number(p[4]),
          align: Number(p[5]),
        });
      }
    }
    return types;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
