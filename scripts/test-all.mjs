#!/usr/bin/env node
// Runs the test suite in Node (through tsx), Deno (tests plus the doc examples) and Bun, one
// runtime after the other, and ends with one plain line summing them: "N passed, N failed".
// Usage: node scripts/test-all.mjs [--runtime node,deno,bun]
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const bin = (name) => join(root, "node_modules", ".bin", name);
const arg = process.argv.indexOf("--runtime");
const runtimes = arg > 0 ? process.argv[arg + 1].split(",") : ["node", "deno", "bun"];

function testFiles(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...testFiles(p));
    else if (e.name.endsWith(".test.ts")) out.push(p);
  }
  return out.sort();
}

function run(cmd, args, extraEnv = {}) {
  console.log(`\n$ ${[cmd, ...args].map((a) => a.replace(root + "/", "")).join(" ")}`);
  const r = spawnSync(cmd, args, {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", ...extraEnv },
    maxBuffer: 256 * 1024 * 1024,
  });
  const text = `${r.stdout ?? ""}${r.stderr ?? ""}`;
  process.stdout.write(text.length > 20000 ? `…${text.slice(-20000)}` : text);
  return { status: r.status ?? 1, text, error: r.error };
}

const count = (text, re) => {
  const m = text.match(re);
  return m ? Number(m[1]) : undefined;
};

// Deno's summary counts describe blocks as tests and their its as steps; its JUnit report
// names every step by its full path, so the leaves are the steps that no other step extends.
function denoLeaves(xmlPath) {
  const xml = readFileSync(xmlPath, "utf8");
  const cases = [...xml.matchAll(/<testcase name="([^"]*)"[^>]*>([\s\S]*?)<\/testcase>/g)]
    .map((m) => ({ name: m[1], failed: /<failure/.test(m[2]), skipped: /<skipped/.test(m[2]) }));
  const names = cases.map((c) => c.name);
  const leaves = cases.filter((c) => !names.some((n) => n.startsWith(`${c.name} &gt; `)));
  // A top-level describe also appears as a file-level case under its bare name.
  const unique = new Map();
  const skipped = new Set();
  for (const c of leaves) {
    if (c.skipped) skipped.add(c.name);
    else unique.set(c.name, (unique.get(c.name) ?? false) || c.failed);
  }
  const passed = [...unique.values()].filter((f) => !f).length;
  return { passed, failed: unique.size - passed, skipped: skipped.size };
}

const results = [];
const files = testFiles(join(root, "tests"));
// Fuzzers append a line like "arena fuzz: 100000 ops, seed 42 (deno)" here (Deno's JUnit
// reporter swallows test output), and the summary repeats them.
const fuzzLog = join(root, ".test-out", "fuzz.log");
rmSync(fuzzLog, { force: true });
for (const rt of runtimes) {
  if (rt === "node") {
    const r = run(process.execPath, ["--import", "tsx", "--test", "--test-reporter=tap", ...files]);
    const passed = count(r.text, /^# pass (\d+)/m);
    const failed = count(r.text, /^# fail (\d+)/m);
    results.push({
      rt,
      passed: passed ?? 0,
      failed: passed === undefined ? 1 : failed,
      skipped: count(r.text, /^# skipped (\d+)/m) ?? 0,
      status: r.status,
    });
  } else if (rt === "deno") {
    mkdirSync(join(root, ".test-out"), { recursive: true });
    const xml = join(root, ".test-out", "deno.xml");
    const r = run(bin("deno"), ["test", "-A", "--reporter=junit", `--junit-path=${xml}`, "tests/"]);
    const t = existsSync(xml) ? denoLeaves(xml) : { passed: 0, failed: 1 };
    results.push({ rt: "deno", ...t, status: r.status });
    const d = run(bin("deno"), [
      "test",
      "-A",
      "--doc",
      "mod.ts",
      "zod.ts",
      "lib/",
      "schemas/",
      "README.md",
    ]);
    const passed = count(d.text, /(\d+) passed/);
    const failed = count(d.text, /(\d+) failed/);
    results.push({
      rt: "deno --doc",
      passed: passed ?? 0,
      failed: passed === undefined ? 1 : failed,
      status: d.status,
    });
  } else if (rt === "bun") {
    const r = run(bin("bun"), [
      "test",
      "--timeout",
      "60000",
      ...files.map((f) => f.replace(root, ".")),
    ]);
    const passed = count(r.text, /^\s*(\d+) pass/m);
    const failed = count(r.text, /^\s*(\d+) fail/m);
    results.push({
      rt,
      passed: passed ?? 0,
      failed: passed === undefined ? 1 : failed,
      skipped: count(r.text, /^\s*(\d+) skip/m) ?? 0,
      status: r.status,
    });
  } else {
    console.error(`unknown runtime ${rt}`);
    process.exit(2);
  }
}

console.log("");
if (existsSync(fuzzLog)) process.stdout.write(readFileSync(fuzzLog, "utf8"));
let passed = 0;
let failed = 0;
for (const r of results) {
  // A runner that crashed without reporting failures still fails the run.
  const f = r.failed + (r.status !== 0 && r.failed === 0 ? 1 : 0);
  // Skips are listed, never counted as passes (no WebGPU adapter, no FFI in Node, no compiler).
  const skips = r.skipped ? `, ${r.skipped} skipped` : "";
  console.log(
    `${r.rt}: ${r.passed} passed, ${f} failed${skips}${
      r.status !== 0 ? ` (exit ${r.status})` : ""
    }`,
  );
  passed += r.passed;
  failed += f;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
