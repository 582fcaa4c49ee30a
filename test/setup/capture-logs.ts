/**
 * Set-up file of every test file (vitest `setupFiles`): tees what this worker writes to stdout and
 * stderr into its capture file for the whole-suite secret scan (test/setup/log-scan.ts,
 * docs/hardening.md). Three doors, all kept working as before:
 * - `process.stdout.write` / `process.stderr.write`;
 * - `fs.write` / `fs.writeSync` on descriptors 1 and 2 (pino's `pino.destination(1)` and sonic-boom
 *   write there directly);
 * - `console.*`, which vitest routes to its reporter without touching either of the above.
 * Each test file starts with a `=== test file: … ===` marker so a finding names its file.
 */
import fs from "node:fs";
import path from "node:path";
import { formatWithOptions } from "node:util";
import { beforeAll, expect } from "vitest";
import { appendCapture, workerCaptureFile } from "./log-capture.js";

const file = workerCaptureFile();
const INSTALLED = Symbol.for("mission-control.capture-logs.installed");
const CONSOLES = Symbol.for("mission-control.capture-logs.consoles");

type Global = typeof globalThis & { [INSTALLED]?: boolean; [CONSOLES]?: WeakSet<Console> };

if (file) {
  const global = globalThis as Global;
  if (!global[INSTALLED]) {
    global[INSTALLED] = true;
    installStreamCapture(file);
  }
  global[CONSOLES] ??= new WeakSet();
  const consoles = global[CONSOLES];
  if (!consoles.has(console)) {
    consoles.add(console);
    installConsoleCapture(file);
  }
  beforeAll(() => {
    const testPath = expect.getState().testPath ?? "(unknown)";
    appendCapture(file, `\n=== test file: ${path.relative(process.cwd(), testPath)} ===\n`);
  });
}

function chunkText(chunk: unknown, offset?: unknown, length?: unknown): string {
  if (typeof chunk === "string") return chunk;
  if (chunk instanceof Uint8Array) {
    const start = typeof offset === "number" ? offset : 0;
    const end = typeof length === "number" ? start + length : chunk.byteLength;
    return Buffer.from(chunk.buffer, chunk.byteOffset + start, end - start).toString("utf8");
  }
  if (ArrayBuffer.isView(chunk))
    return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString();
  return "";
}

function installStreamCapture(target: string): void {
  // Node writes process.stdout to a file or pipe through fs.writeSync itself: count such text once.
  let insideStreamWrite = false;
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      appendCapture(target, chunkText(chunk));
      insideStreamWrite = true;
      try {
        return original(chunk, ...rest);
      } finally {
        insideStreamWrite = false;
      }
    }) as typeof stream.write;
  }
  const writeSync = fs.writeSync;
  fs.writeSync = keepProperties(writeSync, (fd: number, chunk: unknown, ...rest: unknown[]) => {
    if ((fd === 1 || fd === 2) && !insideStreamWrite)
      appendCapture(target, chunkText(chunk, rest[0], rest[1]));
    return (writeSync as (...args: unknown[]) => number)(fd, chunk, ...rest);
  });
  const write = fs.write;
  fs.write = keepProperties(write, (fd: number, chunk: unknown, ...rest: unknown[]) => {
    if ((fd === 1 || fd === 2) && !insideStreamWrite)
      appendCapture(target, chunkText(chunk, rest[0], rest[1]));
    return (write as (...args: unknown[]) => void)(fd, chunk, ...rest);
  });
}

/** The wrapper, with the original's own properties (`util.promisify` reads a symbol on `fs.write`). */
function keepProperties<T extends object>(original: T, wrapper: (...args: never[]) => unknown): T {
  for (const key of Reflect.ownKeys(original)) {
    if (key === "length" || key === "name" || key === "prototype") continue;
    const descriptor = Object.getOwnPropertyDescriptor(original, key);
    if (descriptor) Object.defineProperty(wrapper, key, descriptor);
  }
  return wrapper as unknown as T;
}

function installConsoleCapture(target: string): void {
  for (const method of ["log", "info", "debug", "warn", "error", "trace"] as const) {
    const original = console[method].bind(console);
    console[method] = (...args: unknown[]) => {
      appendCapture(target, `${formatWithOptions({ colors: false }, ...args)}\n`);
      original(...args);
    };
  }
}
