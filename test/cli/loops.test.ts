/**
 * `mctl dispatch --loop` and `mctl orchestrate --loop` as real processes (on PostgreSQL when the
 * server is there, else on an embedded database):
 * SIGTERM (what a scheduler or `kill` sends) and SIGINT (Ctrl-C) end the loop between passes, and
 * the process exits 0 by itself instead of dying of the signal.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { afterEach, beforeEach, expect, it } from "vitest";
import { captureChildOutput, MCTL, tempDir } from "../helpers/cli.js";
import { until } from "../helpers/until.js";
import { describeOnSharedDatabase } from "../worker/support/databases.js";

// One signal each: both commands share the loop (src/cli/passes.ts).
const LOOPS = [
  {
    command: ["dispatch", "--loop", "--interval", "3600"],
    firstPass: /dispatch completed/,
    signal: "SIGINT",
  },
  {
    command: ["orchestrate", "--loop", "--interval", "3600"],
    firstPass: /orchestrate: delivered 0/,
    signal: "SIGTERM",
  },
] as const;

describeOnSharedDatabase("looping commands stop on a signal", (db) => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let child: ChildProcess | undefined;
  beforeEach(async () => {
    dir = await tempDir("mctl-loop-");
  });
  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await dir.remove();
  });

  for (const { command, firstPass, signal } of LOOPS) {
    it(`mctl ${command.join(" ")}: ${signal} during the pause exits 0`, async () => {
      const proc = spawn(process.execPath, [MCTL, ...command], {
        cwd: dir.path,
        env: { PATH: process.env.PATH ?? "", HOME: dir.path, ...db.env() },
        stdio: ["ignore", "pipe", "pipe"],
      });
      child = proc;
      captureChildOutput(proc, `mctl-${command[0]}`);
      let stdout = "";
      let stderr = "";
      proc.stdout?.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      proc.stderr?.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
        proc.once("exit", (code, sig) => resolve({ code, signal: sig })),
      );
      // The first pass has run (and the database is closed again) once its report is printed.
      await until(
        () => {
          if (proc.exitCode !== null && !firstPass.test(stdout)) throw new Error(`exited early: ${stderr}`);
          return firstPass.test(stdout);
        },
        { what: "the first pass's report" },
      );
      proc.kill(signal);
      expect(await exited, stderr).toEqual({ code: 0, signal: null });
    });
  }
});
