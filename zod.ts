/**
 * zod interop for arenakit, as `@arenakit/core/zod`: compile a zod v4 schema into a fixed
 * layout with {@linkcode fromZod}, and get a zod schema for any arenakit schema with
 * {@linkcode toZod}, to validate untrusted input at the boundary before it is stored. It lives
 * in its own entry point so that `@arenakit/core` never loads zod.
 *
 * @example One schema, parsed at the boundary, stored in an arena
 * ```ts
 * import { z } from "zod";
 * import { Arena, layoutOf } from "@arenakit/core";
 * import { fromZod, toZod } from "@arenakit/core/zod";
 * import assert from "node:assert/strict";
 *
 * const Ship = z.object({
 *   pos: z.object({ x: z.float32(), y: z.float32() }).meta({ arenakit: "vec2f" }),
 *   hp: z.int().meta({ arenakit: "u16" }),
 *   faction: z.enum(["red", "blue"]),
 *   name: z.string().max(16),
 * });
 * const S = fromZod(Ship, { name: "Ship" });
 * assert.equal(layoutOf(S).size, 28);
 *
 * const input: unknown = JSON.parse('{"pos":{"x":1,"y":2},"hp":900,"faction":"red","name":"Ada"}');
 * const ship = new Arena({ bytes: 4096 }).alloc(S, toZod(S).parse(input));
 * assert.equal(ship.hp, 900);
 * assert.equal(toZod(S).safeParse({ ...ship.toObject(), hp: 70000 }).success, false);
 * ```
 *
 * @module
 */
export {
  type ArenakitHint,
  fromZod,
  type FromZodOptions,
  type HintOptions,
  type HintType,
  type MetaSource,
  type SchemaFor,
  type ZodLike,
} from "./lib/interop/from_zod.ts";
export { toZod, type Validator } from "./lib/interop/to_zod.ts";
