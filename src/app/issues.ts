import type { Octokit } from "@octokit/rest";
import { isPriority } from "../domain/priorities.js";
import type { Lifecycle } from "../lifecycle/index.js";
import { checkPermission, permissionLevelOf } from "./commands/permission.js";
import { LABEL_PREFIX } from "./mirror/render.js";

/** The fields of an `issues` payload the issue handler reads. */
export interface IssueFacts {
  readonly action: string;
  readonly owner: string;
  readonly repo: string;
  readonly number: number;
  readonly title: string;
  readonly body: string;
  readonly sender: string;
  readonly senderIsBot: boolean;
  /** The label of a `labeled` action. */
  readonly label: string | null;
  readonly labels: readonly string[];
}

export interface IssueDeps {
  readonly lifecycle: Lifecycle;
  readonly octokit: Octokit;
  readonly ticketLabel: string;
}

/**
 * What people do on the issue itself: closing it cancels the ticket, labelling an issue with the
 * ticket label makes it a ticket. Both need write permission, checked with the API. Everything else
 * (and everything a bot does, including the mirror's own updates) is ignored with a reason code.
 */
export async function handleIssue(deps: IssueDeps, facts: IssueFacts): Promise<string> {
  if (facts.senderIsBot) return `ignored:issues.${facts.action}:bot`;
  const repository = `${facts.owner}/${facts.repo}`;
  const ticket = await deps.lifecycle.issues.ticketByIssue({ repository, issueNumber: facts.number });
  const wantsTicket =
    (facts.action === "labeled" && facts.label === deps.ticketLabel) ||
    (facts.action === "opened" && facts.labels.includes(deps.ticketLabel));
  if (wantsTicket) {
    if (ticket) return "ignored:already_a_ticket";
    if (!(await mayWrite(deps, facts))) return "ignored:not_permitted";
    const priorityLabel =
      facts.labels.find((l) => l.startsWith(`${LABEL_PREFIX}priority/`))?.split("/")[1] ?? "";
    const created = await deps.lifecycle.issues.createTicketForIssue({
      ticket: {
        repository,
        title: facts.title.slice(0, 256),
        body: facts.body.slice(0, 65_536),
        labels: facts.labels
          .filter((l) => l !== deps.ticketLabel && !l.startsWith(LABEL_PREFIX))
          .slice(0, 100),
        ...(isPriority(priorityLabel) ? { priority: priorityLabel } : {}),
      },
      issueNumber: facts.number,
      actor: { kind: "human", id: facts.sender },
    });
    return created.ok ? `created:${created.ticket.key}` : `refused:${created.code}`;
  }
  if (!ticket) return `ignored:issues.${facts.action}:not_a_ticket`;
  if (facts.action === "closed") {
    if (ticket.state === "done" || ticket.state === "cancelled") return "ignored:already_terminal";
    if (!(await mayWrite(deps, facts))) return "ignored:not_permitted";
    const cancelled = await deps.lifecycle.transition({
      ticket: ticket.key,
      from: ticket.state,
      expectedVersion: ticket.version,
      to: "cancelled",
      reason: "cancelled",
      actor: { kind: "human", id: facts.sender },
      detail: { via: "issue_closed", issue: facts.number },
    });
    return cancelled.ok ? "cancelled" : `refused:${cancelled.code}`;
  }
  if (facts.action === "reopened")
    // A terminal ticket stays terminal: reopening the issue does not undo a done or cancelled ticket.
    return ticket.state === "done" || ticket.state === "cancelled"
      ? "ignored:terminal_ticket"
      : "ignored:not_closed";
  return `ignored:issues.${facts.action}`;
}

async function mayWrite(deps: IssueDeps, facts: IssueFacts): Promise<boolean> {
  const { data } = await deps.octokit.rest.repos.getCollaboratorPermissionLevel({
    owner: facts.owner,
    repo: facts.repo,
    username: facts.sender,
  });
  return checkPermission("cancel", facts.sender, permissionLevelOf(data)).status === "allowed";
}
