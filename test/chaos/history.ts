/**
 * The history of one chaos run, as plain data: what the database recorded (tickets, events,
 * attempts, questions, verdicts, inbox items, mirror jobs, webhook deliveries, dispatch decisions),
 * what GitHub (the stand-in) shows (issues, comments, commits, CI check runs, webhook deliveries
 * sent), and what the processes said (scripted agents' journal, orchestrator pass reports).
 * `readHistory` (read-history.ts) builds it; `checkHistory` (checker.ts) judges it without I/O.
 *
 * Terminology
 * - kind: the scripted behaviour a ticket's agent has (from its title): succeed, ask, fail, hang,
 *   flaky, linger (test/chaos/agent.mjs).
 * - live attempt: an attempt between its `claimed` event and the event that ended it.
 * - explainable: a ticket that is not terminal for a reason the run can name (enumerated in checker.ts).
 *
 * Every list is in id order (tickets, events, questions, verdicts, inbox items, mirror jobs).
 */
import type { TicketRow } from "../../src/db/schema.js";

export const TICKET_KINDS = ["succeed", "ask", "fail", "hang", "flaky", "linger"] as const;
export type TicketKind = (typeof TICKET_KINDS)[number];

/** Reads the scripted kind from a ticket title such as `Chaos ticket 12 [ask]`. */
export function kindOfTitle(title: string): TicketKind | null {
  const match = /\[(succeed|ask|fail|hang|flaky|linger)\]/.exec(title);
  return (match?.[1] as TicketKind | undefined) ?? null;
}

export interface TicketFact {
  readonly id: number;
  readonly key: string;
  readonly title: string;
  readonly kind: TicketKind | null;
  readonly state: string;
  readonly version: number;
  readonly hold: string | null;
  readonly currentAttemptId: string | null;
  readonly attemptCount: number;
  readonly nextEligibleAt: Date | null;
  readonly issueNumber: number | null;
  /** The ticket as stored (what its issue must show: src/app/mirror/render.ts). */
  readonly row: TicketRow;
}

export interface EventFact {
  readonly id: number;
  readonly ticketId: number;
  readonly from: string | null;
  readonly to: string;
  readonly reason: string;
  readonly actorKind: string;
  readonly actorId: string;
  readonly attemptId: string | null;
  readonly version: number;
  readonly detail: Record<string, unknown>;
  readonly at: Date;
}

export interface AttemptFact {
  readonly id: string;
  readonly ticketId: number;
  readonly number: number;
  readonly status: string;
  readonly launchKey: string;
  readonly leaseExpiresAt: Date;
  readonly createdAt: Date;
  readonly endedAt: Date | null;
  /** `outcome.reason`: completion_claimed, lease_expired, agent_crashed … */
  readonly outcomeReason: string | null;
  /** The commit a completion named (`outcome.evidence.commitSha`), if any. */
  readonly evidenceSha: string | null;
}

export interface QuestionFact {
  readonly id: number;
  readonly ticketId: number;
  readonly attemptId: string;
  readonly askedAt: Date;
  readonly answer: string | null;
  readonly answeredAt: Date | null;
}

export interface VerdictFact {
  readonly id: number;
  readonly ticketId: number;
  readonly attemptId: string;
  readonly sha: string | null;
  readonly status: string;
  readonly ticketOutcome: string;
  readonly evaluatedAt: Date;
}

export interface InboxFact {
  readonly id: number;
  readonly kind: string;
  readonly ticketId: number | null;
  readonly attemptId: string | null;
  readonly state: string;
  readonly audience: string;
  readonly deliveryCount: number;
  readonly decision: string | null;
  /** The ticket event the stored result says its act wrote (`result.applied.eventId`). */
  readonly appliedEventId: number | null;
  readonly createdAt: Date;
  readonly actedAt: Date | null;
}

export interface MirrorJobFact {
  readonly eventId: number;
  readonly done: boolean;
}

/** One issue of the repository on the stand-in, with its comment bodies in order. */
export interface IssueFact {
  readonly number: number;
  readonly title: string;
  readonly body: string;
  readonly state: string;
  readonly labels: readonly string[];
  readonly comments: readonly string[];
}

/** What GitHub (the stand-in) knows about a commit the CI bot mirrored from the git remote. */
export interface CommitFact {
  readonly sha: string;
  /** Conclusions of the CI check runs on that sha (`ci` by the CI app). */
  readonly ci: readonly string[];
}

/** A webhook the stand-in sent (one entry per GUID, with every attempt's status code). */
export interface SentWebhook {
  readonly guid: string;
  readonly event: string;
  readonly action: string | null;
  /** The commit a CI or push webhook concerns (check_run, check_suite, status, deployment_status, push). */
  readonly sha: string | null;
  readonly statusCodes: readonly number[];
}

/** An evidence re-evaluation request the app recorded and has not run yet. */
export interface PendingReevaluation {
  readonly shas: readonly string[];
  readonly wholeRepository: boolean;
}

export interface ReceivedWebhook {
  readonly guid: string;
  readonly status: string;
}

/** An agent the runner started (the scripted agent writes one journal line when it starts). */
export interface AgentStart {
  readonly attemptId: string;
  readonly ticket: string;
  readonly pid: number;
  readonly at: Date;
}

/** A `claimed` or `launch_failed` decision of a recorded dispatch cycle. */
export interface LaunchDecision {
  readonly cycleId: number;
  readonly code: string;
  readonly attemptId: string;
}

/** An outcome line of an `mctl orchestrate --json` pass report. */
export interface OrchestratorOutcome {
  readonly process: string;
  readonly item: number;
  readonly outcome: string;
}

export interface History {
  readonly seed: number;
  /** `quiesced`: every ticket terminal and nothing left to do; `bound`: the run hit its time bound. */
  readonly endedBy: "quiesced" | "bound";
  readonly endedAt: Date;
  readonly maxAttempts: number;
  readonly tickets: readonly TicketFact[];
  readonly events: readonly EventFact[];
  readonly attempts: readonly AttemptFact[];
  readonly questions: readonly QuestionFact[];
  readonly verdicts: readonly VerdictFact[];
  readonly inbox: readonly InboxFact[];
  readonly mirrorJobs: readonly MirrorJobFact[];
  readonly issues: readonly IssueFact[];
  readonly commits: readonly CommitFact[];
  readonly webhooksSent: readonly SentWebhook[];
  readonly webhooksReceived: readonly ReceivedWebhook[];
  readonly pendingReevaluations: readonly PendingReevaluation[];
  readonly agentStarts: readonly AgentStart[];
  readonly launches: readonly LaunchDecision[];
  readonly orchestratorOutcomes: readonly OrchestratorOutcome[];
}
