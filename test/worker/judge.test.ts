import { describe, expect, it } from "vitest";
import { CompletionEvidenceSchema, parseCompletionEvidence } from "../../src/domain/completion-evidence.js";
import type { GitFacts } from "../../src/worker/evidence.js";
import { type CompletionFacts, judgeCompletion } from "../../src/worker/judge.js";

const HEAD = "a".repeat(40);
const BASE = "b".repeat(40);
const BRANCH = "mission-control/MC-7";

function facts(
  git: Partial<GitFacts> = {},
  tests: CompletionFacts["tests"] = { status: "not_configured" },
): CompletionFacts {
  return {
    attemptId: "6f1c2a6e-2d6b-4c0e-9d4f-3f1b2c3d4e5f",
    ticket: "MC-7",
    expectedBranch: BRANCH,
    git: {
      headSha: HEAD,
      branch: BRANCH,
      baseSha: BASE,
      clean: true,
      dirtyPaths: [],
      remote: { name: "origin", url: "https://github.com/acme/widgets.git" },
      remoteSha: HEAD,
      ...git,
    },
    tests,
    agent: { exitCode: 0, durationMs: 1234 },
    collectedAt: new Date("2026-01-02T03:04:05Z"),
  };
}

const passed = {
  status: "passed" as const,
  command: ["npm", "test"],
  exitCode: 0,
  summary: "ok",
  durationMs: 10,
};

describe("judging the end of an agent's run", () => {
  it("a clean, pushed HEAD on the ticket branch with passing tests is a completion, with valid evidence", () => {
    const verdict = judgeCompletion(facts({}, passed));
    expect(verdict.kind).toBe("complete");
    if (verdict.kind !== "complete") return;
    expect(CompletionEvidenceSchema.parse(verdict.evidence)).toEqual(verdict.evidence);
    expect(verdict.evidence).toMatchObject({
      commitSha: HEAD,
      branch: BRANCH,
      baseSha: BASE,
      remote: { sha: HEAD },
      tests: { status: "passed", exitCode: 0 },
      collectedAt: "2026-01-02T03:04:05.000Z",
    });
  });

  it("no test command configured is still a completion, and says so", () => {
    const verdict = judgeCompletion(facts());
    expect(verdict).toMatchObject({ kind: "complete", evidence: { tests: { status: "not_configured" } } });
  });

  it.each([
    [
      "dirty_worktree",
      facts({ clean: false, dirtyPaths: ["src/a.ts", "notes.txt"] }),
      /uncommitted changes \(src\/a.ts, notes.txt\)/,
    ],
    ["wrong_branch", facts({ branch: null }), /HEAD is detached, not on mission-control\/MC-7/],
    ["wrong_branch", facts({ branch: "main" }), /HEAD is on main/],
    ["not_pushed", facts({ remoteSha: null }), /origin\/mission-control\/MC-7 does not exist/],
    ["not_pushed", facts({ remoteSha: BASE }), /is at bbbbbbbbbbbb/],
    ["tests_failed", facts({}, { ...passed, status: "failed" as const, exitCode: 2 }), /exited with 2/],
    ["tests_failed", facts({}, { ...passed, status: "timed_out" as const, exitCode: null }), /timed out/],
  ] as const)("%s: %s", (reason, input, message) => {
    const verdict = judgeCompletion(input);
    expect(verdict).toMatchObject({ kind: "failed", reason });
    if (verdict.kind === "failed") expect(verdict.message).toMatch(message);
  });

  it("a dirty tree is reported before anything else, whatever the agent printed", () => {
    const verdict = judgeCompletion(
      facts({ clean: false, dirtyPaths: ["x"], remoteSha: null }, { ...passed, status: "failed" as const }),
    );
    expect(verdict).toMatchObject({ kind: "failed", reason: "dirty_worktree" });
  });
});

describe("the completion evidence schema", () => {
  const good = () => {
    const verdict = judgeCompletion(facts({}, passed));
    if (verdict.kind !== "complete") throw new Error("set-up");
    return verdict.evidence;
  };

  it("cannot express a dirty tree, an unpushed HEAD or failed tests as a completion", () => {
    const cases: [string, unknown][] = [
      ["workingTreeClean", { ...good(), workingTreeClean: false }],
      ["pushed", { ...good(), pushed: false }],
      ["remote.sha", { ...good(), remote: { ...good().remote, sha: BASE } }],
      ["tests", { ...good(), tests: { ...passed, status: "failed", exitCode: 1 } }],
      ["commitSha", { ...good(), commitSha: "HEAD" }],
    ];
    for (const [path, value] of cases) {
      const parsed = parseCompletionEvidence(value);
      expect(parsed.ok, path).toBe(false);
      if (!parsed.ok) expect(parsed.message).toContain(path);
    }
    expect(parseCompletionEvidence(good())).toMatchObject({ ok: true });
  });
});
