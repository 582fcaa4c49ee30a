/**
 * The one PostgreSQL schema (drizzle `pg-core`). Migrations in drizzle/ are generated from this
 * file by `npm run db:generate`; never edit the database by hand.
 *
 * Only src/lifecycle writes the design's tables and only src/store the app's plumbing (the GitHub
 * App section below), with the few lifecycle exceptions test/architecture/single-writer.test.ts lists.
 */
import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { ACTOR_KINDS } from "../domain/actors.js";
import { ATTEMPT_STATUSES } from "../domain/attempts.js";
import { PRIORITIES } from "../domain/priorities.js";
import { TICKET_STATES } from "../domain/ticket-states.js";
import { leasedQueueColumns } from "./leased-columns.js";

/** Every time column is a `timestamptz` read as a JS Date. */
const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

// Enum order matters: PostgreSQL sorts enum values in declaration order, so ORDER BY priority
// puts `urgent` first without a separate rank column.
export const ticketStateEnum = pgEnum("ticket_state", TICKET_STATES);
export const priorityEnum = pgEnum("ticket_priority", PRIORITIES);
export const actorKindEnum = pgEnum("actor_kind", ACTOR_KINDS);
export const attemptStatusEnum = pgEnum("attempt_status", ATTEMPT_STATUSES);

const timestamps = {
  createdAt: tstz("created_at").notNull().defaultNow(),
  updatedAt: tstz("updated_at").notNull().defaultNow(),
};

export const tickets = pgTable(
  "tickets",
  {
    /** Also the number in the key (`MC-42` has id 42): taken from the identity sequence before insert. */
    id: bigint("id", { mode: "number" }).primaryKey().generatedByDefaultAsIdentity(),
    key: text("key").notNull(),
    /** `owner/name` of the repository whose issue mirrors this ticket. */
    repository: text("repository").notNull(),
    title: text("title").notNull(),
    body: text("body").notNull().default(""),
    labels: text("labels").array().notNull().default(sql`'{}'::text[]`),
    priority: priorityEnum("priority").notNull().default("normal"),
    assignee: text("assignee"),
    campaign: text("campaign"),
    /** Keys of tickets that must be `done` before this one is runnable. */
    blockedBy: text("blocked_by").array().notNull().default(sql`'{}'::text[]`),
    state: ticketStateEnum("state").notNull().default("todo"),
    /** Incremented by every transition: the compare-and-set token. */
    version: integer("version").notNull().default(1),
    attemptCount: integer("attempt_count").notNull().default(0),
    /**
     * Attempts a person granted on top of `dispatch.max_attempts` (the `grant_attempts` decision):
     * the dispatcher holds the ticket once `attempt_count >= max_attempts + extra_attempts`.
     */
    extraAttempts: integer("extra_attempts").notNull().default(0),
    /** Retry back-off: the ticket is not runnable before this time. */
    nextEligibleAt: tstz("next_eligible_at"),
    /**
     * Why the ticket is out of the queue although it is `todo` (e.g. `max_attempts_reached`); null
     * while it is runnable. Only a decision (a person, later the orchestrator) puts it back.
     */
    hold: text("hold"),
    /** The attempt that holds the ticket while it is in progress (the "holder" of a conflict). */
    currentAttemptId: uuid("current_attempt_id"),
    issueNumber: integer("issue_number"),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("tickets_key_unique").on(t.key),
    // The dispatcher's pick order, restricted to the queue: its cost follows the queue head, not the backlog.
    index("tickets_runnable_idx").on(t.priority, t.createdAt, t.id).where(sql`${t.state} = 'todo'`),
    // The same order per repository: each repository's queue is read on its own (round-robin).
    index("tickets_runnable_repository_idx")
      .on(t.repository, t.priority, t.createdAt, t.id)
      .where(sql`${t.state} = 'todo'`),
    index("tickets_state_idx").on(t.state, t.updatedAt),
    index("tickets_repository_idx").on(t.repository, t.issueNumber),
    // Lists and pages in pick order (mctl ticket list, /api/v1/tickets, the board's columns), read
    // with a row comparison `(priority, created_at, id) > (…)`: whole, by state, by repository.
    index("tickets_pick_idx").on(t.priority, t.createdAt, t.id),
    index("tickets_state_pick_idx").on(t.state, t.priority, t.createdAt, t.id),
    index("tickets_repository_pick_idx").on(t.repository, t.priority, t.createdAt, t.id),
  ],
);

