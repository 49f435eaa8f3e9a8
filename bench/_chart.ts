/**
 * Dependency-free charts for frame benchmarks: unicode sparklines and histograms for the
 * terminal, an SVG line chart for reports, and a progress line on stderr.
 *
 * @module
 */

import process from "node:process";
import { stderrIsTerminal } from "./_runtime.ts";

const BLOCKS = "▁▂▃▄▅▆▇█";

/** Options of {@linkcode sparkline}. */
export interface SparklineOptions {
  /** Characters in the line (default 60); longer series are bucketed. */
  readonly width?: number;
  /** Value drawn as ▁ (default 0, so lines of different series compare). */
  readonly min?: number;
  /** Value drawn as █ (default the series maximum); pass a shared maximum across variants. */
  readonly max?: number;
}

/**
 * Draws values as a line of ▁▂▃▄▅▆▇█. When there are more values than characters each character
 * shows the maximum of its bucket, because for frame times the spikes are the story.
 *
 * @example Draw a hitch
 * ```ts
 * import { sparkline } from "./_chart.ts";
 * const line = sparkline([0.5, 0.5, 0.5, 8], { width: 4, max: 8 });
 * if (line !== "▁▁▁█") throw new Error(line);
 * ```
 */
export function sparkline(values: ArrayLike<number>, options: SparklineOptions = {}): string {
  const width = Math.max(1, Math.min(options.width ?? 60, values.length));
  if (values.length === 0) return "";
  const buckets = bucketMax(values, width);
  const min = options.min ?? 0;
  const max = options.max ?? Math.max(...buckets);
  const span = max - min;
  let out = "";
  for (const v of buckets) {
    const t = span > 0 ? (v - min) / span : 0;
    const i = Math.round(Math.min(1, Math.max(0, t)) * (BLOCKS.length - 1));
    out += BLOCKS[i];
  }
  return out;
}

/** Splits `values` into `n` contiguous buckets and keeps the maximum of each. */
function bucketMax(values: ArrayLike<number>, n: number): number[] {
  const out: number[] = [];
  for (let b = 0; b < n; b++) {
    const from = Math.floor((b * values.length) / n);
    const to = Math.max(from + 1, Math.floor(((b + 1) * values.length) / n));
    let m = -Infinity;
    for (let i = from; i < to; i++) m = Math.max(m, values[i]);
    out.push(m);
  }
  return out;
}

/** Options of {@linkcode histogram}. */
export interface HistogramOptions {
  /** Number of bins (default 8). */
  readonly bins?: number;
  /** Length of the longest bar in characters (default 30). */
  readonly width?: number;
  /** Formats a bin edge (default two decimals). */
  readonly format?: (value: number) => string;
}

/**
 * Draws a horizontal histogram, one line per bin: `  1.20 –   1.45 │████████ 412`.
 *
 * @example Two bins
 * ```ts
 * import { histogram } from "./_chart.ts";
 * const lines = histogram([1, 1, 1, 2], { bins: 2, width: 3 });
 * if (lines.length !== 2 || !lines[0].endsWith("███ 3") || !lines[1].endsWith("█ 1")) {
 *   throw new Error(lines.join("\n"));
 * }
 * ```
 */
export function histogram(values: ArrayLike<number>, options: HistogramOptions = {}): string[] {
  if (values.length === 0) return [];
  const bins = Math.max(1, options.bins ?? 8);
  const width = options.width ?? 30;
  const format = options.format ?? ((v: number) => v.toFixed(2));
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    lo = Math.min(lo, values[i]);
    hi = Math.max(hi, values[i]);
  }
  const step = hi > lo ? (hi - lo) / bins : 1;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    counts[Math.min(bins - 1, Math.floor((values[i] - lo) / step))]++;
  }
  const most = Math.max(...counts);
  const edges = counts.map((_, b) => [format(lo + b * step), format(lo + (b + 1) * step)]);
  const pad = Math.max(...edges.flat().map((s) => s.length));
  return counts.map((c, b) => {
    const bar = c === 0 ? "" : "█".repeat(Math.max(1, Math.round((c / most) * width)));
    return `${edges[b][0].padStart(pad)} – ${edges[b][1].padStart(pad)} │${bar} ${c}`;
  });
}

/** One line of an SVG chart. */
export interface ChartSeries {
  /** Legend label. */
  readonly name: string;
  /** Y values; the x value is the index. */
  readonly values: ArrayLike<number>;
}

/** Options of {@linkcode lineChartSvg}. */
export interface LineChartOptions {
  /** Title drawn above the plot. */
  readonly title?: string;
  /** X axis label (default "frame"). */
  readonly xLabel?: string;
  /** Y axis label (default "ms"). */
  readonly yLabel?: string;
  /** Image width in pixels (default 900). */
  readonly width?: number;
  /** Image height in pixels (default 360). */
  readonly height?: number;
}

const PALETTE = ["#4e79a7", "#e15759", "#59a14f", "#f28e2b", "#b07aa1", "#76b7b2", "#9c755f"];

/**
 * Renders series as an SVG line chart (index on x, value on y) with axes, ticks and a legend;
 * one polyline per series, no dependencies.
 *
 * @example Chart two variants
 * ```ts
 * import { lineChartSvg } from "./_chart.ts";
 * const svg = lineChartSvg([
 *   { name: "plain objects", values: [1.5, 2.25, 9.5] },
 *   { name: "typed arrays", values: [0.5, 0.75, 0.5] },
 * ], { title: "frame time" });
 * if (!svg.startsWith("<svg") || svg.split("<polyline").length !== 3) throw new Error(svg);
 * ```
 */
