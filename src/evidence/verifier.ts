import type { Octokit } from "@octokit/rest";
import { DEFAULT_CONFIG, EVIDENCE_CHECK_NAME } from "../config/schema.js";
import type { AttemptRow, EvidenceVerdictRow, TicketRow } from "../db/schema.js";
import type { Actor } from "../domain/actors.js";
import type { BackoffPolicy } from "../domain/backoff.js";
import type { RecordVerdictResult, ScheduledReevaluation } from "../lifecycle/index.js";
import { parseAttemptEvidence } from "./attempt-evidence.js";
import { type Publication, publishCheckRun } from "./check-run.js";
import { commitGraceEnd } from "./criteria/commit.js";
import type { GitHubFacts, PolicyFact, SubjectFacts } from "./facts.js";
import {
  coordinatesOf,
  gatherFacts,
  type RepoCoordinates,
  readCheckRuns,
  readDefaultBranch,
  readPolicy,
} from "./gather.js";
import {
  DEFAULT_RETRY,
  GitHubReader,
  type GitHubUnavailable,
  type ReadStats,
  type RetryPolicy,
} from "./github-reader.js";
import type { HttpCache } from "./http-cache.js";
import { type PendingTooLong, pendingTooLong } from "./pending-report.js";
import { planPublication } from "./publication-plan.js";
import type { Verdict } from "./types.js";
import { buildVerdict } from "./verdict.js";
import type { VerifierLifecycle } from "./verifier-port.js";
import { evidenceTargets } from "./webhook-targets.js";

export interface VerifierDeps {
  /** The few lifecycle calls it makes (src/evidence/verifier-port.ts); a whole `Lifecycle` will do. */
  readonly lifecycle: VerifierLifecycle;
  /** An Octokit allowed to read the repository and write its check runs (an installation's). */
  readonly octokit: Octokit | ((repository: string) => Promise<Octokit>);
  /** Back-off of a ticket whose evidence failed (the `dispatch.backoff` configuration). */
  readonly backoff: BackoffPolicy;
  readonly actor?: Actor;
  /**
   * The conditional-request cache: the composition roots give the database's
   * (`databaseHttpCache(store.httpCache)`, shared by replicas and by successive CLI runs).
   */
  readonly cache: HttpCache;
  readonly retry?: RetryPolicy;
  /** Mission Control's app id, when the composition root knows it; else learned from its check runs. */
  readonly selfAppId?: number | null;
  /**
   * How long after the completion a commit GitHub does not find is pending (then it fails): the
   * `evidence.missing_commit_grace_seconds` configuration. Default: that setting's default.
   */
  readonly missingCommitGraceMs?: number;
  /**
   * The board's page of a ticket (`<public_url>/board/tickets/KEY`) when the board is public: the
   * check run's `details_url`, so GitHub's "Details" leads back to it. Absent: GitHub's default.
   */
  readonly ticketPageUrl?: ((ticketKey: string) => string) | undefined;
}

/** One evaluation of one attempt's evidence: the verdict, how it was stored and published, what it cost. */
export interface Evaluation {
  readonly ticket: string;
  readonly attemptId: string;
  readonly sha: string | null;
  readonly verdict: Verdict;
  readonly stored: EvidenceVerdictRow;
  /** False when nothing changed since the last verdict (no new row, nothing republished). */
  readonly changed: boolean;
  readonly publication: Publication | null;
  readonly stats: ReadStats;
}

export type VerifyResult =
  | { readonly ok: true; readonly evaluation: Evaluation }
  | { readonly ok: false; readonly code: "not_found" | "not_verifying"; readonly message: string }
  /** The lifecycle refused the verdict (e.g. `conflict`: the ticket changed meanwhile). */
  | Exclude<RecordVerdictResult, { ok: true }>;

/** Why a verification produced no evaluation. */
export type VerifyRefusalCode = Exclude<VerifyResult, { ok: true }>["code"];

export const VERIFIER: Actor = { kind: "verifier", id: "mission-control-evidence" };

/**
 * The evidence verifier. Each evaluation reads the policy from the default branch, gathers the
 * facts of the commit the attempt names, builds the verdict with pure criteria, stores it through
 * the lifecycle (which moves the ticket on `fail`, asks for a decision on `pass`), then publishes
 * it as the check run `Mission Control / evidence`.
 */
