/**
 * Renders BENCHMARKS.md from the result files under `.bench-out/` (written by `scripts/bench.ts`).
 *
 * ```sh
 * deno run -A scripts/render-benchmarks.ts            # .bench-out → BENCHMARKS.md
 * deno run -A scripts/render-benchmarks.ts --out -    # print instead of writing
 * ```
 *
 * ## Inputs
 *
 * - `.bench-out/<runtime>/<suite>.json`: mitata 1.x JSON output (`run({ format: "json" })`):
 *   `{ layout: [{ name, types }], benchmarks: [{ alias, group, baseline, runs: [{ name, stats:
 *   { p50, p99, avg, min, max, ... } | undefined, error? }] }], context: { runtime, version, cpu:
 *   { name }, arch, now } }`. `benchmarks[i].group` indexes `layout`, whose `name` is the
 *   `group()` title. Times are in nanoseconds.
 * - `bench/<suite>.targets.json` (optional): `[{ "group", "case", "vs"?, "max_ratio", "note"? }]`;
 *   a target is met when `median(case) / median(vs) <= max_ratio`, `vs` defaulting to the group's
 *   baseline.
 * - `.bench-out/<runtime>/frames-<name>.json`: a frame benchmark, format `FramesFile` from
 *   `bench/_frames_file.ts`, in short:
 *
 *   ```json
 *   { "kind": "arenakit-frames", "version": 1, "title": "Particle demo (bench/demo.ts)",
 *     "runtime": "deno", "runtimeVersion": "deno 2.9.6 (V8 15.0.245.2-rusty)",
 *     "machine": { "cpu": "...", "cores": 2, "platform": "linux-x64", "memoryBytes": 0 },
 *     "date": "2025-01-01T00:00:00.000Z", "params": { "particles": 20000, "frames": 1200 },
 *     "baseline": "plain-objects",
 *     "variants": [{ "name": "plain-objects", "description": "...", "frames": 1200,
 *       "medianMs": 0.63, "p99Ms": 0.79, "maxMs": 3.9, "meanMs": 0.65,
 *       "gcCount": 1, "gcMs": 3.5, "gcMethod": "V8 --trace-gc",
 *       "peakHeapBytes": 33345536, "arenaBytes": null, "checksum": 4228053741033 }],
 *     "targets": [{ "variant": "typed-arrays", "vs": "plain-objects", "metric": "p99Ms",
 *       "max_ratio": 0.5, "note": "issue #7" }] }
 *   ```
 *
 *   `null` means not measured and is printed as such. Frame files with the same name from
 *   different runtimes form one section. Targets may also live in a sidecar
 *   `bench/frames-<name>.targets.json` (same shape as `targets`); a target with a ratio of 0 vs 0
 *   (e.g. GC counts) is met. A target may divide by another metric (`"vsMetric": "medianMs"`
 *   with `"vs"` naming the same variant: p99 against its own median) and may apply to one runtime
 *   only (`"runtime": "deno"`; other runtimes show "—").
 * - `.bench-out/machine.json` (optional): `MachineInfo` plus `date`, written by scripts/bench.ts.
 *
 * @module
 */

import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { FramesFile, FramesTarget, FramesVariant } from "../bench/_frames_file.ts";
import { formatBytes, formatMs } from "../bench/_frame_stats.ts";
import { machineInfo, scriptArgs } from "../bench/_runtime.ts";

/** The parts of mitata's JSON output the report reads. */
interface MitataJson {
  readonly layout: readonly { readonly name: string | null }[];
  readonly benchmarks: readonly {
    readonly alias: string;
    readonly group: number;
    readonly baseline: boolean;
    readonly runs: readonly {
      readonly name: string;
      readonly stats?: { readonly p50: number; readonly p99: number; readonly avg: number };
      readonly error?: { readonly message?: string } | unknown;
    }[];
  }[];
  readonly context: {
    readonly runtime: string | null;
    readonly version: string | null;
    readonly arch: string | null;
    readonly now: number;
    readonly cpu: { readonly name: string | null };
  };
}

/** A target from `bench/<suite>.targets.json`. */
interface SuiteTarget {
  readonly group: string;
  readonly case: string;
  readonly vs?: string;
  readonly max_ratio: number;
  readonly note?: string;
}

