/**
 * Real garbage-collection counts for a measured window of a program, per runtime.
 *
 * No runtime offers one in-process counter that works everywhere, so the program under test runs
 * in a child process of the current runtime ({@linkcode runWithGc}) and marks its measured window
 * with {@linkcode gcWindowBegin} / {@linkcode gcWindowEnd}. What was found to work (Deno 2.9.6,
 * Bun 1.4.5, Node 20):
 *
 * - **Deno**: `node:perf_hooks` accepts `entryTypes: ["gc"]` but never delivers an entry, so the
 *   child runs with `--v8-flags=--trace-gc,--expose-gc` and the parent parses V8's trace lines
 *   from the child's stdout. V8 writes them with C stdio, which is block-buffered on a pipe while
 *   `console.log` is not, so printed markers arrive out of order (and can split trace lines). The
 *   markers are therefore GCs themselves: each `gc()` call prints one `Mark-Compact ... testing`
 *   line in the same buffered stream, so the order of trace lines is exact. The child must not
 *   write to stdout; results go to stderr.
 * - **Bun**: `bun:jsc` has heap sizes but no GC counter, and `PerformanceObserver` has no `gc`
 *   entry type. The child runs with `BUN_JSC_logGC=1`: JavaScriptCore logs one `START ... =>
 *   EdenCollection|FullCollection ... p=<pause>ms` record per collection to stderr (unbuffered),
 *   and the markers are lines written to stderr with a synchronous `writeSync(2, ...)`.
 * - **Node**: `PerformanceObserver` with `entryTypes: ["gc"]` works; the child counts the
 *   entries whose start time lies inside the window and sends the totals with its result.
 *
 * Anything that cannot be measured is reported as `undefined` and printed "not measured"; no
 * number is ever estimated.
 *
 * @module
 */

import { spawn } from "node:child_process";
import process from "node:process";
import { writeSync } from "node:fs";
import { bunGlobal, runtimeName, selfCommand } from "./_runtime.ts";

/** What a measured window cost in garbage collection. */
export interface GcReport {
  /** Collections that ran inside the window, or `undefined` when not measured. */
  readonly gcCount: number | undefined;
  /** Main-thread pause time of those collections in milliseconds, or `undefined`. */
  readonly gcMs: number | undefined;
  /** Young-generation collections (V8 Scavenge / Minor Mark-Sweep, JSC Eden). */
  readonly minorCount: number | undefined;
  /** Full collections (V8 Mark-Compact / Mark-Sweep, JSC Full). */
  readonly majorCount: number | undefined;
  /** How the numbers were obtained, or why they are missing. */
  readonly method: string;
}

/** The report used when nothing could be measured. */
function notMeasured(why: string): GcReport {
  return {
    gcCount: undefined,
    gcMs: undefined,
    minorCount: undefined,
    majorCount: undefined,
    method: `not measured: ${why}`,
  };
}

/**
 * Formats a GC report for a table cell: `12 (3.4 ms)` or `not measured`.
 *
 * @example Format a report
 * ```ts
 * import { formatGc } from "./_gc.ts";
 * const cell = formatGc({ gcCount: 3, gcMs: 1.25, minorCount: 3, majorCount: 0, method: "x" });
 * if (cell !== "3 (1.3 ms)") throw new Error(cell);
 * ```
 */
export function formatGc(report: GcReport): string {
  if (report.gcCount === undefined) return "not measured";
  const ms = report.gcMs === undefined ? "time not measured" : `${report.gcMs.toFixed(1)} ms`;
  return `${report.gcCount} (${ms})`;
}

// ---------------------------------------------------------------------------------------------
// Parsing

/** One collection found in a V8 trace. */
export interface GcEvent {
  /** Young-generation (`minor`) or full (`major`) collection. */
  readonly kind: "minor" | "major";
  /** Main-thread pause in milliseconds. */
  readonly pauseMs: number;
  /** True for the `gc()` calls the child uses as window markers (V8 reason "testing"). */
  readonly forced: boolean;
}