export function createVerifier(deps: VerifierDeps) {
  const { lifecycle } = deps;
  const { cache } = deps;
  const retry = deps.retry ?? DEFAULT_RETRY;
  const actor = deps.actor ?? VERIFIER;
  const missingCommitGraceMs =
    deps.missingCommitGraceMs ?? DEFAULT_CONFIG.evidence.missing_commit_grace_seconds * 1000;
  const octokitFor = (repository: string) =>
    typeof deps.octokit === "function" ? deps.octokit(repository) : Promise.resolve(deps.octokit);

  async function evaluate(ticket: TicketRow, attempt: AttemptRow): Promise<VerifyResult> {
    const octokit = await octokitFor(ticket.repository);
    const reader = new GitHubReader(octokit, cache, retry);
    const where = coordinatesOf(ticket.repository);
    const evidence = parseAttemptEvidence(attempt.outcome);
    const subject: SubjectFacts = {
      ticket: {
        key: ticket.key,
        state: ticket.state,
        currentAttemptId: ticket.currentAttemptId,
        repository: ticket.repository,
      },
      attempt: {
        id: attempt.id,
        number: attempt.number,
        status: attempt.status,
        outcomeReason: typeof attempt.outcome?.reason === "string" ? attempt.outcome.reason : null,
        endedAt: attempt.endedAt,
      },
      evidence,
      now: lifecycle.clock.now(),
    };
    // 1. The policy, from the default branch; the branch's name only when merging is required.
    const read = await readPolicy(reader, where);
    const defaultBranch =
      read.ok && read.policy.require_merged ? await readDefaultBranch(reader, where) : null;
    const policy: PolicyFact =
      defaultBranch && !defaultBranch.ok
        ? {
            ok: false,
            reason: "unavailable",
            message: `cannot read ${ticket.repository}: ${defaultBranch.message}`,
          }
        : read;
    // 2. The facts of that commit.
    const sha = evidence.ok ? evidence.evidence.sha : null;
    const selfAppId = deps.selfAppId ?? (await lifecycle.evidence.knownSelfAppId());
    const facts: GitHubFacts | null =
      sha && policy.ok
        ? await gatherFacts(reader, where, {
            sha,
            baseSha: evidence.ok ? evidence.evidence.baseSha : null,
            defaultBranch: defaultBranch?.ok ? defaultBranch.value : null,
            policy: policy.policy,
            selfAppId,
          })
        : null;
    // 3. The verdict (pure), 4. stored with what it does to the ticket.
    const verdict = buildVerdict({ subject, policy, facts, missingCommitGraceMs });
    const earlier = await lifecycle.evidence.latestVerdictOf(attempt.id);
    const recheck = sha
      ? recheckFor(verdict, {
          attemptId: attempt.id,
          repository: ticket.repository,
          sha,
          now: subject.now,
          graceEnd: commitGraceEnd(subject, missingCommitGraceMs),
          unavailable: reader.unavailable(),
        })
      : undefined;
    const stored = await lifecycle.evidence.recordVerdict({
      ticketKey: ticket.key,
      attemptId: attempt.id,
      repository: ticket.repository,
      sha,
      status: verdict.status,
      criteria: verdict.criteria,
      summary: verdict.summary,
      fingerprint: verdict.fingerprint,
      actor,
      backoff: deps.backoff,
      ...(recheck ? { recheck } : {}),
    });
    if (!stored.ok) return stored;
    // 5. Published on the commit, as planned from the stored verdict (src/evidence/publication-plan.ts).
    let publication: Publication | null = null;
    const plan = planPublication({
      sha,
      currentAttemptId: ticket.currentAttemptId,
      attemptId: attempt.id,
      facts,
      stored: {
        changed: stored.changed,
        checkRunId: stored.verdict.checkRunId,
        publishError: stored.verdict.publishError,
      },
      hadEarlierVerdict: Boolean(earlier),
    });
    if (plan.kind === "publish") {
      const known = await lifecycle.evidence.checkRunOf(ticket.repository, plan.sha);
      const existingId =
        known?.checkRunId ??
        (plan.lookUp === "recorded_then_github"
          ? await findOwnCheckRun(reader, where, plan.sha, selfAppId)
          : null);
      publication = await publishCheckRun(octokit, where, {
        sha: plan.sha,
        existingId,
        verdict,
        ticket: ticket.key,
        attemptId: attempt.id,
        ...(deps.ticketPageUrl ? { detailsUrl: deps.ticketPageUrl(ticket.key) } : {}),
      });
      await lifecycle.evidence.recordPublication({
        verdictId: stored.verdict.id,
        repository: ticket.repository,
        sha: plan.sha,
        checkRunId: publication.checkRunId,
        appId: publication.ok ? publication.appId : null,
        error: publication.ok ? null : publication.message,
      });
    }
    const latest = (await lifecycle.evidence.latestVerdictOf(attempt.id)) ?? stored.verdict;
    return {
      ok: true,
      evaluation: {
        ticket: ticket.key,
        attemptId: attempt.id,
        sha,
        verdict,
        stored: latest,
        changed: stored.changed,
        publication,
        stats: { ...reader.stats },
      },
    };
  }

  /** Open verifications of a repository (tickets in `verifying`), optionally only those on `sha`. */
  async function openVerifications(repository: string, sha?: string) {
    const open = await lifecycle.evidence.verifyingTickets(repository);
    if (sha === undefined) return open;
    return open.filter(({ attempt }) => {
      const evidence = parseAttemptEvidence(attempt.outcome);
      return evidence.ok && evidence.evidence.sha === sha;
    });
  }

  async function evaluateAll(
    subjects: { ticket: TicketRow; attempt: AttemptRow }[],
  ): Promise<VerifyResult[]> {
    const results: VerifyResult[] = [];
    for (const { ticket, attempt } of subjects) results.push(await evaluate(ticket, attempt));
    return results;
  }

  return {
    /**
     * Verifies a ticket's evidence: its current attempt's, or `attemptId`'s (e.g. named by a
     * `/mc done` command or a late worker), which must then be the current one to count.
     */
    async verifyTicket(input: { ticket: string; attemptId?: string }): Promise<VerifyResult> {
      const ticket = await lifecycle.findTicket(input.ticket);
      if (!ticket) return { ok: false, code: "not_found", message: `no ticket ${input.ticket}` };
      const attemptId = input.attemptId ?? ticket.currentAttemptId;
      if (!attemptId || (input.attemptId === undefined && ticket.state !== "verifying"))
        return {
          ok: false,
          code: "not_verifying",
          message: `${ticket.key} is ${ticket.state}: only a ticket in verifying has completion evidence to verify`,
        };
      const attempt = await lifecycle.findAttempt(attemptId);
      if (!attempt || attempt.ticketId !== ticket.id)
        return { ok: false, code: "not_found", message: `no attempt ${attemptId} of ${ticket.key}` };
      return evaluate(ticket, attempt);
    },

    /** Re-evaluates the open verifications whose evidence names `sha` (after a webhook about it). */
    async reevaluate(input: { repository: string; sha: string }): Promise<VerifyResult[]> {
      return evaluateAll(await openVerifications(input.repository, input.sha));
    },

    /** Re-evaluates every open verification of a repository (after a push to its default branch). */
    async reevaluateRepository(input: { repository: string }): Promise<VerifyResult[]> {
      return evaluateAll(await openVerifications(input.repository));
    },

    /** For the app: a `check_run`, `check_suite`, `status`, `deployment_status`, `push` or `pull_request` webhook. */
    async onWebhook(event: string, payload: unknown): Promise<VerifyResult[]> {
      const targets = evidenceTargets(event, payload);
      if (!targets) return [];
      if (targets.wholeRepository) return this.reevaluateRepository({ repository: targets.repository });
      const results: VerifyResult[] = [];
      for (const sha of targets.shas)
        results.push(...(await this.reevaluate({ repository: targets.repository, sha })));
      return results;
    },

    /** Verdicts pending longer than `timeoutMinutes` (the policy's `pending_timeout_minutes`), for the operator. */
    async pendingTooLong(input: { timeoutMinutes: number }): Promise<PendingTooLong[]> {
      const now = lifecycle.clock.now();
      const cutoff = new Date(now.getTime() - input.timeoutMinutes * 60_000);
      return pendingTooLong(await lifecycle.evidence.stalePendingVerdicts(cutoff), now, input.timeoutMinutes);
    },
  };
}

