import { and, eq, notInArray, sql } from "drizzle-orm";
import { z } from "zod";
import { type AttemptRow, attempts } from "../db/schema.js";
import { LIVE_ATTEMPT_STATUSES } from "../domain/attempts.js";
import { redactSecrets } from "../domain/redact.js";
import type { LifecycleDeps } from "./deps.js";
import { type Fenced, fenced } from "./fence.js";
import type { InvalidInput, NotFound } from "./results.js";
import { validate } from "./validation.js";

/** Hard ceiling of a stored log, whatever the worker's configuration says (it lives in a jsonb row). */
export const MAX_STORED_LOG_CHARS = 1_048_576;

/** The bounded output of an agent, as the worker runner kept it. */
export const AttemptLogSchema = z.strictObject({
  /** The kept text: the head and the tail of the output, with a marker where the middle was dropped. */
  text: z.string().max(MAX_STORED_LOG_CHARS),
  /** Bytes the agent wrote in total (stdout and stderr together). */
  totalBytes: z.number().int().min(0),
  truncated: z.boolean(),
});
export type AttemptLog = z.infer<typeof AttemptLogSchema>;

export type RecordLogResult =
  | { readonly ok: true; readonly attempt: AttemptRow }
  | Fenced
  | NotFound
  | InvalidInput;

/**
 * Stores an attempt's log in its outcome (`outcome.log`), once. Only an attempt that has ended may
 * get one: the ending writes the whole outcome, so a log stored before it would be overwritten.
 * The log is a record, not a claim: it changes no status and no ticket, hence no event.
 */
export async function recordAttemptLog(
  deps: LifecycleDeps,
  input: { attemptId: string; log: AttemptLog },
): Promise<RecordLogResult> {
  const valid = validate(AttemptLogSchema, input.log, "attempt log");
  if (!valid.ok) return valid;
  // An agent's output is hostile: whatever it printed that looks like a credential is masked here,
  // whoever hands the log in.
  const log = { ...valid.value, text: redactSecrets(valid.value.text) };
  const [row] = await deps.db
    .update(attempts)
    .set({
      outcome: sql`coalesce(${attempts.outcome}, '{}'::jsonb) || jsonb_build_object('log', ${JSON.stringify(log)}::jsonb)`,
      updatedAt: deps.clock.now(),
    })
    .where(
      and(
        eq(attempts.id, input.attemptId),
        notInArray(attempts.status, [...LIVE_ATTEMPT_STATUSES]),
        sql`${attempts.outcome} -> 'log' is null`,
      ),
    )
    .returning();
  if (row) return { ok: true, attempt: row };
  const [current] = await deps.db.select().from(attempts).where(eq(attempts.id, input.attemptId));
  if (!current) return { ok: false, code: "not_found", message: `no attempt ${input.attemptId}` };
  const why = LIVE_ATTEMPT_STATUSES.includes(current.status)
    ? `it is still ${current.status} (a log is stored once the attempt has ended)`
    : "it already has a log";
  return fenced(`cannot store the log of attempt ${input.attemptId}: ${why}`);
}
