/**
 * `mctl worker run` as a real process, on real git, with a shell script as the agent that commits
 * and pushes: the completion. On both drivers, because on PGlite the runner hands the embedded
 * database to its agent and takes it back. How the other ways an agent can end become the
 * attempt's end: runner-outcomes.test.ts.
 */
import { readFile, realpath } from "node:fs/promises";
import path from "node:path";
import { expect, it } from "vitest";
import { CompletionEvidenceSchema } from "../../src/domain/completion-evidence.js";
import { describeEachSharedDatabase } from "./support/databases.js";
import { git, remoteHead } from "./support/git-fixture.js";
import { BRANCH, setUpWorkspace } from "./support/outcomes.js";
import { givenClaimed, writeAgent } from "./support/worker.js";

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
