/**
 * The hostile agent's run (test/security/hostile-agent*.test.ts): MC-1's attempt runs the hostile
 * script while MC-2 (another ticket) has a running attempt; what each attack got is read back from
 * the worktree, the remote and the database.
 */
import { execFile } from "node:child_process";
import { appendFile, readFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { beforeEach } from "vitest";
import type { SharedDatabase } from "../worker/support/databases.js";
import { remoteHead } from "../worker/support/git-fixture.js";
import { stateOf } from "../worker/support/state.js";
import { givenClaimed, givenRunning, workerSandbox, writeAgent } from "../worker/support/worker.js";
import { hostileScript, openToOthers, SANDBOX_USER, sandboxAvailable } from "./support.js";

const exec = promisify(execFile);

/** Why the sandbox tests cannot run here (null when they can); under CI=true that is a failure. */
export async function sandboxUnavailable(): Promise<string | null> {
  const unavailable = await sandboxAvailable().catch(
    (error: unknown) => `cannot create ${SANDBOX_USER}: ${String(error)}`,
  );
  if (unavailable) {
    if (process.env.CI === "true") throw new Error(`the sandbox tests must run in CI: ${unavailable}`);
    console.warn(`[mission-control] skipping the sandboxed hostile-agent tests: ${unavailable}`);
  }
  return unavailable;
}

/** Runs the hostile agent on MC-1 while MC-2 (another ticket) has a running attempt. */
export function hostileRun(db: SharedDatabase, sandboxed: boolean) {
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
