import { EVIDENCE_CHECK_NAME, type EvidenceConfig } from "../config/schema.js";
import type {
  CheckRunFact,
  DeploymentFact,
  GitHubFacts,
  PolicyFact,
  StatusFact,
  SubjectFacts,
} from "./facts.js";
import type { Criterion, CriterionStatus, Fetched, Unavailable } from "./types.js";

/**
 * The rules of evidence, each a small pure function from facts (and policy) to one criterion.
 * Nothing here does I/O; src/evidence/gather.ts fetches the facts.
 */

const make = (
  id: string,
  title: string,
  status: CriterionStatus,
  reason: string,
  message: string,
  url: string | null = null,
): Criterion => ({ id, title, status, reason, message, url });

/** A fact GitHub could not give us is never a pass: it is pending (or a fail when it does not exist). */
function unknown(id: string, title: string, fact: Unavailable, what: string): Criterion {
  if (fact.reason === "not_found") return make(id, title, "fail", `${what}_not_found`, fact.message);
  return make(id, title, "pending", fact.reason, fact.message);
}

/**
 * The attempt must be the ticket's current one and must have ended by claiming completion while it
 * still held its lease (the lifecycle fenced that), and the ticket must still be waiting in
 * `verifying`. A lost, failed or superseded attempt's evidence proves nothing.
 */
export function attemptCriterion(subject: SubjectFacts): Criterion {
  const title = "attempt is current and valid";
  const { ticket, attempt } = subject;
  if (ticket.currentAttemptId !== attempt.id)
    return make(
      "attempt",
      title,
      "fail",
      "attempt_not_current",
      `attempt #${attempt.number} (${attempt.id}) is not ${ticket.key}'s current attempt (it is ${attempt.status})`,
    );
  if (attempt.status !== "completed" || attempt.outcomeReason !== "completion_claimed")
    return make(
      "attempt",
      title,
      "fail",
      "attempt_not_completed",
      `attempt #${attempt.number} is ${attempt.status}, not a completion claimed within its lease`,
    );
  if (ticket.state !== "verifying")
    return make(
      "attempt",
      title,
      "fail",
      "ticket_not_verifying",
      `${ticket.key} is ${ticket.state}, not verifying`,
    );
  return make("attempt", title, "pass", "current_attempt", `attempt #${attempt.number} of ${ticket.key}`);
}

/**
 * The evidence must be well-formed (the worker's schema: clean tree, HEAD pushed) and name this
 * very attempt: evidence copied from another attempt proves nothing.
 */
export function evidenceCriterion(subject: SubjectFacts): Criterion {
  const title = "evidence is well-formed";
  if (!subject.evidence.ok)
    return make("evidence", title, "fail", "evidence_invalid", subject.evidence.message);
  const evidence = subject.evidence.evidence;
  if (evidence.attemptId !== subject.attempt.id)
    return make(
      "evidence",
      title,
      "fail",
      "evidence_other_attempt",
      `the evidence names attempt ${evidence.attemptId}, not ${subject.attempt.id}`,
    );
  return make(
    "evidence",
    title,
    "pass",
    "evidence_valid",
    `commit ${evidence.sha.slice(0, 7)} pushed to ${evidence.branch}`,
  );
}

/** The repository policy must be readable and valid; an invalid one says which key is wrong. */
export function policyCriterion(policy: PolicyFact): Criterion {
  const title = "repository policy";
  if (policy.ok)
    return make("policy", title, "pass", "policy_read", `read from ${policy.source}`, policy.url);
  if (policy.reason === "invalid")
    return make("policy", title, "pending", "policy_invalid", policy.message, policy.url);
  return make("policy", title, "pending", "policy_unavailable", policy.message);
}

/**
 * When a commit GitHub does not find stops being "not visible yet": `graceMs` after the completion.
 * Null when the attempt has not ended (no completion to measure from).
 */
export function commitGraceEnd(subject: SubjectFacts, graceMs: number): Date | null {
  const ended = subject.attempt.endedAt;
  return ended === null ? null : new Date(ended.getTime() + graceMs);
}