export function lineChartSvg(
  series: readonly ChartSeries[],
  options: LineChartOptions = {},
): string {
  const width = options.width ?? 900;
  const height = options.height ?? 360;
  const margin = { left: 60, right: 20, top: options.title ? 36 : 16, bottom: 44 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const longest = Math.max(1, ...series.map((s) => s.values.length));
  let top = 0;
  for (const s of series) {
    for (let i = 0; i < s.values.length; i++) top = Math.max(top, s.values[i]);
  }
  const yTicks = niceTicks(top > 0 ? top : 1, 5);
  const yMax = yTicks[yTicks.length - 1];
  const xTicks = niceTicks(Math.max(1, longest - 1), 6);
  const xMax = Math.max(1, longest - 1);
  const x = (i: number) => margin.left + (i / xMax) * plotW;
  const y = (v: number) => margin.top + plotH - (v / yMax) * plotH;
  const r = (n: number) => Math.round(n * 10) / 10;

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
      `viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
  );
  if (options.title) {
    out.push(
      `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${
        escapeXml(options.title)
      }</text>`,
    );
  }
  for (const t of yTicks) {
    out.push(
      `<line x1="${margin.left}" x2="${width - margin.right}" y1="${r(y(t))}" y2="${
        r(y(t))
      }" stroke="#e5e5e5"/>`,
      `<text x="${margin.left - 6}" y="${r(y(t)) + 4}" text-anchor="end">${tickLabel(t)}</text>`,
    );
  }
  for (const t of xTicks) {
    if (t > xMax) continue;
    out.push(
      `<line x1="${r(x(t))}" x2="${r(x(t))}" y1="${margin.top + plotH}" y2="${
        margin.top + plotH + 4
      }" stroke="#333"/>`,
      `<text x="${r(x(t))}" y="${margin.top + plotH + 18}" text-anchor="middle">${
        tickLabel(t)
      }</text>`,
    );
  }
  out.push(
    `<line x1="${margin.left}" x2="${margin.left}" y1="${margin.top}" y2="${
      margin.top + plotH
    }" stroke="#333"/>`,
    `<line x1="${margin.left}" x2="${width - margin.right}" y1="${margin.top + plotH}" y2="${
      margin.top + plotH
    }" stroke="#333"/>`,
    `<text x="${margin.left + plotW / 2}" y="${height - 8}" text-anchor="middle">${
      escapeXml(options.xLabel ?? "frame")
    }</text>`,
    `<text transform="translate(16 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle">${
      escapeXml(options.yLabel ?? "ms")
    }</text>`,
  );
  // The legend box fits its longest label (about 7 px a character at 12 px sans-serif).
  const legendW = 36 + 7 * Math.max(0, ...series.map((s) => s.name.length));
  if (series.length > 0) {
    out.push(
      `<rect x="${width - margin.right - legendW}" y="${margin.top}" width="${legendW - 4}" ` +
        `height="${series.length * 16 + 4}" fill="white" fill-opacity="0.85" stroke="#ccc"/>`,
    );
  }
  series.forEach((s, k) => {
    const color = PALETTE[k % PALETTE.length];
    const points: string[] = [];
    for (let i = 0; i < s.values.length; i++) points.push(`${r(x(i))},${r(y(s.values[i]))}`);
    out.push(
      `<polyline fill="none" stroke="${color}" stroke-width="1.2" stroke-linejoin="round" ` +
        `points="${points.join(" ")}"/>`,
    );
    const ly = margin.top + 8 + k * 16;
    const lx = width - margin.right - legendW + 6;
    out.push(
      `<line x1="${lx}" x2="${lx + 18}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="3"/>`,
      `<text x="${lx + 24}" y="${ly + 4}">${escapeXml(s.name)}</text>`,
    );
  });
  out.push("</svg>");
  return out.join("\n") + "\n";
}

/** Ticks at 1/2/5×10^k steps from 0 up to at least `max`. */
function niceTicks(max: number, count: number): number[] {
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let t = 0; t < max + step - 1e-9 * step; t += step) ticks.push(Math.round(t / step) * step);
  return ticks;
}

function tickLabel(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(3).replace(/\.?0+$/, "");
}

function escapeXml(s: string): string {
  return s.replace(
    /[<>&"]/g,
    (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c]!,
  );
}

/**
 * A one-line progress indicator on stderr (`label  12/40  30%`), drawn only when stderr is a
 * terminal so that CI logs stay clean. Redraws at most every 100 ms.
 *
 * @example Show progress
 * ```ts
 * import { Progress } from "./_chart.ts";
 * const p = new Progress("variants", 2);
 * p.update(1, "plain-objects");
 * p.done();
 * ```
 */
export class Progress {
  readonly #enabled: boolean;
  #last = 0;

  /**
   * Creates a progress line; nothing is drawn until {@linkcode Progress.update}.
   *
   * @param label what is being counted
   * @param total number of steps
   */
  constructor(readonly label: string, readonly total: number) {
    this.#enabled = stderrIsTerminal();
  }

  /** Shows `done` of `total` steps, with an optional note such as the current item. */
  update(done: number, note = ""): void {
    if (!this.#enabled) return;
    const now = performance.now();
    if (now - this.#last < 100 && done < this.total) return;
    this.#last = now;
    const pct = this.total > 0 ? Math.round((done / this.total) * 100) : 100;
    process.stderr.write(`\r\x1b[2K${this.label}  ${done}/${this.total}  ${pct}%  ${note}`);
  }

  /** Clears the progress line. */
  done(): void {
    if (this.#enabled) process.stderr.write("\r\x1b[2K");
  }
}
