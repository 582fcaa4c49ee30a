/**
 * Durable evidence re-evaluation requests (`evidence_reevaluations`), a leased queue. A CI webhook
 * records one here while its delivery is handled; a completion and a verdict's grace re-check
 * record theirs in their own lifecycle transaction (src/lifecycle/reevaluation-requests.ts). The
 * app's re-evaluation worker takes due requests (locked with a lease, taken over when a worker
 * dies), runs the verifier and marks them done, or releases them with back-off. A crash between
 * recording and running delays the work; it never loses it.
 */
import { eq } from "drizzle-orm";
import type { Executor } from "../db/database.js";
import { type EvidenceReevaluationRow, evidenceReevaluations } from "../db/schema.js";
import type { NewReevaluation } from "../domain/reevaluation-requests.js";
import type { StoreDeps } from "./deps.js";
import { leasedQueue, queuePort } from "./leased-queue.js";

const queue = leasedQueue(evidenceReevaluations);

export interface TakenReevaluation {
  readonly id: number;
  readonly event: string;
  readonly repository: string;
  readonly shas: readonly string[];
  readonly wholeRepository: boolean;
  readonly tries: number;
}

/** Records a request (idempotent by delivery id): `queued`, or `duplicate` when that delivery already asked. */
export async function requestReevaluation(
  deps: StoreDeps,
  input: NewReevaluation,
): Promise<{ readonly ok: true; readonly code: "queued" | "duplicate" }> {
  const now = deps.clock.now();
  const rows = await deps.db
    .insert(evidenceReevaluations)
    .values({
      deliveryId: input.deliveryId,
      event: input.event,
      repository: input.repository,
      shas: [...input.shas],
      wholeRepository: input.wholeRepository,
      createdAt: now,
      nextAttemptAt: now,
    })
    .onConflictDoNothing()
    .returning({ id: evidenceReevaluations.id });
  return { ok: true, code: rows.length > 0 ? "queued" : "duplicate" };
}

/**
 * The queue as the re-evaluation worker sees it: take (oldest first, leased), complete, fail with
 * back-off, backlog.
 */
export function reevaluationQueue(deps: StoreDeps) {
  return queuePort(
    deps,
    queue,
    (row: EvidenceReevaluationRow): TakenReevaluation => ({
      id: row.id,
      event: row.event,
      repository: row.repository,
      shas: row.shas,
      wholeRepository: row.wholeRepository,
      tries: row.tries,
    }),
  );
}

export async function findReevaluation(
  db: Executor,
  deliveryId: string,
): Promise<EvidenceReevaluationRow | undefined> {
  const [row] = await db
    .select()
    .from(evidenceReevaluations)
    .where(eq(evidenceReevaluations.deliveryId, deliveryId));
  return row;
}