export type Verifier = ReturnType<typeof createVerifier>;

/** Our check run on the commit, if GitHub lists one (so a lost database row never makes a second one). */
async function findOwnCheckRun(
  reader: GitHubReader,
  where: RepoCoordinates,
  sha: string,
  selfAppId: number | null,
): Promise<number | null> {
  const runs = await readCheckRuns(reader, where, sha, [EVIDENCE_CHECK_NAME]);
  if (!runs.ok) return null;
  const own = runs.value.find(
    (run) => run.headSha === sha && (selfAppId === null || run.appId === selfAppId),
  );
  return own?.id ?? null;
}

/** When GitHub failed a read, the verdict is checked again after this long (or when it asks to). */
export const UNAVAILABLE_RECHECK_MS = 60_000;

/**
 * A pending verdict that nothing may come to re-evaluate gets a re-check recorded with it (no
 * webhook names a commit GitHub never got; CI that concluded sends no more):
 * - the commit GitHub does not show yet: at the grace's end, when the same answer fails it (one per
 *   attempt, so every re-check within the grace asks for the same one);
 * - a read GitHub failed (5xx, a rate limit) after its retries: after `retry-after` or the rate
 *   limit's reset, at least a minute (keyed by that minute, so each failed re-check asks for the next).
 */
export function recheckFor(
  verdict: Verdict,
  at: {
    attemptId: string;
    repository: string;
    sha: string;
    now: Date;
    graceEnd: Date | null;
    unavailable: GitHubUnavailable | null;
  },
): ScheduledReevaluation | undefined {
  if (verdict.status !== "pending") return undefined;
  const target = { repository: at.repository, shas: [at.sha], wholeRepository: false };
  const waitingForCommit = verdict.criteria.some(
    (c) => c.id === "commit" && c.reason === "commit_not_visible_yet",
  );
  if (waitingForCommit && at.graceEnd)
    return {
      ...target,
      deliveryId: `commit-grace:${at.attemptId}`,
      event: "commit_grace_ended",
      notBefore: at.graceEnd,
    };
  if (!at.unavailable) return undefined;
  const wait = Math.max(at.unavailable.retryAfterMs ?? 0, UNAVAILABLE_RECHECK_MS);
  const minute = Math.ceil((at.now.getTime() + wait) / 60_000);
  return {
    ...target,
    deliveryId: `${at.unavailable.reason}:${at.attemptId}:${minute}`,
    event: at.unavailable.reason,
    notBefore: new Date(minute * 60_000),
  };
}
