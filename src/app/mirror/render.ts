import type { TicketEventRow, TicketRow } from "../../db/schema.js";

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
  const machine = {
    key: ticket.key,
    state: ticket.state,
    version: ticket.version,
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
    ticket.body,
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

/** The comment an event deserves on the issue (a question, a verdict), or null. */
export function renderEventComment(ticket: TicketRow, event: TicketEventRow): string | null {
  const detail = event.detail;
  const text = (key: string) => (typeof detail[key] === "string" ? (detail[key] as string) : null);
  switch (event.reason) {
    case "needs_input":
      return `${eventMarker(event.id)}\n**${ticket.key} needs input.** The agent asks:\n\n> ${(
        text("question") ?? "(no question text)"
      ).replace(/\n/g, "\n> ")}\n\nAnswer with \`/mc answer <text>\`.`;
    case "evidence_failed":
      return `${eventMarker(event.id)}\n**Evidence failed** for ${ticket.key}: ${text("summary") ?? "see the check run"}. The ticket is back in \`todo\`.`;
    case "completion_claimed":
      return `${eventMarker(event.id)}\n${ticket.key}: completion claimed; verifying the evidence against GitHub.`;
    default:
      return null;
  }
}
