/**
 * The accessor classes one arena has made, by schema: what `alloc` looks up on every call, and
 * what a snapshot lists as the layouts the arena holds.
 *
 * @module
 */
import { layoutOf } from "../../schemas/layout.ts";
import type { StructSchema } from "../../schemas/types.ts";
import { type ViewClass, viewClass } from "../codegen/compile.ts";
import type { ClassPlan } from "../codegen/plan.ts";

/** An arena's accessor classes, one per struct schema. */
export class ArenaClasses {
  readonly checked: boolean;
  readonly jitless: boolean;
  /** Whether classes check lifetimes by trap (a checked, unshared arena's epochs). */
  readonly trap: boolean;
  #classes = new Map<StructSchema, ViewClass>();
  // Not private names: this test is inlined into frame loops, and JavaScriptCore charges each
  // private name's lookup to the inlining cost.
  lastSchema: StructSchema | undefined = undefined;
  lastClass: ViewClass | undefined = undefined;

  constructor(checked: boolean, jitless: boolean, trap = false) {
    this.checked = checked;
    this.jitless = jitless;
    this.trap = trap;
  }

  /** The class of `schema` in its own layout mode, made on first use. */
  of(schema: StructSchema): ViewClass {
    // Frame loops allocate one schema many times in a row: skip the map for a repeat. The rest
    // is out of line, so what V8 inlines into such a loop is this test.
    return schema === this.lastSchema ? this.lastClass! : this.find(schema);
  }

  /** The class of `schema`, looked up or made (the miss path of `of`). */
  find(schema: StructSchema): ViewClass {
    let C = this.#classes.get(schema);
    if (C === undefined) {
      const layout = layoutOf(schema);
      C = viewClass(
        {
          schema,
          mode: layout.mode,
          baseAlign: layout.align,
          checked: this.checked,
          trap: this.trap,
        },
        this.jitless,
      );
      this.#classes.set(schema, C);
    }
    this.lastSchema = schema;
    this.lastClass = C;
    return C;
  }

  /**
   * A class for records laid out as `plan` says. A nested view keeps the mode it inherited (a
   * struct inside a packed one is packed), which the schema alone does not tell.
   */
  like(plan: ClassPlan): ViewClass {
    const schema = plan.key.schema as StructSchema;
    const mode = plan.key.mode;
    if (mode === layoutOf(schema).mode) return this.of(schema);
    return viewClass(
      { schema, mode, baseAlign: plan.align, checked: this.checked, trap: this.trap },
      this.jitless,
    );
  }

  /** The schemas this arena has made classes for. */
  schemas(): IterableIterator<StructSchema> {
    return this.#classes.keys();
  }
}
