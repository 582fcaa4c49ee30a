/**
 * Worker signals: what an agent (through `mctl signal`) or its runner reports about a running
 * attempt. Each is validated here and fenced: only the ticket's current, running attempt, within
 * its lease, may signal. They go through the lifecycle module and nowhere else.
 */
import { z } from "zod";
import type { BackoffPolicy } from "../domain/backoff.js";
import { TICKET_STATES } from "../domain/ticket-states.js";
import { ticketOfAttempt } from "./attempt-context.js";
import type { WorkerLifecycle } from "./port.js";

export const SignalSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("heartbeat"), attemptId: z.uuid("must be an attempt id (a UUID)") }),
  z.strictObject({
    kind: z.literal("needs_input"),
    attemptId: z.uuid("must be an attempt id (a UUID)"),
    question: z.string().trim().min(1, "a question cannot be empty").max(10_000),
  }),
  z.strictObject({
    kind: z.literal("fail"),
    attemptId: z.uuid("must be an attempt id (a UUID)"),
    reason: z.string().trim().min(1, "say why the attempt fails").max(2_000),
  }),
]);
export type Signal = z.infer<typeof SignalSchema>;
export type SignalKind = Signal["kind"];

export const SignalResultSchema = z.discriminatedUnion("ok", [
  z.object({
    ok: z.literal(true),
    kind: z.enum(["heartbeat", "needs_input", "fail"]),
    attemptId: z.string(),
    ticket: z.string(),
    state: z.enum(TICKET_STATES),
    /** For a heartbeat: the new end of the lease. */
    leaseExpiresAt: z.string().optional(),
    message: z.string(),
  }),
  z.object({ ok: z.literal(false), code: z.string(), message: z.string() }),
]);
export type SignalResult = z.infer<typeof SignalResultSchema>;

export interface SignalPolicy {
  readonly leaseMs: number;
  readonly backoff: BackoffPolicy;
}

/** Why a worker gave up when its agent said so with `mctl signal fail`. */
export const AGENT_GAVE_UP = "agent_gave_up";

/**
 * Applies a signal through the lifecycle. Refused (`fenced`) unless the attempt is running and is
 * its ticket's current attempt; the lifecycle re-checks that, and the lease, in its own transaction.
 */
export async function applySignal(
  lifecycle: Pick<
    WorkerLifecycle,
    "findAttempt" | "findTicketById" | "heartbeat" | "askQuestion" | "failAttempt"
  >,
  signal: Signal,
  policy: SignalPolicy,
): Promise<SignalResult> {
  const attempt = await lifecycle.findAttempt(signal.attemptId);
  if (!attempt) return { ok: false, code: "not_found", message: `no attempt ${signal.attemptId}` };
  const ticket = await ticketOfAttempt(lifecycle, attempt);
  if (!ticket) return { ok: false, code: "not_found", message: `attempt ${attempt.id} has no ticket` };
  const refuse = (why: string): SignalResult => ({
    ok: false,
    code: "fenced",
    message: `${signal.kind} refused for attempt ${attempt.id} of ${ticket.key}: ${why}`,
  });
  if (attempt.status !== "running") return refuse(`the attempt is ${attempt.status}, not running`);
  if (ticket.currentAttemptId !== attempt.id || ticket.state !== "in_progress") {
    return refuse(`it is not the current attempt of ${ticket.key} (the ticket is ${ticket.state})`);
  }
  const actor = { kind: "worker", id: attempt.worker } as const;
  const base = { attemptId: attempt.id, ticket: ticket.key };
  switch (signal.kind) {
    case "heartbeat": {
      const result = await lifecycle.heartbeat({ attemptId: attempt.id, leaseMs: policy.leaseMs });
      if (!result.ok) return { ok: false, code: result.code, message: result.message };
      const until = result.attempt.leaseExpiresAt.toISOString();
      return {
        ok: true,
        kind: signal.kind,
        ...base,
        state: ticket.state,
        leaseExpiresAt: until,
        message: `lease of ${ticket.key} extended until ${until}`,
      };
    }
    case "needs_input": {
      const result = await lifecycle.askQuestion({ attemptId: attempt.id, actor, question: signal.question });
      if (!result.ok) return { ok: false, code: result.code, message: result.message };
      return {
        ok: true,
        kind: signal.kind,
        ...base,
        state: result.ticket.state,
        message: `${ticket.key} is waiting for an answer; this attempt has ended`,
      };
    }
    case "fail": {
      const result = await lifecycle.failAttempt({
        attemptId: attempt.id,
        actor,
        reason: AGENT_GAVE_UP,
        detail: { message: signal.reason },
        backoff: policy.backoff,
      });
      if (!result.ok) return { ok: false, code: result.code, message: result.message };
      return {
        ok: true,
        kind: signal.kind,
        ...base,
        state: result.ticket.state,
        message: `attempt ${attempt.number} of ${ticket.key} failed (${signal.reason}); the ticket is back in ${result.ticket.state}`,
      };
    }
  }
}
