import {
  eventMarker,
  LABEL_PREFIX,
  renderEventComment,
  renderIssue,
} from "../../../src/app/mirror/render.js";
import type { TicketEventRow } from "../../../src/db/schema.js";
import type { EventFact, History, IssueFact, TicketFact } from "../history.js";
import { explain, type Finding, groupBy, type InvariantOutcome, outcome } from "./finding.js";

/** The ticket label of the run's app (the `app.ticket_label` default). */
export const TICKET_LABEL = "mission-control";

/** The machine-readable block of a mirrored issue body (`state`, `attempts` …), or null. */
export function machineBlock(body: string): Record<string, unknown> | null {
  const start = body.indexOf("```json\n");
  if (start < 0) return null;
  const end = body.indexOf("\n```", start + 8);
  if (end < 0) return null;
  try {
    return JSON.parse(body.slice(start + 8, end)) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/**
 * Every ticket change reached its issue: each event has a mirror job and the job is done; each
 * ticket has exactly one issue (found by its hidden marker, the one the ticket records); the issue
 * is what the mirror renders for the ticket as it finally is (title, body, our labels, open or
 * closed: src/app/mirror/render.ts, so a change of the rendering needs no change here); each event
 * the mirror comments on has exactly one comment. Jobs still pending when a bound-ended run stopped
 * are explained, and that ticket's issue is then not compared.
 */
export function checkIssueMirrored(history: History): InvariantOutcome {
  const result = outcome();
  const add = (category: Finding["category"], subject: string, message: string) =>
    result.findings.push({ invariant: "issue_mirrored", category, subject, message });
  const jobs = groupBy(history.mirrorJobs, (j) => j.eventId);
  const events = groupBy(history.events, (e) => e.ticketId);
  const pendingTickets = new Set<number>();
  for (const event of history.events) {
    const mine = jobs.get(event.id) ?? [];
    if (mine.length === 0) add("lost", `event ${event.id}`, `${event.reason} has no mirror job`);
    if (mine.length > 1)
      add("duplicated", `event ${event.id}`, `${event.reason} has ${mine.length} mirror jobs`);
    if (mine.some((j) => !j.done)) pendingTickets.add(event.ticketId);
  }
  const issuesOf = groupBy(
    history.issues,
    (i) => /^<!-- mission-control:ticket (\S+) -->/.exec(i.body)?.[1] ?? null,
  );
  for (const ticket of history.tickets) {
    const issues = issuesOf.get(ticket.key) ?? [];
    // A second issue is a duplicate whether or not the ticket's changes are all mirrored yet.
    if (issues.length > 1)
      add("duplicated", ticket.key, `${issues.length} issues: #${issues.map((i) => i.number).join(", #")}`);
    if (pendingTickets.has(ticket.id)) {
      if (history.endedBy === "bound") explain(result, "mirror_pending_at_bound");
      else add("lost", ticket.key, "mirror jobs still pending after the run quiesced");
      continue;
    }
    if (issues.length === 0) {
      add("lost", ticket.key, "no issue on GitHub");
      continue;
    }
    const issue = issues.find((i) => i.number === ticket.issueNumber);
    if (!issue) {
      add("unexpected", ticket.key, `records issue #${ticket.issueNumber ?? "none"}, which is not its issue`);
      continue;
    }
    const stale = staleness(issue, ticket);
    if (stale) add("lost", ticket.key, `issue #${issue.number} ${stale}`);
    else explain(result, "issue_current");
    for (const event of events.get(ticket.id) ?? []) {
      if (renderEventComment(ticket.row, eventRow(event)) === null) continue;
      const n = issue.comments.filter((c) => c.startsWith(eventMarker(event.id))).length;
      if (n === 0)
        add(
          "lost",
          ticket.key,
          `issue #${issue.number} has no comment for ${event.reason} (event ${event.id})`,
        );
      if (n > 1)
        add(
          "duplicated",
          ticket.key,
          `issue #${issue.number} has ${n} comments for ${event.reason} (event ${event.id})`,
        );
    }
  }
  return result;
}

/** Why the issue does not show the ticket as it finally is, or null when it does. */
function staleness(issue: IssueFact, ticket: TicketFact): string | null {
  const view = renderIssue(ticket.row, TICKET_LABEL);
  if (issue.body !== view.body) {
    const shown = machineBlock(issue.body);
    return `body is behind: it shows ${String(shown?.state)} with ${String(shown?.attempts)} attempt(s) and hold ${String(shown?.hold)}, the ticket is ${ticket.state} with ${ticket.attemptCount} and hold ${ticket.hold}`;
  }
  if (issue.title !== view.title) return `title is "${issue.title}", not "${view.title}"`;
  const ours = issue.labels.filter((l) => l === TICKET_LABEL || l.startsWith(LABEL_PREFIX));
  const missing = view.labels.filter((l) => !issue.labels.includes(l));
  const extra = ours.filter((l) => !view.labels.includes(l));
  if (missing.length || extra.length)
    return `labels are off: missing ${missing.join(", ") || "none"}, left over ${extra.join(", ") || "none"}`;
  if (issue.state !== view.state) return `is ${issue.state} while the ticket is ${ticket.state}`;
  return null;
}

function eventRow(event: EventFact): TicketEventRow {
  return {
    id: event.id,
    ticketId: event.ticketId,
    fromState: event.from as TicketEventRow["fromState"],
    toState: event.to as TicketEventRow["toState"],
    actorKind: event.actorKind as TicketEventRow["actorKind"],
    actorId: event.actorId,
    reason: event.reason,
    attemptId: event.attemptId,
    version: event.version,
    detail: event.detail,
    createdAt: event.at,
  };
}
