/**
 * Issue 18's hostile agent, as a real `mctl worker run` whose agent is a shell script doing what a
 * prompt-injected agent would. With `worker.sandbox` every attack fails or is harmless; without
 * it, the last test documents which ones succeed (docs/security.md quotes both).
 */
import { execFile } from "node:child_process";
import { appendFile, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { beforeEach, describe, expect, it } from "vitest";
import {
  describeEachSharedDatabase,
  describeOnSharedDatabase,
  type SharedDatabase,
} from "../worker/support/databases.js";
import { remoteHead } from "../worker/support/git-fixture.js";
import { stateOf } from "../worker/support/state.js";
import { givenClaimed, givenRunning, workerSandbox, writeAgent } from "../worker/support/worker.js";
import {
  hostileScript,
  openToOthers,
  PLANTED_TOKEN,
  PLANTED_URL,
  SANDBOX_USER,
  sandboxAvailable,
} from "./support.js";

const exec = promisify(execFile);
const unavailable = await sandboxAvailable().catch(
  (error: unknown) => `cannot create ${SANDBOX_USER}: ${String(error)}`,
);
if (unavailable) {
  if (process.env.CI === "true") throw new Error(`the sandbox tests must run in CI: ${unavailable}`);
  console.warn(`[mission-control] skipping the sandboxed hostile-agent tests: ${unavailable}`);
}

/** Runs the hostile agent on MC-1 while MC-2 (another ticket) has a running attempt. */
function hostileRun(db: SharedDatabase, sandboxed: boolean) {
  const t = workerSandbox(db);
  beforeEach(async () => {
    const ws = await t.setUp();
    if (sandboxed) await appendFile(ws.config, `  sandbox: { user: ${SANDBOX_USER} }\n`);
    await openToOthers(t.dir);
    const dataDir = db.env().MCTL_DATA_DIR;
    // The shared PGlite folders live in a 0700 temporary folder: open it, so that only the data
    // directory's own mode stands between the agent and the database.
    if (dataDir) await openToOthers(path.dirname(dataDir));
  });
  return async () => {
    const mine = await givenClaimed(db);
    const other = await givenRunning(db, 120_000);
    const script = hostileScript({
      repo: t.ws.git.repo,
      dataDir: db.env().MCTL_DATA_DIR,
      other: { key: other.ticket.key, attemptId: other.attempt.id },
    });
    const agent = await writeAgent(t.dir, "hostile", script);
    const mainBefore = await remoteHead(t.ws.git.remote, "main");
    const run = await t.ws.runWorker(mine.attempt.id, [agent]).done;
    const worktree = path.join(t.ws.git.repo, ".mission-control", "worktrees", mine.ticket.key);
    const attack = (name: string) => readFile(path.join(worktree, "attacks", name), "utf8").catch(() => "");
    return {
      run,
      attack,
      worktree,
      repo: t.ws.git.repo,
      defaultBranchMoved: (await remoteHead(t.ws.git.remote, "main")) !== mainBefore,
      otherBranch: await exec("git", [
        "-C",
        t.ws.git.repo,
        "rev-parse",
        "--verify",
        "--quiet",
        `refs/heads/mission-control/${other.ticket.key}`,
      ])
        .then((r) => r.stdout.trim())
        .catch(() => null),
      mine: await stateOf(db, mine.ticket.key),
      other: await stateOf(db, other.ticket.key),
      history: await db.withLifecycle(async (l) => {
        const ticket = await l.findTicket(mine.ticket.key);
        return ticket ? l.ticketHistory(ticket.id) : [];
      }),
    };
  };
}

describe.runIf(!unavailable)("hostile agent, sandboxed", () => {
  describeEachSharedDatabase("worker.sandbox on", (db) => {
    const hostile = hostileRun(db, true);

    it("every attack fails or is harmless; the agent can still commit in its worktree", async () => {
      const r = await hostile();
      expect(r.run.stderr).toContain(`the agent is sandboxed: it runs as ${SANDBOX_USER}`);
      // 1. The runner's environment cannot be read.
      expect(await r.attack("environ.err")).toMatch(/Permission denied/);
      expect(await r.attack("environ")).not.toMatch(/DATABASE_URL|MCTL_DATA_DIR/);
      // 2. The data directory cannot be opened (PGlite); on PostgreSQL there is none to find.
      expect(await r.attack("data-dir")).toMatch(/exit [12]/);
      // 3. mctl from the main checkout reaches no database: MC-2 is untouched.
      expect(await r.attack("cancel")).not.toMatch(/exit 0/);
      expect(r.other.ticket.state).toBe("in_progress");
      expect(r.other.reasons).not.toContain("cancelled");
      // 4. Nothing written outside the worktree.
      expect(await r.attack("write-outside")).toMatch(/exit [12]/);
      await expect(stat(path.join(r.repo, "PWNED"))).rejects.toThrow(/ENOENT/);
      // 5. The channel serves only this attempt: MC-2's attempt is still running.
      expect(await r.attack("signal-other")).toMatch(/fenced[\s\S]*exit 1/);
      expect(r.other.attempts[0]?.status).toBe("running");
      // The sandbox is usable: the agent committed in its own worktree.
      expect(await r.attack("commit")).toMatch(/exit 0/);
      // 7. It cannot push to the default branch (it holds no push credential at all).
      expect(await r.attack("push-default")).not.toMatch(/exit 0/);
      expect(r.defaultBranchMoved).toBe(false);
      // 8. Another ticket's branch: the agent may write it (it shares the folder of its own branch),
      // and the runner takes it away again before anything could push it.
      expect(await r.attack("other-ref")).toMatch(/exit 0/);
      expect(r.otherBranch).toBeNull();
      // 6. Its secrets are stored nowhere: log, failure reason, events.
      const mine = r.mine.attempts[0];
      expect(mine?.status).toBe("failed");
      const stored = JSON.stringify({ attempt: mine, history: r.history });
      expect(stored).toContain("[REDACTED]");
      expect(stored).toContain("gave up");
      expect(stored).not.toContain(PLANTED_TOKEN.slice(4));
      expect(stored).not.toContain("hunter2");
      // The worktree is the runner's again.
      expect((await stat(r.worktree)).uid).toBe(process.getuid?.());
    });
  });
});

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
