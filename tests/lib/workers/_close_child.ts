// Started by pool.test.ts in a process of its own: a pool that runs once and closes must let the
// process exit by itself (a worker left in its wait loop would keep it alive).
import { WorkerPool } from "../../../lib/workers/pool.ts";

const pool = await WorkerPool.start({
  module: new URL("./_systems.ts", import.meta.url),
  workers: 2,
});
await pool.run("noop");
await pool.close();
console.log("closed");
