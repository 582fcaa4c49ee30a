import { describe, expect, it } from "vitest";
import { verifierSettingsFrom } from "../../src/config/durations.js";
import { parseConfig } from "../../src/config/load.js";
import { DEFAULT_CONFIG, EVIDENCE_CHECK_NAME } from "../../src/config/schema.js";
import { renderCheckRun } from "../../src/evidence/check-run.js";
import { commitCriterion } from "../../src/evidence/criteria/commit.js";
import { mergedCriterion } from "../../src/evidence/criteria/merged.js";
import { newWorkCriterion } from "../../src/evidence/criteria/new-work.js";
import { checkCriterion } from "../../src/evidence/criteria/required-checks.js";
import { deploymentCriterion } from "../../src/evidence/criteria/required-environments.js";
import { statusCriterion } from "../../src/evidence/criteria/required-statuses.js";
import type { CheckRunFact, GitHubFacts, SubjectFacts } from "../../src/evidence/facts.js";
import { buildVerdict, verdictOf } from "../../src/evidence/verdict.js";
import { evidenceTargets } from "../../src/evidence/webhook-targets.js";

/** Pure rules: facts built by hand, no HTTP and no database. */

const SHA = "a".repeat(40);
const OTHER = "b".repeat(40);
const run = (overrides: Partial<CheckRunFact> = {}): CheckRunFact => ({
  id: 1,
  name: "build",
  headSha: SHA,
  status: "completed",
  conclusion: "success",
  appId: 7,
  appSlug: "ci",
  url: null,
  ...overrides,
});
const ok = <T>(value: T) => ({ ok: true as const, value });
const facts = (overrides: Partial<GitHubFacts> = {}): GitHubFacts => ({
  sha: SHA,
  defaultBranch: "main",
  commit: ok({ sha: SHA, url: "u" }),
  reachability: null,
  ancestry: ok({ status: "ahead", aheadBy: 1, url: "c" }),
  pulls: null,
  checkRuns: null,
  statuses: null,
  deployments: {},
  selfAppId: null,
  ...overrides,
});

const ATTEMPT = "00000000-0000-4000-8000-000000000001";
const BASE = "b".repeat(40);
const COMPLETED_AT = new Date("2026-01-01T12:00:00.000Z");
const GRACE_MS = 300_000;
const subject = (now: Date, endedAt: Date | null = COMPLETED_AT): SubjectFacts => ({
  ticket: { key: "MC-1", state: "verifying", currentAttemptId: ATTEMPT, repository: "acme/w" },
  attempt: { id: ATTEMPT, number: 1, status: "completed", outcomeReason: "completion_claimed", endedAt },
  evidence: {
    ok: true,
    evidence: {
      attemptId: ATTEMPT,
      sha: SHA,
      branch: "mission-control/MC-1",
      baseSha: BASE,
      tests: { status: "not_configured" },
    },
  },
  now,
});
const afterCompletion = (ms: number) => new Date(COMPLETED_AT.getTime() + ms);
const notFound = {
  ok: false as const,
  reason: "not_found" as const,
  message: `GET /repos/acme/w/commits/${SHA}: 404 Not Found`,
};

