import { and, asc, eq, gt, inArray, isNull, or, type SQL, sql } from "drizzle-orm";
import type { TicketState } from "../domain/ticket-states.js";
import type { Executor } from "../db/database.js";
import { tickets } from "../db/schema.js";

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

/** Repositories (in scope) that have queued tickets, in name order. */
export async function readQueuedRepositories(db: Executor, scope: TicketScope): Promise<string[]> {
  const rows = await db
    .selectDistinct({ repository: tickets.repository })
    .from(tickets)
    .where(and(eq(tickets.state, "todo"), isNull(tickets.hold), scopeCondition(scope)))
    .orderBy(asc(tickets.repository));
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
 * One page of queued tickets in pick order (priority, age, number), after `cursor`, of one
 * repository if given. Keyset paging over the partial indexes `tickets_runnable_idx` and
 * `tickets_runnable_repository_idx`: the cost follows the page, not the backlog.
 */
export async function readCandidatePage(
  db: Executor,
  after: CandidateCursor | null,
  limit: number,
  repository?: string,
): Promise<CandidatePage> {
  const keyset = after
    ? or(
        sql`${tickets.priority} > ${after.priority}::ticket_priority`,
        and(
          sql`${tickets.priority} = ${after.priority}::ticket_priority`,
          or(
            gt(tickets.createdAt, after.createdAt),
            and(eq(tickets.createdAt, after.createdAt), gt(tickets.id, after.id)),
          ),
        ),
      )
    : undefined;
  const rows = await db
    .select({
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
    })
    .from(tickets)
    .where(
      and(
        eq(tickets.state, "todo"),
        isNull(tickets.hold),
        repository === undefined ? undefined : eq(tickets.repository, repository),
        keyset,
      ),
    )
    .orderBy(asc(tickets.priority), asc(tickets.createdAt), asc(tickets.id))
    .limit(limit);
  return {
    candidates: rows.map((row) => ({
      ...row,
      cursor: { priority: row.priority, createdAt: row.createdAt, id: row.id },
    })),
  };
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