// `[pid:0xisolate]   1234 ms: Scavenge 2.1 (3.0) -> 1.5 (4.0) MB, pooled: 0.0 MB, 0.5 / 0.0 ms ...`
// The "pooled" part is new in V8 12+; the first "a / b ms" number is the main-thread pause.
const V8_LINE =
  /^\[\d+:0x[0-9a-f]+\]\s+[\d.]+ ms: ([A-Z][A-Za-z-]*(?: [A-Z][A-Za-z-]*)*(?: \([a-z ]+\))?) [\d.]+ \([\d.]+\) -> [\d.]+ \([\d.]+\) MB, (?:pooled: [\d.]+ MB, )?([\d.]+) \/ [\d.]+ ms.*$/;

/**
 * Extracts the collections from V8 `--trace-gc` output.
 *
 * @example Parse two trace lines
 * ```ts
 * import { parseV8Trace } from "./_gc.ts";
 * const events = parseV8Trace(
 *   "[1:0x5]  9 ms: Scavenge 3.2 (3.5) -> 2.3 (3.8) MB, pooled: 0.0 MB, 0.46 / 0.00 ms (mu) allocation failure;\n" +
 *     "[1:0x5]  9 ms: Mark-Compact 2.3 (2.8) -> 2.2 (2.8) MB, 2.34 / 0.00 ms (mu) testing; GC in old space requested\n",
 * );
 * if (events.length !== 2 || events[0].kind !== "minor" || !events[1].forced) throw new Error();
 * ```
 */
export function parseV8Trace(text: string): GcEvent[] {
  const events: GcEvent[] = [];
  for (const line of text.split("\n")) {
    const m = V8_LINE.exec(line);
    if (!m) continue;
    const name = m[1];
    const minor = name.startsWith("Scavenge") || name.startsWith("Minor");
    events.push({
      kind: minor ? "minor" : "major",
      pauseMs: Number(m[2]),
      forced: / testing[;,]/.test(line),
    });
  }
  return events;
}

/** Marker text the child writes to stderr under Bun (and that the parent looks for). */
const MARK = "@@arenakit-gc-window";
/** Prefix of the line carrying the child's JSON result on stderr. */
const RESULT = "@@arenakit-result ";

/**
 * Extracts the collections inside the marked window from a `BUN_JSC_logGC=1` stderr log.
 *
 * JSC builds one record per collection over its whole cycle (`[GC<0x..>: START M 9861kb =>
 * EdenCollection, ... p=0.26ms (max ..), cycle ..ms END]`), and concurrent output can land inside
 * it, so the log is scanned as a token stream rather than line by line.
 *
 * @example Count the collections between the markers
 * ```ts
 * import { parseJscLog } from "./_gc.ts";
 * const log = "[GC<0x1>: START M 5kb => FullCollection, p=1.5ms (max 1.5), cycle 1ms END]\n" +
 *   "@@arenakit-gc-window begin\n" +
 *   "[GC<0x1>: START M 9kb => EdenCollection, p=0.25ms (max 1.5), cycle 0.2ms END]\n" +
 *   "@@arenakit-gc-window end\n";
 * const r = parseJscLog(log);
 * if (r.gcCount !== 1 || r.minorCount !== 1 || r.gcMs !== 0.25) throw new Error(JSON.stringify(r));
 * ```
 */
export function parseJscLog(text: string): GcReport {
  const token = new RegExp(
    `${MARK} (begin|end)|START M \\d+kb => (\\w+)|p=([\\d.]+)ms`,
    "g",
  );
  let state: "before" | "inside" | "after" = "before";
  let count = 0;
  let minor = 0;
  let major = 0;
  let ms = 0;
  // A pause belongs to the collection whose START came before it.
  let lastStartInside = false;
  for (const m of text.matchAll(token)) {
    if (m[1] === "begin") state = "inside";
    else if (m[1] === "end") state = "after";
    else if (m[2] !== undefined) {
      lastStartInside = state === "inside";
      if (!lastStartInside) continue;
      count++;
      if (m[2] === "EdenCollection") minor++;
      else major++;
    } else if (m[3] !== undefined && lastStartInside) {
      ms += Number(m[3]);
      lastStartInside = false;
    }
  }
  if (state !== "after") return notMeasured("window markers missing from the BUN_JSC_logGC log");
  return {
    gcCount: count,
    gcMs: ms,
    minorCount: minor,
    majorCount: major,
    method: "BUN_JSC_logGC=1 (JSC collection log)",
  };
}

