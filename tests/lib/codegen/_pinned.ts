// Pinned sources are written as V8's emitter writes them (keys counted with for…in); where the
// engine counts own keys instead (JavaScriptCore), the emitter writes this block in its place.
import { keyCounting } from "../../../lib/codegen/checks.ts";

// A key count at any depth: the value's variable, its counter and the line's indent.
const FOR_IN = /^( *)for \(const _ in (\w+)\) (\w+)--;\n/gm;

const ownKeys = (i: string, v: string, n: string) =>
  `${i}if (
${i}  $h.protoOf(${v}) !== $h.OP || $h.ownKeys(${v}).length !== ${n} ||
${i}  $h.ownKeys($h.OP).length !== 0
${i}) {
${i}  for (const _ in ${v}) ${n}--;
${i}} else {
${i}  ${n} = 0;
${i}}
`;

/** The pinned source as the emitter writes it in the current key-counting mode. */
export function asEmitted(pinned: string): string {
  if (!FOR_IN.test(pinned)) throw new Error("the pinned source counts no keys");
  FOR_IN.lastIndex = 0;
  return keyCounting.ownKeys ? pinned.replace(FOR_IN, (_, i, v, n) => ownKeys(i, v, n)) : pinned;
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
