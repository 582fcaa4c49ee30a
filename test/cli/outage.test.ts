/**
 * A database outage does not end a long-running loop (`mctl dispatch --loop`, `mctl orchestrate
 * --loop`): real processes against PostgreSQL through a TCP proxy the test takes down and brings
 * back. The loop logs that it waits, backs off, and carries on once the database answers; a single
 * pass (no --loop) still fails at once with exit 3, so a scheduler sees it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer, type Server, type Socket, connect } from "node:net";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, expect, it } from "vitest";
import { captureChildOutput, MCTL, runMctl, tempDir } from "../helpers/cli.js";
import { until } from "../helpers/until.js";
import { describeOnSharedDatabase } from "../worker/support/databases.js";

/** A TCP proxy in front of PostgreSQL: `down()` refuses and cuts every connection, `up()` forwards again. */
async function databaseProxy(target: URL) {
  let down = true;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = connect(Number(target.port || 5432), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => socket.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const url = new URL(target.href);
  url.hostname = "127.0.0.1";
  url.port = String(port);
  // Trust authentication ignores it; it stands for a real password that must never be printed.
  url.password = "hunter2";
  return {
    url: url.href,
    up: () => {
      down = false;
    },
    down: () => {
      down = true;
      for (const socket of sockets) socket.destroy();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

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

  it.runIf(db.driver === "postgres")("a single pass during an outage fails at once with exit 3", async () => {
    await db.withLifecycle(async () => {});
    proxy = await databaseProxy(new URL(db.env().DATABASE_URL ?? ""));
    const run = await runMctl(["dispatch"], { DATABASE_URL: proxy.url, HOME: dir.path });
    expect(run.code, run.stderr).toBe(3);
    expect(run.stderr).not.toMatch(/trying again/);
    expect(run.stderr).not.toContain("hunter2");
  });
});
