import { TRANSITIONS } from "../../../src/domain/ticket-states.js";
import type { History } from "../history.js";
import { ticketKeys } from "./attempts.js";
import { type Finding, groupBy, type InvariantOutcome, outcome } from "./finding.js";

/** Events that change a ticket without changing its state (the state stays, the version moves). */
const NON_TRANSITIONS: ReadonlySet<string> = new Set([
  "held",
  "hold_released",
  "attempts_granted",
  "answered",
  "assigned",
  "priority_changed",
  "attempt_started",
]);

/**
 * The event history is a valid walk of the state machine: it starts with `created` in `todo` at
 * version 1; every next event starts where the previous one ended and adds exactly one version;
 * every state change is a row of the transition table, made by an actor kind the row allows; the
 * ticket as stored is where its last event left it. A second writer, a lost event or a skipped
 * compare-and-set shows up here.
 */
export function checkHistoryConsistent(history: History): InvariantOutcome {
  const result = outcome();
  const keyOf = ticketKeys(history);
  const add = (subject: string, message: string, category: Finding["category"] = "unexpected") =>
    result.findings.push({ invariant: "history_consistent", category, subject, message });
  const byTicket = groupBy(history.events, (e) => e.ticketId);
  for (const ticket of history.tickets) {
    const events = [...(byTicket.get(ticket.id) ?? [])].sort((a, b) => a.id - b.id);
    const first = events[0];
    if (!first) {
      add(ticket.key, "has no events", "lost");
      continue;
    }
    if (first.reason !== "created" || first.from !== null || first.to !== "todo" || first.version !== 1)
      add(ticket.key, `first event is ${first.reason} ${first.from ?? "∅"} → ${first.to} v${first.version}`);
    for (let i = 1; i < events.length; i++) {
      const previous = events[i - 1];
      const event = events[i];
      if (!previous || !event) continue;
      const where = `event ${event.id} (${event.reason})`;
      if (event.version !== previous.version + 1)
        add(ticket.key, `${where} has version ${event.version} after ${previous.version}`);
      if (event.from !== previous.to)
        add(ticket.key, `${where} starts in ${event.from} after ${previous.to}`);
      if (NON_TRANSITIONS.has(event.reason)) {
        if (event.from !== event.to)
          add(ticket.key, `${where} changes the state ${event.from} → ${event.to}`);
        continue;
      }
      const rule = TRANSITIONS.find(
        (r) => r.from === event.from && r.to === event.to && r.reason === event.reason,
      );
      if (!rule) add(ticket.key, `${where}: ${event.from} → ${event.to} is not in the transition table`);
      else if (!rule.actors.some((kind) => kind === event.actorKind))
        add(ticket.key, `${where} was made by ${event.actorKind}, which the table does not allow`);
    }
    const last = events.at(-1);
    if (last && (last.to !== ticket.state || last.version !== ticket.version))
      add(
        ticket.key,
        `is ${ticket.state} v${ticket.version}, its last event left it ${last.to} v${last.version}`,
      );
  }
  for (const [ticketId] of byTicket)
    if (!history.tickets.some((t) => t.id === ticketId))
      add(keyOf(ticketId), "events of a ticket that does not exist");
  return result;
}