describe("commit criterion", () => {
  it("a commit GitHub does not find is pending within the grace after the completion, saying until when", () => {
    for (const ms of [0, 1_000, GRACE_MS - 1]) {
      const criterion = commitCriterion(facts({ commit: notFound }), subject(afterCompletion(ms)), GRACE_MS);
      expect(criterion).toMatchObject({ id: "commit", status: "pending", reason: "commit_not_visible_yet" });
      expect(criterion.message).toContain("waiting up to 300 s after the completion");
      expect(criterion.message).toContain(`until ${afterCompletion(GRACE_MS).toISOString()}`);
      expect(criterion.message).toContain("404 Not Found");
    }
    // The deadline is fixed, not a countdown: re-checks within the grace keep one outcome.
    expect(commitCriterion(facts({ commit: notFound }), subject(afterCompletion(1)), GRACE_MS)).toEqual(
      commitCriterion(facts({ commit: notFound }), subject(afterCompletion(GRACE_MS - 1)), GRACE_MS),
    );
  });

  it("at and after the grace's end it fails as commit_not_found; without a completion time at once", () => {
    for (const ms of [GRACE_MS, GRACE_MS + 1, 24 * 3600_000]) {
      const criterion = commitCriterion(facts({ commit: notFound }), subject(afterCompletion(ms)), GRACE_MS);
      expect(criterion).toMatchObject({ status: "fail", reason: "commit_not_found" });
      expect(criterion.message).toContain(`${SHA.slice(0, 7)} still not found 300 s after the completion`);
    }
    expect(
      commitCriterion(facts({ commit: notFound }), subject(afterCompletion(0), null), GRACE_MS),
    ).toMatchObject({
      status: "fail",
      reason: "commit_not_found",
    });
    // A shorter grace is honoured.
    expect(
      commitCriterion(facts({ commit: notFound }), subject(afterCompletion(10_000)), 10_000).status,
    ).toBe("fail");
  });

  it("a commit found passes at any time; one GitHub could not give is pending with its reason, even after the grace", () => {
    for (const ms of [0, GRACE_MS + 1])
      expect(commitCriterion(facts(), subject(afterCompletion(ms)), GRACE_MS)).toMatchObject({
        status: "pass",
        reason: "commit_found",
        url: "u",
      });
    const down = { ok: false as const, reason: "github_unavailable" as const, message: "502 after 3 tries" };
    expect(
      commitCriterion(facts({ commit: down }), subject(afterCompletion(GRACE_MS + 1)), GRACE_MS),
    ).toMatchObject({
      status: "pending",
      reason: "github_unavailable",
    });
    expect(
      commitCriterion(facts({ commit: ok({ sha: OTHER, url: "u" }) }), subject(afterCompletion(0)), GRACE_MS)
        .reason,
    ).toBe("commit_mismatch");
  });

  it("the verdict: pending while the commit is not visible (no rows for requirements it could not read), then fail", () => {
    const policy = {
      ok: true as const,
      policy: { ...DEFAULT_CONFIG.evidence, required_checks: [{ name: "build" }] },
      source: "p",
      url: null,
    };
    const input = (now: Date) => ({
      subject: subject(now),
      policy,
      facts: facts({ commit: notFound }),
      missingCommitGraceMs: GRACE_MS,
    });
    const waiting = buildVerdict(input(afterCompletion(1_000)));
    expect(waiting.status).toBe("pending");
    expect(waiting.criteria.map((c) => [c.id, c.status, c.reason])).toEqual([
      ["attempt", "pass", "current_attempt"],
      ["evidence", "pass", "evidence_valid"],
      ["policy", "pass", "policy_read"],
      ["commit", "pending", "commit_not_visible_yet"],
    ]);
    expect(buildVerdict(input(afterCompletion(2_000))).fingerprint).toBe(waiting.fingerprint);
    const failed = buildVerdict(input(afterCompletion(GRACE_MS)));
    expect(failed.status).toBe("fail");
    expect(failed.criteria.at(-1)).toMatchObject({
      id: "commit",
      status: "fail",
      reason: "commit_not_found",
    });
    const found = buildVerdict({ ...input(afterCompletion(1_000)), facts: facts() });
    expect(found.criteria.map((c) => c.id)).toEqual([
      "attempt",
      "evidence",
      "policy",
      "commit",
      "new_work",
      "check:build",
    ]);
  });
});

describe("new-work criterion", () => {
  const now = afterCompletion(0);
  const withEvidence = (changes: { sha?: string; branch?: string }): SubjectFacts => {
    const base = subject(now);
    if (!base.evidence.ok) throw new Error("fixture");
    return { ...base, evidence: { ok: true, evidence: { ...base.evidence.evidence, ...changes } } };
  };

  it("passes for commits on top of the base, on the ticket's branch", () => {
    expect(newWorkCriterion(subject(now), facts())).toMatchObject({
      id: "new_work",
      status: "pass",
      reason: "new_commits",
      message: `1 new commit(s) on top of ${BASE.slice(0, 7)}`,
    });
  });

  it("fails the unchanged base commit, an older commit, a diverged commit and another branch", () => {
    expect(newWorkCriterion(withEvidence({ sha: BASE }), facts({ sha: BASE }))).toMatchObject({
      status: "fail",
      reason: "no_new_commits",
    });
    const compare = (status: string) =>
      newWorkCriterion(subject(now), facts({ ancestry: ok({ status, aheadBy: 0, url: "c" }) }));
    expect(compare("identical")).toMatchObject({ status: "fail", reason: "no_new_commits" });
    expect(compare("behind")).toMatchObject({ status: "fail", reason: "not_on_base" });
    expect(compare("diverged")).toMatchObject({ status: "fail", reason: "not_on_base" });
    expect(newWorkCriterion(withEvidence({ branch: "main" }), facts())).toMatchObject({
      status: "fail",
      reason: "wrong_branch",
      message: "the work was claimed on main, not on the ticket's branch mission-control/MC-1",
    });
  });

  it("is pending while GitHub cannot answer, and fails when it does not know the base", () => {
    const unavailable = { ok: false as const, reason: "github_unavailable" as const, message: "503" };
    expect(newWorkCriterion(subject(now), facts({ ancestry: unavailable }))).toMatchObject({
      status: "pending",
      reason: "github_unavailable",
    });
    expect(newWorkCriterion(subject(now), facts({ ancestry: notFound }))).toMatchObject({
      status: "fail",
      reason: "base_not_found",
    });
  });
});

