import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { captureChildOutput } from "../setup/log-capture.js";

/** For tests that spawn processes themselves: their output joins the end-of-run secret scan. */
export { captureChildOutput };

export const MCTL = path.resolve(import.meta.dirname, "../../dist/cli/main.js");

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the built `mctl` (npm test builds first) as a real process. The environment is cleared of
 * anything that would point it at the developer's own database.
 */
export function runMctl(args: readonly string[], env: Record<string, string> = {}): Promise<CliRun> {
  const base = { ...process.env };
  for (const name of [
    "DATABASE_URL",
    "MCTL_DATA_DIR",
    "MCTL_KEY_PREFIX",
    "MCTL_REPOSITORY",
    "MCTL_ACTOR",
    "MCTL_CONFIG",
    "MCTL_LOCK_WAIT_MS",
  ]) {
    delete base[name];
  }
  for (const name of Object.keys(base)) if (name.startsWith("MCTL__")) delete base[name];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MCTL, ...args], {
      env: { ...base, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    // Scanned for secrets at the end of the run (docs/hardening.md).
    captureChildOutput(child, `mctl-${args[0] ?? "help"}`);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

export async function tempDir(prefix = "mctl-test-"): Promise<{ path: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { path: dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