/** One measured case of one runtime. */
interface Cell {
  readonly p50: number | undefined;
  readonly p99: number | undefined;
  readonly error: string | undefined;
}

/** A group of a suite: case names in order, the baseline, and cells per runtime. */
interface GroupTable {
  readonly name: string;
  readonly cases: string[];
  baseline: string | undefined;
  readonly cells: Map<string, Map<string, Cell>>; // runtime -> case -> cell
}

const RUNTIME_ORDER = ["deno", "bun", "node"];
const RUNTIME_TITLE: Record<string, string> = { deno: "Deno", bun: "Bun", node: "Node" };

function title(runtime: string): string {
  return RUNTIME_TITLE[runtime] ?? runtime;
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, "utf8"));
}

function ratioText(r: number | undefined): string {
  if (r === undefined || !Number.isFinite(r)) return "—";
  // Small ratios keep two significant digits: 0.0026× says more than 0.00×.
  return r !== 0 && r < 0.1 ? `${r.toPrecision(2)}×` : `${r.toFixed(2)}×`;
}

function escapeCell(s: string): string {
  return s.replaceAll("|", "\\|").replaceAll("\n", " ");
}

function table(header: string[], align: ("l" | "r")[], rows: string[][]): string[] {
  return [
    `| ${header.join(" | ")} |`,
    `| ${align.map((a) => (a === "r" ? "--:" : ":--")).join(" | ")} |`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ];
}

/** Turns one runtime's mitata output into group tables (merged into `groups`). */
function addSuiteRun(groups: Map<string, GroupTable>, runtime: string, json: MitataJson): void {
  for (const b of json.benchmarks) {
    const groupName = json.layout[b.group]?.name ?? "(ungrouped)";
    let g = groups.get(groupName);
    if (!g) {
      g = { name: groupName, cases: [], baseline: undefined, cells: new Map() };
      groups.set(groupName, g);
    }
    for (const run of b.runs) {
      if (!g.cases.includes(run.name)) g.cases.push(run.name);
      if (g.baseline === undefined && (b.baseline || run.name.startsWith("baseline:"))) {
        g.baseline = run.name;
      }
      let perRuntime = g.cells.get(runtime);
      if (!perRuntime) g.cells.set(runtime, perRuntime = new Map());
      const error = run.error === undefined || run.error === null
        ? undefined
        : String((run.error as { message?: string }).message ?? run.error);
      perRuntime.set(run.name, { p50: run.stats?.p50, p99: run.stats?.p99, error });
    }
  }
}

function caseRatio(g: GroupTable, runtime: string, name: string, vs: string): number | undefined {
  const cells = g.cells.get(runtime);
  const a = cells?.get(name)?.p50;
  const b = cells?.get(vs)?.p50;
  return a === undefined || b === undefined || b <= 0 ? undefined : a / b;
}

