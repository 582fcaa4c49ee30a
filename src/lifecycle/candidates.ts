import {
  and,
  arrayOverlaps,
  asc,
  eq,
  inArray,
  isNull,
  lte,
  not,
  notInArray,
  or,
  type SQL,
  sql,
} from "drizzle-orm";
import type { TicketState } from "../domain/ticket-states.js";
import { type Executor, queryRows } from "../db/database.js";
import { ticketPolicySkips, tickets } from "../db/schema.js";

/**
 * Which tickets a dispatch cycle reads: one owner's (`acme/*`), only some repositories, or all.
 * Names compare without regard to case, as GitHub's do.
 */
export interface TicketScope {
  /** Only tickets of this owner's repositories; null: every owner. */
  readonly owner: string | null;
  /** Only tickets of these repositories (`owner/name`); null: every repository. */
  readonly repositories: readonly string[] | null;
}

export const EVERY_TICKET: TicketScope = { owner: null, repositories: null };

/** The scope as a condition on `tickets.repository` (undefined: no condition). */
export function scopeCondition(scope: TicketScope | undefined): SQL | undefined {
  if (!scope) return undefined;
  const parts: SQL[] = [];
  if (scope.owner !== null) {
    const prefix = `${scope.owner.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}/%`;
    parts.push(sql`lower(${tickets.repository}) like ${prefix}`);
  }
  if (scope.repositories !== null) {
    const names = scope.repositories.map((r) => r.toLowerCase());
    // An empty allow-list allows nothing.
    parts.push(names.length ? inArray(sql`lower(${tickets.repository})`, names) : sql`false`);
  }
  return parts.length ? and(...parts) : undefined;
}

/**
 * Repositories (in scope) that have queued tickets, in name order. A loose index scan over
 * `tickets_runnable_repository_idx`: one probe per repository (the first queued ticket after the
 * previous repository's name), not a read of the whole queue, so its cost follows how many
 * repositories the queue spans, not how many tickets it holds. The scope filters the (few) names
 * found: probing only names in scope would walk every ticket of the repositories out of it.
 */
export async function readQueuedRepositories(db: Executor, scope: TicketScope): Promise<string[]> {
  const rows = await queryRows<{ repository: string }>(
    db,
    sql`with recursive queue (repository) as (
          (select repository from ${tickets} where state = 'todo' and hold is null
           order by repository, priority, created_at, id limit 1)
          union all
          select (select t.repository from ${tickets} t
                  where t.state = 'todo' and t.hold is null and t.repository > q.repository
                  order by t.repository, t.priority, t.created_at, t.id limit 1)
          from queue q where q.repository is not null)
        select repository from queue as ${tickets}
        where repository is not null and ${scopeCondition(scope) ?? sql`true`}
        order by repository`,
  );
  return rows.map((row) => row.repository);
}

/** Where a page of queued tickets ends: the pick-order position of its last ticket. */
export interface CandidateCursor {
  readonly priority: string;
  readonly createdAt: Date;
  readonly id: number;
}

/** What the dispatcher's pick phase reads of one queued (`todo`, unheld) ticket. */
export interface QueuedTicket {
  readonly id: number;
  readonly key: string;
  readonly version: number;
  readonly priority: string;
  readonly createdAt: Date;
  readonly assignee: string | null;
  readonly campaign: string | null;
  readonly labels: readonly string[];
  readonly blockedBy: readonly string[];
  readonly attemptCount: number;
  readonly extraAttempts: number;
  readonly nextEligibleAt: Date | null;
  readonly cursor: CandidateCursor;
}

export interface CandidatePage {
  readonly candidates: QueuedTicket[];
}

/**
 * The claim policy as the queue read applies it (the same rules as src/dispatch/policy.ts): a
 * ticket assigned to someone who is not an agent, in an excluded campaign or with an excluded
 * label is refused. `key` identifies the policy in the recorded verdicts.
 */
export interface QueuePolicy {
  readonly key: string;
  readonly agentIdentities: readonly string[];
  readonly excludedCampaigns: readonly string[];
  readonly excludedLabels: readonly string[];
}

/** What the database decides of a queued ticket's eligibility: back-off over, and the policy. */
export interface Eligibility {
  readonly now: Date;
  readonly policy: QueuePolicy;
  /** `dispatch.max_attempts`: a ticket that used up its budget is read even while backing off (to be held). */
  readonly maxAttempts: number;
}

/** True for tickets the policy allows (each part is non-null, so `not(...)` is exact). */
function policyAllows(policy: QueuePolicy): SQL {
  return and(
    or(
      isNull(tickets.assignee),
      eq(tickets.assignee, ""),
      policy.agentIdentities.length ? inArray(tickets.assignee, [...policy.agentIdentities]) : sql`false`,
    ),
    or(
      isNull(tickets.campaign),
      eq(tickets.campaign, ""),
      policy.excludedCampaigns.length
        ? notInArray(tickets.campaign, [...policy.excludedCampaigns])
        : sql`true`,
    ),
    policy.excludedLabels.length ? not(arrayOverlaps(tickets.labels, [...policy.excludedLabels])) : sql`true`,
  ) as SQL;
}