describe("check criterion", () => {
  it("a run on another SHA never counts, even if a listing returned it", () => {
    expect(checkCriterion({ name: "build" }, ok([run({ headSha: OTHER })]), SHA, null)).toMatchObject({
      status: "pending",
      reason: "check_missing",
    });
  });

  it("our own check run never counts: by name, and by our app id", () => {
    expect(checkCriterion({ name: "build" }, ok([run({ appId: 99 })]), SHA, 99).reason).toBe("check_missing");
    const named = run({ name: EVIDENCE_CHECK_NAME });
    expect(checkCriterion({ name: EVIDENCE_CHECK_NAME }, ok([named]), SHA, null).reason).toBe(
      "check_missing",
    );
  });

  it("null conclusion is pending; any non-success conclusion fails; the app pin is honoured", () => {
    expect(
      checkCriterion({ name: "build" }, ok([run({ status: "queued", conclusion: null })]), SHA, null).status,
    ).toBe("pending");
    for (const conclusion of ["failure", "cancelled", "timed_out", "neutral", "skipped", "action_required"])
      expect(checkCriterion({ name: "build" }, ok([run({ conclusion })]), SHA, null).status).toBe("fail");
    expect(checkCriterion({ name: "build", app: "other-ci" }, ok([run()]), SHA, null).reason).toBe(
      "check_missing",
    );
    // Two apps report "build": one red run is enough to fail when no app is pinned.
    expect(
      checkCriterion(
        { name: "build" },
        ok([run(), run({ id: 2, appId: 8, conclusion: "failure" })]),
        SHA,
        null,
      ).status,
    ).toBe("fail");
  });

  it("a listing GitHub could not give is pending with its reason, never a pass", () => {
    const down = { ok: false as const, reason: "github_unavailable" as const, message: "502 after 3 tries" };
    expect(checkCriterion({ name: "build" }, down, SHA, null)).toMatchObject({
      status: "pending",
      reason: "github_unavailable",
    });
    expect(statusCriterion("lint", down, SHA).status).toBe("pending");
    expect(deploymentCriterion("prod", down).status).toBe("pending");
  });
});

describe("status, deployment and merge criteria", () => {
  it("statuses: success passes, pending waits, failure and error fail, missing waits", () => {
    const list = ok([
      { context: "a", state: "success", url: null },
      { context: "b", state: "pending", url: null },
      { context: "c", state: "error", url: null },
    ]);
    expect(["a", "b", "c", "d"].map((c) => statusCriterion(c, list, SHA).status)).toEqual([
      "pass",
      "pending",
      "fail",
      "pending",
    ]);
  });

  it("deployments: the latest status decides; inactive or failed is fail", () => {
    const dep = (state: string | null) => ok({ id: 1, sha: SHA, environment: "prod", state, url: null });
    expect(deploymentCriterion("prod", dep("success")).status).toBe("pass");
    expect(deploymentCriterion("prod", dep(null)).status).toBe("pending");
    expect(deploymentCriterion("prod", dep("queued")).status).toBe("pending");
    expect(deploymentCriterion("prod", dep("failure")).status).toBe("fail");
    expect(deploymentCriterion("prod", dep("inactive")).status).toBe("fail");
    expect(deploymentCriterion("prod", ok(null)).reason).toBe("deployment_missing");
  });

  it("merged: reachable or head of a merged pull request; an unmerged one or a diverged commit waits", () => {
    const pulls = (mergedAt: string | null) => ok([{ number: 4, headSha: SHA, mergedAt, url: "p" }]);
    expect(mergedCriterion(facts({ reachability: ok({ status: "identical", url: "c" }) })).status).toBe(
      "pass",
    );
    expect(
      mergedCriterion(
        facts({ reachability: ok({ status: "ahead", url: "c" }), pulls: pulls("2026-01-01T00:00:00Z") }),
      ).reason,
    ).toBe("merged_pull_request");
    expect(
      mergedCriterion(facts({ reachability: ok({ status: "diverged", url: "c" }), pulls: pulls(null) }))
        .reason,
    ).toBe("not_merged");
  });
});

