/**
 * One leased queue, whatever its table (graphile-worker's guarded updates, written once): the
 * mirror outbox, the evidence re-evaluation requests, and whatever periodic work comes next.
 *
 * Terminology
 * - row: a unit of work in a table with the shared columns of `leasedQueueColumns()`.
 * - due: not done, `next_attempt_at` reached, and no live lease on it.
 * - lease: `locked_by` + `locked_until`; a worker that dies leaves a lease that expires, and the
 *   next take after that takes the row over. Complete and fail are refused (`lock_lost`) to a
 *   worker that no longer holds the row.
 * - group (optional): rows of one group run in order. Only a group's oldest pending row (its head)
 *   is taken, it carries the group's retry state, and completing it may complete the later rows of
 *   its group up to `through` (one batch). The mirror's group is the ticket.
 */
import { count, getTableName, inArray, isNull, type SQL, sql } from "drizzle-orm";
import type { AnyPgColumn, PgTable } from "drizzle-orm/pg-core";
import { type Executor, queryRows } from "../db/database.js";
import { retryTransaction } from "../db/retry.js";
import type { StoreDeps } from "./deps.js";

type LeasedColumn = "id" | "nextAttemptAt" | "tries" | "lastError" | "lockedBy" | "lockedUntil" | "doneAt";

/** A table with a numeric `id` and the columns of `leasedQueueColumns()` (src/db/leased-columns.ts). */
export type LeasedTable = PgTable & { readonly [K in LeasedColumn]: AnyPgColumn };

export interface Taken<Row> {
  readonly row: Row;
  /** Who held the row before this take (null: first take). Set after a failure or a crash. */
  readonly previousHolder: string | null;
  /** With a group: the newest pending row of the head's group when it was taken. */
  readonly groupLast: number | null;
}

export type LockLost = { readonly ok: false; readonly code: "lock_lost"; readonly message: string };
export type Completed = { readonly ok: true; readonly done: number } | LockLost;
export type Failed = { readonly ok: true } | LockLost;

export interface TakeInput {
  readonly worker: string;
  readonly leaseMs: number;
  readonly limit: number;
}

/** Longer errors are cut: the column is for the operator, not a log store. */
const MAX_ERROR_CHARS = 2000;

