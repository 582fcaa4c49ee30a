/**
 * Global set-up of the whole-suite secret scan (docs/hardening.md). Set-up: a fresh run folder,
 * provided to the workers as `logCapture` (test/setup/log-capture.ts, test/setup/capture-logs.ts).
 * Teardown, after the last test: every captured file is scanned (test/setup/secret-scan.ts); any
 * private key, GitHub token, JWT, Authorization value, test webhook secret, database password or
 * signal token fails the run (exit code 1) with one line per finding — file, line, the test file
 * it came from, the kind of secret, the secret redacted. A clean run's folder is removed (kept with
 * MCTL_LOG_SCAN_KEEP=1); a failing run's is kept for inspection.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import type { LogCaptureRun } from "./log-capture.js";
import { describeFinding, scanText } from "./secret-scan.js";

export interface ScanReport {
  readonly files: number;
  readonly bytes: number;
  readonly findings: readonly string[];
}

/** Scans every file of a run folder; each finding says which test file wrote it, when known. */
export function scanRunFolder(dir: string): ScanReport {
  let bytes = 0;
  const names = readdirSync(dir).filter((name) => name.endsWith(".log"));
  const findings: string[] = [];
  for (const name of names.sort()) {
    const text = readFileSync(path.join(dir, name), "utf8");
    bytes += text.length;
    const lines = text.split("\n");
    for (const finding of scanText(text))
      findings.push(`${describeFinding(name, finding)}${testFileAt(lines, finding.line)}`);
  }
  return { files: names.length, bytes, findings };
}

function testFileAt(lines: readonly string[], lineNumber: number): string {
  for (let i = Math.min(lineNumber, lines.length) - 1; i >= 0; i--) {
    const marker = /^=== test file: (.*) ===$/.exec(lines[i] ?? "");
    if (marker) return ` (during ${marker[1]})`;
  }
  return "";
}

export default function setup(project: TestProject) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "mctl-log-scan-"));
  const run: LogCaptureRun = { dir };
  project.provide("logCapture", run);
  return () => {
    const report = scanRunFolder(dir);
    if (report.findings.length === 0) {
      // MCTL_LOG_SCAN_KEEP=1 keeps the captured output of a clean run too, to look at.
      if (process.env.MCTL_LOG_SCAN_KEEP === "1")
        console.info(`[mission-control] secret scan: clean (${report.files} file(s) kept in ${dir})`);
      else rmSync(dir, { recursive: true, force: true });
      return;
    }
    process.exitCode = 1;
    console.error(
      [
        "",
        `[mission-control] SECRET SCAN FAILED: ${report.findings.length} secret(s) in the output of this test run`,
        `  (${report.files} captured file(s), ${report.bytes} characters; folder kept for inspection: ${dir})`,
        ...report.findings.map((finding) => `  ${finding}`),
        "  Nothing may log a token or a private key: fix the logging (src/app/log.ts redacts the app's), see docs/hardening.md.",
        "",
      ].join("\n"),
    );
  };
}