/**
 * The commit must exist on GitHub. The worker claims completion only after `git ls-remote` showed
 * it on the remote, but GitHub's API can lag a push: a commit not found (404/422) is pending
 * (`commit_not_visible_yet`) until `graceMs` after the completion, and fails (`commit_not_found`)
 * from then on. The deadline is in the message, so re-checks within the grace keep one outcome.
 */
export function commitCriterion(facts: GitHubFacts, subject: SubjectFacts, graceMs: number): Criterion {
  const title = "commit exists";
  if (!facts.commit.ok && facts.commit.reason === "not_found") {
    const sha = facts.sha.slice(0, 7);
    const graceEnd = commitGraceEnd(subject, graceMs);
    const grace = `${Math.round(graceMs / 1000)} s`;
    if (graceEnd === null) return unknown("commit", title, facts.commit, "commit");
    if (subject.now.getTime() < graceEnd.getTime())
      return make(
        "commit",
        title,
        "pending",
        "commit_not_visible_yet",
        `GitHub does not show ${sha} yet (${facts.commit.message}); waiting up to ${grace} after the completion, until ${graceEnd.toISOString()}, then it fails`,
      );
    return make(
      "commit",
      title,
      "fail",
      "commit_not_found",
      `${facts.commit.message}: ${sha} still not found ${grace} after the completion`,
    );
  }
  if (!facts.commit.ok) return unknown("commit", title, facts.commit, "commit");
  if (facts.commit.value.sha !== facts.sha)
    return make("commit", title, "fail", "commit_mismatch", `GitHub resolved ${facts.sha} to another commit`);
  return make(
    "commit",
    title,
    "pass",
    "commit_found",
    `${facts.sha.slice(0, 7)} exists`,
    facts.commit.value.url,
  );
}

/**
 * Reachable from the default branch (the default branch is `behind` or `identical` to the commit),
 * or the head of a merged pull request. Not merged yet is pending: merging later makes it pass.
 */
export function mergedCriterion(facts: GitHubFacts): Criterion {
  const branch = facts.defaultBranch ?? "the default branch";
  const title = `merged into ${branch}`;
  const { reachability, pulls } = facts;
  if (
    reachability?.ok &&
    (reachability.value.status === "behind" || reachability.value.status === "identical")
  )
    return make(
      "merged",
      title,
      "pass",
      "reachable_from_default_branch",
      `${branch} contains ${facts.sha.slice(0, 7)}`,
      reachability.value.url,
    );
  const merged = pulls?.ok
    ? pulls.value.find((p) => p.headSha === facts.sha && p.mergedAt !== null)
    : undefined;
  if (merged)
    return make(
      "merged",
      title,
      "pass",
      "merged_pull_request",
      `head of merged pull request #${merged.number}`,
      merged.url,
    );
  const failure = [reachability, pulls].find(
    (f): f is Unavailable => f !== null && !f.ok && f.reason !== "not_found",
  );
  if (failure) return make("merged", title, "pending", failure.reason, failure.message);
  const open = pulls?.ok ? pulls.value.find((p) => p.headSha === facts.sha) : undefined;
  return make(
    "merged",
    title,
    "pending",
    "not_merged",
    open
      ? `pull request #${open.number} is not merged yet`
      : `${branch} does not contain ${facts.sha.slice(0, 7)} and no merged pull request has it as head`,
    open?.url ?? (reachability?.ok ? reachability.value.url : null),
  );
}

/** Check runs that may count for `sha`: on that very commit, and not produced by Mission Control. */
export function countableRuns(
  runs: readonly CheckRunFact[],
  sha: string,
  selfAppId: number | null,
): CheckRunFact[] {
  return runs.filter(
    (run) =>
      run.headSha === sha &&
      run.name !== EVIDENCE_CHECK_NAME &&
      (selfAppId === null || run.appId !== selfAppId),
  );
}

/**
 * A required check: every matching run (latest per app, optionally only the named app) completed
 * with `success`. Missing is pending, still running (conclusion null) is pending, never green.
 */
