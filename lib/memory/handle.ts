/**
 * Arena handles: the plain, structured-cloneable description of a shared arena that another
 * thread opens with `Arena.open`, and the checks a handle passes before anything trusts it.
 *
 * @module
 */
import { show } from "../_text.ts";
import { memOf } from "../values/codec.ts";
import type { Overflow } from "./arena_options.ts";
import { MAX_CHUNK_BYTES } from "./chunks.ts";
import { Control, controlProblem, MAX_SHARED_CHUNKS } from "./control.ts";
import type { HandleChunk, SharedChunks } from "./shared_chunks.ts";

/** One chunk of a shared arena in an {@linkcode ArenaHandle}. */
export interface ArenaHandleChunk {
  /** The chunk's bytes. */
  readonly buffer: SharedArrayBuffer;
  /** The arena address of its byte 0. */
  readonly start: number;
  /** The id the owner gave it (a chunk dropped and replaced at the same place gets a new one). */
  readonly id: number;
}

/**
 * What {@linkcode Arena.open} needs to work on a shared arena's memory from another thread:
 * its control block, its chunks and its options. A plain object of SharedArrayBuffers, numbers
 * and strings, so `postMessage` and `structuredClone` share the memory rather than copy it.
 */
export interface ArenaHandle {
  /** Tells a handle from other objects. */
  readonly kind: "arenakit.arena";
  /** The generation, cut stack, chunk table and shared tops. */
  readonly control: SharedArrayBuffer;
  /** The chunks the arena had when the handle was made, in address order. */
  readonly chunks: readonly ArenaHandleChunk[];
  /** Whether views check lifetimes. */
  readonly checked: boolean;
  /** Whether accessor classes are built without eval. */
  readonly jitless: boolean;
  /** The owner's overflow policy (an opened arena never adds chunks itself). */
  readonly overflow: Overflow;
  /** Bytes each arena takes from the shared top at a time. */
  readonly blockBytes: number;
}

const KIND = "arenakit.arena";

/** The handle of `chunks` (a shared arena's), with its options. */
export function handleOf(
  chunks: SharedChunks,
  options: { checked: boolean; jitless: boolean; overflow: Overflow },
): ArenaHandle {
  return {
    kind: KIND,
    control: chunks.ctl.buffer,
    chunks: chunks.list.map((m, i) => ({
      buffer: m.buffer as SharedArrayBuffer,
      start: m.start,
      id: chunks.ids[i],
    })),
    checked: options.checked,
    jitless: options.jitless,
    overflow: options.overflow,
    blockBytes: chunks.blockBytes,
  };
}

/** A handle after its checks: typed views over its memory. */
export interface OpenedHandle {
  readonly ctl: Control;
  readonly chunks: readonly HandleChunk[];
  readonly checked: boolean;
  readonly jitless: boolean;
  readonly overflow: Overflow;
  readonly blockBytes: number;
}

/**
 * Checks `handle` and wraps its memory; throws a TypeError naming the first field that is wrong
 * (`what` says what was being done, e.g. "open an arena"). Each field is read once, so a getter
 * that changes its answer cannot pass the checks with one value and be used with another.
 */
export function openHandle(handle: unknown, what: string): OpenedHandle {
  const bad = (detail: string) => new TypeError(`Cannot ${what}: ${detail}`);
  if (typeof handle !== "object" || handle === null) {
    throw bad(`expected a handle from Arena.handle(), got ${show(handle)}`);
  }
  const h = handle as Record<string, unknown>;
  const { kind, control, chunks, checked, jitless, overflow, blockBytes } = h;
  if (kind !== KIND) {
    throw bad(`expected a handle from Arena.handle(), its "kind" is ${show(kind)}`);
  }
  const problem = controlProblem(control);
  if (problem !== undefined) throw bad(`handle ${problem}`);
  const ctl = new Control(control as SharedArrayBuffer);
  if (!Array.isArray(chunks) || chunks.length < 1 || chunks.length > MAX_SHARED_CHUNKS) {
    throw bad(`handle "chunks" must be an array of 1 to ${MAX_SHARED_CHUNKS} chunks`);
  }
  const list: HandleChunk[] = [];
  let at = 0;
  for (let i = 0; i < chunks.length; i++) {
    const x: unknown = chunks[i];
    if (typeof x !== "object" || x === null) {
      throw bad(`handle "chunks[${i}]" must be a chunk, got ${show(x)}`);
    }
    const { buffer, start, id } = x as Record<string, unknown>;
    if (
      !(buffer instanceof SharedArrayBuffer) || buffer.byteLength === 0 ||
      buffer.byteLength % 16 !== 0 || buffer.byteLength > MAX_CHUNK_BYTES
    ) {
      throw bad(
        `handle "chunks[${i}].buffer" must be a SharedArrayBuffer of a multiple of 16 bytes`,
      );
    }
    if (start !== at) throw bad(`handle "chunks[${i}].start" must be ${at}, got ${show(start)}`);
    if (!(typeof id === "number" && Number.isInteger(id) && id > 0 && id <= 0xffff_ffff)) {
      throw bad(`handle "chunks[${i}].id" must be a chunk id, got ${show(id)}`);
    }
    list.push({ mem: memOf(buffer, at), id });
    at += buffer.byteLength;
  }
  // The first chunk is never replaced, so it ties the chunks to this control block.
  if (list[0].id !== ctl.chunkId(0) || list[0].mem.size !== ctl.size(0)) {
    throw bad(`handle "chunks[0]" is not the first chunk of the arena of "control"`);
  }
  if (typeof checked !== "boolean") throw bad(`handle "checked" must be a boolean`);
  if (typeof jitless !== "boolean") throw bad(`handle "jitless" must be a boolean`);
  if (overflow !== "throw" && overflow !== "grow" && overflow !== "pool") {
    throw bad(`handle "overflow" must be "throw", "grow" or "pool", got ${show(overflow)}`);
  }
  if (
    !(typeof blockBytes === "number" && Number.isInteger(blockBytes) && blockBytes >= 16 &&
      blockBytes <= MAX_CHUNK_BYTES)
  ) {
    throw bad(`handle "blockBytes" must be a byte count, got ${show(blockBytes)}`);
  }
  return { ctl, chunks: list, checked, jitless, overflow, blockBytes };
}