function renderSuite(
  suite: string,
  runtimes: string[],
  groups: Map<string, GroupTable>,
  targets: SuiteTarget[] | undefined,
): string[] {
  const out: string[] = [`## Suite \`${suite}\` (bench/${suite}.bench.ts)`, ""];
  for (const g of groups.values()) {
    out.push(`### ${g.name}`, "");
    // A group titled "... (N bytes)" moves N bytes per iteration: show bytes per second too.
    const bytes = Number(/\((\d+) bytes\)/.exec(g.name)?.[1] ?? NaN);
    const header = ["case"];
    const align: ("l" | "r")[] = ["l"];
    for (const rt of runtimes) {
      header.push(`${title(rt)} median`, `${title(rt)} p99`, `${title(rt)} vs baseline`);
      align.push("r", "r", "r");
      if (bytes > 0) {
        header.push(`${title(rt)} GB/s`);
        align.push("r");
      }
    }
    const rows = g.cases.map((c) => {
      const row = [escapeCell(c === g.baseline ? `**${c}**` : c)];
      for (const rt of runtimes) {
        const cell = g.cells.get(rt)?.get(c);
        if (!cell) row.push("—", "—", "—");
        else if (cell.error !== undefined) row.push(`error: ${escapeCell(cell.error)}`, "—", "—");
        else {
          row.push(
            cell.p50 === undefined ? "—" : formatMs(cell.p50 / 1e6),
            cell.p99 === undefined ? "—" : formatMs(cell.p99 / 1e6),
            g.baseline === undefined
              ? "no baseline"
              : c === g.baseline
              ? "1.00× (baseline)"
              : ratioText(caseRatio(g, rt, c, g.baseline)),
          );
        }
        if (bytes > 0) {
          // Medians are in nanoseconds, so bytes per nanosecond are GB/s.
          const p50 = cell?.error === undefined ? cell?.p50 : undefined;
          row.push(p50 === undefined ? "—" : (bytes / p50).toFixed(bytes / p50 >= 100 ? 0 : 2));
        }
      }
      return row;
    });
    out.push(...table(header, align, rows), "");
  }
  if (targets && targets.length > 0) {
    out.push(`### Targets (bench/${suite}.targets.json)`, "");
    const header = ["target", "note", ...runtimes.map(title)];
    const rows = targets.map((t) => {
      const g = groups.get(t.group);
      const vs = t.vs ?? g?.baseline;
      const row = [
        escapeCell(`${t.case} ≤ ${t.max_ratio}× ${vs ?? "(no baseline)"} in “${t.group}”`),
        escapeCell(t.note ?? ""),
      ];
      for (const rt of runtimes) {
        const r = g && vs ? caseRatio(g, rt, t.case, vs) : undefined;
        row.push(
          r === undefined
            ? "not measured"
            : `${ratioText(r)} ${r <= t.max_ratio ? "met" : "**not met**"}`,
        );
      }
      return row;
    });
    out.push(...table(header, ["l", "l", ...runtimes.map(() => "r" as const)], rows), "");
  }
  return out;
}

function metricValue(v: FramesVariant, metric: string): number | null {
  const value = (v as unknown as Record<string, unknown>)[metric];
  return typeof value === "number" ? value : null;
}

