import type { EventFact, History } from "../history.js";
import { type Finding, groupBy, type InvariantOutcome, outcome } from "./finding.js";

/** Events that end the ticket's live attempt, naming it (`attempt_id`). */
export const ATTEMPT_ENDINGS: ReadonlySet<string> = new Set([
  "needs_input",
  "attempt_failed",
  "lease_expired",
  "launch_failed",
  "completion_claimed",
]);
/** Events that end whatever attempt is live (a person took the ticket away). */
const TAKEN_AWAY: ReadonlySet<string> = new Set(["cancelled", "released"]);

export interface ReplayStep {
  readonly event: EventFact;
  /** The ticket's live attempt just before this event. */
  readonly liveBefore: string | null;
}

/** Replays one ticket's events in order, tracking which attempt is live before each one. */
export function replayAttempts(events: readonly EventFact[]): ReplayStep[] {
  let live: string | null = null;
  const steps: ReplayStep[] = [];
  for (const event of [...events].sort((a, b) => a.id - b.id)) {
    steps.push({ event, liveBefore: live });
    if (event.reason === "claimed") live = event.attemptId;
    else if (ATTEMPT_ENDINGS.has(event.reason) && event.attemptId === live) live = null;
    else if (TAKEN_AWAY.has(event.reason)) live = null;
  }
  return steps;
}

/**
 * No ticket had two running attempts at once, from two independent records: the event history
 * (a claim while another attempt is live; an ending by an attempt that was not the live one) and
 * the attempts table (each attempt's [created, ended] interval overlaps no other of its ticket).
 */
export function checkSingleLiveAttempt(history: History): InvariantOutcome {
  const result = outcome();
  const keyOf = ticketKeys(history);
  const add = (category: Finding["category"], subject: string, message: string) =>
    result.findings.push({ invariant: "single_live_attempt", category, subject, message });
  for (const [ticketId, events] of groupBy(history.events, (e) => e.ticketId)) {
    const key = keyOf(ticketId);
    for (const { event, liveBefore } of replayAttempts(events)) {
      if (event.reason === "claimed" && liveBefore !== null)
        add(
          "duplicated",
          key,
          `attempt ${event.attemptId} claimed (event ${event.id}) while ${liveBefore} was live`,
        );
      // A completion by a stale attempt is judged by no_stale_completion.
      if (
        ATTEMPT_ENDINGS.has(event.reason) &&
        event.reason !== "completion_claimed" &&
        event.attemptId !== liveBefore
      )
        add(
          "unexpected",
          key,
          `${event.reason} (event ${event.id}) by attempt ${event.attemptId}, which was not live (live: ${liveBefore ?? "none"})`,
        );
    }
  }
  for (const [ticketId, attempts] of groupBy(history.attempts, (a) => a.ticketId)) {
    const ordered = [...attempts].sort((a, b) => a.number - b.number);
    const live = ordered.filter((a) => a.status === "launching" || a.status === "running");
    if (live.length > 1)
      add(
        "duplicated",
        keyOf(ticketId),
        `${live.length} attempts are live: ${live.map((a) => a.id).join(", ")}`,
      );
    for (let i = 1; i < ordered.length; i++) {
      const previous = ordered[i - 1];
      const next = ordered[i];
      if (!previous || !next) continue;
      const previousEnd = previous.endedAt?.getTime() ?? Number.POSITIVE_INFINITY;
      if (previousEnd > next.createdAt.getTime())
        add(
          "duplicated",
          keyOf(ticketId),
          `attempt ${next.number} began at ${next.createdAt.toISOString()} before attempt ${previous.number} ended (${previous.endedAt?.toISOString() ?? "never"})`,
        );
    }
  }
  return result;
}

/**
 * No attempt was launched twice: the dispatchers' recorded launch decisions name each attempt at
 * most once, each agent process the runners started names a distinct attempt, and launch keys are
 * unique.
 */
export function checkLaunchedOnce(history: History): InvariantOutcome {
  const result = outcome();
  const add = (category: Finding["category"], subject: string, message: string) =>
    result.findings.push({ invariant: "launched_once", category, subject, message });
  const attempts = new Map(history.attempts.map((a) => [a.id, a]));
  for (const [attemptId, decisions] of groupBy(history.launches, (d) => d.attemptId)) {
    if (decisions.length > 1)
      add(
        "duplicated",
        attemptId,
        `launched by ${decisions.length} dispatch decisions (cycles ${decisions.map((d) => d.cycleId).join(", ")})`,
      );
  }
  for (const [attemptId, starts] of groupBy(history.agentStarts, (s) => s.attemptId)) {
    if (starts.length > 1)
      add(
        "duplicated",
        attemptId,
        `${starts.length} agents started for it (pids ${starts.map((s) => s.pid).join(", ")})`,
      );
    if (!attempts.has(attemptId))
      add("unexpected", attemptId, "an agent started for an attempt the database does not know");
  }
  for (const [launchKey, rows] of groupBy(history.attempts, (a) => a.launchKey)) {
    if (rows.length > 1) add("duplicated", launchKey, `${rows.length} attempts share the launch key`);
  }
  return result;
}

/** Ticket id → key, for messages. */
export function ticketKeys(history: History): (ticketId: number | null) => string {
  const keys = new Map(history.tickets.map((t) => [t.id, t.key]));
  return (ticketId) => (ticketId === null ? "(no ticket)" : (keys.get(ticketId) ?? `ticket#${ticketId}`));
}
