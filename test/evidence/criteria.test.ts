import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { DEFAULT_CONFIG, EVIDENCE_CHECK_NAME } from "../../src/config/schema.js";
import { renderCheckRun } from "../../src/evidence/check-run.js";
import {
  checkCriterion,
  deploymentCriterion,
  mergedCriterion,
  statusCriterion,
} from "../../src/evidence/criteria.js";
import type { CheckRunFact, GitHubFacts } from "../../src/evidence/facts.js";
import { verdictOf } from "../../src/evidence/verdict.js";
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
  pulls: null,
  checkRuns: null,
  statuses: null,
  deployments: {},
  selfAppId: null,
  ...overrides,
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
    reason: "r",
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
    });
  });

  it("names the wrong key and why", () => {
    expect(() => parseConfig("evidence:\n  required_checks:\n    - nmae: build\n", "p.yml")).toThrow(
      "p.yml: evidence.required_checks.0.name: Invalid input: expected string, received undefined; evidence.required_checks.0: unknown key(s) nmae",
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