/** `(priority, created_at, id) <op> cursor`: a keyset bound in pick order, as a row comparison (one index range). */
function pickOrder(op: ">" | "<=", cursor: CandidateCursor | null | undefined): SQL | undefined {
  return cursor
    ? sql`(${tickets.priority}, ${tickets.createdAt}, ${tickets.id}) ${sql.raw(op)} (${cursor.priority}::ticket_priority, ${cursor.createdAt.toISOString()}::timestamptz, ${cursor.id}::bigint)`
    : undefined;
}

const QUEUED_COLUMNS = {
  id: tickets.id,
  key: tickets.key,
  version: tickets.version,
  priority: tickets.priority,
  createdAt: tickets.createdAt,
  assignee: tickets.assignee,
  campaign: tickets.campaign,
  labels: tickets.labels,
  blockedBy: tickets.blockedBy,
  attemptCount: tickets.attemptCount,
  extraAttempts: tickets.extraAttempts,
  nextEligibleAt: tickets.nextEligibleAt,
};

function queued(rows: Omit<QueuedTicket, "cursor">[]): QueuedTicket[] {
  return rows.map((row) => ({
    ...row,
    cursor: { priority: row.priority, createdAt: row.createdAt, id: row.id },
  }));
}

/**
 * One page of queued tickets in pick order (priority, age, number), after `cursor`, of one
 * repository if given. Keyset paging with a row comparison over the partial indexes
 * `tickets_runnable_idx` and `tickets_runnable_repository_idx`: the cost follows the page, not the
 * backlog. With `eligibility`, the database leaves out what it can decide itself: tickets still
 * backing off and tickets the policy refuses, so ineligible tickets at the head of the queue
 * never fill a page (blockers and attempt budgets are still decided by the caller).
 */
/** In the queue (`todo`, not held), of one repository if given. */
function queuedIn(repository: string | undefined) {
  return and(
    eq(tickets.state, "todo"),
    isNull(tickets.hold),
    repository === undefined ? undefined : eq(tickets.repository, repository),
  );
}

export async function readCandidatePage(
  db: Executor,
  after: CandidateCursor | null,
  limit: number,
  repository?: string,
  eligibility?: Eligibility,
): Promise<CandidatePage> {
  const rows = await db
    .select(QUEUED_COLUMNS)
    .from(tickets)
    .where(
      and(
        queuedIn(repository),
        eligibility
          ? or(
              isNull(tickets.nextEligibleAt),
              lte(tickets.nextEligibleAt, eligibility.now),
              sql`${tickets.attemptCount} >= ${eligibility.maxAttempts}::integer + ${tickets.extraAttempts}`,
            )
          : undefined,
        eligibility ? policyAllows(eligibility.policy) : undefined,
        pickOrder(">", after),
      ),
    )
    .orderBy(asc(tickets.priority), asc(tickets.createdAt), asc(tickets.id))
    .limit(limit);
  return { candidates: queued(rows) };
}

/**
 * Queued tickets (of one repository if given) the policy refuses whose verdict is not yet recorded
 * for their current version and this policy, in pick order: the dispatcher records each
 * `skipped_policy` once (recordPolicySkips), and from then on neither read returns it.
 *
 * `through` (inclusive) bounds the read to the part of the queue the pick phase read: refused
 * tickets further back are recorded once the queue reaches them. Without it, the read walks the
 * whole queue past the recorded refusals (the verdicts live in another table, so no index leaves
 * them out), and its cost grows with the backlog.
 */
export async function readUnrecordedPolicyRefusals(
  db: Executor,
  input: {
    policy: QueuePolicy;
    limit: number;
    repository?: string | undefined;
    through?: CandidateCursor | null | undefined;
  },
): Promise<QueuedTicket[]> {
  const rows = await db
    .select(QUEUED_COLUMNS)
    .from(tickets)
    .where(
      and(
        queuedIn(input.repository),
        not(policyAllows(input.policy)),
        pickOrder("<=", input.through),
        sql`not exists (select 1 from ${ticketPolicySkips} s where s.ticket_id = ${tickets.id} and s.version = ${tickets.version} and s.policy = ${input.policy.key})`,
      ),
    )
    .orderBy(asc(tickets.priority), asc(tickets.createdAt), asc(tickets.id))
    .limit(input.limit);
  return queued(rows);
}

/** States of the tickets named as blockers. */
export async function readBlockerStates(
  db: Executor,
  keys: readonly string[],
): Promise<Map<string, TicketState>> {
  if (!keys.length) return new Map();
  const rows = await db
    .select({ key: tickets.key, state: tickets.state })
    .from(tickets)
    .where(inArray(tickets.key, [...new Set(keys)]));
  return new Map(rows.map((row) => [row.key, row.state]));
}

/** Every repository that has a ticket, in name order (what a signed-in person's visibility is checked against). */
export async function readTicketRepositories(db: Executor): Promise<string[]> {
  const rows = await db
    .selectDistinct({ repository: tickets.repository })
    .from(tickets)
    .orderBy(asc(tickets.repository));
  return rows.map((row) => row.repository);
}
