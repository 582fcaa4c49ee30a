/**
 * Reads a chaos run's history (history.ts) from where it was recorded: the database (read-only
 * selects), the stand-in (what GitHub shows and which webhooks it sent), the scripted agents'
 * journal and the orchestrators' pass reports.
 */
import { readFile } from "node:fs/promises";
import { asc, sql } from "drizzle-orm";
import type { Database } from "../../src/db/database.js";
import { queryRows } from "../../src/db/database.js";
import { tickets as ticketsTable } from "../../src/db/schema.js";
import type { GitHubStandin } from "../../src/github-standin/index.js";
import { CI_APP, CI_CHECK } from "./ci-bot.js";
import {
  type AgentStart,
  type CommitFact,
  type History,
  type IssueFact,
  kindOfTitle,
  type LaunchDecision,
  type OrchestratorOutcome,
  type SentWebhook,
} from "./history.js";

export interface HistorySources {
  readonly db: Database;
  readonly gh: GitHubStandin;
  readonly repository: string;
  readonly journal: string;
  readonly orchestratorOutcomes: readonly OrchestratorOutcome[];
  readonly seed: number;
  readonly endedBy: History["endedBy"];
  readonly endedAt: Date;
  readonly maxAttempts: number;
}

const date = (value: Date | string | null): Date | null => (value === null ? null : new Date(value));
const must = (value: Date | string): Date => new Date(value);

export async function readHistory(sources: HistorySources): Promise<History> {
  const { db } = sources;
  const tickets = await db.select().from(ticketsTable).orderBy(asc(ticketsTable.id));
  const events = await queryRows<{
    id: number;
    ticket_id: number;
    from_state: string | null;
    to_state: string;
    reason: string;
    actor_kind: string;
    actor_id: string;
    attempt_id: string | null;
    version: number;
    detail: Record<string, unknown>;
    created_at: Date;
  }>(
    db,
    sql`select id::int, ticket_id::int, from_state, to_state, reason, actor_kind, actor_id, attempt_id, version, detail, created_at
             from ticket_events order by id`,
  );
  const attempts = await queryRows<{
    id: string;
    ticket_id: number;
    number: number;
    status: string;
    launch_key: string;
    lease_expires_at: Date;
    created_at: Date;
    ended_at: Date | null;
    reason: string | null;
    sha: string | null;
  }>(
    db,
    sql`select id, ticket_id::int, number, status, launch_key, lease_expires_at, created_at, ended_at,
               outcome->>'reason' as reason, outcome->'evidence'->>'commitSha' as sha
        from attempts order by ticket_id, number`,
  );
  const questions = await queryRows<{
    id: number;
    ticket_id: number;
    attempt_id: string;
    asked_at: Date;
    answer: string | null;
    answered_at: Date | null;
  }>(
    db,
    sql`select id::int, ticket_id::int, attempt_id, asked_at, answer, answered_at from ticket_questions order by id`,
  );
  const verdicts = await queryRows<{
    id: number;
    ticket_id: number;
    attempt_id: string;
    sha: string | null;
    status: string;
    ticket_outcome: string;
    evaluated_at: Date;
  }>(
    db,
    sql`select id::int, ticket_id::int, attempt_id, sha, status, ticket_outcome, evaluated_at from evidence_verdicts order by id`,
  );
  const inbox = await queryRows<{
    id: number;
    kind: string;
    ticket_id: number | null;
    attempt_id: string | null;
    state: string;
    audience: string;
    delivery_count: number;
    decision: string | null;
    applied_event_id: number | null;
    created_at: Date;
    acted_at: Date | null;
  }>(
    db,
    sql`select id::int, kind, ticket_id::int, attempt_id, state, audience, delivery_count, result->>'decision' as decision,
               (result->'applied'->>'eventId')::int as applied_event_id, created_at, acted_at
        from inbox_items order by id`,
  );
  const mirrorJobs = await queryRows<{ event_id: number; done: boolean }>(
    db,
    sql`select event_id::int, done_at is not null as done from mirror_jobs order by id`,
  );
  const received = await queryRows<{ delivery_id: string; status: string }>(
    db,
    sql`select delivery_id, status from webhook_deliveries`,
  );
  const reevaluations = await queryRows<{ shas: string[]; whole_repository: boolean }>(
    db,
    sql`select shas, whole_repository from evidence_reevaluations where done_at is null`,
  );
  const cycles = await queryRows<{ id: number; decisions: { code?: string; attempt?: string }[] }>(
    db,
    sql`select id::int, decisions from dispatch_cycles where dry_run = false order by id`,
  );
  const launches: LaunchDecision[] = cycles.flatMap((cycle) =>
    cycle.decisions
      .filter((d) => (d.code === "claimed" || d.code === "launch_failed") && typeof d.attempt === "string")
      .map((d) => ({ cycleId: cycle.id, code: d.code ?? "", attemptId: d.attempt ?? "" })),
  );

  const shas = new Set(attempts.flatMap((a) => (a.sha ? [a.sha] : [])));
  return {
    seed: sources.seed,
    endedBy: sources.endedBy,
    endedAt: sources.endedAt,
    maxAttempts: sources.maxAttempts,
    tickets: tickets.map((t) => ({
      id: t.id,
      key: t.key,
      title: t.title,
      kind: kindOfTitle(t.title),
      state: t.state,
      version: t.version,
      hold: t.hold,
      currentAttemptId: t.currentAttemptId,
      attemptCount: t.attemptCount,
      nextEligibleAt: t.nextEligibleAt,
      issueNumber: t.issueNumber,
      row: t,
    })),
    events: events.map((e) => ({
      id: e.id,
      ticketId: e.ticket_id,
      from: e.from_state,
      to: e.to_state,
      reason: e.reason,
      actorKind: e.actor_kind,
      actorId: e.actor_id,
      attemptId: e.attempt_id,
      version: e.version,
      detail: e.detail,
      at: must(e.created_at),
    })),
    attempts: attempts.map((a) => ({
      id: a.id,
      ticketId: a.ticket_id,
      number: a.number,
      status: a.status,
      launchKey: a.launch_key,
      leaseExpiresAt: must(a.lease_expires_at),
      createdAt: must(a.created_at),
      endedAt: date(a.ended_at),
      outcomeReason: a.reason,
      evidenceSha: a.sha,
    })),
    questions: questions.map((q) => ({
      id: q.id,
      ticketId: q.ticket_id,
      attemptId: q.attempt_id,
      askedAt: must(q.asked_at),
      answer: q.answer,
      answeredAt: date(q.answered_at),
    })),
    verdicts: verdicts.map((v) => ({
      id: v.id,
      ticketId: v.ticket_id,
      attemptId: v.attempt_id,
      sha: v.sha,
      status: v.status,
      ticketOutcome: v.ticket_outcome,
      evaluatedAt: must(v.evaluated_at),
    })),
    inbox: inbox.map((i) => ({
      id: i.id,
      kind: i.kind,
      ticketId: i.ticket_id,
      attemptId: i.attempt_id,
      state: i.state,
      audience: i.audience,
      deliveryCount: i.delivery_count,
      decision: i.decision,
      appliedEventId: i.applied_event_id,
      createdAt: must(i.created_at),
      actedAt: date(i.acted_at),
    })),
    mirrorJobs: mirrorJobs.map((j) => ({ eventId: j.event_id, done: j.done })),
    issues: issuesOf(sources.gh, sources.repository),
    commits: commitsOf(sources.gh, sources.repository, shas),
    webhooksSent: webhooksSent(sources.gh),
    webhooksReceived: received.map((r) => ({ guid: r.delivery_id, status: r.status })),
    pendingReevaluations: reevaluations.map((r) => ({ shas: r.shas, wholeRepository: r.whole_repository })),
    agentStarts: await readJournal(sources.journal),
    launches,
    orchestratorOutcomes: sources.orchestratorOutcomes,
  };
}

