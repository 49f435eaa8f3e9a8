/**
 * Frame-time statistics for per-frame benchmarks: the median says how fast a frame usually is,
 * p99 and max say whether GC pauses or JIT bail-outs cause visible hitches.
 *
 * @module
 */

/** Summary of a series of frame times, all in milliseconds. */
export interface FrameStats {
  /** Number of frames measured. */
  readonly frames: number;
  /** Fastest frame. */
  readonly minMs: number;
  /** Middle frame time (mean of the two middle ones for an even count). */
  readonly medianMs: number;
  /** Arithmetic mean. */
  readonly meanMs: number;
  /** 99th percentile, nearest-rank: 1% of frames are slower than this at most. */
  readonly p99Ms: number;
  /** Slowest frame. */
  readonly maxMs: number;
}

/**
 * Returns the `q`-quantile (0..1) of ascending `sorted` values by the nearest-rank method, so the
 * result is always one of the measured values.
 *
 * @example The 99th percentile of 1..100
 * ```ts
 * import { percentile } from "./_frame_stats.ts";
 * const v = Array.from({ length: 100 }, (_, i) => i + 1);
 * if (percentile(v, 0.99) !== 99 || percentile(v, 1) !== 100 || percentile(v, 0) !== 1) {
 *   throw new Error("wrong percentile");
 * }
 * ```
 */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) throw new RangeError("Cannot take a percentile: no values");
  if (!(q >= 0 && q <= 1)) throw new RangeError(`Cannot take percentile "${q}": expected 0..1`);
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1];
}

/**
 * Computes median, p99, max, min and mean of frame times in milliseconds.
 *
 * @example Summarise frames with one hitch
 * ```ts
 * import { frameStats } from "./_frame_stats.ts";
 * const s = frameStats([1.5, 1.25, 1.75, 9.5]);
 * if (s.medianMs !== 1.625 || s.maxMs !== 9.5 || s.p99Ms !== 9.5) throw new Error(JSON.stringify(s));
 * ```
 */
export function frameStats(frameMs: ArrayLike<number>): FrameStats {
  const n = frameMs.length;
  if (n === 0) throw new RangeError("Cannot summarise frames: no frames were measured");
  const sorted = Float64Array.from(frameMs).sort();
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i];
  const mid = n >> 1;
  return {
    frames: n,
    minMs: sorted[0],
    medianMs: n % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2,
    meanMs: sum / n,
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted[n - 1],
  };
}

/**
 * Formats a duration given in milliseconds with a unit that keeps 3 significant digits:
 * `850 ns`, `12.3 µs`, `1.25 ms`, `2.50 s`.
 *
 * @example Pick a unit
 * ```ts
 * import { formatMs } from "./_frame_stats.ts";
 * if (formatMs(0.00085) !== "850 ns" || formatMs(1.25) !== "1.25 ms") throw new Error();
 * ```
 */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const ns = ms * 1e6;
  const [value, unit] = ns < 1e3
    ? [ns, "ns"]
    : ns < 1e6
    ? [ns / 1e3, "µs"]
    : ns < 1e9
    ? [ns / 1e6, "ms"]
    : [ns / 1e9, "s"];
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${unit}`;
}

/**
 * Formats a byte count with a binary unit: `512 B`, `1.5 KiB`, `12.0 MiB`.
 *
 * @example Format bytes
 * ```ts
 * import { formatBytes } from "./_frame_stats.ts";
 * if (formatBytes(1536) !== "1.5 KiB" || formatBytes(512) !== "512 B") throw new Error();
 * ```
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB"];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}