/**
 * The dispatcher's policy verdicts: a queued ticket refused by the claim policy is recorded here
 * (`skipped_policy`) once per ticket version and policy; the queue read leaves it out until the
 * ticket changes (its assignee, campaign or labels bump its version) or the policy does.
 */
export const ticketPolicySkips = pgTable("ticket_policy_skips", {
  ticketId: bigint("ticket_id", { mode: "number" })
    .primaryKey()
    .references(() => tickets.id),
  /** The ticket version the verdict is about. */
  version: integer("version").notNull(),
  /** Identifies the policy that refused it (a digest of the repository's policy settings). */
  policy: text("policy").notNull(),
  rule: text("rule").notNull(),
  recordedAt: tstz("recorded_at").notNull(),
});

export const attempts = pgTable(
  "attempts",
  {
    id: uuid("id").primaryKey(),
    ticketId: bigint("ticket_id", { mode: "number" })
      .notNull()
      .references(() => tickets.id),
    /** 1 for the ticket's first attempt, and so on. */
    number: integer("number").notNull(),
    worker: text("worker").notNull(),
    status: attemptStatusEnum("status").notNull().default("launching"),
    /** A launcher given the same key twice starts at most one worker. */
    launchKey: text("launch_key").notNull(),
    leaseExpiresAt: tstz("lease_expires_at").notNull(),
    heartbeatAt: tstz("heartbeat_at"),
    /** Why the attempt ended, as structured data (reason code, exit code, evidence …). */
    outcome: jsonb("outcome").$type<Record<string, unknown>>(),
    endedAt: tstz("ended_at"),
    /**
     * The GitHub Actions run the attempt is bound to (`github-workflow` launcher): set once, at
     * `start`, from the run's OIDC token; every later call of the attempt API must come from it.
     */
    runRepository: text("run_repository"),
    runId: text("run_id"),
    runAttempt: integer("run_attempt"),
    /** The commit the run started on (the token's signed `sha`): the agent's base. */
    baseSha: text("base_sha"),
    /** When GitHub reported the bound run completed: from then on its webhooks no longer renew the lease. */
    runCompletedAt: tstz("run_completed_at"),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("attempts_launch_key_unique").on(t.launchKey),
    // Liveness webhooks find the attempt of a run.
    index("attempts_run_idx").on(t.runRepository, t.runId),
    uniqueIndex("attempts_ticket_number_unique").on(t.ticketId, t.number),
    // Lease expiry scans only look at live attempts.
    index("attempts_live_lease_idx").on(t.leaseExpiresAt).where(sql`${t.status} in ('launching', 'running')`),
  ],
);

/** Append-only history: one row per ticket change, written in the same transaction as the change. */
export const ticketEvents = pgTable(
  "ticket_events",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    ticketId: bigint("ticket_id", { mode: "number" })
      .notNull()
      .references(() => tickets.id),
    /** Null for the creation event. */
    fromState: ticketStateEnum("from_state"),
    toState: ticketStateEnum("to_state").notNull(),
    actorKind: actorKindEnum("actor_kind").notNull(),
    actorId: text("actor_id").notNull(),
    reason: text("reason").notNull(),
    attemptId: uuid("attempt_id"),
    /** The ticket version this event produced. */
    version: integer("version").notNull(),
    detail: jsonb("detail").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: tstz("created_at").notNull().defaultNow(),
  },
  (t) => [index("ticket_events_ticket_idx").on(t.ticketId, t.id)],
);

export type TicketRow = typeof tickets.$inferSelect;
export type AttemptRow = typeof attempts.$inferSelect;
export type TicketEventRow = typeof ticketEvents.$inferSelect;

/**
 * Named leases with fencing tokens (the dispatcher's single-flight lock). A lease is held while
 * `expires_at` is in the future; taking over an expired lease increments the token, so work done
 * under an older token can be refused.
 */
export const leases = pgTable("leases", {
  name: text("name").primaryKey(),
  holder: text("holder").notNull(),
  fencingToken: bigint("fencing_token", { mode: "number" }).notNull(),
  expiresAt: tstz("expires_at").notNull(),
  acquiredAt: tstz("acquired_at").notNull(),
  updatedAt: tstz("updated_at").notNull(),
});

