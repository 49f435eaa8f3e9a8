/**
 * Starting a worker in each runtime behind one small interface: Deno and Bun have the Web
 * `Worker`; Node has `worker_threads`, whose workers load TypeScript only when the worker itself
 * registers the loader the main thread runs under (tsx), so its boot code does that first.
 *
 * @module
 */
import type { FromWorker, ToWorker } from "./protocol.ts";

/** A started worker, whatever the runtime. */
export interface Thread {
  post(message: ToWorker): void;
  /** Ends the worker now, whatever it is doing. */
  terminate(): Promise<void>;
}

/** What the pool hears from a worker. */
export interface ThreadEvents {
  message(m: FromWorker): void;
  /** The worker ended or hit an uncaught error: it will run nothing more. */
  died(why: string): void;
}

// deno-lint-ignore no-explicit-any
const g = globalThis as any;

/** Whether this is Node (not Deno or Bun, which also define `process`). */
export const IS_NODE: boolean = typeof g.Deno === "undefined" && typeof g.Bun === "undefined" &&
  typeof g.process?.versions?.node === "string";

/**
 * Starts a pool worker: a Web worker running `boot` (Deno, Bun), or a Node worker whose boot code
 * imports `entry` (the URL of `worker.ts`) and calls its `listen`.
 */
export async function spawn(boot: string, entry: string, on: ThreadEvents): Promise<Thread> {
  if (IS_NODE) return await spawnNode(entry, on);
  if (typeof g.Worker !== "function") {
    throw new TypeError("Cannot start a worker pool: this runtime has no Worker");
  }
  const w = new g.Worker(boot, { type: "module", name: "arenakit pool worker" });
  let dead = false;
  const die = (why: string) => {
    if (dead) return;
    dead = true;
    on.died(why);
  };
  w.onmessage = (e: { data: FromWorker }) => on.message(e.data);
  w.onerror = (e: { message?: string; preventDefault?: () => void }) => {
    e.preventDefault?.();
    die(`uncaught error: ${e.message ?? "unknown"}`);
  };
  w.onmessageerror = () => die("a message could not be read");
  // Bun reports a worker that exited (process.exit, self.close) with "close".
  w.addEventListener?.("close", () => die("the worker exited"));
  return {
    post: (m) => w.postMessage(m),
    terminate: () => {
      dead = true;
      w.terminate();
      return Promise.resolve();
    },
  };
}

async function spawnNode(entry: string, on: ThreadEvents): Promise<Thread> {
  const { Worker } = await import("node:worker_threads");
  // A worker does not inherit the main thread's module loader hooks: when the main thread runs
  // TypeScript through tsx, the worker registers tsx itself before loading the module.
  const tsx = entry.endsWith(".ts");
  const code = [
    `const { parentPort } = require("node:worker_threads");`,
    `(async () => {`,
    tsx ? `  (await import("tsx/esm/api")).register();` : ``,
    `  (await import(${JSON.stringify(entry)})).listen(parentPort);`,
    `})().catch((e) => { setImmediate(() => { throw e; }); });`,
  ].join("\n");
  const w = new Worker(code, { eval: true });
  let dead = false;
  const die = (why: string) => {
    if (dead) return;
    dead = true;
    on.died(why);
  };
  w.on("message", (m: FromWorker) => on.message(m));
  w.on("error", (e: Error) => die(`uncaught error: ${e.message}`));
  w.on("exit", (code: number) => die(`the worker exited with code ${code}`));
  return {
    post: (m) => w.postMessage(m),
    terminate: async () => {
      dead = true;
      await w.terminate();
    },
  };
}
