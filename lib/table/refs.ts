/**
 * References between tables: which table each `t.ref()` field of a table's schema resolves
 * against. It is passed to the table (the `refs` option), never looked up by schema in a
 * module-level map, so creating another table of the target schema changes nothing.
 *
 * @module
 */
import type { RefSchema, Schema, StructSchema } from "../../schemas/types.ts";
import { RefError } from "../errors.ts";
import { show } from "../_text.ts";

/** What a reference field resolves against: the target table's records. */
export interface RefTarget {
  readonly schema: StructSchema;
  /** The view of live record `id`, or undefined. */
  resolve(id: number): unknown;
}

/** One `t.ref()` field of a schema. */
interface RefField {
  readonly path: string;
  readonly ref: RefSchema;
}

/** The `t.ref()` fields of `schema`, nested structs and arrays included (`list[].from`). */
export function refFields(schema: StructSchema): RefField[] {
  const out: RefField[] = [];
  const walk = (s: Schema, path: string): void => {
    if (s.kind === "ref") out.push({ path, ref: s });
    else if (s.kind === "struct") {
      for (const k of Object.keys(s.fields)) walk(s.fields[k], path === "" ? k : `${path}.${k}`);
    } else if (s.kind === "array") walk(s.element, `${path}[]`);
  };
  walk(schema, "");
  return out;
}

/**
 * The reference fields of one table and what each resolves against, checked once when the table
 * is made. Fields are told apart by their `t.ref()` schema object.
 */
export class Refs {
  readonly #targets = new Map<RefSchema, RefTarget>();
  readonly #paths = new Map<RefSchema, string>();

  /**
   * Binds the reference fields of `self.schema`: `given` maps field paths to tables, or lists
   * tables matched to fields by their schema; a field pointing at the table's own schema that
   * `given` does not bind resolves against the table itself. `targetOf` turns a table into its
   * records (undefined for what is not a table). Throws {@linkcode RefError}.
   */
  constructor(
    self: RefTarget,
    given: unknown,
    targetOf: (table: unknown) => RefTarget | undefined,
  ) {
    const fields = refFields(self.schema);
    const bind = (f: RefField, target: RefTarget): void => {
      const had = this.#targets.get(f.ref);
      if (had !== undefined && had !== target) {
        throw new RefError(
          f.path,
          `two tables were given for it (the same t.ref() schema is used at "${
            this.#paths.get(f.ref)
          }"): use one t.ref() per field`,
        );
      }
      this.#targets.set(f.ref, target);
    };
    for (const f of fields) if (!this.#paths.has(f.ref)) this.#paths.set(f.ref, f.path);
    const table = (v: unknown, path: string): RefTarget => {
      const t = targetOf(v);
      if (t === undefined) {
        throw new RefError(path, `option "refs" must give a Table, got ${show(v)}`);
      }
      return t;
    };
    if (Array.isArray(given)) {
      const tables = given.map((v, i) => table(v, `refs[${i}]`));
      for (const f of fields) {
        const target = f.ref.target();
        const found = tables.filter((t) => t.schema === target);
        if (found.length > 1) {
          throw new RefError(
            f.path,
            `option "refs" lists ${found.length} tables of ${target.name} records: ` +
              `name the one to use, as refs: { "${f.path}": table }`,
          );
        }
        if (found.length === 1) bind(f, found[0]);
      }
    } else if (typeof given === "object" && given !== null) {
      for (const path of Object.keys(given)) {
        const matching = fields.filter((f) => f.path === path);
        if (matching.length === 0) {
          const names = fields.map((f) => f.path).join(", ") || "none";
          throw new RefError(
            path,
            `${self.schema.name} has no t.ref() field there (its reference fields: ${names})`,
          );
        }
        const target = table((given as Record<string, unknown>)[path], path);
        for (const f of matching) {
          const want = f.ref.target();
          if (target.schema !== want) {
            throw new RefError(
              path,
              `it refers to ${want.name} records, the table given holds ${target.schema.name}`,
            );
          }
          bind(f, target);
        }
      }
    } else if (given !== undefined) {
      throw new RefError("", `option "refs" must be an object or an array, got ${show(given)}`);
    }
    for (const f of fields) {
      if (!this.#targets.has(f.ref) && f.ref.target() === self.schema) bind(f, self);
    }
  }

  /** Each reference field bound to another table, by path (fields bound to the table itself left out). */
  bindings(self: RefTarget): { path: string; target: RefTarget }[] {
    const out: { path: string; target: RefTarget }[] = [];
    for (const [ref, target] of this.#targets) {
      if (target !== self) out.push({ path: this.#paths.get(ref) as string, target });
    }
    return out;
  }

  /** The view of record `id` of the table field `ref` resolves against, or undefined. */
  resolve(ref: RefSchema, id: number): unknown {
    const target = this.#targets.get(ref);
    if (target === undefined) {
      const path = this.#paths.get(ref) ?? "?";
      throw new RefError(
        path,
        `no table was given for its ${ref.target().name} records: pass one, as ` +
          `new Table(schema, { refs: { "${path}": table } })`,
      );
    }
    return target.resolve(id);
  }
}
