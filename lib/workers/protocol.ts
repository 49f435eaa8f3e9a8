/**
 * What the main thread and the workers of a pool share: the control block's layout (one
 * SharedArrayBuffer: a job word the workers sleep on, a completion counter the main thread
 * waits on, the job's description, its arguments, and each worker's result), the argument codec
 * and the error codec. Jobs never go through `postMessage`: a run is a few stores, one
 * `Atomics.notify` and one `Atomics.waitAsync`.
 *
 * @module
 */

/** Int32 word indices of the control block header. */
export const W = {
  /** Sequence number of the current job: the workers sleep on it. */
  seq: 0,
  /** Bumped by every worker that finishes a job (and by the pool when a worker dies). */
  done: 1,
  /** What the job is: see {@linkcode OP}. */
  op: 2,
  /** Index of the system in the module's list of exported functions. */
  system: 3,
  /** Registered id of the run's table, or -1. */
  table: 4,
  /** Bit 0: the system declared creates; bit 1: deletes. */
  flags: 5,
  /** How the arguments are encoded: see {@linkcode ARGS}. */
  argsMode: 6,
  /** Numeric arguments: their shape (the key list), renumbered when it changes. */
  argsShape: 7,
  /** Bytes of JSON in the text area (the keys of a new shape, or the whole arguments). */
  argsBytes: 8,
  /** Number of arguments in the numeric area. */
  argsCount: 9,
  /** Number of arenas of the run; their ids follow. */
  arenas: 10,
  /** Registered ids of the run's arenas (MAX_RUN_ARENAS words). */
  arenaIds: 11,
  /** Number of chunks the live slots are split into (at least one per worker). */
  chunks: 29,
  /** The next chunk to claim, past each worker's own first one. */
  next: 30,
  /** Workers of the current job yet to finish: the last one wakes the main thread. */
  remaining: 31,
  /** The run's arena names: renumbered when they change. */
  arenaShape: 27,
  /** Bytes of the JSON list of arena names, in the second half of the text area. */
  arenaNamesBytes: 28,
  /** Words of the header. */
  header: 32,
} as const;

/** Most chunks one run can split a table into. */
export const MAX_CHUNKS = 1024;

/** Fewest records in a chunk of the default split, unless an even share per worker is fewer. */
export const MIN_CHUNK = 4096;

/**
 * Writes into `bounds` the chunk bounds (indices into `liveSlots()`) of a run over `n` live
 * records by `workers` workers, and returns the number of chunks (at least `workers`: each worker
 * runs its own chunk first). `chunks` given: that many chunks, as even as the count allows.
 * Default: each chunk takes `1 / (2 · workers)` of the records not yet in a chunk, but at least
 * {@linkcode MIN_CHUNK} (or an even share per worker, when that is fewer). Chunks thus shrink as
 * the run goes: the first ones are large, so there are few claims, and the last ones small, so a
 * worker that loses its core near the end of a run holds the others up by a small chunk.
 */
export function splitBounds(
  n: number,
  workers: number,
  chunks: number | undefined,
  bounds: Int32Array,
): number {
  if (chunks !== undefined) {
    for (let c = 0; c <= chunks; c++) bounds[c] = Math.floor((c * n) / chunks);
    return chunks;
  }
  const least = Math.min(MIN_CHUNK, Math.ceil(n / workers));
  let c = 0;
  let at = 0;
  bounds[0] = 0;
  while (at < n) {
    const size = c === MAX_CHUNKS - 1
      ? n - at
      : Math.max(least, Math.ceil((n - at) / (2 * workers)));
    at = Math.min(n, at + size);
    bounds[++c] = at;
  }
  // Empty chunks for the workers the records did not reach.
  while (c < workers) bounds[++c] = n;
  return c;
}

/** Most arenas one run can pass. */
export const MAX_RUN_ARENAS = 16;

/** Words per worker after the header. */
export const PER_WORKER = 8;

/**
 * Int32 words of the header and per-worker areas; the chunk bounds (`MAX_CHUNKS + 1` indices into
 * `liveSlots()`) follow.
 */
export function wordsOf(workers: number): number {
  return W.header + workers * PER_WORKER;
}

/** Per-worker word offsets (from `W.header + worker * PER_WORKER`). */
export const PW = {
  /** The last job this worker finished. */
  done: 0,
  /** The last job this worker failed (its error is in its error area). */
  error: 1,
  /** Bytes of the error's JSON. */
  errorBytes: 2,
  /** Set by the worker as it ends (an exit in a system, say): the pool then replaces it. */
  gone: 7,
} as const;

/** Job kinds. */
export const OP = { run: 1, sync: 2, exit: 3 } as const;

