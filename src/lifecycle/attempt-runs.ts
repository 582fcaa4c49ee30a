/**
 * Attempts run by the `github-workflow` launcher are bound to the GitHub Actions run that took
 * them: `start` (the attempt API, authenticated by the run's OIDC token) binds the attempt to the
 * run once, by compare-and-set, and from then on only that run may report on it. GitHub's
 * `workflow_run` / `workflow_job` webhooks keep a bound attempt alive while its run is queued or in
 * progress, and let its lease run out a grace period after the run completed without a report, so
 * the dispatcher's expiry phase ends it as `lost`.
 */
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import type { Actor } from "../domain/actors.js";
import { retryTransaction } from "../db/retry.js";
import { type AttemptRow, attempts, type TicketRow, tickets } from "../db/schema.js";
import { casTicket } from "./cas-ticket.js";
import type { LifecycleDeps } from "./deps.js";
import type { NotFound, TransitionConflict } from "./results.js";

/** The run a token speaks for: its repository, run id and which try of the run. */
export interface RunIdentity {
  readonly repository: string;
  readonly runId: string;
  readonly runAttempt: number;
}

/** Why a `start` was refused; nothing was written. */
export type StartRefusalReason =
  | "launch_key_mismatch"
  | "already_started"
  | "ended"
  | "lease_expired"
  | "not_current"
  | "wrong_repository";

export interface StartRefused {
  readonly ok: false;
  readonly code: "refused";
  readonly reason: StartRefusalReason;
  readonly message: string;
}

export type BindRunResult =
  | { readonly ok: true; readonly attempt: AttemptRow; readonly ticket: TicketRow }
  | StartRefused
  | NotFound
  | TransitionConflict;

/**
 * `launching → running` for the run that presents the attempt's launch key, binding the attempt to
 * that run and recording the commit it started on; the ticket gets an `attempt_started` event.
 * Refused (nothing written) when the key differs, the attempt was already started (by any run,
 * this one included: a replay), has ended, its lease ran out, it is not the ticket's current
 * attempt, or the run is in another repository than the ticket.
 */
export async function bindAttemptRun(
  deps: LifecycleDeps,
  input: {
    readonly attemptId: string;
    readonly launchKey: string;
    readonly leaseMs: number;
    readonly run: RunIdentity;
    readonly baseSha: string;
    readonly actor: Actor;
  },
): Promise<BindRunResult> {
  return retryTransaction(() =>
    deps.db.transaction(async (tx): Promise<BindRunResult> => {
      const now = deps.clock.now();
      const [found] = await tx
        .select({ attempt: attempts, ticket: tickets })
        .from(attempts)
        .innerJoin(tickets, eq(tickets.id, attempts.ticketId))
        .where(eq(attempts.id, input.attemptId))
        .for("update", { of: attempts });
      if (!found) return { ok: false, code: "not_found", message: `no attempt ${input.attemptId}` };
      const { attempt, ticket } = found;
      const refuse = (reason: StartRefusalReason, why: string): StartRefused => ({
        ok: false,
        code: "refused",
        reason,
        message: `attempt ${attempt.id} of ${ticket.key} cannot start: ${why}`,
      });
      if (attempt.runId !== null)
        return refuse(
          "already_started",
          `it was already started by run ${attempt.runId} of ${attempt.runRepository}`,
        );
      if (attempt.status !== "launching")
        return attempt.status === "running"
          ? refuse("already_started", "it is already running")
          : refuse("ended", `it is ${attempt.status}`);
      // Compared in full either way; a launch key is not a password, but a mismatch says nothing about it.
      if (attempt.launchKey !== input.launchKey)
        return refuse("launch_key_mismatch", "the launch key does not match");
      if (attempt.leaseExpiresAt.getTime() <= now.getTime())
        return refuse("lease_expired", "its lease has expired");
      if (ticket.currentAttemptId !== attempt.id)
        return refuse("not_current", "it is not the ticket's current attempt");
      // GitHub compares owner/name case-insensitively; the run's own spelling is what is recorded.
      if (ticket.repository.toLowerCase() !== input.run.repository.toLowerCase())
        return refuse(
          "wrong_repository",
          `the run is in ${input.run.repository}, the ticket in ${ticket.repository}`,
        );
      // The ticket's compare-and-set first: if it loses, nothing has been written yet.
      const moved = await casTicket(tx, {
        key: ticket.key,
        expectedVersion: ticket.version,
        event: {
          actor: input.actor,
          reason: "attempt_started",
          attemptId: attempt.id,
          detail: {
            repository: input.run.repository,
            runId: input.run.runId,
            runAttempt: input.run.runAttempt,
            baseSha: input.baseSha,
          },
        },
        at: now,
      });
      if (!moved.ok) return moved;
      const [started] = await tx
        .update(attempts)
        .set({
          status: "running",
          runRepository: input.run.repository,
          runId: input.run.runId,
          runAttempt: input.run.runAttempt,
          baseSha: input.baseSha,
          heartbeatAt: now,
          leaseExpiresAt: new Date(now.getTime() + input.leaseMs),
          updatedAt: now,
        })
        .where(and(eq(attempts.id, attempt.id), eq(attempts.status, "launching"), isNull(attempts.runId)))
        .returning();
      if (!started) throw new Error("attempt update returned no row under its row lock");
      return { ok: true, attempt: started, ticket: moved.ticket };
    }),
  );
}

/**
 * GitHub says the run is queued or in progress: its running attempts' leases are renewed (never
 * after the run was reported complete, and never once a lease ran out: the dispatcher owns it
 * then). Returns the attempts renewed.
 */
export async function renewRunLease(
  deps: LifecycleDeps,
  input: { readonly repository: string; readonly runId: string; readonly leaseMs: number },
): Promise<AttemptRow[]> {
  const now = deps.clock.now();
  return deps.db
    .update(attempts)
    .set({ heartbeatAt: now, leaseExpiresAt: new Date(now.getTime() + input.leaseMs), updatedAt: now })
    .where(
      and(
        eq(attempts.runRepository, input.repository),
        eq(attempts.runId, input.runId),
        eq(attempts.status, "running"),
        isNull(attempts.runCompletedAt),
        gt(attempts.leaseExpiresAt, now),
      ),
    )
    .returning();
}

/**
 * GitHub says the run completed. An attempt of it still running (no complete, needs-input or fail
 * came) keeps its lease for at most `graceMs` more, then the dispatcher's expiry phase ends it as
 * `lost`. The lease is only ever shortened here. Returns the attempts affected.
 */
export async function runCompleted(
  deps: LifecycleDeps,
  input: { readonly repository: string; readonly runId: string; readonly graceMs: number },
): Promise<AttemptRow[]> {
  const now = deps.clock.now();
  const graceEnd = new Date(now.getTime() + input.graceMs);
  return deps.db
    .update(attempts)
    .set({
      runCompletedAt: now,
      leaseExpiresAt: sql`least(${attempts.leaseExpiresAt}, ${graceEnd.toISOString()}::timestamptz)`,
      updatedAt: now,
    })
    .where(
      and(
        eq(attempts.runRepository, input.repository),
        eq(attempts.runId, input.runId),
        eq(attempts.status, "running"),
        isNull(attempts.runCompletedAt),
      ),
    )
    .returning();
}