function renderFrames(
  name: string,
  files: Map<string, FramesFile>,
  runtimes: string[],
  sidecarTargets: readonly FramesTarget[],
): string[] {
  const first = [...files.values()][0];
  const out: string[] = [`## Frames: ${first.title} (frames-${name})`, ""];
  const params = Object.entries(first.params).map(([k, v]) => `${k} ${v}`).join(", ");
  out.push(
    `Parameters: ${params}. Times per frame; GC counted inside the measured frames only; ` +
      `ratios against ${first.baseline} (lower is better).`,
    "",
  );
  for (const rt of runtimes) {
    const f = files.get(rt);
    if (!f) continue;
    const base = f.variants.find((v) => v.name === f.baseline);
    out.push(`### ${title(rt)} — ${f.runtimeVersion}`, "");
    const rows = f.variants.map((v) => [
      escapeCell(v.name === f.baseline ? `**${v.name}**` : v.name),
      formatMs(v.medianMs),
      formatMs(v.p99Ms),
      formatMs(v.maxMs),
      v.gcCount === null ? "not measured" : String(v.gcCount),
      v.gcMs === null ? "not measured" : `${v.gcMs.toFixed(1)} ms`,
      v.peakHeapBytes === null ? "not measured" : formatBytes(v.peakHeapBytes),
      v.arenaBytes === null ? "—" : formatBytes(v.arenaBytes),
      base ? ratioText(v.medianMs / base.medianMs) : "—",
      base ? ratioText(v.p99Ms / base.p99Ms) : "—",
      base === undefined || v.checksum === null || base.checksum === null
        ? "—"
        : v.checksum === base.checksum
        ? "matches"
        : "**differs**",
    ]);
    out.push(
      ...table(
        [
          "variant",
          "median",
          "p99",
          "max",
          "GCs",
          "GC pause",
          "peak heap",
          "arena",
          "median vs base",
          "p99 vs base",
          "checksum",
        ],
        ["l", "r", "r", "r", "r", "r", "r", "r", "r", "r", "l"],
        rows,
      ),
      "",
    );
    const methods = [...new Set(f.variants.map((v) => v.gcMethod))].join("; ");
    out.push(`GC measured with: ${methods}.`, "");
    const runs = f.variants.filter((v) => (v.runMediansMs?.length ?? 0) > 1);
    if (runs.length > 0) {
      out.push(
        `Each variant ran ${runs[0].runMediansMs!.length} times, each in a new process, in ` +
          "rounds; the table shows the run with the middle median. Medians of the runs: " +
          runs.map((v) => `${v.name} ${v.runMediansMs!.map(formatMs).join(" / ")}`).join("; ") +
          ".",
        "",
      );
    }
  }
  const targets = [...(first.targets ?? []), ...sidecarTargets];
  if (targets.length > 0) {
    out.push("### Targets", "");
    const rows = targets.map((t) => {
      if (t.max_value !== undefined) {
        const row = [
          escapeCell(
            `${t.variant} ${t.metric} ≤ ${t.max_value}` +
              (t.runtime ? ` (${title(t.runtime)} only)` : ""),
          ),
          escapeCell(t.note ?? ""),
        ];
        for (const rt of runtimes) {
          const a = files.get(rt)?.variants.find((v) => v.name === t.variant);
          const av = a ? metricValue(a, t.metric) : null;
          if (t.runtime !== undefined && t.runtime !== rt) row.push("—");
          else if (av === null) row.push("not measured");
          else row.push(`${+av.toFixed(4)} ${av <= t.max_value ? "met" : "**not met**"}`);
        }
        return row;
      }
      const vsMetric = t.vsMetric ?? t.metric;
      const row = [
        escapeCell(
          `${t.variant} ${t.metric} ≤ ${t.max_ratio}× ${t.vs}` +
            (vsMetric === t.metric ? "" : ` ${vsMetric}`) +
            (t.runtime ? ` (${title(t.runtime)} only)` : ""),
        ),
        escapeCell(t.note ?? ""),
      ];
      for (const rt of runtimes) {
        const f = files.get(rt);
        const a = f?.variants.find((v) => v.name === t.variant);
        const b = f?.variants.find((v) => v.name === t.vs);
        const av = a ? metricValue(a, t.metric) : null;
        const bv = b ? metricValue(b, vsMetric) : null;
        if (t.runtime !== undefined && t.runtime !== rt) row.push("—");
        else if (av === null || bv === null) row.push("not measured");
        else if (bv === 0) row.push(av === 0 ? "0 vs 0 met" : `${av} vs 0 **not met**`);
        else {
          const r = av / bv;
          row.push(`${ratioText(r)} ${r <= t.max_ratio ? "met" : "**not met**"}`);
        }
      }
      return row;
    });
    out.push(
      ...table(["target", "note", ...runtimes.map(title)], [
        "l",
        "l",
        ...runtimes.map(() => "r" as const),
      ], rows),
      "",
    );
  }
  return out;
}

/**
 * Renders the whole BENCHMARKS.md text from a results directory (`.bench-out`) and the bench
 * directory (for targets files).
 *
 * @example Render an empty results directory
 * ```ts
 * import { renderBenchmarks } from "./render-benchmarks.ts";
 * const md = renderBenchmarks(await Deno.makeTempDir(), "bench");
 * if (!md.includes("do not edit")) throw new Error(md);
 * ```
 */
