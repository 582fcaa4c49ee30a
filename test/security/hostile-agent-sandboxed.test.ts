/**
 * Issue 18's hostile agent with `worker.sandbox` on: every attack fails or is harmless. On both
 * drivers, because on PGlite there is one more thing to keep the agent out of: the database's
 * folder. The other hostile-agent suites are in hostile-agent.test.ts.
 */
import { stat } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { describeEachSharedDatabase } from "../worker/support/databases.js";
import { hostileRun, sandboxUnavailable } from "./hostile-run.js";
import { PLANTED_TOKEN, SANDBOX_USER } from "./support.js";

const unavailable = await sandboxUnavailable();

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
