/**
 * The entry module of a pool worker in runtimes with Web workers (Deno, Bun): it serves the pool
 * over the worker's own scope. (Node's workers call `listen` from their boot code instead.)
 *
 * @module
 */
import { listen, type WorkerPort } from "./worker.ts";

listen(globalThis as unknown as WorkerPort);
