import type { History, TicketFact } from "../history.js";
import { explain, groupBy, type InvariantOutcome, outcome } from "./finding.js";

/** Reasons that send a ticket back to `todo` with a retry back-off. */
const BACKOFF_REASONS: ReadonlySet<string> = new Set([
  "attempt_failed",
  "lease_expired",
  "launch_failed",
  "evidence_failed",
  "rejected",
]);

/**
 * The explainable non-terminal states, each with the fact that explains it. Anything else that is
 * not `done` or `cancelled` is lost. All but the first two can only be explained when the run ended
 * at its time bound (a quiesced run has, by definition, nothing in flight).
 */
export const EXPLAINABLE = {
  held_for_person: "todo, held, with an open inbox item waiting for a person",
  backing_off: "todo after a failed, lost or rejected attempt, its back-off not yet over",
  queued: "todo and runnable, not picked yet (bound only)",
  awaiting_answer: "needs_input, its question not answered yet (bound only)",
  answered_awaiting_requeue:
    "needs_input, answered, waiting for the dispatcher's needs-input phase (bound only)",
  running: "in_progress with a live attempt whose lease has not run out (bound only)",
  expiry_pending:
    "in_progress, its attempt's lease ran out less than 15 s before the end: the next dispatch cycle expires it (bound only)",
  verifying_awaiting_ci: "verifying, and CI has not concluded on the evidence commit yet (bound only)",
  verified_awaiting_decision:
    "verifying, verdict pass, its completion_verified item not acted on yet (bound only)",
  verifying_awaiting_app:
    "verifying, CI concluded, and a webhook about the commit is not handled yet or its re-evaluation has not run (bound only)",
} as const;
export type Explainable = keyof typeof EXPLAINABLE;

/** Dispatchers expire lost attempts every cycle (2 s in the harness); this leaves room for a slow one. */
const EXPIRY_GRACE_MS = 15_000;

/** Every ticket reached `done` or `cancelled`, or one of the enumerated explainable states. */
export function checkTerminalOrExplainable(history: History): InvariantOutcome {
  const result = outcome();
  const ctx = context(history);
  for (const ticket of history.tickets) {
    if (ticket.state === "done" || ticket.state === "cancelled") {
      explain(result, `terminal:${ticket.state}`);
      continue;
    }
    const explained = explainTicket(ticket, ctx);
    if (explained.ok) explain(result, explained.state);
    else
      result.findings.push({
        invariant: "terminal_or_explainable",
        category: "lost",
        subject: ticket.key,
        message: `${ticket.state}${ticket.hold ? ` (held: ${ticket.hold})` : ""}: ${explained.why}`,
      });
  }
  return result;
}

type Context = ReturnType<typeof context>;

function context(history: History) {
  return {
    history,
    bound: history.endedBy === "bound",
    events: groupBy(history.events, (e) => e.ticketId),
    openItems: groupBy(
      history.inbox.filter((i) => i.state !== "acted"),
      (i) => i.ticketId,
    ),
    attempts: new Map(history.attempts.map((a) => [a.id, a])),
    questions: groupBy(history.questions, (q) => q.ticketId),
    verdicts: groupBy(history.verdicts, (v) => v.attemptId),
    commits: new Map(history.commits.map((c) => [c.sha, c])),
    handled: new Set(history.webhooksReceived.filter((w) => w.status === "handled").map((w) => w.guid)),
  };
}

/** Whether the app still has something in flight that would re-evaluate `sha`. */
function appStillOn(sha: string, ctx: Context): boolean {
  const unhandled = ctx.history.webhooksSent.some((w) => w.sha === sha && !ctx.handled.has(w.guid));
  const queued = ctx.history.pendingReevaluations.some((r) => r.wholeRepository || r.shas.includes(sha));
  return unhandled || queued;
}

type Explanation =
  | { readonly ok: true; readonly state: Explainable }
  | { readonly ok: false; readonly why: string };

function explainTicket(ticket: TicketFact, ctx: Context): Explanation {
  const end = ctx.history.endedAt.getTime();
  const onlyAtBound = (state: Explainable): Explanation =>
    ctx.bound ? { ok: true, state } : { ok: false, why: `${EXPLAINABLE[state]}, but the run quiesced` };
  const current = ticket.currentAttemptId ? ctx.attempts.get(ticket.currentAttemptId) : undefined;
  switch (ticket.state) {
    case "todo": {
      if (ticket.hold) {
        const waiting = (ctx.openItems.get(ticket.id) ?? []).some((i) => i.audience === "person");
        return waiting
          ? { ok: true, state: "held_for_person" }
          : { ok: false, why: "held, but no inbox item waits for a person's decision" };
      }
      const last = (ctx.events.get(ticket.id) ?? []).filter((e) => e.from !== e.to).at(-1);
      if (
        ticket.nextEligibleAt &&
        ticket.nextEligibleAt.getTime() > end &&
        last &&
        BACKOFF_REASONS.has(last.reason)
      )
        return { ok: true, state: "backing_off" };
      return onlyAtBound("queued");
    }
    case "needs_input": {
      const latest = (ctx.questions.get(ticket.id) ?? []).at(-1);
      if (!latest) return { ok: false, why: "waits for input, but no question was recorded" };
      return onlyAtBound(latest.answer === null ? "awaiting_answer" : "answered_awaiting_requeue");
    }
    case "in_progress": {
      const live = current && (current.status === "launching" || current.status === "running");
      if (!live) return { ok: false, why: `in progress, but its attempt is ${current?.status ?? "missing"}` };
      if (current.leaseExpiresAt.getTime() > end) return onlyAtBound("running");
      if (ctx.bound && end - current.leaseExpiresAt.getTime() < EXPIRY_GRACE_MS)
        return { ok: true, state: "expiry_pending" };
      return {
        ok: false,
        why: `its attempt's lease ran out at ${current.leaseExpiresAt.toISOString()} and nobody expired it`,
      };
    }
    case "verifying": {
      if (current?.status !== "completed")
        return { ok: false, why: `verifying, but its attempt is ${current?.status ?? "missing"}` };
      const latest = (ctx.verdicts.get(current.id) ?? []).at(-1);
      const openVerified = (ctx.openItems.get(ticket.id) ?? []).some(
        (i) => i.kind === "completion_verified" && i.attemptId === current.id,
      );
      if (latest?.status === "pass" && openVerified) return onlyAtBound("verified_awaiting_decision");
      const commit = current.evidenceSha ? ctx.commits.get(current.evidenceSha) : undefined;
      if (!commit || commit.ci.length === 0) return onlyAtBound("verifying_awaiting_ci");
      if (appStillOn(commit.sha, ctx)) return onlyAtBound("verifying_awaiting_app");
      return {
        ok: false,
        why: `CI concluded ${commit.ci.join(", ")} on ${commit.sha} and the app has handled every webhook about it, yet the latest verdict is ${latest?.status ?? "missing"}: nothing will verify it`,
      };
    }
    default:
      return { ok: false, why: `no explanation for ${ticket.state}` };
  }
}
