import type { EvidenceConfig } from "../config/schema.js";
import type { CriterionReason } from "./criteria/index.js";
import type { GitHubFacts, PolicyFact, SubjectFacts } from "./facts.js";
import type { Criterion, CriterionStatus, Unavailable } from "./types.js";
import type { WebhookEvent } from "./webhook-targets.js";

/**
 * One evidence criterion as the registry (src/evidence/criteria/index.ts) lists it: a name, the
 * webhook events that may change its outcome, when it is judged at all, and a pure `evaluate`
 * from facts and policy to its rows of the verdict (none when the policy does not ask for it).
 * Modelled on probot-auto-merge's conditions and policy-bot's predicates that name their events.
 */

/** What every criterion may look at: the ticket and attempt, as the database says now. */
export interface CriterionFacts {
  readonly subject: SubjectFacts;
  /** How long after the completion a commit GitHub does not find is pending rather than failed. */
  readonly missingCommitGraceMs: number;
}

/** …plus what GitHub says about the commit, for the criteria judged on it. */
export interface CommitFacts extends CriterionFacts {
  readonly github: GitHubFacts;
}

interface Registered {
  /** The file's name under src/evidence/criteria/ (a test holds the two together). */
  readonly name: string;
  /** The webhook events that re-evaluate a verdict because this criterion may have changed. */
  readonly triggers: readonly WebhookEvent[];
  /** Why no webhook re-evaluates it, when `triggers` is empty (its facts are our own records). */
  readonly notRetriggered?: string;
}

/**
 * When a criterion is judged:
 * - `always`: on every evaluation, even without a readable policy;
 * - `policy_read`: once the repository policy was read (it receives that policy);
 * - `commit_asked`: once GitHub was asked about the commit (the commit's own existence);
 * - `commit_found`: only when every `commit_asked` criterion passed: the requirements' facts are
 *   not read for a commit GitHub does not know, so they get no row rather than a wrong one.
 */
export type EvidenceCriterion = Registered &
  (
    | {
        readonly judgedWhen: "always";
        evaluate(facts: CriterionFacts, policy: PolicyFact): Criterion[];
      }
    | {
        readonly judgedWhen: "policy_read";
        evaluate(facts: CriterionFacts, policy: EvidenceConfig): Criterion[];
      }
    | {
        readonly judgedWhen: "commit_asked" | "commit_found";
        evaluate(facts: CommitFacts, policy: EvidenceConfig): Criterion[];
      }
  );

/** The fields of one row of the verdict; `url` defaults to none. */
export interface CriterionFields {
  readonly id: string;
  readonly title: string;
  readonly status: CriterionStatus;
  readonly reason: CriterionReason;
  readonly message: string;
  readonly url?: string | null;
}

/** Builds one row of the verdict from named fields. */
export const make = ({ id, title, status, reason, message, url = null }: CriterionFields): Criterion => ({
  id,
  title,
  status,
  reason,
  message,
  url,
});

/** Why GitHub could not give a fact, as a reason code (`not_found` is an answer, not a failure). */
export type UnavailableReason = Exclude<Unavailable["reason"], "not_found">;

/** A fact GitHub could not give us is never a pass: it is pending (or a fail when it does not exist). */
export function unknownFact(
  id: string,
  title: string,
  fact: Unavailable,
  what: "commit" | "deployment",
): Criterion {
  if (fact.reason === "not_found")
    return make({ id, title, status: "fail", reason: `${what}_not_found`, message: fact.message });
  return make({ id, title, status: "pending", reason: fact.reason, message: fact.message });
}