/** Questions an agent asked (needs-input) and the answers people gave, per ticket. */
export const ticketQuestions = pgTable(
  "ticket_questions",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    ticketId: bigint("ticket_id", { mode: "number" })
      .notNull()
      .references(() => tickets.id),
    attemptId: uuid("attempt_id").notNull(),
    question: text("question").notNull(),
    askedAt: tstz("asked_at").notNull(),
    answer: text("answer"),
    answeredBy: text("answered_by"),
    answeredAt: tstz("answered_at"),
  },
  (t) => [index("ticket_questions_ticket_idx").on(t.ticketId, t.id)],
);

/** One row per dispatch cycle: every decision with its reason code, the counts and the timings. */
export const dispatchCycles = pgTable(
  "dispatch_cycles",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    holder: text("holder").notNull(),
    fencingToken: bigint("fencing_token", { mode: "number" }),
    outcome: text("outcome").notNull(),
    dryRun: boolean("dry_run").notNull().default(false),
    startedAt: tstz("started_at").notNull(),
    finishedAt: tstz("finished_at").notNull(),
    counts: jsonb("counts").$type<Record<string, number>>().notNull(),
    decisions: jsonb("decisions").$type<unknown[]>().notNull(),
    timings: jsonb("timings").$type<Record<string, number>>().notNull(),
    /** The owner whose tickets the cycle dispatched (`dispatch --owner`); null: every ticket (local mode). */
    scope: text("scope"),
  },
  (t) => [
    index("dispatch_cycles_started_idx").on(t.startedAt),
    // lock_held is stored once per holder and lease term: the check reads this.
    index("dispatch_cycles_lock_held_idx")
      .on(t.holder, t.fencingToken)
      .where(sql`${t.outcome} = 'lock_held'`),
  ],
);

export type LeaseRow = typeof leases.$inferSelect;
export type TicketQuestionRow = typeof ticketQuestions.$inferSelect;
export type DispatchCycleRow = typeof dispatchCycles.$inferSelect;

// --- Evidence verification (src/evidence; written through src/lifecycle/verdicts.ts) ---

/**
 * Verdicts of the evidence verifier, with history: a new row whenever the outcome of an attempt's
 * verification changes; a re-check that finds the same outcome only bumps `last_checked_at` and
 * `checks` on the latest row.
 */
export const evidenceVerdicts = pgTable(
  "evidence_verdicts",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    ticketId: bigint("ticket_id", { mode: "number" })
      .notNull()
      .references(() => tickets.id),
    attemptId: uuid("attempt_id").notNull(),
    repository: text("repository").notNull(),
    /** The commit the evidence names; null when the evidence did not name a valid one. */
    sha: text("sha"),
    /** `pass | fail | pending`. */
    status: text("status").notNull(),
    /** Every criterion: id, title, status, reason code, message, link. */
    criteria: jsonb("criteria").$type<unknown[]>().notNull(),
    summary: text("summary").notNull(),
    /** Identifies the outcome (status + each criterion's status and reason): unchanged → no new row. */
    fingerprint: text("fingerprint").notNull(),
    /** When this attempt's verdict became pending (carried across pending rows); null otherwise. */
    pendingSince: tstz("pending_since"),
    /** What the verdict did to the ticket: none, decision_requested, returned_to_todo, not_applied:… */
    ticketOutcome: text("ticket_outcome").notNull(),
    checkRunId: bigint("check_run_id", { mode: "number" }),
    /** Why the check run could not be published, if it could not. */
    publishError: text("publish_error"),
    checks: integer("checks").notNull().default(1),
    evaluatedAt: tstz("evaluated_at").notNull(),
    lastCheckedAt: tstz("last_checked_at").notNull(),
  },
  (t) => [
    index("evidence_verdicts_attempt_idx").on(t.attemptId, t.id),
    index("evidence_verdicts_sha_idx").on(t.repository, t.sha),
    index("evidence_verdicts_pending_idx").on(t.pendingSince).where(sql`${t.status} = 'pending'`),
  ],
);

/** The `Mission Control / evidence` check run of each commit: created once, updated after that. */
export const evidenceCheckRuns = pgTable(
  "evidence_check_runs",
  {
    repository: text("repository").notNull(),
    sha: text("sha").notNull(),
    checkRunId: bigint("check_run_id", { mode: "number" }).notNull(),
    /** The app that owns the check run (Mission Control itself): its check runs never count. */
    appId: bigint("app_id", { mode: "number" }),
    updatedAt: tstz("updated_at").notNull(),
  },
  (t) => [uniqueIndex("evidence_check_runs_sha_unique").on(t.repository, t.sha)],
);

