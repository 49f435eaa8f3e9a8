/**
 * Runtime detection and the few runtime-specific calls the benchmark tools need, so the demo and
 * the scripts run unchanged under Deno, Bun and Node (via tsx).
 *
 * Everything here goes through `node:*` modules where they behave the same in all three runtimes;
 * the `Deno` and `Bun` globals are only touched behind a runtime check.
 *
 * @module
 */

import process from "node:process";
import os from "node:os";

/** The JavaScript runtimes the benchmark tools know how to drive. */
export type RuntimeName = "deno" | "bun" | "node";

/** The subset of the `Bun` global used here (typed locally because Deno has no Bun types). */
export interface BunGlobal {
  /** Bun's version, e.g. `1.4.5`. */
  readonly version: string;
  /** Runs a garbage collection; `true` waits for a full, synchronous one. */
  gc(force: boolean): void;
}

/**
 * Returns the `Bun` global when running under Bun.
 *
 * @example Only Bun has it
 * ```ts
 * import { bunGlobal, runtimeName } from "./_runtime.ts";
 * if (runtimeName() !== "bun" && bunGlobal() !== undefined) throw new Error("unexpected Bun");
 * ```
 */
export function bunGlobal(): BunGlobal | undefined {
  return (globalThis as { Bun?: BunGlobal }).Bun;
}

/**
 * Names the runtime this code is running in.
 *
 * @example Detect the runtime
 * ```ts
 * import { runtimeName } from "./_runtime.ts";
 * if (!["deno", "bun", "node"].includes(runtimeName())) throw new Error("unknown runtime");
 * ```
 */
export function runtimeName(): RuntimeName {
  // Bun defines a `process` global too, so it must be checked before falling back to Node.
  if ("Bun" in globalThis) return "bun";
  if ("Deno" in globalThis) return "deno";
  return "node";
}

/**
 * Describes the runtime and its engine, e.g. `deno 2.9.6 (V8 15.0.245.2-rusty)`.
 *
 * @example Print the runtime
 * ```ts
 * import { runtimeVersion } from "./_runtime.ts";
 * if (!/^(deno|bun|node) /.test(runtimeVersion())) throw new Error(runtimeVersion());
 * ```
 */
export function runtimeVersion(): string {
  const name = runtimeName();
  if (name === "deno") return `deno ${Deno.version.deno} (V8 ${Deno.version.v8})`;
  if (name === "bun") return `bun ${bunGlobal()!.version} (JavaScriptCore)`;
  return `node ${process.versions.node} (V8 ${process.versions.v8})`;
}

/** The machine a benchmark ran on, as recorded in result files. */
export interface MachineInfo {
  /** CPU model string from `os.cpus()`, e.g. `Intel(R) Xeon(R) Processor`. */
  readonly cpu: string;
  /** Logical cores visible to the process. */
  readonly cores: number;
  /** `${os.platform()}-${os.arch()}`, e.g. `linux-x64`. */
  readonly platform: string;
  /** Total memory in bytes. */
  readonly memoryBytes: number;
}

/**
 * Reads the CPU model, core count, platform and memory size of this machine.
 *
 * @example Record the machine
 * ```ts
 * import { machineInfo } from "./_runtime.ts";
 * const m = machineInfo();
 * if (m.cores < 1) throw new Error("no cores");
 * ```
 */
export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? "unknown",
    cores: cpus.length,
    platform: `${os.platform()}-${os.arch()}`,
    memoryBytes: os.totalmem(),
  };
}

/** Heap numbers as the runtime reports them, in bytes. */
export interface MemorySample {
  /** Bytes of live JS heap (Bun counts ArrayBuffer storage here too). */
  readonly heapUsed: number;
  /** Bytes held outside the JS heap by JS objects, mostly ArrayBuffer storage. */
  readonly external: number;
  /** Resident set size of the whole process. */
  readonly rss: number;
}

/**
 * Samples heap usage: `Deno.memoryUsage()` under Deno, `process.memoryUsage()` elsewhere.
 *
 * @example Sample the heap
 * ```ts
 * import { memorySample } from "./_runtime.ts";
 * if (memorySample().heapUsed <= 0) throw new Error("no heap?");
 * ```
 */
export function memorySample(): MemorySample {
  const m = runtimeName() === "deno" ? Deno.memoryUsage() : process.memoryUsage();
  return { heapUsed: m.heapUsed, external: m.external, rss: m.rss };
}

/**
 * Returns the script's own command-line arguments (without the runtime and script path).
 *
 * @example Read flags
 * ```ts
 * import { scriptArgs } from "./_runtime.ts";
 * if (!Array.isArray(scriptArgs())) throw new Error("no args");
 * ```
 */
export function scriptArgs(): string[] {
  // Deno's node:process fills argv like Node does ([execPath, scriptPath, ...args]).
  return process.argv.slice(2);
}

/**
 * Tells whether stderr is an interactive terminal (progress output is only drawn then, so CI logs
 * stay clean).
 *
 * @example Guard progress output
 * ```ts
 * import { stderrIsTerminal } from "./_runtime.ts";
 * if (typeof stderrIsTerminal() !== "boolean") throw new Error("not a boolean");
 * ```
 */
export function stderrIsTerminal(): boolean {
  if (runtimeName() === "deno") return Deno.stderr.isTerminal();
  return process.stderr.isTTY === true;
}

/** How to start another process of the current runtime running a given script. */
export interface SelfCommand {
  /** Executable to spawn. */
  readonly command: string;
  /** Arguments placed before the script path (runtime flags, loaders). */
  readonly preArgs: readonly string[];
}

/**
 * Returns the command that starts a child of the current runtime able to run a `.ts` script:
 * `deno run -A`, `bun`, or `node` with the tsx loader flags this process was started with.
 *
 * @example Spawn the same runtime
 * ```ts
 * import { selfCommand } from "./_runtime.ts";
 * const { command } = selfCommand();
 * if (command.length === 0) throw new Error("no executable");
 * ```
 */
export function selfCommand(): SelfCommand {
  const name = runtimeName();
  if (name === "deno") return { command: Deno.execPath(), preArgs: ["run", "-A"] };
  if (name === "bun") return { command: process.execPath, preArgs: [] };
  // Under `npx tsx`, execArgv carries tsx's --require/--import loader flags; reuse them so the
  // child can load .ts files too.
  return { command: process.execPath, preArgs: [...process.execArgv] };
}
