import { describe, expect, it } from "vitest";
import type { GitHubFacts } from "../../src/evidence/facts.js";
import { type PublicationInput, planPublication } from "../../src/evidence/publication-plan.js";

/** The publication decision as data: no HTTP, no database. */

const SHA = "a".repeat(40);
const ATTEMPT = "00000000-0000-4000-8000-000000000001";
const facts = (commit: GitHubFacts["commit"]): GitHubFacts => ({
  sha: SHA,
  defaultBranch: null,
  commit,
  reachability: null,
  ancestry: null,
  pulls: null,
  checkRuns: null,
  statuses: null,
  deployments: {},
  selfAppId: null,
});
const input = (overrides: Partial<PublicationInput> = {}): PublicationInput => ({
  sha: SHA,
  currentAttemptId: ATTEMPT,
  attemptId: ATTEMPT,
  facts: facts({ ok: true, value: { sha: SHA, url: "u" } }),
  stored: { changed: true, checkRunId: null, publishError: null },
  hadEarlierVerdict: false,
  ...overrides,
});

describe("planPublication", () => {
  it("a first verdict is published, looking only at the record (it was never published before)", () => {
    expect(planPublication(input())).toEqual({ kind: "publish", sha: SHA, lookUp: "recorded" });
  });

  it("a later verdict may have reached GitHub before a crash: GitHub's list is asked too", () => {
    expect(planPublication(input({ hadEarlierVerdict: true }))).toEqual({
      kind: "publish",
      sha: SHA,
      lookUp: "recorded_then_github",
    });
  });

  it("an unchanged outcome is not republished, unless its last publication did not get through", () => {
    const unchanged = { changed: false, checkRunId: 7, publishError: null };
    expect(planPublication(input({ stored: unchanged, hadEarlierVerdict: true }))).toEqual({
      kind: "skip",
      reason: "unchanged",
    });
    for (const stored of [
      { ...unchanged, checkRunId: null },
      { ...unchanged, publishError: "updating the check run failed: 502" },
    ])
      expect(planPublication(input({ stored, hadEarlierVerdict: true })).kind).toBe("publish");
  });

  it("no check run on a commit GitHub does not know, for another attempt, or without a commit", () => {
    const notFound = { ok: false as const, reason: "not_found" as const, message: "404" };
    expect(planPublication(input({ facts: facts(notFound) }))).toEqual({
      kind: "skip",
      reason: "commit_unknown_to_github",
    });
    expect(planPublication(input({ currentAttemptId: "another" }))).toEqual({
      kind: "skip",
      reason: "not_current_attempt",
    });
    expect(planPublication(input({ currentAttemptId: null })).kind).toBe("skip");
    expect(planPublication(input({ sha: null }))).toEqual({ kind: "skip", reason: "no_commit" });
  });

  it("a commit GitHub could not be asked about (unavailable, or no facts read) is still published", () => {
    const down = { ok: false as const, reason: "github_unavailable" as const, message: "502" };
    expect(planPublication(input({ facts: facts(down) })).kind).toBe("publish");
    expect(planPublication(input({ facts: null })).kind).toBe("publish");
  });
});