/**
 * A passing verdict asks the orchestrator for a decision (until the inbox exists, it is recorded
 * here; the inbox will replace this table). One per attempt; withdrawn if the evidence later fails.
 */
export const evidenceDecisionRequests = pgTable(
  "evidence_decision_requests",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    ticketId: bigint("ticket_id", { mode: "number" })
      .notNull()
      .references(() => tickets.id),
    attemptId: uuid("attempt_id").notNull(),
    verdictId: bigint("verdict_id", { mode: "number" })
      .notNull()
      .references(() => evidenceVerdicts.id),
    sha: text("sha").notNull(),
    /** `open | withdrawn`. */
    status: text("status").notNull(),
    createdAt: tstz("created_at").notNull(),
    resolvedAt: tstz("resolved_at"),
    resolution: text("resolution"),
  },
  (t) => [uniqueIndex("evidence_decision_requests_attempt_unique").on(t.attemptId)],
);

/** Conditional-request cache of the verifier: the last ETag and body per GitHub URL. */
export const evidenceHttpCache = pgTable("evidence_http_cache", {
  url: text("url").primaryKey(),
  etag: text("etag").notNull(),
  body: jsonb("body").$type<unknown>().notNull(),
  /** The `link` header of the cached page (pagination), if any. */
  link: text("link"),
  updatedAt: tstz("updated_at").notNull(),
});

export type EvidenceVerdictRow = typeof evidenceVerdicts.$inferSelect;
export type EvidenceCheckRunRow = typeof evidenceCheckRuns.$inferSelect;
export type EvidenceDecisionRequestRow = typeof evidenceDecisionRequests.$inferSelect;
export type EvidenceHttpCacheRow = typeof evidenceHttpCache.$inferSelect;

// --- Inbox, alerts and task settings (written through src/lifecycle/inbox.ts, alerts.ts, task-settings.ts) ---

/**
 * The orchestrator inbox: `pending → delivered (lease) → acted`. `result` is written only together
 * with `acted`, in the transaction that applies its ticket change. `delivery_count` is the fencing
 * token of the current delivery.
 */
export const inboxItems = pgTable(
  "inbox_items",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    /** `completion_verified | completion_failed | max_attempts_reached | needs_decision`. */
    kind: text("kind").notNull(),
    /** The subject ticket (null for a decision about no ticket). */
    ticketId: bigint("ticket_id", { mode: "number" }).references(() => tickets.id),
    attemptId: uuid("attempt_id"),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull().default({}),
    /** Filing the same thing twice (a retried verdict, a second hold) finds the first item. */
    idempotencyKey: text("idempotency_key").notNull(),
    /** `pending | delivered | acted`. */
    state: text("state").notNull().default("pending"),
    /** `orchestrator | person`: who takes it first. */
    audience: text("audience").notNull(),
    deliveredTo: text("delivered_to"),
    deliveredAt: tstz("delivered_at"),
    leaseExpiresAt: tstz("lease_expires_at"),
    deliveryCount: integer("delivery_count").notNull().default(0),
    /** Why the orchestrator handed the item over to a person, if it did. */
    handoverNote: text("handover_note"),
    /** The structured result (decision, ticket change applied, actor, note); set with `acted`. */
    result: jsonb("result").$type<Record<string, unknown>>(),
    actedAt: tstz("acted_at"),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("inbox_items_idempotency_unique").on(t.idempotencyKey),
    index("inbox_items_open_idx").on(t.audience, t.state, t.id).where(sql`${t.state} <> 'acted'`),
    index("inbox_items_ticket_idx").on(t.ticketId, t.id),
  ],
);

/**
 * Operator alerts, one row per fingerprint (condition + subject). Never duplicated: an open alert
 * is updated, a resolved one is reopened with `recurrence + 1`.
 */
