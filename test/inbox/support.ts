import { eq, sql } from "drizzle-orm";
import { type Database, queryRows } from "../../src/db/database.js";
import { type InboxItemRow, inboxItems } from "../../src/db/schema.js";
import { runDispatchCycle } from "../../src/dispatch/cycle.js";
import type { Actor } from "../../src/domain/actors.js";
import type { Lifecycle } from "../../src/lifecycle/index.js";
import { testDispatcher } from "../builders/dispatch.js";
import { agentWorker, givenClaimedTicket, givenTicket } from "../builders/tickets.js";

export const verifier: Actor = { kind: "verifier", id: "evidence-verifier" };
export const orchestratorActor: Actor = { kind: "orchestrator", id: "orchestrator-test" };
export const backoff = { baseMs: 10_000, capMs: 60_000 };

/** A ticket claimed, started and completed: `verifying`, with its attempt. */
export async function givenVerifying(lifecycle: Lifecycle, title = "Fix the widget") {
  const claim = await givenClaimedTicket(lifecycle, { ticket: { title }, start: true });
  const done = await lifecycle.completeAttempt({
    attemptId: claim.attempt.id,
    actor: { kind: "worker", id: "agent" },
    evidence: { sha: "a".repeat(40) },
  });
  if (!done.ok) throw new Error(`set-up complete: ${done.message}`);
  return { ticket: done.ticket, attemptId: claim.attempt.id };
}

/** Records a verdict for the attempt the way the evidence verifier does. */
export async function givenVerdict(
  lifecycle: Lifecycle,
  at: { ticketKey: string; attemptId: string },
  status: "pass" | "fail" | "pending",
) {
  const result = await lifecycle.evidence.recordVerdict({
    ticketKey: at.ticketKey,
    attemptId: at.attemptId,
    repository: "acme/widgets",
    sha: "a".repeat(40),
    status,
    criteria: [{ id: "commit_exists", status: status === "pending" ? "pending" : status }],
    summary: `evidence ${status}`,
    fingerprint: `${status}-${Math.random()}`,
    actor: verifier,
    backoff,
  });
  if (!result.ok) throw new Error(`set-up verdict: ${result.message}`);
  return result;
}

/** A verified completion with its `completion_verified` inbox item. */
export async function givenVerifiedItem(lifecycle: Lifecycle, title?: string) {
  const { ticket, attemptId } = await givenVerifying(lifecycle, title);
  await givenVerdict(lifecycle, { ticketKey: ticket.key, attemptId }, "pass");
  const [item] = (await lifecycle.inbox.ofTicket(ticket.id)).filter((i) => i.kind === "completion_verified");
  if (!item) throw new Error("set-up: no completion_verified item was filed");
  return { ticketKey: ticket.key, ticketId: ticket.id, attemptId, item };
}

export async function itemRow(db: Database, id: number): Promise<InboxItemRow> {
  const [row] = await db.select().from(inboxItems).where(eq(inboxItems.id, id));
  if (!row) throw new Error(`no inbox item ${id}`);
  return row;
}

/** Ticket events with a given reason, for "applied exactly once" checks. */
export async function eventCount(db: Database, ticketId: number, reason: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from ticket_events where ticket_id = ${ticketId} and reason = ${reason}`,
  );
  return row?.n ?? 0;
}

export function acceptResult(actor: Actor = orchestratorActor) {
  return {
    decision: "accept",
    transition: { from: "verifying", to: "done", reason: "accepted" },
    hold: null,
    actor,
    note: "evidence verified",
  } as const;
}

/** The worker of a launched attempt starts it and gives up (`tests_failed`): the ticket is back in `todo`. */
export async function failLaunched(lifecycle: Lifecycle, launched: { attempt: string } | undefined) {
  if (!launched) throw new Error("set-up: nothing was launched");
  const attempt = await lifecycle.findAttempt(launched.attempt);
  const started = await lifecycle.startAttempt({
    attemptId: launched.attempt,
    launchKey: attempt?.launchKey ?? "",
    leaseMs: 60_000,
  });
  if (!started.ok) throw new Error(`set-up start: ${started.message}`);
  const failed = await lifecycle.failAttempt({
    attemptId: launched.attempt,
    actor: agentWorker,
    reason: "tests_failed",
    backoff,
  });
  if (!failed.ok) throw new Error(`set-up fail: ${failed.message}`);
}

/**
 * A ticket that used its one attempt (`max_attempts: 1`): claimed by the dispatcher, its attempt
 * failed, and held by the next cycle with a `max_attempts_reached` item.
 */
export async function givenHeldAfterMaxAttempts(lifecycle: Lifecycle, clock: { advance(ms: number): void }) {
  const ticket = await givenTicket(lifecycle, { title: "flaky" });
  const deps = testDispatcher(lifecycle, { settings: { maxAttempts: 1 } });
  await runDispatchCycle(deps);
  await failLaunched(lifecycle, deps.launched.at(-1));
  clock.advance(60_001);
  await runDispatchCycle(deps);
  const held = await lifecycle.findTicket(ticket.key);
  const [item] = (await lifecycle.inbox.ofTicket(ticket.id)).filter((i) => i.kind === "max_attempts_reached");
  if (!item || held?.hold !== "max_attempts_reached" || held.attemptCount !== 1)
    throw new Error("set-up: the ticket was not held for max_attempts after one attempt");
  return { ticket: held, item, deps };
}