/** Argument encodings. */
export const ARGS = { none: 0, numbers: 1, json: 2 } as const;

/** Most numeric arguments (more, or any non-number, go as JSON). */
export const MAX_NUMERIC_ARGS = 64;
/** Bytes of the text area (JSON arguments, or the keys of numeric ones). */
export const TEXT_BYTES = 64 * 1024;
/** Bytes of each worker's error area. */
export const ERROR_BYTES = 16 * 1024;

/** Byte offsets of the areas of a control block for `workers` workers. */
export function areasOf(workers: number): {
  numbers: number;
  text: number;
  errors: number;
  bytes: number;
} {
  const words = (wordsOf(workers) + MAX_CHUNKS + 1) * 4;
  const numbers = Math.ceil(words / 8) * 8;
  const text = numbers + MAX_NUMERIC_ARGS * 8;
  const errors = text + TEXT_BYTES;
  return { numbers, text, errors, bytes: errors + workers * ERROR_BYTES };
}

/** Messages the main thread posts to a worker (only outside jobs: to start and to open). */
export type ToWorker =
  | {
    readonly type: "init";
    readonly control: SharedArrayBuffer;
    readonly index: number;
    readonly workers: number;
    readonly module: string;
    /** How long to poll for the next job before sleeping (0 when the cores are all taken). */
    readonly spinMs: number;
    /**
     * The same for the worker that finished the last job last (0 when the main thread needs its
     * core).
     */
    readonly lastSpinMs: number;
    /** What the pool opened before this worker started (a replacement opens it all at once). */
    readonly tables: readonly OpenTable[];
    readonly arenas: readonly { readonly id: number; readonly handle: unknown }[];
  }
  | {
    readonly type: "open";
    readonly tables: readonly OpenTable[];
    readonly arenas: readonly { readonly id: number; readonly handle: unknown }[];
  };

/** A table to open in a worker: its id, handle, and the ids of its reference fields' tables. */
export interface OpenTable {
  readonly id: number;
  readonly handle: unknown;
  readonly refs: Readonly<Record<string, number>>;
}

/** Messages a worker posts back. */
export type FromWorker =
  | { readonly type: "ready"; readonly systems: readonly string[] }
  | { readonly type: "failed"; readonly error: ErrorImage };

/** An error as it crosses threads. */
export interface ErrorImage {
  readonly name: string;
  readonly message: string;
  readonly stack: string;
}

/** The name, message and stack of anything thrown. */
export function imageOf(e: unknown): ErrorImage {
  if (e instanceof Error) {
    return { name: e.name, message: e.message, stack: String(e.stack ?? "") };
  }
  let text: string;
  try {
    text = String(e);
  } catch {
    text = Object.prototype.toString.call(e);
  }
  return { name: "Error", message: `a non-error value was thrown: ${text}`, stack: "" };
}

const BUILTIN: Record<string, ErrorConstructor> = {
  TypeError,
  RangeError,
  ReferenceError,
  SyntaxError,
  EvalError,
  URIError,
};

/**
 * An error rebuilt from its image: the closest built-in class (arenakit's own errors come back
 * as their built-in ancestor, e.g. `StaleViewError` as a ReferenceError named "StaleViewError"),
 * with the worker's name, message and stack.
 */
export function errorOf(img: ErrorImage): Error {
  const base = Object.entries(BUILTIN).find(([k]) => img.name === k || img.name.endsWith(k));
  const Ctor = base?.[1] ?? Error;
  const e = new Ctor(img.message);
  if (e.name !== img.name) Object.defineProperty(e, "name", { value: img.name });
  if (img.stack !== "") Object.defineProperty(e, "stack", { value: img.stack });
  return e;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Writes `text` as UTF-8 into `area`; returns its byte length, or -1 when it does not fit. */
export function writeText(area: Uint8Array, text: string): number {
  // Encoded into a private array first: not every runtime encodes into shared memory.
  const bytes = encoder.encode(text);
  if (bytes.length > area.length) return -1;
  area.set(bytes);
  return bytes.length;
}

/** Reads `n` bytes of UTF-8 from `area`. */
export function readText(area: Uint8Array, n: number): string {
  // Copied out first: TextDecoder refuses views of shared memory in some runtimes.
  return decoder.decode(area.slice(0, n));
}

type WaitAsync = (
  a: Int32Array,
  index: number,
  value: number,
  timeout?: number,
) => { async: false; value: string } | { async: true; value: Promise<string> };

/** `Atomics.waitAsync` (ES2024), or undefined where the runtime lacks it. */
export const waitAsync: WaitAsync | undefined = (Atomics as unknown as { waitAsync?: WaitAsync })
  .waitAsync?.bind(Atomics);
