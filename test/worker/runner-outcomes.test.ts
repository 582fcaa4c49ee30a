/**
 * `mctl worker run` as a real process, on real git (a bare repository as the remote, a real clone),
 * with small shell scripts as agents: how each way an agent can end becomes the attempt's end (the
completion itself: runner-completion.test.ts).
 */
import { mkdir, stat } from "node:fs/promises";
import path from "node:path";
import { expect, it } from "vitest";
import { describeOnSharedDatabase } from "./support/databases.js";
import { remoteHead } from "./support/git-fixture.js";
import { BRANCH, setUpWorkspace } from "./support/outcomes.js";
import { givenClaimed, writeAgent } from "./support/worker.js";

describeOnSharedDatabase("worker run: failed attempts", (db) => {
  const { dir, ws, endOf } = setUpWorkspace(db);

  it("an agent that leaves uncommitted changes: failed dirty_worktree, no completion, no test run", async () => {
    const { ticket, attempt } = await givenClaimed(db);
    const agent = await writeAgent(dir(), "dirty", "echo data > work.txt\necho 'all done!'");
    const run = await ws().runWorker(attempt.id, [agent]).done;
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /attempt failed: dirty_worktree: the working tree has uncommitted changes \(work.txt\)/,
    );
    const end = await endOf(ticket.key);
    expect(end.ticket.state).toBe("todo");
    expect(end.attempt).toMatchObject({ status: "failed", outcome: { reason: "dirty_worktree" } });
    expect(end.attempt?.outcome?.git).toMatchObject({ clean: false, dirtyPaths: ["work.txt"] });
    expect(end.reasons).not.toContain("completion_claimed");
    await expect(stat(path.join(dir(), "tests-ran"))).rejects.toThrow();
  });

  it("an agent that commits without pushing: the runner pushes the ticket branch and the completion counts", async () => {
    const { ticket, attempt } = await givenClaimed(db);
    const agent = await writeAgent(
      dir(),
      "unpushed",
      "echo data > work.txt\ngit add work.txt && git commit -q -m 'add work file'",
    );
    const run = await ws().runWorker(attempt.id, [agent]).done;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/pushed [0-9a-f]{12} to origin\/mission-control\/MC-1/);
    const end = await endOf(ticket.key);
    expect(end.ticket.state).toBe("verifying");
    const head = await remoteHead(ws().git.remote, BRANCH);
    expect(end.attempt).toMatchObject({ status: "completed", outcome: { evidence: { commitSha: head } } });
  });

  it("a branch the runner cannot fast-forward (the agent pushed other work there): failed not_pushed", async () => {
    const { ticket, attempt } = await givenClaimed(db);
    const agent = await writeAgent(
      dir(),
      "diverged",
      [
        "echo one > one.txt && git add one.txt && git commit -q -m one",
        'git push -q origin "HEAD:refs/heads/$MCTL_BRANCH"',
        "git reset -q --hard HEAD~1",
        "echo two > two.txt && git add two.txt && git commit -q -m two",
      ].join("\n"),
    );
    const run = await ws().runWorker(attempt.id, [agent]).done;
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/cannot push mission-control\/MC-1/);
    expect(run.stderr).toMatch(
      /attempt failed: not_pushed: HEAD [0-9a-f]{12} is not pushed: origin\/mission-control\/MC-1 is at/,
    );
    const end = await endOf(ticket.key);
    expect(end.ticket.state).toBe("todo");
    expect(end.attempt).toMatchObject({ status: "failed", outcome: { reason: "not_pushed" } });
    expect(end.reasons).not.toContain("completion_claimed");
  });

  it("a pushed commit whose tests fail: failed tests_failed with the exit code and output", async () => {
    const { ticket, attempt } = await givenClaimed(db);
    const agent = await writeAgent(
      dir(),
      "untested",
      [
        "echo oops > broken.txt",
        "git add broken.txt && git commit -q -m 'break things'",
        'git push -q origin "HEAD:refs/heads/$MCTL_BRANCH"',
      ].join("\n"),
    );
    const run = await ws().runWorker(attempt.id, [agent]).done;
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/attempt failed: tests_failed: the test command exited with 1/);
    const end = await endOf(ticket.key);
    expect(end.ticket.state).toBe("todo");
    expect(end.attempt).toMatchObject({
      status: "failed",
      outcome: { reason: "tests_failed", tests: { status: "failed", exitCode: 1 }, git: { clean: true } },
    });
    expect(end.reasons).not.toContain("completion_claimed");
  });

  it("an agent that crashes: failed agent_crashed with its exit code, its output kept", async () => {
    const { ticket, attempt } = await givenClaimed(db);
    const agent = await writeAgent(
      dir(),
      "crash",
      "echo 'task complete, all tests pass' \necho 'boom' >&2\nexit 7",
    );
    const run = await ws().runWorker(attempt.id, [agent]).done;
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("attempt failed: agent_crashed: the agent exited with code 7");
    const end = await endOf(ticket.key);
    expect(end.ticket.state).toBe("todo");
    expect(end.attempt).toMatchObject({
      status: "failed",
      outcome: { reason: "agent_crashed", exitCode: 7 },
    });
    expect(end.attempt?.outcome?.log).toMatchObject({ text: expect.stringContaining("boom") });
    expect(end.reasons).not.toContain("completion_claimed");
  });

  it("a directory squatting the worktree's place: failed worktree_failed, the agent never runs", async () => {
    const { ticket, attempt } = await givenClaimed(db);
    await mkdir(path.join(ws().git.repo, ".mission-control/worktrees/MC-1"), { recursive: true });
    const agent = await writeAgent(dir(), "never", `touch ${dir()}/agent-ran`);
    const run = await ws().runWorker(attempt.id, [agent]).done;
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/attempt failed: worktree_failed: .* exists but is not a worktree of/);
    expect(run.stderr).not.toContain("agent started");
    await expect(stat(path.join(dir(), "agent-ran"))).rejects.toThrow();
    const end = await endOf(ticket.key);
    expect(end.ticket.state).toBe("todo");
    expect(end.attempt).toMatchObject({ status: "failed", outcome: { reason: "worktree_failed" } });
  });
});
