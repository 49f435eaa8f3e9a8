/**
 * Schemas as structured-clone data, for handles that cross threads: a schema is plain frozen
 * data except `t.ref()`, whose target is a function (so two schemas can refer to each other).
 * {@linkcode toWire} lists every struct reachable through references and replaces each target by
 * its index; {@linkcode fromWire} rebuilds the schemas, and gives the same object for the same
 * struct every time in one thread, so references resolve by identity as they do where they were
 * made.
 *
 * @module
 */
import type { Schema, StructSchema } from "./types.ts";

/** A struct schema as plain data: `structs[0]` is the root; `ids` name each struct. */
export interface WireSchema<S extends StructSchema = StructSchema> {
  /** Always `"arenakit.schema"`. */
  readonly kind: "arenakit.schema";
  /** The structs, each with every `t.ref()` target replaced by `{ kind: "ref", struct: i }`. */
  readonly structs: readonly unknown[];
  /** An id per struct, the same for one struct object in every handle made in its thread. */
  readonly ids: readonly string[];
  /** The type of the root schema (no runtime value). */
  readonly $schema?: S;
}

// Ids tell structs apart across handles: a random prefix per thread, so handles made in two
// threads never share an id for different structs.
const PREFIX = Math.random().toString(36).slice(2, 10);
let nextId = 0;
const idOf = new WeakMap<StructSchema, string>();
// What this thread rebuilt, by id (and the ids of its own schemas resolve to themselves).
const rebuilt = new Map<string, StructSchema>();

function wireIdOf(s: StructSchema): string {
  let id = idOf.get(s);
  if (id === undefined) {
    id = `${PREFIX}:${nextId++}`;
    idOf.set(s, id);
    rebuilt.set(id, s);
  }
  return id;
}

/** `schema` as structured-clone data (see the module doc). */
export function toWire<S extends StructSchema>(schema: S): WireSchema<S> {
  const structs: unknown[] = [];
  const ids: string[] = [];
  const index = new Map<StructSchema, number>();
  const queue: StructSchema[] = [];
  const indexOf = (s: StructSchema): number => {
    let i = index.get(s);
    if (i === undefined) {
      i = queue.length;
      index.set(s, i);
      queue.push(s);
    }
    return i;
  };
  const encode = (s: Schema): unknown => {
    if (s.kind === "ref") return { kind: "ref", struct: indexOf(s.target()) };
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(s)) {
      if (k === "fields") {
        const fields: Record<string, unknown> = {};
        for (const [name, f] of Object.entries(v as Record<string, Schema>)) {
          fields[name] = encode(f);
        }
        out[k] = fields;
      } else if (k === "element" && typeof v === "object" && v !== null) {
        // An array's element is a schema; a vector's is a kind name.
        out[k] = encode(v as Schema);
      } else out[k] = v;
    }
    return out;
  };
  indexOf(schema);
  for (let i = 0; i < queue.length; i++) {
    ids.push(wireIdOf(queue[i]));
    structs.push(encode(queue[i]));
  }
  return { kind: "arenakit.schema", structs, ids };
}

/**
 * The struct schema `wire` describes: the same object for the same struct every time in this
 * thread (and the original object in the thread that made it). Throws TypeError for anything
 * that is not a {@linkcode toWire} result.
 */
export function fromWire<S extends StructSchema>(wire: WireSchema<S>): S {
  const bad = (what: string): never => {
    throw new TypeError(`Cannot read a schema from a handle: ${what}`);
  };
  const w = wire as unknown as Record<string, unknown>;
  if (typeof w !== "object" || w === null || w.kind !== "arenakit.schema") bad("no wire schema");
  const { structs, ids } = w as { structs: unknown; ids: unknown };
  if (
    !Array.isArray(structs) || !Array.isArray(ids) || structs.length === 0 ||
    ids.length !== structs.length || !ids.every((id) => typeof id === "string")
  ) bad("its struct list is malformed");
  const list = structs as unknown[];
  const names = ids as string[];
  const out: StructSchema[] = new Array(list.length);
  const decode = (n: unknown, depth: number): Schema => {
    if (typeof n !== "object" || n === null || depth > 64) bad("a field is malformed");
    const o = n as Record<string, unknown>;
    if (o.kind === "ref") {
      const i = o.struct;
      if (typeof i !== "number" || !Number.isInteger(i) || i < 0 || i >= list.length) {
        bad("a reference points outside its struct list");
      }
      return Object.freeze({ kind: "ref", target: () => out[i as number] }) as Schema;
    }
    const copy: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) {
      if (k === "fields") {
        if (typeof v !== "object" || v === null) bad("a struct has no fields");
        const fields: Record<string, Schema> = {};
        for (const [name, f] of Object.entries(v as Record<string, unknown>)) {
          fields[name] = decode(f, depth + 1);
        }
        copy[k] = Object.freeze(fields);
      } else if (k === "element" && typeof v === "object" && v !== null) {
        copy[k] = decode(v, depth + 1);
      } else copy[k] = v;
    }
    return Object.freeze(copy) as unknown as Schema;
  };
  for (let i = 0; i < list.length; i++) {
    const known = rebuilt.get(names[i]);
    if (known !== undefined) out[i] = known;
  }
  for (let i = 0; i < list.length; i++) {
    if (out[i] !== undefined) continue;
    const s = decode(list[i], 0);
    if (s.kind !== "struct") bad(`struct ${i} is a ${String(s.kind)}`);
    out[i] = s as StructSchema;
    rebuilt.set(names[i], out[i]);
  }
  return out[0] as S;
}
