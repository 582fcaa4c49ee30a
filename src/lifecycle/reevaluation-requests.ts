import { type SQL, sql } from "drizzle-orm";
import type { Executor } from "../db/database.js";
import { evidenceReevaluations } from "../db/schema.js";
import { columnList } from "../db/sql-rows.js";
import type { NewReevaluation } from "../domain/reevaluation-requests.js";

/**
 * Records an evidence re-evaluation request inside the caller's lifecycle transaction (a
 * completion, a verdict's grace re-check), so the request is committed with the change that needs
 * it or not at all. The store (src/store/evidence-reevaluations.ts) takes and completes it. False
 * when the request already exists; due at once, or at `notBefore` when given.
 */
export async function insertReevaluation(
  db: Executor,
  now: Date,
  input: NewReevaluation & { readonly notBefore?: Date },
): Promise<boolean> {
  const rows = await db
    .insert(evidenceReevaluations)
    .values({
      deliveryId: input.deliveryId,
      event: input.event,
      repository: input.repository,
      shas: [...input.shas],
      wholeRepository: input.wholeRepository,
      createdAt: now,
      nextAttemptAt: input.notBefore ?? now,
    })
    .onConflictDoNothing()
    .returning({ id: evidenceReevaluations.id });
  return rows.length > 0;
}

/**
 * The same request (due at once) as a data-modifying CTE of a change written as one statement (an
 * attempt's completion): one request per row of `source`, a FROM list of that statement's CTEs
 * that has the request's `repository` column; skipped when the request already exists.
 */
export function reevaluationInsert(now: Date, input: Omit<NewReevaluation, "repository">, source: SQL): SQL {
  const t = evidenceReevaluations;
  return sql`insert into ${evidenceReevaluations} (${columnList(t.deliveryId, t.event, t.repository, t.shas, t.wholeRepository, t.createdAt, t.nextAttemptAt)})
    select ${input.deliveryId}, ${input.event}, repository, ${JSON.stringify(input.shas)}::jsonb,
           ${input.wholeRepository}::boolean, ${now}::timestamptz, ${now}::timestamptz
    from ${source}
    on conflict do nothing`;
}
