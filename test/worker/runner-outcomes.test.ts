/**
 * `mctl worker run` as a real process, on real git (a bare repository as the remote, a real clone),
 * with small shell scripts as agents: how each way an agent can end becomes the attempt's end.
 */
import { mkdir, readFile, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { beforeEach, expect, it } from "vitest";
import { CompletionEvidenceSchema } from "../../src/domain/completion-evidence.js";
import {
  describeEachSharedDatabase,
  describeOnSharedDatabase,
  type SharedDatabase,
} from "./support/databases.js";
import { git, remoteHead } from "./support/git-fixture.js";
import { givenClaimed, workerSandbox, writeAgent } from "./support/worker.js";

const BRANCH = "mission-control/MC-1";

/** Each test's temporary directory and git workspace, with a test command that leaves a trace. */
function setUpWorkspace(db: SharedDatabase) {
  const t = workerSandbox(db);
  beforeEach(async () => {
    await t.setUp({
      testCommand: ["sh", "-c", `touch ${t.dir}/tests-ran; test -f work.txt && echo 'all 3 tests passed'`],
    });
  });
  return {
    dir: () => t.dir,
    ws: () => t.ws,
    endOf: (ticketKey: string) =>
      db.withLifecycle(async (lifecycle) => {
        const ticket = await lifecycle.findTicket(ticketKey);
        if (!ticket) throw new Error(`no ticket ${ticketKey}`);
        const [attempt] = await lifecycle.attemptsOf(ticket.id);
        const events = await lifecycle.ticketHistory(ticket.id);
        return { ticket, attempt, reasons: events.map((e) => e.reason) };
      }),
  };
}

describeEachSharedDatabase("worker run: completion", (db) => {
  const { dir, ws, endOf } = setUpWorkspace(db);

  it("an agent that commits and pushes: completion with the pushed SHA, the ticket verifying", async () => {
    const { ticket, attempt } = await givenClaimed(db, {
      title: "Add the work file",
      body: "Create work.txt with the word data.",
      labels: ["bug", "small"],
    });
    const seen = path.join(dir(), "seen.txt");
    const agent = await writeAgent(
      dir(),
      "push",
      [
        `printf '%s\\n' "$1" "$2" "$3" "$MCTL_TICKET" "$MCTL_ATTEMPT" "$MCTL_TICKET_FILE" "$(pwd -P)" "\${DATABASE_URL:-no database url}" > ${seen}`,
        `cp "$MCTL_TICKET_FILE" ${dir()}/brief.md`,
        "echo data > work.txt",
        "git add work.txt && git commit -q -m 'add work file'",
        'git push -q origin "HEAD:refs/heads/$MCTL_BRANCH"',
        'echo "pushed the work for $MCTL_TICKET"',
      ].join("\n"),
    );
    const run = await ws().runWorker(attempt.id, [agent, "{ticket}", "{attempt}", "{ticket_file}"]).done;
    expect(run.stderr).not.toMatch(/attempt failed/);
    expect(run.code).toBe(0);
    // The agent's output is streamed to the console …
    expect(run.stdout).toContain("pushed the work for MC-1");
    expect(run.stdout).toMatch(/completed MC-1: commit [0-9a-f]{40} on mission-control\/MC-1/);

    const worktree = await realpath(path.join(ws().git.repo, ".mission-control/worktrees/MC-1"));
    const pushed = await remoteHead(ws().git.remote, BRANCH);
    expect(pushed).toMatch(/^[0-9a-f]{40}$/);
    expect(await git(worktree, "rev-parse", "HEAD")).toBe(pushed);

    const end = await endOf(ticket.key);
    expect(end.ticket.state).toBe("verifying");
    expect(end.reasons).toEqual(["created", "claimed", "completion_claimed"]);
    expect(end.attempt?.status).toBe("completed");
    const evidence = CompletionEvidenceSchema.parse(end.attempt?.outcome?.evidence);
    expect(evidence).toMatchObject({
      attemptId: attempt.id,
      ticket: "MC-1",
      commitSha: pushed,
      branch: BRANCH,
      baseSha: await git(ws().git.repo, "rev-parse", "main"),
      workingTreeClean: true,
      pushed: true,
      remote: { name: "origin", url: ws().git.remote, sha: pushed },
      tests: { status: "passed", exitCode: 0 },
      agent: { exitCode: 0 },
    });
    if (evidence.tests.status !== "passed") throw new Error("unreachable");
    expect(evidence.tests.summary).toContain("all 3 tests passed");
    // … and kept as the attempt's log.
    const log = end.attempt?.outcome?.log as { text: string; truncated: boolean };
    expect(log.text).toContain("pushed the work for MC-1");
    expect(log.truncated).toBe(false);

    // Placeholders and environment: the agent ran in the worktree, without database credentials.
    const [t, a, file, envTicket, envAttempt, envFile, cwd, dbUrl] = (await readFile(seen, "utf8")).split(
      "\n",
    );
    expect([t, a, envTicket, envAttempt]).toEqual(["MC-1", attempt.id, "MC-1", attempt.id]);
    expect(envFile).toBe(file);
    expect(cwd).toBe(worktree);
    expect(dbUrl).toBe("no database url");
    expect(path.relative(worktree, file ?? "").startsWith("..")).toBe(true);
    const brief = await readFile(path.join(dir(), "brief.md"), "utf8");
    expect(brief).toContain("# MC-1: Add the work file");
    expect(brief).toContain("Create work.txt with the word data.");
    expect(brief).toContain("`bug`, `small`");
    expect(brief).toContain("pushes HEAD to");
  });
});

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