/**
 * Sums the collections between the first two forced (`testing`) collections of a V8 trace.
 *
 * @example Count what happened between the marker GCs
 * ```ts
 * import { gcWindowFromV8Trace } from "./_gc.ts";
 * const line = (kind: string, ms: string, reason: string) =>
 *   `[1:0x5]  9 ms: ${kind} 3.2 (3.5) -> 2.3 (3.8) MB, ${ms} / 0.00 ms (mu) ${reason};\n`;
 * const trace = line("Mark-Compact", "2.0", "testing") + line("Scavenge", "0.5", "allocation failure") +
 *   line("Mark-Compact", "2.0", "testing");
 * const r = gcWindowFromV8Trace(trace);
 * if (r.gcCount !== 1 || r.gcMs !== 0.5) throw new Error(JSON.stringify(r));
 * // A closing gc() during incremental marking logs two forced collections: still one marker.
 * const twice = gcWindowFromV8Trace(trace + line("Mark-Compact", "2.0", "testing"));
 * if (twice.gcCount !== 1) throw new Error(JSON.stringify(twice));
 * ```
 */
export function gcWindowFromV8Trace(text: string): GcReport {
  const events = parseV8Trace(text);
  const forced = events.flatMap((e, i) => (e.forced ? [i] : []));
  // A gc() that lands during incremental marking logs two "testing" collections in a row (V8
  // finishes the marking, then collects). With more than two forced events, adjacent ones are
  // one marker; with exactly two, they are the markers even when nothing ran in between.
  const runs: [number, number][] = [];
  for (const i of forced) {
    const last = runs.at(-1);
    if (forced.length > 2 && last !== undefined && last[1] === i - 1) last[1] = i;
    else runs.push([i, i]);
  }
  if (runs.length !== 2) {
    return notMeasured(
      `expected 2 marker GCs in the V8 trace, found ${runs.length} (was gc() called elsewhere?)`,
    );
  }
  const inside = events.slice(runs[0][1] + 1, runs[1][0]);
  const minor = inside.filter((e) => e.kind === "minor").length;
  return {
    gcCount: inside.length,
    gcMs: inside.reduce((sum, e) => sum + e.pauseMs, 0),
    minorCount: minor,
    majorCount: inside.length - minor,
    method: "V8 --trace-gc",
  };
}

// ---------------------------------------------------------------------------------------------
// Child side

/** State of the in-process Node observer between begin and end. */
interface NodeWindow {
  readonly entries: { startTime: number; duration: number; kind: number }[];
  readonly disconnect: () => void;
  begin: number;
  end: number;
}

let nodeWindow: NodeWindow | undefined;
let nodeReport: GcReport | undefined;

/** `globalThis.gc` exists when V8 runs with `--expose-gc`. */
function exposedGc(): (() => void) | undefined {
  const gc = (globalThis as { gc?: unknown }).gc;
  return typeof gc === "function" ? gc as () => void : undefined;
}

/**
 * Marks the start of the measured window in a child started by {@linkcode runWithGc}. It also
 * forces a full collection, so the window starts from a clean heap in every runtime.
 *
 * Call it once, after setup and warm-up, then {@linkcode gcWindowEnd} once.
 *
 * @example Mark a window (outside a child the markers are harmless)
 * ```ts
 * import { gcWindowBegin, gcWindowEnd } from "./_gc.ts";
 * await gcWindowBegin();
 * let junk = 0;
 * for (let i = 0; i < 1000; i++) junk += [i * 0.5].length;
 * await gcWindowEnd();
 * ```
 */
export async function gcWindowBegin(): Promise<void> {
  const runtime = runtimeName();
  if (runtime === "bun") {
    bunGlobal()!.gc(true);
    writeSync(2, `${MARK} begin\n`);
    return;
  }
  // Under Deno this gc() call is the marker itself (see the module docs).
  exposedGc()?.();
  if (runtime === "node") {
    const { PerformanceObserver, performance } = await import("node:perf_hooks");
    const entries: NodeWindow["entries"] = [];
    const observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const detail = (e as { detail?: { kind?: number } }).detail;
        entries.push({ startTime: e.startTime, duration: e.duration, kind: detail?.kind ?? 0 });
      }
    });
    observer.observe({ entryTypes: ["gc"] });
    // The entries of the marker gc() above are delivered later; the time filter drops them.
    nodeWindow = {
      entries,
      disconnect: () => observer.disconnect(),
      begin: performance.now(),
      end: 0,
    };
  }
}

