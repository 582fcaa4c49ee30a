import type { Executor } from "../db/database.js";
import { evidenceReevaluations } from "../db/schema.js";
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
