/**
 * The lifecycle module: the only writer of tickets, attempts, events, questions, leases and
 * dispatch cycles (and of the inbox, alerts, task settings and evidence verdicts). The GitHub
 * App's plumbing is written by src/store, except the mirror job of each event and the
 * re-evaluation request of a completion or verdict, inserted here in the change's own transaction.
 *
 * Terminology
 * - transition: a change of a ticket's state, allowed by the table in src/domain/ticket-states.ts.
 * - compare-and-set: an update that only applies if the row is still at the expected state and
 *   version; losing it is a `conflict` result, never an exception.
 * - event: the append-only record of a change, written in the same transaction as the change.
 * - attempt: one try of one worker at one ticket; born `launching` at claim, `running` once a
 *   worker takes it with its launch key, then ended with a structured outcome.
 * - lease: a row with holder, fencing token and expiry. Attempts have one (kept alive by
 *   heartbeats); the dispatcher has one (`dispatch`), re-checked inside every claim.
 * - fenced: a write refused because the caller no longer holds the attempt or lease it names.
 */
import type { Actor } from "../domain/actors.js";
import type { BackoffPolicy } from "../domain/backoff.js";
import type { Priority } from "../domain/priorities.js";
import type { TicketRow } from "../db/schema.js";
import {
  assignTicket,
  createTicketForIssue,
  findTicketByIssue,
  linkIssue,
  setTicketPriority,
} from "./app-tickets.js";
import { type AttemptLog, recordAttemptLog } from "./attempt-log.js";
import { bindAttemptRun, renewRunLease, runCompleted } from "./attempt-runs.js";
import {
  askQuestion,
  completeAttempt,
  expireAttempt,
  failAttempt,
  findExpiredAttempts,
  heartbeatAttempt,
  releaseFailedLaunch,
  startAttempt,
} from "./attempts.js";
import { type BoardFilter, boardColumns } from "./board-reads.js";
import {
  type CandidateCursor,
  readBlockerStates,
  readCandidatePage,
  readQueuedRepositories,
  readTicketRepositories,
  readUnrecordedPolicyRefusals,
  type Eligibility,
  type QueuePolicy,
  type TicketScope,
} from "./candidates.js";
import { type ClaimInput, claimTicket } from "./claim.js";
import { createTicket, createTickets } from "./create-ticket.js";
import type { LifecycleDeps } from "./deps.js";
import {
  lastWorkflowDispatchOf,
  type NewDispatchCycle,
  recentDispatchCycles,
  recordDispatchCycle,
  recordLockHeld,
  type PolicySkip,
  recordPolicySkips,
} from "./dispatch-cycles.js";
import type { Fence } from "./fence.js";
import { holdTicket } from "./hold.js";
import { acquireLease, readLease, releaseLease, renewLease } from "./leases.js";
import {
  attemptsOf,
  countLiveAttemptsByRepository,
  findAttempt,
  findTicket,
  findTicketById,
  listTickets,
  pingDatabase,
  type TicketFilter,
  ticketHistory,
} from "./queries.js";
import { answerQuestion, findAnsweredTickets, ticketQuestionsOf } from "./questions.js";
import type { NewTicket, TransitionInput } from "./schemas.js";
import { listTicketsAfter, type TicketListFilter } from "./ticket-list.js";
import { transitionTicket } from "./transition.js";
import * as verdicts from "./verdicts.js";
import { alertsApi, inboxApi, tasksApi } from "./work-queues.js";

export type { FieldChangeResult, IssueTicketResult } from "./app-tickets.js";
export type { AttemptResult, EndAttemptResult } from "./attempts.js";
export type { BindRunResult, RunIdentity, StartRefused, StartRefusalReason } from "./attempt-runs.js";
export type { BoardCard, BoardColumn, BoardFilter } from "./board-reads.js";
export type {
  CandidateCursor,
  CandidatePage,
  Eligibility,
  QueuedTicket,
  QueuePolicy,
  TicketScope,
} from "./candidates.js";
export type { PolicySkip } from "./dispatch-cycles.js";
export { EVERY_TICKET } from "./candidates.js";
export type { ClaimInput, ClaimResult } from "./claim.js";
export type { CreateTicketsResult } from "./create-ticket.js";
export type { Clock, LifecycleDeps } from "./deps.js";
export { systemClock } from "./deps.js";
export type { ScheduledReevaluation } from "../domain/reevaluation-requests.js";
export type { Fence, Fenced } from "./fence.js";
export type { HoldResult } from "./hold.js";
export type { Enqueued, InboxItemView, ItemTicketFacts, NewInboxItem } from "./inbox.js";
export type { ActRefused, ActResult } from "./inbox-act.js";
export type { HandOverResult } from "./inbox-handover.js";
export type { InboxResult, InboxResultInput, StoredResult } from "./inbox-schemas.js";
export type { HeldLease, LockHeld } from "./leases.js";
export type { TicketFilter } from "./queries.js";
export type { AnswerResult, NotWaiting } from "./questions.js";
export type * from "./results.js";
export type { NewTicket, TransitionInput } from "./schemas.js";
export type { ListedTicket, TicketListFilter, TicketListPosition } from "./ticket-list.js";
export type { MaintenanceInput, MaintenanceResult, NotAllowed, TaskSettingView } from "./task-settings.js";
export type { RecordVerdictResult, TicketOutcome, VerdictInput } from "./verdicts.js";

