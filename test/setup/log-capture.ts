/**
 * Where the whole-suite log scan's material comes from (docs/hardening.md). The global set-up
 * (test/setup/log-scan.ts) makes a run folder and provides it as `logCapture`; in each worker the
 * set-up file (test/setup/capture-logs.ts) tees everything written to stdout and stderr into it —
 * console output, `process.stdout.write`, and direct writes to file descriptors 1 and 2 (pino's
 * destination writes there without going through `process.stdout`) — and test helpers that spawn
 * processes (`runMctl`, the app) feed the children's piped output in with `captureChildOutput`.
 * Outside such a run (no `logCapture` provided) everything here does nothing.
 */
import type { ChildProcess } from "node:child_process";
import { appendFileSync } from "node:fs";
import path from "node:path";
import { threadId } from "node:worker_threads";
import { inject } from "vitest";

export interface LogCaptureRun {
  /** The run folder: one `*.log` file per worker and per captured child process. */
  readonly dir: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    logCapture: LogCaptureRun | null;
  }
}

let childCount = 0;

function runFolder(): string | null {
  try {
    return inject("logCapture")?.dir ?? null;
  } catch {
    // Not inside a vitest worker, or no global set-up provided it.
    return null;
  }
}

/** The worker's own capture file. */
export function workerCaptureFile(): string | null {
  const dir = runFolder();
  return dir ? path.join(dir, `worker-${process.pid}-${threadId}.log`) : null;
}

/** Appends `text` to `file`; a capture must never break the test it observes. */
export function appendCapture(file: string, text: string): void {
  try {
    appendFileSync(file, text);
  } catch {
    // The run folder may already be gone after the run; nothing to do.
  }
}

/**
 * Feeds a spawned process's piped stdout and stderr into the scan (one file per child, named with
 * `label`). Call it right after `spawn`; it only listens, so the caller's own listeners see
 * everything as before.
 */
export function captureChildOutput(child: ChildProcess, label: string): void {
  const dir = runFolder();
  if (!dir) return;
  childCount += 1;
  const safe = label.replace(/[^A-Za-z0-9_.-]+/g, "_").slice(0, 60);
  const base = path.join(dir, `child-${process.pid}-${threadId}-${childCount}-${safe}`);
  // One file per stream, raw: a secret split across two chunks is still contiguous in its file.
  const write = (file: string) => (chunk: Buffer | string) => appendCapture(file, chunk.toString());
  child.stdout?.on("data", write(`${base}.stdout.log`));
  child.stderr?.on("data", write(`${base}.stderr.log`));
}