export const alerts = pgTable(
  "alerts",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    fingerprint: text("fingerprint").notNull(),
    condition: text("condition").notNull(),
    subject: text("subject").notNull(),
    severity: text("severity").notNull(),
    /** `open | resolved`. */
    status: text("status").notNull(),
    message: text("message").notNull(),
    detail: jsonb("detail").$type<Record<string, unknown>>().notNull().default({}),
    firstSeenAt: tstz("first_seen_at").notNull(),
    lastSeenAt: tstz("last_seen_at").notNull(),
    /** When the current open period began (the first finding, or the last reopening). */
    openedAt: tstz("opened_at").notNull(),
    resolvedAt: tstz("resolved_at"),
    /** Operator passes that found it, over its whole life. */
    seenCount: integer("seen_count").notNull().default(1),
    /** How often it came back after being resolved. */
    recurrence: integer("recurrence").notNull().default(0),
    /** The GitHub issue that mirrors it (labelled `mission-control:alert`), once the app creates it. */
    issueNumber: integer("issue_number"),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("alerts_fingerprint_unique").on(t.fingerprint),
    index("alerts_status_idx").on(t.status, t.condition),
  ],
);

/** Enabled flags of the pausable tasks; no row means enabled. Changed only by a maintenance action. */
export const taskSettings = pgTable("task_settings", {
  task: text("task").primaryKey(),
  enabled: boolean("enabled").notNull(),
  changedBy: text("changed_by").notNull(),
  reason: text("reason").notNull(),
  changedAt: tstz("changed_at").notNull(),
  version: integer("version").notNull().default(1),
});

/** Append-only: every change of a task setting, who made it and why. */
export const taskSettingEvents = pgTable(
  "task_setting_events",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    task: text("task").notNull(),
    enabled: boolean("enabled").notNull(),
    previous: boolean("previous").notNull(),
    actorKind: actorKindEnum("actor_kind").notNull(),
    actorId: text("actor_id").notNull(),
    reason: text("reason").notNull(),
    createdAt: tstz("created_at").notNull(),
  },
  (t) => [index("task_setting_events_task_idx").on(t.task, t.id)],
);

export type InboxItemRow = typeof inboxItems.$inferSelect;
export type AlertRow = typeof alerts.$inferSelect;
export type TaskSettingRow = typeof taskSettings.$inferSelect;
export type TaskSettingEventRow = typeof taskSettingEvents.$inferSelect;

// --- The GitHub App's plumbing (src/app; written through src/store; mirror_jobs rows are inserted by the lifecycle with their event) ---

/** Every webhook delivery the app accepted, by `X-GitHub-Delivery`: a redelivery finds its row and does nothing. */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    deliveryId: text("delivery_id").primaryKey(),
    event: text("event").notNull(),
    action: text("action"),
    repository: text("repository"),
    /** `received | handled | failed`. */
    status: text("status").notNull(),
    /** What the handler did or why it ignored the delivery (a reason code). */
    outcome: text("outcome"),
    error: text("error"),
    receivedAt: tstz("received_at").notNull(),
    handledAt: tstz("handled_at"),
  },
  (t) => [index("webhook_deliveries_received_idx").on(t.receivedAt)],
);

/**
 * The mirror outbox: one row per ticket event, written in the event's transaction. The mirror
 * worker takes a ticket's oldest pending row (its head, locked with a lease), applies the ticket's
 * current state plus the comments of every pending event up to the newest, and marks them done.
 */
export const mirrorJobs = pgTable(
  "mirror_jobs",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    ticketId: bigint("ticket_id", { mode: "number" })
      .notNull()
      .references(() => tickets.id),
    eventId: bigint("event_id", { mode: "number" }).notNull(),
    createdAt: tstz("created_at").notNull(),
    // The head row of a ticket carries the retry state (the queue's `group` is the ticket).
    ...leasedQueueColumns(),
  },
  (t) => [
    index("mirror_jobs_pending_idx").on(t.ticketId, t.id).where(sql`${t.doneAt} is null`),
    index("mirror_jobs_due_idx").on(t.nextAttemptAt, t.id).where(sql`${t.doneAt} is null`),
  ],
);

/** One reply per `/mc` comment: the command's outcome is stored first, the reply's id once posted. */
export const commandReplies = pgTable("command_replies", {
  commentId: bigint("comment_id", { mode: "number" }).primaryKey(),
  repository: text("repository").notNull(),
  issueNumber: integer("issue_number").notNull(),
  author: text("author").notNull(),
  command: text("command").notNull(),
  /** The reason code of what the command did or why it was refused. */
  outcome: text("outcome").notNull(),
  reply: text("reply").notNull(),
  replyCommentId: bigint("reply_comment_id", { mode: "number" }),
  createdAt: tstz("created_at").notNull(),
  repliedAt: tstz("replied_at"),
});

