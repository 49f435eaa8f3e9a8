// The WebGPU round trip and the uniform mat2x2f check (see _webgpu_child.ts), run in a Deno
// process of their own and asserted here. Only Deno has WebGPU here; elsewhere, and where Deno
// finds no adapter, the tests say "skipped: no WebGPU adapter".
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

type Result = { name: string; ok?: boolean; skip?: string; detail?: string };

// deno-lint-ignore no-explicit-any
const Deno_: any = (globalThis as any).Deno;
const results = new Map<string, Result>();
let note = "";
if (Deno_ !== undefined) {
  const child = fileURLToPath(new URL("./_webgpu_child.ts", import.meta.url));
  const r = spawnSync(Deno_.execPath(), ["run", "-A", child], {
    encoding: "utf8",
    timeout: 600_000,
  });
  for (const line of `${r.stdout ?? ""}`.split("\n")) {
    if (line.startsWith("RESULT ")) {
      const res = JSON.parse(line.slice(7)) as Result;
      results.set(res.name, res);
    }
  }
  if (r.status !== 0) {
    // The results above were printed before the exit: they stand. Anything else is a failure.
    note = `the WebGPU process exited with ${r.status ?? r.signal} after reporting ` +
      `${results.size} results (Deno's wgpu at exit)\n${(r.stderr ?? "").slice(-2000)}`;
  }
}

function skipOf(name: string): string | false {
  if (Deno_ === undefined) return "skipped: no WebGPU adapter (no WebGPU in this runtime)";
  const res = results.get(name);
  return res?.skip ?? false;
}

for (
  const [title, name] of [
    ["WebGPU round trip: random storage and uniform schemas", "round trip"],
    ["WebGPU mat2x2f in a uniform buffer: what Deno's wgpu reads", "uniform mat2x2f"],
    ["WebGPU: the README's example", "README example"],
  ] as const
) {
  describe(title, () => {
    const skip = skipOf(name);
    if (skip) console.log(`${title} ${skip}`);
    it("passes on the device", { skip }, () => {
      const res = results.get(name);
      assert.ok(res !== undefined, `no result from the WebGPU process: ${note}`);
      assert.equal(res.ok, true, res.detail);
      console.log(`${title}: ${res.detail}`);
      if (note !== "") console.log(`note: ${note.split("\n")[0]}`);
    });
  });
}
