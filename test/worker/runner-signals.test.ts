/**
 * The agent's signals relayed through the runner, with real processes: a question, a give-up (and
 * the next attempt in the same worktree), and a duplicate launch.
 */
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { expect, it } from "vitest";
import { dispatcher } from "../builders/tickets.js";
import { describeOnSharedDatabase } from "./support/databases.js";
import { remoteHead } from "./support/git-fixture.js";
import { stateOf } from "./support/state.js";
import { givenClaimed, until, workerSandbox, writeAgent } from "./support/worker.js";

describeOnSharedDatabase("worker run: signals", (db) => {
  const t = workerSandbox(db);

  it("a question: the runner records it (ticket needs_input) and stops the agent", async () => {
    await t.setUp();
    const { ticket, attempt } = await givenClaimed(db);
    const agent = await writeAgent(
      t.dir,
      "ask",
      [
        '"$NODE" "$MCTL" signal needs-input --question "Which colour should the widget be?"',
        "sleep 30",
        `touch ${t.file("finished")}`,
      ].join("\n"),
    );
    const run = await t.ws.runWorker(attempt.id, [agent]).done;
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("the agent signalled needs_input");
    expect(run.stdout).toContain("MC-1 is waiting for an answer"); // the agent's own mctl, streamed
    expect(run.stdout).toContain("MC-1 needs input: Which colour should the widget be?");
    expect(existsSync(t.file("finished"))).toBe(false);
    const state = await stateOf(db, ticket.key);
    expect(state.ticket.state).toBe("needs_input");
    expect(state.attempts[0]).toMatchObject({ status: "needs_input" });
    expect(state.questions).toMatchObject([
      { attemptId: attempt.id, question: "Which colour should the widget be?", answer: null },
    ]);
    expect(state.reasons).toEqual(["created", "claimed", "needs_input"]);
  });

  it("a duplicate launch of a running attempt exits at once without running the agent", async () => {
    await t.setUp();
    const { ticket, attempt } = await givenClaimed(db);
    const agent = await writeAgent(
      t.dir,
      "slow",
      [
        `echo "run $$" >> ${t.file("runs.txt")}`,
        `while [ ! -f ${t.file("go")} ]; do sleep 0.05; done`,
        "echo data > work.txt && git add work.txt && git commit -q -m work",
        'git push -q origin "HEAD:refs/heads/$MCTL_BRANCH"',
      ].join("\n"),
    );
    const original = t.ws.runWorker(attempt.id, [agent]);
    await until("the first agent to start", () => existsSync(t.file("runs.txt")));
    const duplicate = await t.ws.runWorker(attempt.id, [agent]).done;
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toMatch(/not started: fenced: attempt \S+ cannot start: it is running/);
    expect(duplicate.stderr).not.toContain("agent started");
    await writeFile(t.file("go"), "");
    const first = await original.done;
    expect(first.code).toBe(0);
    expect((await readFile(t.file("runs.txt"), "utf8")).trim().split("\n")).toHaveLength(1);
    // A launch after the end is just as stale.
    const late = await t.ws.runWorker(attempt.id, [agent]).done;
    expect(late.stderr).toMatch(/not started: fenced: .* it is completed/);
    expect((await stateOf(db, ticket.key)).ticket.state).toBe("verifying");
  });
});

describeOnSharedDatabase("worker run: giving up", (db) => {
  const t = workerSandbox(db);

  it("the agent gives up: failed with its reason; the next attempt reuses the worktree and is told why", async () => {
    await t.setUp();
    const first = await givenClaimed(db);
    const giveUp = await writeAgent(
      t.dir,
      "give-up",
      [
        "echo half > half.txt && git add half.txt && git commit -q -m 'half of it'",
        '"$NODE" "$MCTL" signal fail --reason "the spec contradicts itself"',
        // Exiting 0 after giving up must not turn into a completion.
        "exit 0",
      ].join("\n"),
    );
    const failed = await t.ws.runWorker(first.attempt.id, [giveUp]).done;
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("attempt failed: agent_gave_up: the spec contradicts itself");
    let state = await stateOf(db, first.ticket.key);
    expect(state.ticket.state).toBe("todo");
    expect(state.attempts[0]).toMatchObject({
      status: "failed",
      outcome: { reason: "agent_gave_up", message: "the spec contradicts itself" },
    });

    const second = await db.withLifecycle(async (lifecycle) => {
      const claim = await lifecycle.claim({
        ticket: state.ticket.key,
        expectedVersion: state.ticket.version,
        worker: "agent-1",
        actor: dispatcher,
        leaseMs: 120_000,
        fence: null,
      });
      if (!claim.ok) throw new Error(claim.message);
      return claim.attempt;
    });
    const finish = await writeAgent(
      t.dir,
      "finish",
      [
        `cp "$MCTL_TICKET_FILE" ${t.file("brief-2.md")}`,
        "test -f half.txt",
        "echo rest > rest.txt && git add rest.txt && git commit -q -m 'the rest'",
        "git push -q",
      ].join("\n"),
    );
    const completed = await t.ws.runWorker(second.id, [finish]).done;
    expect(completed.stderr).toContain("reusing worktree");
    expect(completed.code).toBe(0);
    const brief = await readFile(t.file("brief-2.md"), "utf8");
    expect(brief).toContain("Attempt 1: failed, agent_gave_up (message: the spec contradicts itself)");
    state = await stateOf(db, first.ticket.key);
    expect(state.ticket.state).toBe("verifying");
    expect(state.attempts[1]?.outcome?.evidence).toMatchObject({
      commitSha: await remoteHead(t.ws.git.remote, "mission-control/MC-1"),
    });
  });
});
