import type { GitHubFacts } from "./facts.js";

/**
 * Whether a stored verdict is published as the check run `Mission Control / evidence`, decided from
 * data alone; the verifier (src/evidence/verifier.ts) only carries the plan out.
 */
export type PublicationPlan =
  | { readonly kind: "skip"; readonly reason: PublicationSkip }
  | {
      readonly kind: "publish";
      readonly sha: string;
      /**
       * Where an existing check run may be found: the database's record, and when an earlier verdict
       * of the attempt exists also GitHub's list (that verdict's publication may have reached GitHub
       * just before a crash, before it was recorded). A first verdict was never published: the
       * record alone decides, and without one the check run is created.
       */
      readonly lookUp: "recorded" | "recorded_then_github";
    };

export type PublicationSkip =
  /** The evidence names no commit: there is nothing to put a check run on. */
  | "no_commit"
  /** A verdict about an attempt that is no longer the ticket's current one is stored, not published. */
  | "not_current_attempt"
  /** GitHub refuses a check run on a commit it does not know (422): published once it appears. */
  | "commit_unknown_to_github"
  /** Same outcome as the last verdict, and that one was published. */
  | "unchanged";

export interface PublicationInput {
  /** The commit the evidence names, if any. */
  readonly sha: string | null;
  readonly currentAttemptId: string | null;
  readonly attemptId: string;
  /** What GitHub said about the commit (null when it was not asked). */
  readonly facts: GitHubFacts | null;
  /** The stored verdict: whether it changed the outcome, and how its latest publication went. */
  readonly stored: {
    readonly changed: boolean;
    readonly checkRunId: number | null;
    readonly publishError: string | null;
  };
  /** Whether the attempt had a verdict before this one. */
  readonly hadEarlierVerdict: boolean;
}

/**
 * Published only for the ticket's current attempt, only when the outcome changed (or the last
 * publication did not get through), and only on a commit GitHub knows.
 */
export function planPublication(input: PublicationInput): PublicationPlan {
  if (input.sha === null) return { kind: "skip", reason: "no_commit" };
  if (input.currentAttemptId !== input.attemptId) return { kind: "skip", reason: "not_current_attempt" };
  const { facts } = input;
  if (facts !== null && !facts.commit.ok && facts.commit.reason === "not_found")
    return { kind: "skip", reason: "commit_unknown_to_github" };
  const unpublished = input.stored.checkRunId === null || input.stored.publishError !== null;
  if (!input.stored.changed && !unpublished) return { kind: "skip", reason: "unchanged" };
  return {
    kind: "publish",
    sha: input.sha,
    lookUp: input.hadEarlierVerdict ? "recorded_then_github" : "recorded",
  };
}