export type Lifecycle = ReturnType<typeof createLifecycle>;

/**
 * The lifecycle over one database. Callers take the few operations they use (a `Pick<Lifecycle, …>`
 * or a port of their own); the database handle itself stays in here (and the store).
 */
export function createLifecycle(deps: LifecycleDeps) {
  const { db, clock } = deps;
  return {
    /** The clock every write is stamped with, for callers that compute times the lifecycle compares. */
    clock,
    // tickets
    createTicket: (input: NewTicket, actor: Actor) => createTicket(deps, input, actor),
    /** A batch of tickets in one transaction: all created, or none (`mctl ticket import`). */
    createTickets: (inputs: readonly NewTicket[], actor: Actor) => createTickets(deps, inputs, actor),
    transition: (input: TransitionInput) => transitionTicket(deps, input),
    answerQuestion: (input: { ticket: string; answer: string; actor: Actor }) => answerQuestion(deps, input),
    holdTicket: (input: Parameters<typeof holdTicket>[1]) => holdTicket(deps, input),
    // attempts
    claim: (input: ClaimInput) => claimTicket(deps, input),
    startAttempt: (input: { attemptId: string; launchKey: string; leaseMs: number }) =>
      startAttempt(deps, input),
    heartbeat: (input: { attemptId: string; leaseMs: number }) => heartbeatAttempt(deps, input),
    failAttempt: (input: Parameters<typeof failAttempt>[1]) => failAttempt(deps, input),
    askQuestion: (input: Parameters<typeof askQuestion>[1]) => askQuestion(deps, input),
    completeAttempt: (input: Parameters<typeof completeAttempt>[1]) => completeAttempt(deps, input),
    expireAttempt: (input: {
      attemptId: string;
      actor: Actor;
      backoff: BackoffPolicy;
      fence: Fence | null;
    }) => expireAttempt(deps, input),
    releaseFailedLaunch: (input: Parameters<typeof releaseFailedLaunch>[1]) =>
      releaseFailedLaunch(deps, input),
    recordAttemptLog: (input: { attemptId: string; log: AttemptLog }) => recordAttemptLog(deps, input),
    // attempts bound to a GitHub Actions run (src/lifecycle/attempt-runs.ts)
    runs: {
      bind: (input: Parameters<typeof bindAttemptRun>[1]) => bindAttemptRun(deps, input),
      renew: (input: Parameters<typeof renewRunLease>[1]) => renewRunLease(deps, input),
      completed: (input: Parameters<typeof runCompleted>[1]) => runCompleted(deps, input),
    },
    // leases and dispatch cycles
    acquireLease: (input: { name: string; holder: string; ttlMs: number }) => acquireLease(db, clock, input),
    renewLease: (input: Fence & { ttlMs: number }) => renewLease(db, clock, input),
    releaseLease: (input: Fence) => releaseLease(db, clock, input),
    recordDispatchCycle: (cycle: NewDispatchCycle) => recordDispatchCycle(db, cycle),
    /** A `lock_held` cycle, stored at most once per holder and lease term. */
    recordLockHeld: (cycle: NewDispatchCycle) => recordLockHeld(db, cycle),
    // reads
    findTicket: (key: string) => findTicket(db, key),
    findTicketById: (id: number) => findTicketById(db, id),
    /** Tickets in pick order after a position, for paged lists (src/lifecycle/ticket-list.ts). */
    listTicketsAfter: (filter: TicketListFilter) => listTicketsAfter(db, filter),
    /** One page of the dispatcher's queue (`todo`, unheld) in pick order, after `after` (of one repository if given). */
    /** Every repository that has a ticket, in name order. */
    ticketRepositories: () => readTicketRepositories(db),
    candidatePage: (
      after: CandidateCursor | null,
      limit: number,
      repository?: string,
      eligibility?: Eligibility,
    ) => readCandidatePage(db, after, limit, repository, eligibility),
    /** Queued tickets the policy refuses whose `skipped_policy` is not yet recorded for their version. */
    unrecordedPolicyRefusals: (input: {
      policy: QueuePolicy;
      limit: number;
      repository?: string;
      through?: CandidateCursor | null;
    }) => readUnrecordedPolicyRefusals(db, input),
    /** Records `skipped_policy` verdicts (once per ticket version and policy). */
    recordPolicySkips: (skips: readonly PolicySkip[]) => recordPolicySkips(db, skips, clock.now()),
    /** Repositories in `scope` with queued tickets, in name order. */
    queuedRepositories: (scope: TicketScope) => readQueuedRepositories(db, scope),
    /** States of the tickets named as blockers. */
    blockerStates: (keys: readonly string[]) => readBlockerStates(db, keys),
    /** Live attempts by repository within `scope` (the dispatcher's per-repository worker count). */
    countLiveAttemptsByRepository: (scope: TicketScope) =>
      countLiveAttemptsByRepository(db, clock.now(), scope),
    /** Throws when the database does not answer (the health check). */
    ping: () => pingDatabase(db),
    listTickets: (filter?: TicketFilter) => listTickets(db, filter),
    ticketHistory: (ticketId: number) => ticketHistory(db, ticketId),
    findAttempt: (attemptId: string) => findAttempt(db, attemptId),
    attemptsOf: (ticketId: number) => attemptsOf(db, ticketId),
    findExpiredAttempts: (limit: number, scope?: TicketScope) => findExpiredAttempts(deps, limit, scope),
    findAnsweredTickets: (limit: number, scope?: TicketScope) => findAnsweredTickets(db, limit, scope),
    questionsOf: (ticketId: number) => ticketQuestionsOf(db, ticketId),
    readLease: (name: string) => readLease(db, name),
    recentDispatchCycles: (limit: number) => recentDispatchCycles(db, limit),
    /** When the owner's dispatch workflow last called `POST /api/v1/dispatch` (the installation self-check). */
    lastWorkflowDispatch: (owner: string) => lastWorkflowDispatchOf(db, owner),
    /** The board page's columns (src/lifecycle/board-reads.ts): read-only. */
    board: { columns: (filter: BoardFilter) => boardColumns(db, filter) },
    // evidence verdicts (src/lifecycle/verdicts.ts)
    evidence: {
      recordVerdict: (input: verdicts.VerdictInput) => verdicts.recordVerdict(deps, input),
      recordPublication: (input: Parameters<typeof verdicts.recordVerdictPublication>[1]) =>
        verdicts.recordVerdictPublication(deps, input),
      latestVerdictOf: (attemptId: string) => verdicts.latestVerdictOf(db, attemptId),
      verdictsOf: (ticketId: number) => verdicts.verdictsOf(db, ticketId),
      decisionRequestsOf: (ticketId: number) => verdicts.decisionRequestsOf(db, ticketId),
      checkRunOf: (repository: string, sha: string) => verdicts.evidenceCheckRunOf(db, repository, sha),
      knownSelfAppId: () => verdicts.knownSelfAppId(db),
      verifyingTickets: (repository: string) => verdicts.verifyingTickets(db, repository),
      stalePendingVerdicts: (cutoff: Date) => verdicts.stalePendingVerdicts(db, cutoff),
    },
    // the orchestrator inbox, operator alerts and task settings (src/lifecycle/inbox*.ts, alerts.ts, task-settings.ts)
    inbox: inboxApi(deps),
    alerts: alertsApi(deps),
    tasks: tasksApi(deps),
    // tickets of the GitHub App's issues (src/lifecycle/app-tickets.ts); the app's plumbing is src/store
    issues: {
      assign: (input: { ticket: TicketRow; assignee: string | null; actor: Actor }) =>
        assignTicket(deps, input),
      setPriority: (input: { ticket: TicketRow; priority: Priority; actor: Actor }) =>
        setTicketPriority(deps, input),
      linkIssue: (input: { ticketId: number; issueNumber: number }) => linkIssue(deps, input),
      createTicketForIssue: (input: Parameters<typeof createTicketForIssue>[1]) =>
        createTicketForIssue(deps, input),
      ticketByIssue: (input: { repository: string; issueNumber: number }) => findTicketByIssue(db, input),
      ticketById: (id: number) => findTicketById(db, id),
    },
  };
}
