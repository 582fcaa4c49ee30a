import type { TicketRow } from "../../db/schema.js";
import { MAX_ATTEMPTS_HOLD } from "../../domain/inbox.js";
import type { Priority } from "../../domain/priorities.js";
import type { TicketState, TransitionReason } from "../../domain/ticket-states.js";
import type { Command } from "./parse.js";

/**
 * What a permitted command does to a ticket, decided from the ticket alone (no I/O). The executor
 * performs `apply` actions through the lifecycle module; `refuse` and `reply` only answer.
 */
export type CommandPlan =
  | { readonly kind: "reply"; readonly code: string; readonly text: string }
  | { readonly kind: "refuse"; readonly code: string; readonly text: string }
  | { readonly kind: "apply"; readonly action: CommandAction };

export type CommandAction =
  | {
      readonly op: "transition";
      readonly to: TicketState;
      readonly reason: TransitionReason;
      readonly inbox?: "accept" | "reject";
    }
  | { readonly op: "assign"; readonly assignee: string | null; readonly thenRelease: boolean }
  | { readonly op: "answer"; readonly text: string }
  | { readonly op: "priority"; readonly priority: Priority }
  | { readonly op: "verify"; readonly sha: string; readonly attempt: string }
  /**
   * Act on the ticket's open inbox item: `retry` releases its hold; for a ticket held after
   * max_attempts, `grant` more attempts (`attempts`, default 1) and release the hold.
   */
  | { readonly op: "retry"; readonly grant: boolean; readonly attempts: number }
  | { readonly op: "maintenance"; readonly task: string; readonly enabled: boolean };

const TERMINAL: readonly TicketState[] = ["done", "cancelled"];

const refuse = (code: string, text: string): CommandPlan => ({ kind: "refuse", code, text });
const apply = (action: CommandAction): CommandPlan => ({ kind: "apply", action });

/** Plans `command` by `login` on `ticket` (null when the issue mirrors no ticket). */
export function planCommand(command: Command, ticket: TicketRow | null, login: string): CommandPlan {
  if (command.name === "help") return { kind: "reply", code: "help", text: "" };
  if (command.name === "maintenance")
    return apply({ op: "maintenance", task: command.task, enabled: command.action === "resume" });
  if (!ticket) return refuse("not_a_ticket", "this issue does not mirror a Mission Control ticket");
  if (command.name === "status") return { kind: "reply", code: "status", text: "" };
  if (TERMINAL.includes(ticket.state) && command.name !== "priority")
    return refuse("terminal_state", `${ticket.key} is ${ticket.state}, a terminal state`);
  switch (command.name) {
    case "claim":
      if (ticket.assignee === login)
        return refuse("already_assigned", `${ticket.key} is already assigned to @${login}`);
      return apply({ op: "assign", assignee: login, thenRelease: false });
    case "release":
      if (ticket.state === "in_progress" || ticket.state === "needs_input")
        return apply({ op: "assign", assignee: null, thenRelease: true });
      if (ticket.assignee === null)
        return refuse("nothing_to_release", `${ticket.key} is ${ticket.state} and assigned to nobody`);
      return apply({ op: "assign", assignee: null, thenRelease: false });
    case "answer":
      if (ticket.state !== "needs_input")
        return refuse("not_waiting", `${ticket.key} is ${ticket.state}: there is no open question to answer`);
      return apply({ op: "answer", text: command.text });
    case "done":
      return apply({ op: "verify", sha: command.sha, attempt: command.attempt });
    case "approve":
      if (ticket.state === "verifying")
        return apply({ op: "transition", to: "done", reason: "accepted", inbox: "accept" });
      if (ticket.state === "in_review")
        return apply({ op: "transition", to: "done", reason: "approved", inbox: "accept" });
      return refuse(
        "not_reviewable",
        `${ticket.key} is ${ticket.state}: only a ticket in verifying or in_review can be approved`,
      );
    case "reject":
      if (ticket.state === "verifying" || ticket.state === "in_review")
        return apply({ op: "transition", to: "todo", reason: "rejected", inbox: "reject" });
      return refuse(
        "not_reviewable",
        `${ticket.key} is ${ticket.state}: only a ticket in verifying or in_review can be rejected`,
      );
    case "cancel":
      return apply({ op: "transition", to: "cancelled", reason: "cancelled" });
    case "priority":
      if (ticket.priority === command.priority)
        return refuse("unchanged", `${ticket.key} already has priority ${command.priority}`);
      return apply({ op: "priority", priority: command.priority });
    case "retry": {
      if (ticket.state !== "todo" || ticket.hold === null)
        return refuse("not_held", `${ticket.key} is ${ticket.state} and not held: there is nothing to retry`);
      // Out of attempts: releasing alone would let the dispatcher hold it again at once.
      const grant = ticket.hold === MAX_ATTEMPTS_HOLD;
      if (!grant && command.attempts !== undefined)
        return refuse(
          "no_attempts_to_grant",
          `${ticket.key} is held (${ticket.hold}), not for max_attempts: attempts= only applies to a ticket that used up its attempts; use /mc retry`,
        );
      return apply({ op: "retry", grant, attempts: command.attempts ?? 1 });
    }
  }
}