/** The queue operations on `table`; `group` orders rows per group (see the terminology above). */
export function leasedQueue<T extends LeasedTable>(table: T, options: { group?: AnyPgColumn } = {}) {
  const col = (column: AnyPgColumn) => sql.identifier(column.name);
  const at = (alias: string, column: AnyPgColumn) => sql`${sql.identifier(alias)}.${col(column)}`;
  const { group } = options;
  const headOnly = (alias: string): SQL =>
    group
      ? sql`and not exists (select 1 from ${table} e where e.${col(group)} = ${at(alias, group)}
              and e.${col(table.doneAt)} is null and e.${col(table.id)} < ${at(alias, table.id)})`
      : sql``;
  const groupLast = group
    ? sql`(select max(m.${col(table.id)}) from ${table} m
           where m.${col(group)} = r.${col(group)} and m.${col(table.doneAt)} is null)::text`
    : sql`null::text`;
  const lockLost = (id: number): LockLost => ({
    ok: false,
    code: "lock_lost",
    message: `${getTableName(table)} row ${id} is held by another worker or done`,
  });

  return {
    /**
     * Takes up to `limit` due rows, oldest first, leasing each to `worker` for `leaseMs`. Rows
     * another worker is taking at this moment are skipped (`for update skip locked`), so two
     * workers never take the same row.
     */
    async take(deps: StoreDeps, input: TakeInput): Promise<Taken<T["$inferSelect"]>[]> {
      const now = deps.clock.now();
      const until = new Date(now.getTime() + input.leaseMs);
      const locked = await queryRows<{
        id: string;
        previous_holder: string | null;
        group_last: string | null;
      }>(
        deps.db,
        sql`update ${table} r set ${col(table.lockedBy)} = ${input.worker}, ${col(table.lockedUntil)} = ${until}
            from (select c.${col(table.id)} as id, c.${col(table.lockedBy)} as previous_holder
                  from ${table} c
                  where c.${col(table.doneAt)} is null and c.${col(table.nextAttemptAt)} <= ${now}
                    and (c.${col(table.lockedUntil)} is null or c.${col(table.lockedUntil)} < ${now})
                    ${headOnly("c")}
                  order by c.${col(table.id)}
                  limit ${input.limit}
                  for update skip locked) c
            where r.${col(table.id)} = c.id
            returning r.${col(table.id)}::text as id, c.previous_holder, ${groupLast} as group_last`,
      );
      if (locked.length === 0) return [];
      // The rows as drizzle maps them; the one cast: drizzle cannot type a select from a generic table.
      const rows = (await deps.db
        .select()
        .from(table as PgTable)
        .where(
          inArray(
            table.id,
            locked.map((l) => Number(l.id)),
          ),
        )) as unknown as (T["$inferSelect"] & { id: number })[];
      const byId = new Map(rows.map((row) => [Number(row.id), row]));
      return locked
        .map((l) => ({
          row: byId.get(Number(l.id)),
          previousHolder: l.previous_holder,
          groupLast: l.group_last === null ? null : Number(l.group_last),
        }))
        .filter((t): t is Taken<T["$inferSelect"] & { id: number }> => t.row !== undefined)
        .sort((a, b) => Number(a.row.id) - Number(b.row.id));
    },

    /**
     * Marks the row done if `worker` still holds it; with a group, also the group's pending rows
     * up to `through` (the batch it was taken with). `done` counts the rows marked.
     */
    async complete(
      deps: StoreDeps,
      input: { id: number; worker: string; through?: number },
    ): Promise<Completed> {
      return retryTransaction(() =>
        deps.db.transaction(async (tx): Promise<Completed> => {
          const now = deps.clock.now();
          const [held] = await queryRows<{ group_key: string | null }>(
            tx,
            sql`update ${table} set ${col(table.doneAt)} = ${now}, ${col(table.lockedUntil)} = null
                where ${col(table.id)} = ${input.id} and ${col(table.lockedBy)} = ${input.worker}
                  and ${col(table.doneAt)} is null
                returning ${group ? sql`${col(group)}::text` : sql`null::text`} as group_key`,
          );
          if (!held) return lockLost(input.id);
          if (!group || input.through === undefined || held.group_key === null) return { ok: true, done: 1 };
          const rest = await queryRows<{ id: string }>(
            tx,
            sql`update ${table} set ${col(table.doneAt)} = ${now}
                where ${col(group)} = ${held.group_key} and ${col(table.doneAt)} is null
                  and ${col(table.id)} <= ${input.through}
                returning ${col(table.id)}::text as id`,
          );
          return { ok: true, done: rest.length + 1 };
        }),
      );
    },

    /**
     * Gives the row back after a failure, if `worker` still holds it: one more try counted, the
     * error kept, due again after `delayMs` (the caller's back-off). With a group, the group's
     * later rows wait behind it.
     */
    async fail(
      deps: StoreDeps,
      input: { id: number; worker: string; error: string; delayMs: number },
    ): Promise<Failed> {
      const retryAt = new Date(deps.clock.now().getTime() + Math.max(0, input.delayMs));
      const rows = await queryRows<{ id: string }>(
        deps.db,
        sql`update ${table} set ${col(table.tries)} = ${col(table.tries)} + 1,
              ${col(table.lastError)} = ${input.error.slice(0, MAX_ERROR_CHARS)},
              ${col(table.nextAttemptAt)} = ${retryAt}, ${col(table.lockedUntil)} = null
            where ${col(table.id)} = ${input.id} and ${col(table.lockedBy)} = ${input.worker}
              and ${col(table.doneAt)} is null
            returning ${col(table.id)}::text as id`,
      );
      return rows.length === 1 ? { ok: true } : lockLost(input.id);
    },

    /** Rows not done yet, due or not (for health and tests). */
    async backlog(db: Executor): Promise<number> {
      const [row] = await db
        .select({ n: count() })
        .from(table as PgTable)
        .where(isNull(table.doneAt));
      return row?.n ?? 0;
    },
  };
}

export type LeasedQueue<T extends LeasedTable> = ReturnType<typeof leasedQueue<T>>;

/**
 * The worker-facing port of an ungrouped queue (what `runQueuePass` takes): rows become jobs by
 * `toJob`, a job is completed or failed by its id. A new queue in the store is its table, one
 * `leasedQueue(table)` and one `queuePort(deps, queue, toJob)`.
 */
export function queuePort<Row, Job extends { readonly id: number; readonly tries: number }>(
  deps: StoreDeps,
  queue: Pick<LeasedQueue<LeasedTable>, "complete" | "fail" | "backlog"> & {
    take(deps: StoreDeps, input: TakeInput): Promise<Taken<Row>[]>;
  },
  toJob: (row: Row) => Job,
) {
  return {
    take: async (input: TakeInput): Promise<Job[]> =>
      (await queue.take(deps, input)).map((t) => toJob(t.row)),
    complete: (input: { job: Job; worker: string }): Promise<Completed> =>
      queue.complete(deps, { id: input.job.id, worker: input.worker }),
    fail: (input: { job: Job; worker: string; error: string; delayMs: number }): Promise<Failed> =>
      queue.fail(deps, {
        id: input.job.id,
        worker: input.worker,
        error: input.error,
        delayMs: input.delayMs,
      }),
    backlog: (): Promise<number> => queue.backlog(deps.db),
  };
}
