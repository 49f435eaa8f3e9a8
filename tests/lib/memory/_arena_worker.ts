// The worker of shared_arena.test.ts: opens the arena handle it is sent, allocates records in
// it and reports their offsets; asked again after the owner's reset, it reports what touching
// one of its views does. Runs as a web worker (Deno, Bun) or a worker_threads worker (Node).
import { Arena, offsetOf, StaleViewError, t } from "../../../mod.ts";

// The record the worker and the test agree on (the test declares it too: importing this file
// would run the worker).
const Rec = t.struct({ id: t.u32(), x: t.f64() });

type Message = { handle: unknown; count: number } | "touch";
interface Port {
  post(m: unknown): void;
  listen(fn: (m: Message) => void): void;
}

async function port(): Promise<Port> {
  const g = globalThis as unknown as {
    WorkerGlobalScope?: unknown;
    postMessage(m: unknown): void;
    onmessage: ((e: { data: Message }) => void) | null;
  };
  if (g.WorkerGlobalScope === undefined) {
    const { parentPort } = await import("node:worker_threads");
    if (parentPort !== null) {
      return {
        post: (m) => parentPort.postMessage(m),
        listen: (fn) => parentPort.on("message", fn),
      };
    }
  }
  return {
    post: (m) => g.postMessage(m),
    listen: (fn) => {
      g.onmessage = (e) => fn(e.data);
    },
  };
}

const p = await port();
let arena: Arena | undefined;
let first: { id: number } | undefined;
p.listen((m) => {
  try {
    if (m === "touch") {
      try {
        p.post({ read: first!.id });
      } catch (e) {
        p.post({ stale: e instanceof StaleViewError, name: (e as Error).name });
      }
      return;
    }
    arena = Arena.open(m.handle as never);
    const offsets: number[] = [];
    for (let i = 0; i < m.count; i++) {
      const v = arena.alloc(Rec, { id: 1000 + i, x: i * 0.5 });
      first ??= v;
      offsets.push(offsetOf(v));
    }
    arena.flush();
    p.post({ offsets });
  } catch (e) {
    p.post({ error: String((e as Error).stack ?? e) });
  }
});
p.post("ready");
