/**
 * Issue 18's hostile agent, as a real `mctl worker run` whose agent is a shell script doing what a
 * prompt-injected agent would. With `worker.sandbox` every attack fails or is harmless (that test,
 * on both drivers, is hostile-agent-sandboxed.test.ts); without it, the test below documents which
 * ones succeed (docs/security.md quotes both).
 */
import { appendFile, stat } from "node:fs/promises";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { describeOnSharedDatabase } from "../worker/support/databases.js";
import { stateOf } from "../worker/support/state.js";
import { givenClaimed, workerSandbox, writeAgent } from "../worker/support/worker.js";
import { hostileRun, sandboxUnavailable } from "./hostile-run.js";
import { openToOthers, PLANTED_TOKEN, PLANTED_URL, SANDBOX_USER } from "./support.js";

const unavailable = await sandboxUnavailable();

describe.runIf(!unavailable)("a sandboxed agent's work still completes", () => {
  describeOnSharedDatabase("worker.sandbox on", (db) => {
    const t = workerSandbox(db);
    beforeEach(async () => {
      const ws = await t.setUp();
      await appendFile(ws.config, `  sandbox: { user: ${SANDBOX_USER} }\n`);
      await openToOthers(t.dir);
    });

    it("the agent commits without any credential; the runner pushes the ticket branch and claims completion", async () => {
      const { ticket, attempt } = await givenClaimed(db);
      const agent = await writeAgent(
        t.dir,
        "honest",
        "echo done > done.txt && git add done.txt && git -c user.name=agent -c user.email=agent@example.com commit -q -m 'the work'",
      );
      const run = await t.ws.runWorker(attempt.id, [agent]).done;
      expect(run.code, `${run.stderr}\n${run.stdout}`).toBe(0);
      expect(run.stderr).toMatch(/pushed [0-9a-f]{12} to origin\/mission-control\/MC-1/);
      const end = await stateOf(db, ticket.key);
      expect(end.ticket.state).toBe("verifying");
      expect(end.attempts[0]).toMatchObject({ status: "completed" });
    });
  });
});

describeOnSharedDatabase("hostile agent, trusted (no worker.sandbox)", (db) => {
  const hostile = hostileRun(db, false);

  it("documents what a trusted agent can do: read the runner's environment and act on another ticket", async () => {
    const r = await hostile();
    expect(r.run.stderr).toContain("the agent is trusted: it runs as the runner's user");
    // Succeeds: the runner's environment, with its database credentials, is readable.
    expect(await r.attack("environ")).toMatch(
      db.driver === "postgres" ? /^DATABASE_URL=/m : /^MCTL_DATA_DIR=/m,
    );
    // Succeeds: mctl from the main checkout cancels another ticket.
    expect(await r.attack("cancel")).toMatch(/exit 0/);
    expect(r.other.ticket.state).toBe("cancelled");
    // Succeeds: pushing its commit to the default branch with the runner's own access.
    expect(await r.attack("push-default")).toMatch(/exit 0/);
    expect(r.defaultBranchMoved).toBe(true);
    // Succeeds: another ticket's branch moved to the agent's commit.
    expect(r.otherBranch).toMatch(/^[0-9a-f]{40}$/);
    // Succeeds: writing outside the worktree.
    await expect(stat(path.join(r.repo, "PWNED"))).resolves.toBeTruthy();
    // Still refused: the channel serves only its own attempt (a signal with stolen credentials would not be).
    expect(await r.attack("signal-other")).toMatch(/fenced/);
    // Still masked: redaction does not depend on the sandbox.
    const stored = JSON.stringify({ attempt: r.mine.attempts[0], history: r.history });
    expect(stored).not.toContain(PLANTED_TOKEN.slice(4));
    expect(stored).not.toContain("hunter2");
    expect(stored).not.toContain(PLANTED_URL);
  });
});

describeOnSharedDatabase("a sandbox that cannot be had", (db) => {
  const t = workerSandbox(db);

  it("mctl worker run refuses to start, exit 2, and the attempt is not taken", async () => {
    const ws = await t.setUp();
    await appendFile(ws.config, "  sandbox: { user: mctl-no-such-user }\n");
    const { ticket, attempt } = await givenClaimed(db);
    const agent = await writeAgent(t.dir, "never", `touch ${t.dir}/agent-ran`);
    const run = await ws.runWorker(attempt.id, [agent]).done;
    expect(run.code).toBe(2);
    // As root: the user is missing; otherwise the runner cannot drop privileges. Either way, nothing starts.
    expect(run.stderr).toMatch(
      /refusing to start: worker\.sandbox\.user (mctl-no-such-user does not exist|is mctl-no-such-user, but this runner cannot drop privileges)/,
    );
    await expect(stat(path.join(t.dir, "agent-ran"))).rejects.toThrow(/ENOENT/);
    const state = await stateOf(db, ticket.key);
    expect(state.attempts[0]?.status).toBe("launching");
  });
});

describe.runIf(!unavailable)("hostile agent, sandboxed: git links", () => {
  describeOnSharedDatabase("worker.sandbox on", (db) => {
    const t = workerSandbox(db);

    it("an agent that points its worktree's .git elsewhere gets no git run on it: failed, worktree removed", async () => {
      const ws = await t.setUp();
      await appendFile(ws.config, `  sandbox: { user: ${SANDBOX_USER} }\n`);
      await openToOthers(t.dir);
      const { ticket, attempt } = await givenClaimed(db);
      // A foreign git directory whose config would run a command as the runner (core.fsmonitor).
      const agent = await writeAgent(t.dir, "relink", 'echo "gitdir: /tmp/mctl-evil-gitdir" >.git');
      const run = await ws.runWorker(attempt.id, [agent]).done;
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(
        /the agent changed the worktree's git links \(\.git\b.*the runner removed the worktree/,
      );
      const state = await stateOf(db, ticket.key);
      expect(state.attempts[0]).toMatchObject({ status: "failed", outcome: { reason: "wrong_worktree" } });
      await expect(stat(path.join(ws.git.repo, ".mission-control", "worktrees", ticket.key))).rejects.toThrow(
        /ENOENT/,
      );
    });
  });
});