/**
 * Marks the end of the measured window started by {@linkcode gcWindowBegin}.
 *
 * @example See gcWindowBegin
 * ```ts
 * import { gcWindowBegin, gcWindowEnd } from "./_gc.ts";
 * await gcWindowBegin();
 * await gcWindowEnd();
 * ```
 */
export async function gcWindowEnd(): Promise<void> {
  const runtime = runtimeName();
  if (runtime === "bun") {
    writeSync(2, `${MARK} end\n`);
    return;
  }
  if (runtime === "node" && nodeWindow) {
    const { performance, constants } = await import("node:perf_hooks");
    const w = nodeWindow;
    w.end = performance.now();
    // Node queues gc entries and delivers them asynchronously; give it a couple of turns.
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    w.disconnect();
    const inside = w.entries.filter((e) => e.startTime >= w.begin && e.startTime < w.end);
    const minorKinds = constants.NODE_PERFORMANCE_GC_MINOR;
    const minor = inside.filter((e) => e.kind === minorKinds).length;
    nodeReport = {
      gcCount: inside.length,
      gcMs: inside.reduce((sum, e) => sum + e.duration, 0),
      minorCount: minor,
      majorCount: inside.length - minor,
      method: "node:perf_hooks PerformanceObserver (gc entries)",
    };
    nodeWindow = undefined;
    return;
  }
  // Deno: the closing marker.
  exposedGc()?.();
}

/**
 * Returns the GC totals of the last window measured in this process: only Node can count in
 * process (PerformanceObserver); elsewhere the report says "not measured".
 *
 * @example Count in process
 * ```ts
 * import { gcWindowBegin, gcWindowEnd, inProcessGcReport } from "./_gc.ts";
 * await gcWindowBegin();
 * await gcWindowEnd();
 * const r = inProcessGcReport();
 * if (r.gcCount === undefined && !r.method.startsWith("not measured")) throw new Error(r.method);
 * ```
 */
export function inProcessGcReport(): GcReport {
  return nodeReport ??
    notMeasured("in-process counting needs Node's PerformanceObserver; run without --in-process");
}

/**
 * Sends the child's result to the parent (one JSON line on stderr; stdout stays free for V8's
 * trace). Under Node it carries the in-process GC totals along.
 *
 * @example Send a result
 * ```ts ignore
 * import { sendChildResult } from "./_gc.ts";
 * sendChildResult({ checksum: 42 });
 * ```
 */
export function sendChildResult(value: unknown): void {
  const payload = { value, nodeGc: nodeReport };
  writeSync(2, `\n${RESULT}${JSON.stringify(payload)}\n`);
}

// ---------------------------------------------------------------------------------------------
// Parent side

/** What {@linkcode runWithGc} returns. */
export interface ChildRun<T> {
  /** The value the child passed to {@linkcode sendChildResult}. */
  readonly result: T;
  /** GC inside the child's window. */
  readonly gc: GcReport;
  /** Wall-clock time of the whole child process in milliseconds. */
  readonly wallMs: number;
}

/**
 * Thrown by {@linkcode runWithGc} when the child fails or sends no result; the message carries
 * the child's stderr (without GC log records).
 *
 * @example Report a failed child
 * ```ts
 * import { ChildRunError } from "./_gc.ts";
 * const e = new ChildRunError("bench/demo.ts", 1, "TypeError: boom");
 * if (e.exitCode !== 1 || !e.message.startsWith('Cannot read a result from "bench/demo.ts"')) {
 *   throw new Error(e.message);
 * }
 * ```
 */