describe("verdict", () => {
  const c = (id: string, status: "pass" | "fail" | "pending") => ({
    id,
    title: id,
    status,
    reason: "check_missing" as const,
    message: "m",
    url: null,
  });

  it("any fail → fail; else any pending → pending; else pass; the fingerprint follows the outcome", () => {
    expect(verdictOf([c("a", "pass"), c("b", "pending"), c("c", "fail")]).status).toBe("fail");
    expect(verdictOf([c("a", "pass"), c("b", "pending")]).status).toBe("pending");
    expect(verdictOf([c("a", "pass")]).status).toBe("pass");
    expect(verdictOf([]).status).toBe("pass");
    expect(verdictOf([c("a", "pass")]).fingerprint).toBe(verdictOf([c("a", "pass")]).fingerprint);
    expect(verdictOf([c("a", "pass")]).fingerprint).not.toBe(verdictOf([c("a", "pending")]).fingerprint);
  });

  it("the check run summary has one row per criterion and lists what is pending", () => {
    const verdict = verdictOf([c("attempt", "pass"), c("check:e2e", "pending")]);
    const { title, summary } = renderCheckRun(verdict, { ticket: "MC-1", attemptId: "x", sha: SHA });
    expect(title).toBe("MC-1: waiting for 1 of 2 criteria");
    expect(
      summary
        .split("\n")
        .filter(
          (line) => line.startsWith("| ") && !line.startsWith("| criterion") && !line.startsWith("| ---"),
        ),
    ).toHaveLength(2);
    expect(summary).toContain("**Still pending:** check:e2e (m)");
  });
});

describe("evidence configuration", () => {
  it("has documented defaults", () => {
    expect(DEFAULT_CONFIG.evidence).toEqual({
      required_checks: [],
      required_statuses: [],
      require_merged: false,
      required_environments: [],
      require_tests: false,
      pending_timeout_minutes: 120,
      missing_commit_grace_seconds: 300,
    });
  });

  it("missing_commit_grace_seconds: a positive whole number of seconds, an hour at most", () => {
    expect(parseConfig("evidence:\n  missing_commit_grace_seconds: 30\n", "p.yml").evidence).toMatchObject({
      missing_commit_grace_seconds: 30,
    });
    for (const bad of ["0", "-5", "1.5", "3601", "soon"])
      expect(() => parseConfig(`evidence:\n  missing_commit_grace_seconds: ${bad}\n`, "p.yml")).toThrow(
        "p.yml: evidence.missing_commit_grace_seconds",
      );
    // What every composition root gives createVerifier: the dispatch back-off and the grace in ms.
    expect(verifierSettingsFrom(DEFAULT_CONFIG)).toEqual({
      backoff: { baseMs: 60_000, capMs: 3_600_000 },
      missingCommitGraceMs: 300_000,
    });
  });

  it("names the wrong key and why", () => {
    expect(() => parseConfig("evidence:\n  required_checks:\n    - nmae: build\n", "p.yml")).toThrow(
      "p.yml: evidence.required_checks.0.name: is required; evidence.required_checks.0: unknown key(s) nmae",
    );
    expect(() => parseConfig("evidence:\n  require_merged: yes\n", "p.yml")).toThrow(
      "evidence.require_merged",
    );
    expect(() =>
      parseConfig(`evidence:\n  required_checks:\n    - name: "${EVIDENCE_CHECK_NAME}"\n`, "p.yml"),
    ).toThrow("is Mission Control's own check run and cannot be required");
  });
});

describe("webhook targets", () => {
  const repository = { full_name: "acme/w", default_branch: "main" };

  it("maps each event to the commit it concerns", () => {
    expect(evidenceTargets("check_run", { repository, check_run: { head_sha: SHA, name: "build" } })).toEqual(
      {
        repository: "acme/w",
        shas: [SHA],
        wholeRepository: false,
      },
    );
    expect(evidenceTargets("check_suite", { repository, check_suite: { head_sha: SHA } })?.shas).toEqual([
      SHA,
    ]);
    expect(evidenceTargets("status", { repository, sha: SHA })?.shas).toEqual([SHA]);
    expect(evidenceTargets("deployment_status", { repository, deployment: { sha: SHA } })?.shas).toEqual([
      SHA,
    ]);
    expect(
      evidenceTargets("pull_request", { repository, pull_request: { head: { sha: SHA } } })?.shas,
    ).toEqual([SHA]);
  });

  it("a push to the default branch re-evaluates the whole repository; other pushes only their commit", () => {
    expect(evidenceTargets("push", { repository, ref: "refs/heads/main", after: SHA })?.wholeRepository).toBe(
      true,
    );
    expect(
      evidenceTargets("push", { repository, ref: "refs/heads/feature", after: SHA })?.wholeRepository,
    ).toBe(false);
  });

  it("ignores our own check run (no loop), other events and malformed payloads", () => {
    expect(
      evidenceTargets("check_run", { repository, check_run: { head_sha: SHA, name: EVIDENCE_CHECK_NAME } }),
    ).toBeNull();
    expect(evidenceTargets("issues", { repository })).toBeNull();
    expect(evidenceTargets("status", { sha: SHA })).toBeNull();
  });
});
