import type { TicketRow } from "../../../src/db/schema.js";
import type { Lifecycle } from "../../../src/lifecycle/index.js";

const agent = { kind: "worker" as const, id: "agent-1" };

/** Claims, starts and asks: the ticket ends in `needs_input` with `question` open. */
export async function givenNeedsInput(
  lifecycle: Lifecycle,
  ticket: TicketRow,
  question: string,
): Promise<TicketRow> {
  const claimed = await lifecycle.claim({
    ticket: ticket.key,
    expectedVersion: ticket.version,
    worker: "mission-control-agent",
    actor: { kind: "dispatcher", id: "dispatcher-1" },
    leaseMs: 600_000,
    fence: null,
  });
  if (!claimed.ok) throw new Error(`set-up claim: ${claimed.message}`);
  const started = await lifecycle.startAttempt({
    attemptId: claimed.attempt.id,
    launchKey: claimed.attempt.launchKey,
    leaseMs: 600_000,
  });
  if (!started.ok) throw new Error(`set-up start: ${JSON.stringify(started)}`);
  const asked = await lifecycle.askQuestion({ attemptId: claimed.attempt.id, actor: agent, question });
  if (!asked.ok) throw new Error(`set-up ask: ${JSON.stringify(asked)}`);
  const now = await lifecycle.findTicket(ticket.key);
  if (!now) throw new Error("set-up: ticket vanished");
  return now;
}