/**
 * `/mc` comments waiting for the command worker, a leased queue: the webhook handler records one
 * (idempotent by comment id) and returns; the worker reacts, checks permission, plans, executes and
 * replies (the reply stays exactly once through `command_replies`). A crash between recording and
 * running delays the command; it never loses it.
 */
export const commandRequests = pgTable(
  "command_requests",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    commentId: bigint("comment_id", { mode: "number" }).notNull().unique(),
    repository: text("repository").notNull(),
    issueNumber: integer("issue_number").notNull(),
    author: text("author").notNull(),
    /** The comment's text, bounded as `command_replies.command` is. */
    body: text("body").notNull(),
    deliveryId: text("delivery_id").notNull(),
    createdAt: tstz("created_at").notNull(),
    ...leasedQueueColumns(),
  },
  (t) => [index("command_requests_due_idx").on(t.nextAttemptAt, t.id).where(sql`${t.doneAt} is null`)],
);

/** Prompt dispatch: the last `workflow_dispatch` the app sent per repository (at most one per interval). */
export const dispatchTriggers = pgTable("dispatch_triggers", {
  repository: text("repository").primaryKey(),
  triggeredAt: tstz("triggered_at").notNull(),
  count: integer("count").notNull().default(1),
});

export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;
export type MirrorJobRow = typeof mirrorJobs.$inferSelect;
export type CommandReplyRow = typeof commandReplies.$inferSelect;
export type CommandRequestRow = typeof commandRequests.$inferSelect;
export type DispatchTriggerRow = typeof dispatchTriggers.$inferSelect;

/**
 * Durable evidence re-evaluation: a CI webhook (check run, status, push, …) records what to
 * re-evaluate here while its delivery is handled, and the app's re-evaluation worker runs it (a
 * lease, back-off on failure), so a crash between the two delays the work but never loses it. One
 * row per delivery (`delivery_id` unique): a redelivery never queues it twice.
 */
export const evidenceReevaluations = pgTable(
  "evidence_reevaluations",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    deliveryId: text("delivery_id").notNull().unique(),
    event: text("event").notNull(),
    repository: text("repository").notNull(),
    /** Commits whose open verifications are re-evaluated (empty when `whole_repository`). */
    shas: jsonb("shas").$type<string[]>().notNull(),
    /** A push to the default branch: every open verification of the repository. */
    wholeRepository: boolean("whole_repository").notNull().default(false),
    createdAt: tstz("created_at").notNull(),
    ...leasedQueueColumns(),
  },
  (t) => [index("evidence_reevaluations_due_idx").on(t.nextAttemptAt, t.id).where(sql`${t.doneAt} is null`)],
);

/**
 * Webhook deliveries whose handler threw: the delivery itself is forgotten (so a redelivery runs
 * it again), the failure is kept here for the operator (`webhook_failures` alert).
 */
export const webhookFailures = pgTable(
  "webhook_failures",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    deliveryId: text("delivery_id").notNull(),
    event: text("event").notNull(),
    action: text("action"),
    repository: text("repository"),
    error: text("error").notNull(),
    failedAt: tstz("failed_at").notNull(),
  },
  (t) => [
    index("webhook_failures_failed_idx").on(t.failedAt),
    index("webhook_failures_delivery_idx").on(t.deliveryId),
  ],
);

export type EvidenceReevaluationRow = typeof evidenceReevaluations.$inferSelect;
export type WebhookFailureRow = typeof webhookFailures.$inferSelect;

/**
 * API tokens for scripts reading `/api/v1` (`mctl api-token create`): only the SHA-256 of the
 * token is kept (the token itself is shown once); `repositories` null means every repository.
 * A revoked or expired token is refused at once (every request reads its row).
 */
export const apiTokens = pgTable(
  "api_tokens",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    name: text("name").notNull(),
    tokenHash: text("token_hash").notNull(),
    repositories: jsonb("repositories").$type<string[] | null>(),
    createdAt: tstz("created_at").notNull(),
    expiresAt: tstz("expires_at"),
    revokedAt: tstz("revoked_at"),
  },
  (t) => [
    uniqueIndex("api_tokens_token_hash_key").on(t.tokenHash),
    uniqueIndex("api_tokens_name_key").on(t.name),
  ],
);

export type ApiTokenRow = typeof apiTokens.$inferSelect;
