import type { TicketRow } from "../../db/schema.js";
import { inertEcho } from "../untrusted-text.js";
import type { CommandOutcomeCode } from "./codes.js";

/** The hidden marker of a reply: finds an already posted reply after a crash (one reply per comment). */
export const replyMarker = (commentId: number) => `<!-- mission-control:reply-to ${commentId} -->`;

export function renderReply(input: {
  commentId: number;
  login: string;
  command: string;
  outcome: CommandOutcomeCode;
  text: string;
}): string {
  const firstLine = input.command.split("\n")[0]?.slice(0, 200) ?? "";
  return [
    replyMarker(input.commentId),
    // The command is quoted inert: no mention, no hidden marker, no reordering (untrusted-text.ts).
    `> ${inertEcho(firstLine)}`,
    "",
    `@${input.login} ${input.text}`,
    "",
    `<sub>outcome: \`${input.outcome}\`</sub>`,
  ].join("\n");
}

/** A usage error: its message may repeat the commenter's words, so it is echoed inert. */
export function renderUsage(message: string, usage: string): string {
  return `${inertEcho(message)}.\n\nUsage:\n\`\`\`\n${usage}\n\`\`\``;
}

export function renderStatus(ticket: TicketRow): string {
  const lines = [
    `**${ticket.key}** is \`${ticket.state}\` (version ${ticket.version}), priority ${ticket.priority}`,
    `assignee: ${ticket.assignee ? `@${ticket.assignee}` : "nobody"}; attempts: ${ticket.attemptCount}`,
  ];
  if (ticket.hold) lines.push(`held: ${ticket.hold}`);
  return lines.join("\n");
}
