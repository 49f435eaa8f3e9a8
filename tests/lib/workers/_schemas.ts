// The schema the worker pool tests run their systems over.
import { t } from "../../../mod.ts";

export const Body = t.struct(
  { x: t.f64(), vx: t.f32(), who: t.i32(), seen: t.i32() },
  { name: "Body" },
);

export const Ship = t.struct({ hp: t.f32() }, { name: "Ship" });
export const Shot = t.struct({ from: t.ref(Ship), x: t.f32() }, { name: "Shot" });
