import type { CriterionReason } from "./criteria/index.js";

/**
 * Evidence verification, terminology
 * - evidence: what a worker claimed when it completed an attempt (commit SHA, branch, test run),
 *   stored in the attempt's outcome.
 * - facts: what GitHub says about that commit (existence, reachability, check runs, statuses,
 *   deployments), gathered through Octokit. A fact that could not be read says why.
 * - policy: the repository's `evidence` configuration, read from its default branch.
 * - criterion: one rule applied to facts + policy + the attempt: `pass | fail | pending`, a reason
 *   code, a message and a link. Criteria are small pure functions, one file each, listed in the
 *   registry src/evidence/criteria/index.ts.
 * - verdict: every criterion plus the overall status (any fail → fail; else any pending → pending;
 *   else pass), stored with history and published as the check run `Mission Control / evidence`.
 */
export type CriterionStatus = "pass" | "fail" | "pending";

export interface Criterion {
  /** Stable id: `attempt`, `evidence`, `policy`, `commit`, `merged`, `check:<name>`, `status:<context>`, `deployment:<env>`, `tests`. */
  readonly id: string;
  readonly title: string;
  readonly status: CriterionStatus;
  /** Machine-readable reason code, e.g. `check_missing`, `deployment_failed` (each criterion's file lists its own). */
  readonly reason: CriterionReason;
  /** What a person needs to know, in one line. */
  readonly message: string;
  readonly url: string | null;
}

export interface Verdict {
  readonly status: CriterionStatus;
  readonly criteria: readonly Criterion[];
  /** One line, e.g. `pending: 4 pass, 1 pending (check:build)`. */
  readonly summary: string;
  /** Status and each criterion's status and reason: equal fingerprints mean the same outcome. */
  readonly fingerprint: string;
}

/** Why a fact could not be read from GitHub. `not_found` is an answer; the others are "unknown". */
export type Unavailable = {
  readonly ok: false;
  readonly reason: "not_found" | "github_unavailable" | "rate_limited" | "forbidden";
  readonly message: string;
};

/** A fact as read from GitHub, or why it could not be. */
export type Fetched<T> = { readonly ok: true; readonly value: T } | Unavailable;
