import type { TicketEventRow, TicketRow } from "../../db/schema.js";
import { neutralizeMentions } from "../untrusted-text.js";

/** The issue a ticket should have: everything the mirror writes, computed from the ticket alone. */
export interface IssueView {
  readonly title: string;
  readonly body: string;
  /** Labels Mission Control owns; other labels on the issue are left alone. */
  readonly labels: readonly string[];
  readonly state: "open" | "closed";
  readonly stateReason: "completed" | "not_planned" | null;
}

export const LABEL_PREFIX = "mission-control:";
export const ticketMarker = (key: string) => `<!-- mission-control:ticket ${key} -->`;
export const eventMarker = (eventId: number) => `<!-- mission-control:event ${eventId} -->`;

export function renderIssue(ticket: TicketRow, ticketLabel: string): IssueView {
  // No `version`: it moves with every event, and an issue update for a change nobody can see (an
  // answer recorded, say) would cost a GitHub mutation for nothing.
  const machine = {
    key: ticket.key,
    state: ticket.state,
    priority: ticket.priority,
    assignee: ticket.assignee,
    campaign: ticket.campaign,
    blockedBy: ticket.blockedBy,
    attempts: ticket.attemptCount,
    hold: ticket.hold,
  };
  const summary = [
    `**${ticket.key}** is \`${ticket.state}\` · priority **${ticket.priority}** · ${
      ticket.assignee ? `assigned to @${ticket.assignee}` : "unassigned"
    } · ${ticket.attemptCount} attempt(s)${ticket.hold ? ` · held: ${ticket.hold}` : ""}`,
  ];
  if (ticket.blockedBy.length) summary.push(`Blocked by: ${ticket.blockedBy.join(", ")}`);
  const body = [
    ticketMarker(ticket.key),
    summary.join("\n"),
    "",
    // The ticket's text is shown as written, except that it notifies nobody from the app's account.
    neutralizeMentions(ticket.body),
    "",
    "<details><summary>Mission Control data</summary>",
    "",
    "```json",
    JSON.stringify(machine, null, 2),
    "```",
    "</details>",
    "",
    "<sub>Mirrored by Mission Control; edit the ticket with `/mc` commands (`/mc help`).</sub>",
  ].join("\n");
  const closed = ticket.state === "done" || ticket.state === "cancelled";
  return {
    title: `${ticket.key}: ${ticket.title}`,
    body,
    labels: [
      ticketLabel,
      `${LABEL_PREFIX}state/${ticket.state}`,
      `${LABEL_PREFIX}priority/${ticket.priority}`,
      ...ticket.labels,
    ],
    state: closed ? "closed" : "open",
    stateReason: ticket.state === "done" ? "completed" : ticket.state === "cancelled" ? "not_planned" : null,
  };
}

/** The issue's labels after the update: ours replaced, everyone else's kept. */
export function mergeLabels(existing: readonly string[], ours: readonly string[]): string[] {
  const kept = existing.filter((label) => !label.startsWith(LABEL_PREFIX) && !ours.includes(label));
  return [...new Set([...kept, ...ours])];
}

/**
 * Events that change nothing the issue shows: `answered` (the person's `/mc answer` comment and our
 * reply are already on the issue; the state stays `needs_input` until the dispatcher requeues it).
 * A batch of only these costs no GitHub request.
 */
export const VIEW_NEUTRAL_REASONS: readonly string[] = ["answered", "attempt_started"];

/**
 * The comment an event deserves on the issue (the agent's question, a failed verdict), or null.
 * Comments notify people, so only events someone has to act on or should know the reason of get
 * one; a state change alone is shown by the issue's labels and body.
 */
export function renderEventComment(ticket: TicketRow, event: TicketEventRow): string | null {
  const detail = event.detail;
  const text = (key: string) => (typeof detail[key] === "string" ? (detail[key] as string) : null);
  switch (event.reason) {
    case "needs_input":
      return `${eventMarker(event.id)}\n**${ticket.key} needs input.** The agent asks:\n\n> ${neutralizeMentions(
        text("question") ?? "(no question text)",
      ).replace(/\n/g, "\n> ")}\n\nAnswer with \`/mc answer <text>\`.`;
    case "evidence_failed":
      return `${eventMarker(event.id)}\n**Evidence failed** for ${ticket.key}: ${neutralizeMentions(text("summary") ?? "see the check run")}. The ticket is back in \`todo\`.`;
    default:
      return null;
  }
}
