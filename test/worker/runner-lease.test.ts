/**
 * The runner and the attempt's lease, with real processes: heartbeats keep it, an agent hanging
 * while the lease is lost is stopped, and a worker whose attempt expired cannot report success.
 */
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { expect, it } from "vitest";
import { describeOnSharedDatabase } from "./support/databases.js";
import { remoteHead } from "./support/git-fixture.js";
import { alive, expireNow, stateOf } from "./support/state.js";
import { givenClaimed, until, workerSandbox, writeAgent } from "./support/worker.js";

describeOnSharedDatabase("worker run: lease", (db) => {
  const t = workerSandbox(db);

  it("a hanging agent whose lease is lost is stopped (SIGTERM, then SIGKILL) and nothing is reported", async () => {
    // The lease is lost while the agent hangs (the attempt expired); the next heartbeat is refused.
    await t.setUp({ leaseSeconds: 60, heartbeatSeconds: 1, graceSeconds: 1 });
    const { ticket, attempt } = await givenClaimed(db);
    const agent = await writeAgent(
      t.dir,
      "hang",
      [
        "trap '' TERM", // ignores SIGTERM, and so does its sleep: only SIGKILL stops it
        `echo $$ > ${t.file("pid")}`,
        "echo data > work.txt && git add work.txt && git commit -q -m work",
        'git push -q origin "HEAD:refs/heads/$MCTL_BRANCH"',
        "sleep 60",
        `touch ${t.file("finished")}`,
      ].join("\n"),
    );
    const worker = t.ws.runWorker(attempt.id, [agent]);
    await until("the agent to start", () => existsSync(t.file("pid")));
    await expireNow(db, attempt.id);
    const run = await worker.done;
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("lease lost, the agent was stopped and nothing was reported");
    expect(run.stderr).toContain("SIGKILL after the grace period");
    expect(alive(Number(await readFile(t.file("pid"), "utf8")))).toBe(false);
    expect(existsSync(t.file("finished"))).toBe(false);
    const state = await stateOf(db, ticket.key);
    expect(state.ticket.state).toBe("todo");
    expect(state.attempts[0]).toMatchObject({ status: "lost", outcome: { reason: "lease_expired" } });
    expect(state.reasons).toEqual(["created", "claimed", "lease_expired"]);
  });
});

describeOnSharedDatabase("worker run: expired attempt", (db) => {
  const t = workerSandbox(db);

  // On PostgreSQL only: a heartbeat there takes milliseconds, far inside the 3-s lease. On PGlite
  // each heartbeat opens the embedded database, which on a busy machine can take longer than the
  // lease, and then the machine's speed would decide the test (CI's PGlite pass saw it). The
  // heartbeat's SQL runs on both drivers in test/lifecycle.
  it.runIf(db.driver === "postgres")(
    "heartbeats keep a lease shorter than the agent's run alive, so its completion counts",
    async () => {
      await t.setUp({ leaseSeconds: 3, heartbeatSeconds: 1 });
      const { ticket, attempt } = await givenClaimed(db);
      const agent = await writeAgent(
        t.dir,
        "long",
        [
          "sleep 4", // longer than the lease: without heartbeats the completion would be refused
          "echo data > work.txt && git add work.txt && git commit -q -m work",
          'git push -q origin "HEAD:refs/heads/$MCTL_BRANCH"',
        ].join("\n"),
      );
      const run = await t.ws.runWorker(attempt.id, [agent]).done;
      expect(run.stderr).not.toContain("refused");
      expect(run.code).toBe(0);
      const state = await stateOf(db, ticket.key);
      expect(state.ticket.state).toBe("verifying");
      expect(state.attempts[0]?.status).toBe("completed");
    },
  );

  it("a worker whose attempt was expired cannot report its completion", async () => {
    await t.setUp({ leaseSeconds: 60, heartbeatSeconds: 60 });
    const { ticket, attempt } = await givenClaimed(db);
    const agent = await writeAgent(
      t.dir,
      "late",
      [
        `touch ${t.file("started")}`,
        `while [ ! -f ${t.file("go")} ]; do sleep 0.05; done`,
        "echo data > work.txt && git add work.txt && git commit -q -m work",
        'git push -q origin "HEAD:refs/heads/$MCTL_BRANCH"',
      ].join("\n"),
    );
    const worker = t.ws.runWorker(attempt.id, [agent]);
    await until("the agent to start", () => existsSync(t.file("started")));
    await expireNow(db, attempt.id);
    await writeFile(t.file("go"), "");
    const run = await worker.done;
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /the attempt's end was refused \(fenced\): .*cannot end as completed: it is lost/,
    );
    expect(await remoteHead(t.ws.git.remote, "mission-control/MC-1")).not.toBeNull();
    const state = await stateOf(db, ticket.key);
    expect(state.ticket.state).toBe("todo");
    expect(state.attempts[0]?.status).toBe("lost");
    expect(state.attempts[0]?.outcome?.evidence).toBeUndefined();
    expect(state.reasons).not.toContain("completion_claimed");
  });
});
