/**
 * The JSON file format of frame benchmarks (`.bench-out/<runtime>/frames-<name>.json`), written by
 * `bench/demo.ts --json` and by the frame benchmarks of other issues, and rendered as extra
 * sections of BENCHMARKS.md by `scripts/render-benchmarks.ts`.
 *
 * Numbers that were not measured are `null`, never estimated.
 *
 * @module
 */

import type { MachineInfo } from "./_runtime.ts";

export type { MachineInfo };

/** One variant (storage strategy) of a frame benchmark. */
export interface FramesVariant {
  /** Variant id, e.g. `plain-objects`. */
  readonly name: string;
  /** One line saying what the variant does. */
  readonly description: string;
  /** Frames measured. */
  readonly frames: number;
  /** Median frame time in milliseconds. */
  readonly medianMs: number;
  /** 99th percentile (nearest rank) frame time in milliseconds. */
  readonly p99Ms: number;
  /** Slowest frame in milliseconds. */
  readonly maxMs: number;
  /** Mean frame time in milliseconds. */
  readonly meanMs: number;
  /** Collections during the measured frames, or `null` when not measured. */
  readonly gcCount: number | null;
  /** Main-thread GC pause during the measured frames in milliseconds, or `null`. */
  readonly gcMs: number | null;
  /** How GC was measured, e.g. `V8 --trace-gc`, or why it was not. */
  readonly gcMethod: string;
  /** Highest sampled heap use in bytes during the measured frames, or `null`. */
  readonly peakHeapBytes: number | null;
  /** Arena / typed-array bytes the variant reports holding, or `null`. */
  readonly arenaBytes: number | null;
  /** The variant's work checksum; equal across variants that did the same work. */
  readonly checksum: number | null;
  /**
   * With `--runs N`, the median of each run in run order; the other numbers are those of the run
   * with the middle median. Absent in files from single runs.
   */
  readonly runMediansMs?: readonly number[];
}

/** A frame-target: `variant`'s `metric` divided by `vs`'s must be at most `max_ratio`. */
export interface FramesTarget {
  /** The variant that must meet the target. */
  readonly variant: string;
  /** The variant it is compared with, usually the baseline. */
  readonly vs: string;
  /** Which number of the two variants is compared. */
  readonly metric: "medianMs" | "p99Ms" | "maxMs" | "meanMs" | "gcCount" | "gcMs" | "peakHeapBytes";
  /** Largest acceptable `variant / vs` ratio. */
  readonly max_ratio: number;
  /**
   * The metric of `vs` to divide by, when it is not `metric` itself: `{ variant: "a", vs: "a",
   * metric: "p99Ms", vsMetric: "medianMs", max_ratio: 1.5 }` is "a's p99 ≤ 1.5× its median".
   */
  readonly vsMetric?: FramesTarget["metric"];
  /** The runtime the target is for (`deno`, `bun`); it applies to every runtime when omitted. */
  readonly runtime?: string;
  /** Why the target exists, e.g. an issue number. */
  readonly note?: string;
  /**
   * An absolute bound instead of a ratio: `variant`'s `metric` must be at most this (`vs` and
   * `max_ratio` are then ignored), e.g. a p99 frame time in milliseconds.
   */
  readonly max_value?: number;
}

/** A whole frame-benchmark result file. */
export interface FramesFile {
  /** Always `arenakit-frames`, so stray JSON files are not mistaken for results. */
  readonly kind: "arenakit-frames";
  /** Format version, 1. */
  readonly version: 1;
  /** Section title in the report. */
  readonly title: string;
  /** `deno`, `bun` or `node`. */
  readonly runtime: string;
  /** Runtime and engine version, e.g. `deno 2.9.6 (V8 15.0.245.2-rusty)`. */
  readonly runtimeVersion: string;
  /** Machine the run happened on. */
  readonly machine: MachineInfo;
  /** ISO date of the run. */
  readonly date: string;
  /** Free-form parameters (particles, frames, ...), shown in the report. */
  readonly params: Record<string, number | string | boolean>;
  /** Name of the variant ratios are computed against (plain objects). */
  readonly baseline: string;
  /** The variants, baseline first. */
  readonly variants: readonly FramesVariant[];
  /** Optional targets reported as met / not met. */
  readonly targets?: readonly FramesTarget[];
}
