/**
 * Issue 20's fault test with the 20-second outage it asks for: the database is cut off while a
 * local worker's agent finishes, a remote worker reports, the app's periodic task runs and
 * `mctl dispatch --loop` and `mctl orchestrate --loop` wait for it; after
 * the cut, both completions land, the tickets' histories are explained and the app records the
 * outage alert. The short variant runs in `npm test` (test/worker/outage.test.ts). The 20 s are
 * how long the outage lasts, never a bound on anything the test asserts.
 */
import { afterEach, beforeEach, it } from "vitest";
import { tempDir } from "../helpers/cli.js";
import { describeOnSharedDatabase } from "../worker/support/databases.js";
import { workerAndAppThroughOutage } from "../worker/support/outage-scenario.js";

describeOnSharedDatabase("a 20-second database outage", (db) => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    dir = await tempDir("mctl-chaos-outage-");
  });
  afterEach(async () => {
    await dir.remove();
  });

  it.runIf(db.driver === "postgres")(
    "a worker finishing during it keeps its completion; the app and the loops carry on; the app raises the outage alert",
    async () => {
      // The lease outlives the cut: the runner retries its completion until the lease runs out.
      await workerAndAppThroughOutage(db, dir.path, { holdMs: 20_000, leaseSeconds: 120, loops: true });
    },
  );
});
