// Pinned sources are written as V8's emitter writes them (keys counted with for…in); where the
// engine counts own keys instead (JavaScriptCore), the emitter writes this block in its place.
import { keyCounting } from "../../../lib/codegen/checks.ts";

const FOR_IN = "    for (const _ in v) n--;\n";

const OWN_KEYS = `    if (
      $h.protoOf(v) !== $h.OP || $h.ownKeys(v).length !== n ||
      $h.ownKeys($h.OP).length !== 0
    ) {
      for (const _ in v) n--;
    } else {
      n = 0;
    }
`;

/** The pinned source as the emitter writes it in the current key-counting mode. */
export function asEmitted(pinned: string): string {
  if (!pinned.includes(FOR_IN)) throw new Error("the pinned source counts no keys");
  return keyCounting.ownKeys ? pinned.replaceAll(FOR_IN, OWN_KEYS) : pinned;
}

/** Runs `body` with classes emitted in key-counting mode `ownKeys`. */
export function withKeyCounting<T>(ownKeys: boolean, body: () => T): T {
  const before = keyCounting.ownKeys;
  keyCounting.ownKeys = ownKeys;
  try {
    return body();
  } finally {
    keyCounting.ownKeys = before;
  }
}