export class ChildRunError extends Error {
  /** Always `ChildRunError`. */
  override name = "ChildRunError";
  /**
   * Creates the error from what the child left behind.
   *
   * @param script the script the child ran
   * @param exitCode exit code of the child (`null` when killed by a signal)
   * @param stderr the child's stderr without GC log noise, for diagnosis
   */
  constructor(
    readonly script: string,
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`Cannot read a result from "${script}": child exited with code ${exitCode}\n${stderr}`);
  }
}

/** Options of {@linkcode runWithGc}. */
export interface RunWithGcOptions {
  /** Extra environment variables for the child. */
  readonly env?: Record<string, string>;
  /** Measure GC (default true); false runs the child without tracing flags. */
  readonly measureGc?: boolean;
  /** V8 flags for the child (e.g. `--no-allocation-site-pretenuring`); ignored under Bun. */
  readonly v8Flags?: readonly string[];
}

/**
 * Runs `script` in a child of the current runtime with the flags that make GC observable, and
 * returns the child's result with the GC count and pause time of its marked window.
 *
 * Contract for the child: call {@linkcode gcWindowBegin} and {@linkcode gcWindowEnd} once each,
 * finish with {@linkcode sendChildResult}, write nothing to stdout, and do not call `gc()`.
 *
 * @example Measure a child
 * ```ts ignore
 * import { formatGc, runWithGc } from "./_gc.ts";
 * const run = await runWithGc<{ checksum: number }>("bench/demo.ts", ["--child", "--variant", "plain-objects"]);
 * console.log(run.result.checksum, formatGc(run.gc));
 * ```
 */
export async function runWithGc<T>(
  script: string,
  args: readonly string[],
  options: RunWithGcOptions = {},
): Promise<ChildRun<T>> {
  const runtime = runtimeName();
  const measure = options.measureGc ?? true;
  const self = selfCommand();
  const flags: string[] = [];
  const env: Record<string, string> = { ...options.env };
  const v8 = [...(measure ? ["--trace-gc", "--expose-gc"] : []), ...(options.v8Flags ?? [])];
  if (runtime === "deno" && v8.length > 0) flags.push(`--v8-flags=${v8.join(",")}`);
  if (runtime === "node") {
    flags.push(...(measure ? ["--expose-gc"] : []), ...(options.v8Flags ?? []));
  }
  if (measure && runtime === "bun") env.BUN_JSC_logGC = "1";

  const started = performance.now();
  const { code, stdout, stderr } = await new Promise<
    { code: number | null; stdout: string; stderr: string }
  >((resolve, reject) => {
    const child = spawn(self.command, [...self.preArgs, ...flags, script, ...args], {
      env: { ...processEnv(), ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: string[] = [];
    const err: string[] = [];
    child.stdout!.setEncoding("utf8").on("data", (s: string) => out.push(s));
    child.stderr!.setEncoding("utf8").on("data", (s: string) => err.push(s));
    child.on("error", reject);
    child.on("close", (c) => resolve({ code: c, stdout: out.join(""), stderr: err.join("") }));
  });
  const wallMs = performance.now() - started;

  const resultLine = stderr.split("\n").find((l) => l.startsWith(RESULT));
  if (code !== 0 || resultLine === undefined) {
    throw new ChildRunError(script, code, withoutGcNoise(stderr) + withoutGcNoise(stdout));
  }
  const payload = JSON.parse(resultLine.slice(RESULT.length)) as { value: T; nodeGc?: GcReport };

  let gc: GcReport;
  if (!measure) gc = notMeasured("GC measurement disabled");
  else if (runtime === "deno") gc = gcWindowFromV8Trace(stdout);
  else if (runtime === "bun") gc = parseJscLog(stderr);
  else gc = payload.nodeGc ?? notMeasured("the child did not mark a GC window");
  return { result: payload.value, gc, wallMs };
}

/** Drops GC log records so error messages show what the child actually said. */
function withoutGcNoise(text: string): string {
  return text.split("\n").filter((l) =>
    !V8_LINE.test(l) && !l.startsWith("[GC<") && l !== "GC END!" && !l.startsWith(RESULT) &&
    !l.startsWith(MARK)
  ).join("\n");
}

/** The parent's environment as plain strings (Deno's node:process maps it too). */
function processEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (typeof v === "string") out[k] = v;
  }
  return out;
}