function issuesOf(gh: GitHubStandin, repository: string): IssueFact[] {
  const repo = gh.world.repo(repository);
  return [...repo.issues.values()]
    .filter((issue) => issue.pull === null)
    .map((issue) => ({
      number: issue.number,
      title: issue.title,
      body: issue.body ?? "",
      state: issue.state,
      labels: gh.world.labelsOf(repository, issue.number),
      comments: gh.world.commentsOf(repository, issue.number).map((c) => c.body),
    }));
}

/** The commits completions named, as GitHub shows them: present or not, with the CI app's conclusions. */
function commitsOf(gh: GitHubStandin, repository: string, shas: ReadonlySet<string>): CommitFact[] {
  const repo = gh.world.repo(repository);
  const ciApp = [...gh.world.state.apps.values()].find((app) => app.slug === CI_APP);
  return [...shas]
    .filter((sha) => repo.commits.has(sha))
    .map((sha) => ({
      sha,
      ci: gh.world
        .checkRunsOf(repository, sha)
        .filter((run) => run.name === CI_CHECK && run.appId === ciApp?.id && run.conclusion !== null)
        .map((run) => run.conclusion ?? ""),
    }));
}

function webhooksSent(gh: GitHubStandin): SentWebhook[] {
  const byGuid = new Map<string, SentWebhook & { statusCodes: number[] }>();
  for (const delivery of gh.webhooks.deliveries) {
    const entry = byGuid.get(delivery.guid) ?? {
      guid: delivery.guid,
      event: delivery.event,
      action: delivery.action,
      sha: shaOf(delivery.payload),
      statusCodes: [],
    };
    entry.statusCodes.push(delivery.statusCode);
    byGuid.set(delivery.guid, entry);
  }
  return [...byGuid.values()];
}

/** The commit a CI or push webhook is about, if it is one. */
function shaOf(payload: Record<string, unknown>): string | null {
  const field = (...path: string[]): unknown =>
    path.reduce<unknown>(
      (v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined),
      payload,
    );
  for (const candidate of [
    field("check_run", "head_sha"),
    field("check_suite", "head_sha"),
    field("deployment", "sha"),
    field("after"),
    field("sha"),
  ])
    if (typeof candidate === "string") return candidate;
  return null;
}

async function readJournal(file: string): Promise<AgentStart[]> {
  const text = await readFile(file, "utf8").catch(() => "");
  return text
    .split("\n")
    .filter(Boolean)
    .map(
      (line) =>
        JSON.parse(line) as { event: string; attempt: string; ticket: string; pid: number; at: string },
    )
    .filter((entry) => entry.event === "start")
    .map((entry) => ({
      attemptId: entry.attempt,
      ticket: entry.ticket,
      pid: entry.pid,
      at: new Date(entry.at),
    }));
}
