/**
 * Issue 20's fault test, short: the database is cut off while a local worker's agent finishes and
 * a remote worker reports, for as long as it takes every party to say it waits (a few hundred
 * milliseconds, polled). The 20-second cut is in the chaos suite (test/chaos/outage.test.ts).
 */
import { readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { tempDir } from "../helpers/cli.js";
import { databaseProxy } from "../helpers/database-proxy.js";
import { until } from "../helpers/until.js";
import { describeOnSharedDatabase } from "./support/databases.js";
import { runWaitingAgent, workerAndAppThroughOutage } from "./support/outage-scenario.js";
import { givenClaimed, workspace } from "./support/worker.js";

describeOnSharedDatabase("a worker finishing during a database outage", (db) => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    dir = await tempDir("mctl-worker-outage-");
  });
  afterEach(async () => {
    await dir.remove();
  });

  it.runIf(db.driver === "postgres")(
    "keeps its completion until the database is back, through the runner and through the app",
    async () => {
      await workerAndAppThroughOutage(db, dir.path, { holdMs: 0, leaseSeconds: 60 });
    },
  );

  it.runIf(db.driver === "postgres")(
    "gives up when the lease runs out before the database is back: exit 3, unreported, nothing recorded",
    async () => {
      await db.withLifecycle(async () => {});
      const proxy = await databaseProxy(new URL(db.env().DATABASE_URL ?? ""));
      proxy.up();
      try {
        const ws = await workspace(db, dir.path, { leaseSeconds: 3, heartbeatSeconds: 1 });
        const { ticket, attempt } = await givenClaimed(db);
        const { run, out, go } = await runWaitingAgent(dir.path, ws, attempt.id, proxy.url);
        await until(() => out.stderr.includes("agent started"), { what: "the agent to start" });
        proxy.down();
        await writeFile(go, "");
        const end = await run.done;
        expect(end.code, end.stderr).toBe(3);
        // stdout: the run's report, then (as for any failed --json command) the error object.
        const [report, error] = end.stdout.split(/\n(?=\{)/).map((doc) => JSON.parse(doc));
        expect(error).toMatchObject({ error: { code: "unreported" } });
        expect(report).toMatchObject({
          result: "unreported",
          outcome: "completed",
          ticket: ticket.key,
          message: expect.stringMatching(/^the database stayed unavailable until the lease ran out at /),
        });
        expect(end.stderr).toMatch(
          /the agent's end \(completed\) was not recorded: .*the dispatcher will count the attempt lost/,
        );
        expect(end.stderr.match(/the completion is kept/g)).toHaveLength(1);
        expect(end.stderr).not.toContain("hunter2");
        // The agent's output is kept beside the worktrees, since the attempt could not take it.
        expect(
          await readdir(path.join(ws.git.repo, ".mission-control/worktrees/.logs", ticket.key)),
        ).toHaveLength(1);
        proxy.up();
        const row = await db.withLifecycle((lifecycle) => lifecycle.findAttempt(attempt.id));
        expect(row?.status).toBe("running");
      } finally {
        await proxy.close();
      }
    },
  );
});