export function checkCriterion(
  required: EvidenceConfig["required_checks"][number],
  checkRuns: Fetched<readonly CheckRunFact[]>,
  sha: string,
  selfAppId: number | null,
): Criterion {
  const id = `check:${required.name}`;
  const title = required.app ? `check "${required.name}" (${required.app})` : `check "${required.name}"`;
  if (!checkRuns.ok) return unknown(id, title, checkRuns, "commit");
  const matching = countableRuns(checkRuns.value, sha, selfAppId).filter(
    (run) => run.name === required.name && (required.app === undefined || run.appSlug === required.app),
  );
  if (!matching.length)
    return make(
      id,
      title,
      "pending",
      "check_missing",
      `no check run "${required.name}" on ${sha.slice(0, 7)} yet`,
    );
  const failed = matching.find((run) => run.conclusion !== null && run.conclusion !== "success");
  if (failed) return make(id, title, "fail", "check_failed", `concluded ${failed.conclusion}`, failed.url);
  const running = matching.find((run) => run.status !== "completed" || run.conclusion === null);
  if (running)
    return make(
      id,
      title,
      "pending",
      "check_running",
      `still ${running.status} (no conclusion yet)`,
      running.url,
    );
  return make(id, title, "pass", "check_succeeded", "completed with success", matching[0]?.url ?? null);
}

/** A required commit status context: its latest state on that commit must be `success`. */
export function statusCriterion(
  context: string,
  statuses: Fetched<readonly StatusFact[]>,
  sha: string,
): Criterion {
  const id = `status:${context}`;
  const title = `status "${context}"`;
  if (!statuses.ok) return unknown(id, title, statuses, "commit");
  const found = statuses.value.find((status) => status.context === context);
  if (!found)
    return make(id, title, "pending", "status_missing", `no status "${context}" on ${sha.slice(0, 7)} yet`);
  if (found.state === "success") return make(id, title, "pass", "status_succeeded", "success", found.url);
  if (found.state === "pending") return make(id, title, "pending", "status_pending", "pending", found.url);
  return make(id, title, "fail", "status_failed", found.state, found.url);
}

const DEPLOYMENT_PENDING = new Set(["queued", "pending", "in_progress"]);

/** A required environment: the latest status of the latest deployment of that commit decides. */
export function deploymentCriterion(
  environment: string,
  fact: Fetched<DeploymentFact | null> | undefined,
): Criterion {
  const id = `deployment:${environment}`;
  const title = `deployed to ${environment}`;
  if (!fact)
    return make(id, title, "pending", "deployment_missing", `no deployment to ${environment} looked up`);
  if (!fact.ok) return unknown(id, title, fact, "deployment");
  const deployment = fact.value;
  if (!deployment)
    return make(
      id,
      title,
      "pending",
      "deployment_missing",
      `no deployment of the commit to ${environment} yet`,
    );
  if (deployment.state === "success")
    return make(
      id,
      title,
      "pass",
      "deployment_succeeded",
      `deployment ${deployment.id} succeeded`,
      deployment.url,
    );
  if (deployment.state === null || DEPLOYMENT_PENDING.has(deployment.state))
    return make(
      id,
      title,
      "pending",
      "deployment_pending",
      `deployment ${deployment.id} is ${deployment.state ?? "without a status"}`,
      deployment.url,
    );
  return make(
    id,
    title,
    "fail",
    "deployment_failed",
    `deployment ${deployment.id} is ${deployment.state}`,
    deployment.url,
  );
}

/** The worker's own test run (it passed, exit code 0), when the policy requires it. */
export function testsCriterion(subject: SubjectFacts): Criterion {
  const title = "worker's test run";
  if (!subject.evidence.ok) return make("tests", title, "fail", "evidence_invalid", "no usable evidence");
  const tests = subject.evidence.evidence.tests;
  if (tests.status === "not_configured")
    return make(
      "tests",
      title,
      "fail",
      "tests_not_run",
      "no test command ran (worker.test_command is not configured)",
    );
  const summary = tests.summary.trim().split("\n").pop() ?? "";
  return make(
    "tests",
    title,
    "pass",
    "tests_passed",
    `exit code ${tests.exitCode}${summary ? `: ${summary}` : ""}`,
  );
}