export function renderBenchmarks(outDir: string, benchDir: string): string {
  const runtimes = existsSync(outDir)
    ? readdirSync(outDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name)
      .sort((a, b) => rank(a) - rank(b))
    : [];
  const suites = new Map<string, Map<string, GroupTable>>();
  const frames = new Map<string, Map<string, FramesFile>>();
  const versions = new Map<string, string>();
  let latest = 0;
  let cpuName: string | undefined;

  for (const rt of runtimes) {
    for (const file of readdirSync(join(outDir, rt)).filter((f) => f.endsWith(".json")).sort()) {
      const json = readJson(join(outDir, rt, file)) as Partial<FramesFile> & Partial<MitataJson>;
      const name = basename(file, ".json");
      if (json.kind === "arenakit-frames") {
        const f = json as FramesFile;
        const key = name.replace(/^frames-/, "");
        if (!frames.has(key)) frames.set(key, new Map());
        frames.get(key)!.set(rt, f);
        versions.set(rt, f.runtimeVersion);
        latest = Math.max(latest, Date.parse(f.date));
      } else if (json.benchmarks && json.layout && json.context) {
        const m = json as MitataJson;
        if (!suites.has(name)) suites.set(name, new Map());
        addSuiteRun(suites.get(name)!, rt, m);
        if (!versions.has(rt)) versions.set(rt, `${m.context.runtime} ${m.context.version}`);
        latest = Math.max(latest, m.context.now);
        cpuName ??= m.context.cpu.name ?? undefined;
      }
    }
  }

  const machinePath = join(outDir, "machine.json");
  const machine = existsSync(machinePath)
    ? readJson(machinePath) as ReturnType<typeof machineInfo> & { date?: string }
    : { ...machineInfo(), date: undefined };
  const out: string[] = [
    "# Benchmarks",
    "",
    "> generated by scripts/render-benchmarks.ts — do not edit. Regenerate with `deno task bench`.",
    "",
    `- Machine: ${cpuName ?? machine.cpu}, ${machine.cores} cores, ${machine.platform}, ` +
    `${formatBytes(machine.memoryBytes)} RAM`,
    `- Runtimes: ${runtimes.map((rt) => versions.get(rt) ?? rt).join("; ") || "none"}`,
    `- Date: ${latest > 0 ? new Date(latest).toISOString() : machine.date ?? "unknown"}`,
    "- Micro-benchmarks: mitata medians (p50) and p99 per iteration; “vs baseline” is case median ÷ " +
    "the group baseline's median in the same runtime (lower is better, below 1.00× beats plain objects).",
    "",
  ];
  if (suites.size === 0 && frames.size === 0) {
    out.push("No results yet: run `deno task bench`.", "");
  }

  for (const [suite, groups] of suites) {
    const targetsPath = join(benchDir, `${suite}.targets.json`);
    const targets = existsSync(targetsPath) ? readJson(targetsPath) as SuiteTarget[] : undefined;
    const present = runtimes.filter((rt) => [...groups.values()].some((g) => g.cells.has(rt)));
    out.push(...renderSuite(suite, present, groups, targets));
  }
  for (const [name, files] of frames) {
    const targetsPath = join(benchDir, `frames-${name}.targets.json`);
    const targets = existsSync(targetsPath) ? readJson(targetsPath) as FramesTarget[] : [];
    out.push(...renderFrames(name, files, runtimes.filter((rt) => files.has(rt)), targets));
  }
  return out.join("\n").replace(/\n+$/, "") + "\n";
}

function rank(runtime: string): number {
  const i = RUNTIME_ORDER.indexOf(runtime);
  return i === -1 ? RUNTIME_ORDER.length : i;
}

/** True when this file is the program being run (Node 20 has no `import.meta.main`). */
function isMain(): boolean {
  return process.argv[1] !== undefined &&
    resolve(process.argv[1]) === fileURLToPath(import.meta.url);
}

/**
 * Writes the rendered `md` to `target`. Sections marked "(hand-written" in their heading are not
 * produced from result files: they are carried over from the file being replaced, at the end.
 */
export function writeBenchmarks(target: string, md: string): void {
  const kept = existsSync(target) ? handWritten(readFileSync(target, "utf8")) : [];
  writeFileSync(target, kept.length === 0 ? md : `${md.trimEnd()}\n\n${kept.join("\n\n")}\n`);
}

/** The `## ` sections of `md` whose heading says "(hand-written", each without trailing space. */
export function handWritten(md: string): string[] {
  const parts = md.split(/\n(?=## )/);
  return parts.filter((p) => /^## .*\(hand-written/.test(p)).map((p) => p.trimEnd());
}

if (isMain()) {
  const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
  const { values } = parseArgs({
    args: scriptArgs(),
    options: { in: { type: "string" }, out: { type: "string" } },
    strict: true,
  });
  const md = renderBenchmarks(values.in ?? join(root, ".bench-out"), join(root, "bench"));
  const target = values.out ?? join(root, "BENCHMARKS.md");
  if (target === "-") process.stdout.write(md);
  else {
    writeBenchmarks(target, md);
    process.stderr.write(`wrote ${target}\n`);
  }
}
