/**
 * A database outage does not end a long-running loop (`mctl dispatch --loop`, `mctl orchestrate
 * --loop`): real processes against PostgreSQL through a TCP proxy the test takes down and brings
 * back. The loop logs that it waits, backs off, and carries on once the database answers; a single
 * pass (no --loop) still fails at once with exit 3, so a scheduler sees it. An outage past
 * `operator.outage_alert_seconds` raises an `outage` alert (said on stderr at once, recorded when the
 * database is back); one past `operator.outage_limit_seconds` ends the loop with exit 3.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { afterEach, beforeEach, expect, it } from "vitest";
import { captureChildOutput, MCTL, runMctl, tempDir } from "../helpers/cli.js";
import { databaseProxy } from "../helpers/database-proxy.js";
import { until } from "../helpers/until.js";
import { describeOnSharedDatabase } from "../worker/support/databases.js";

const LOOPS = [
  { command: ["dispatch", "--loop", "--interval", "0.1", "--max-cycles", "1"], pass: /dispatch completed/ },
  {
    command: ["orchestrate", "--loop", "--interval", "0.1", "--max-passes", "1"],
    pass: /orchestrate: delivered 0/,
  },
] as const;

describeOnSharedDatabase("looping commands outlive a database outage", (db) => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let child: ChildProcess | undefined;
  let proxy: Awaited<ReturnType<typeof databaseProxy>> | undefined;
  beforeEach(async () => {
    dir = await tempDir("mctl-outage-");
  });
  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await proxy?.close();
    await dir.remove();
  });

  for (const { command, pass } of LOOPS) {
    it.runIf(db.driver === "postgres")(
      `mctl ${command[0]} --loop waits out the outage and runs its pass`,
      async () => {
        // Migrated first, directly: the proxy starts down, as if the database were restarting.
        await db.withLifecycle(async () => {});
        proxy = await databaseProxy(new URL(db.env().DATABASE_URL ?? ""));
        const proc = spawn(process.execPath, [MCTL, ...command], {
          cwd: dir.path,
          env: { PATH: process.env.PATH ?? "", HOME: dir.path, DATABASE_URL: proxy.url },
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
        const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
        await until(
          () => {
            if (proc.exitCode !== null) throw new Error(`exited during the outage: ${stderr}`);
            return /the database is unavailable .*trying again in \d+ s/.test(stderr);
          },
          { what: "the loop to report the outage" },
        );
        expect(stdout).not.toMatch(pass);
        proxy.up();
        expect(await exited, stderr).toBe(0);
        expect(stdout).toMatch(pass);
        expect(stderr).toMatch(/the database is back after \d+ failed pass\(es\); carrying on/);
        // The URL (with its credentials, if any) is never printed.
        expect(stderr).not.toContain(proxy.url);
      },
    );
  }

  /** Starts `mctl …args` against the proxy, collecting its output. */
  function startLoop(args: readonly string[], env: Record<string, string>) {
    if (!proxy) throw new Error("no proxy");
    const proc = spawn(process.execPath, [MCTL, ...args], {
      cwd: dir.path,
      env: { PATH: process.env.PATH ?? "", HOME: dir.path, DATABASE_URL: proxy.url, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = proc;
    captureChildOutput(proc, `mctl-${args[0]}`);
    const out = { stdout: "", stderr: "" };
    proc.stdout?.on("data", (chunk: Buffer) => {
      out.stdout += chunk.toString();
    });
    proc.stderr?.on("data", (chunk: Buffer) => {
      out.stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
    return { proc, out, exited };
  }

  it.runIf(db.driver === "postgres")(
    "an outage past operator.outage_alert_seconds raises an outage alert, recorded once the database is back",
    async () => {
      await db.withLifecycle(async () => {});
      proxy = await databaseProxy(new URL(db.env().DATABASE_URL ?? ""));
      const loop = startLoop(["orchestrate", "--loop", "--interval", "0.1", "--max-passes", "1"], {
        MCTL__OPERATOR__OUTAGE_ALERT_SECONDS: "1",
      });
      // The alert cannot be written while the database is down: it is said on stderr.
      await until(
        () => {
          if (loop.proc.exitCode !== null) throw new Error(`exited during the outage: ${loop.out.stderr}`);
          return /outage alert: orchestrate --loop has not been able to work for \d+ s .*\(not recorded: /.test(
            loop.out.stderr,
          );
        },
        { what: "the loop to say the outage alert" },
      );
      proxy.up();
      expect(await loop.exited, loop.out.stderr).toBe(0);
      expect(loop.out.stderr).toMatch(
        /the database is back after \d+ failed pass\(es\); carrying on \(it was unavailable for \d+ s\)/,
      );
      expect(loop.out.stderr).toMatch(
        /outage alert: orchestrate --loop could not work for \d+ s \(from .* to .*\)/,
      );
      const alert = await db.withLifecycle((lifecycle) => lifecycle.alerts.find("outage:orchestrate --loop"));
      expect(alert).toMatchObject({ condition: "outage", status: "open", severity: "critical" });
      expect(alert?.message).toMatch(
        /^orchestrate --loop could not work for \d+ s \(from .* to .*, \d+ failed tries\): /,
      );
      expect(alert?.detail).toMatchObject({ failures: expect.any(Number), downSeconds: expect.any(Number) });
      expect(`${loop.out.stderr}${alert?.message}`).not.toContain("hunter2");
    },
  );

  it.runIf(db.driver === "postgres")(
    "an outage past operator.outage_limit_seconds ends the loop with exit 3 (outage_limit)",
    async () => {
      await db.withLifecycle(async () => {});
      proxy = await databaseProxy(new URL(db.env().DATABASE_URL ?? ""));
      const loop = startLoop(["dispatch", "--loop", "--interval", "0.1", "--json"], {
        MCTL__OPERATOR__OUTAGE_LIMIT_SECONDS: "1",
      });
      expect(await loop.exited, loop.out.stderr).toBe(3);
      expect(loop.out.stderr).toMatch(
        /the database has been unavailable for \d+ s \(\d+ failed passes; operator.outage_limit_seconds\): giving up/,
      );
      expect(JSON.parse(loop.out.stdout)).toMatchObject({ error: { code: "outage_limit" } });
    },
  );

  it.runIf(db.driver === "postgres")("a single pass during an outage fails at once with exit 3", async () => {
    await db.withLifecycle(async () => {});
    proxy = await databaseProxy(new URL(db.env().DATABASE_URL ?? ""));
    const run = await runMctl(["dispatch"], { DATABASE_URL: proxy.url, HOME: dir.path });
    expect(run.code, run.stderr).toBe(3);
    expect(run.stderr).not.toMatch(/trying again/);
    expect(run.stderr).not.toContain("hunter2");
  });
});
