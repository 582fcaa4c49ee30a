/**
 * Issue 20's fault test, short: the database is cut off while a local worker's agent finishes and
 * a remote worker reports, for as long as it takes every party to say it waits (a few hundred
 * milliseconds, polled). The 20-second cut is in the chaos suite (test/chaos/outage.test.ts).
 */
import { afterEach, beforeEach, it } from "vitest";
import { tempDir } from "../helpers/cli.js";
import { describeOnSharedDatabase } from "./support/databases.js";
import { workerAndAppThroughOutage } from "./support/outage-scenario.js";

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
});
