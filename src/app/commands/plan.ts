import type { TicketRow } from "../../db/schema.js";
import type { Actor } from "../../domain/actors.js";
import { gateAcceptance } from "../../domain/evidence-override.js";
import { MAX_ATTEMPTS_HOLD } from "../../domain/inbox.js";
import type { Priority } from "../../domain/priorities.js";
import { dispatchSettingOf, type TaskSettingName } from "../../domain/tasks.js";
import type { TicketState, TransitionReason } from "../../domain/ticket-states.js";
import type { InboxResultInput, TransitionInput } from "../../lifecycle/index.js";
import type { CommandRefusalCode, CommandReplyCode, CommandSuccessCode } from "./codes.js";
import type { CommandFacts } from "./facts.js";
import { type Command, HELP } from "./parse.js";
import { renderStatus } from "./reply.js";

/**
 * A lifecycle call with all its arguments, exactly as the executor makes it. `ticket` on
 * `inbox.act` is the ticket's key, for the reply when someone else acted on the item first.
 */
export type LifecycleCall =
  | { readonly call: "transition"; readonly input: TransitionInput }
  | {
      readonly call: "inbox.act";
      readonly ticket: string;
      readonly itemId: number;
      readonly result: InboxResultInput;
    }
  | {
      readonly call: "issues.assign";
      readonly ticket: TicketRow;
      readonly assignee: string | null;
      readonly actor: Actor;
    }
  | {
      readonly call: "issues.setPriority";
      readonly ticket: TicketRow;
      readonly priority: Priority;
      readonly actor: Actor;
    }
  | {
      readonly call: "answerQuestion";
      readonly ticket: string;
      readonly answer: string;
      readonly actor: Actor;
    }
  | {
      readonly call: "tasks.setEnabled";
      readonly task: TaskSettingName;
      readonly enabled: boolean;
      readonly actor: Actor;
      readonly reason: string;
    }
  | { readonly call: "verify"; readonly ticket: string; readonly attemptId: string };

/**
 * What to say when every call went through: a fixed sentence, or one that names what only the
 * call's answer knows (the verdict of a verification; the budget a grant of attempts applied to).
 */
export type Success =
  | { readonly say: "text"; readonly code: CommandSuccessCode; readonly text: string }
  | { readonly say: "verdict"; readonly attempt: string; readonly sha: string }
  | { readonly say: "grant"; readonly ticket: string; readonly granted: number };

/**
 * What a permitted command does, decided from its facts alone (no I/O), in the manner of
 * probot-auto-merge's plans: a reply or refusal with its final text, or the lifecycle call to make.
 * `steps` is one call, except a release of a ticket that someone is assigned to: unassign, then
 * the release transition.
 */
export type CommandPlan =
  | { readonly kind: "reply"; readonly code: CommandReplyCode; readonly text: string }
  | { readonly kind: "refuse"; readonly code: CommandRefusalCode; readonly text: string }
  | {
      readonly kind: "apply";
      readonly steps: readonly [LifecycleCall, ...LifecycleCall[]];
      readonly success: Success;
    };

const TERMINAL: readonly TicketState[] = ["done", "cancelled"];

const refuse = (code: CommandRefusalCode, reason: string): CommandPlan => ({
  kind: "refuse",
  code,
  text: `refused: ${reason}`,
});
const reply = (code: CommandReplyCode, text: string): CommandPlan => ({ kind: "reply", code, text });
const apply = (call: LifecycleCall, success: Success): CommandPlan => ({
  kind: "apply",
  steps: [call],
  success,
});
const say = (code: CommandSuccessCode, text: string): Success => ({ say: "text", code, text });

/** Plans `command` from `facts` (the ticket the issue mirrors, its open inbox items, the commenter). */
export function planCommand(command: Command, facts: CommandFacts): CommandPlan {
  const actor: Actor = { kind: "human", id: facts.login };
  if (command.name === "help") return reply("help", `commands:\n\`\`\`\n${HELP}\n\`\`\``);
  if (command.name === "maintenance") {
    // A control repository's maintainers act for their owner only: `dispatch` is that owner's
    // dispatcher; operate and orchestrate serve every owner of the deployment.
    if (command.task !== "dispatch")
      return refuse(
        "deployment_wide_task",
        `${command.task} runs for every owner of this deployment: its administrators pause it with mctl maintenance pause ${command.task}`,
      );
    const enabled = command.action === "resume";
    const task = dispatchSettingOf(facts.owner);
    return apply(
      {
        call: "tasks.setEnabled",
        task,
        enabled,
        actor,
        reason: `/mc maintenance by @${facts.login}`,
      },
      say(enabled ? "resumed" : "paused", `task ${task} is ${enabled ? "resumed" : "paused"}`),
    );
  }
  const { ticket } = facts;
  if (!ticket) return refuse("not_a_ticket", "this issue does not mirror a Mission Control ticket");
  if (command.name === "status") return reply("status", renderStatus(ticket));
  if (TERMINAL.includes(ticket.state) && command.name !== "priority")
    return refuse("terminal_state", `${ticket.key} is ${ticket.state}, a terminal state`);
  const { key } = ticket;
  // Every transition is a compare-and-set on the version the facts were read at.
  const transition = (to: TicketState, reason: TransitionReason, expectedVersion = ticket.version) => ({
    call: "transition" as const,
    input: { ticket: key, from: ticket.state, expectedVersion, to, reason, actor },
  });
  switch (command.name) {
    case "claim":
      if (ticket.assignee === facts.login)
        return refuse("already_assigned", `${key} is already assigned to @${facts.login}`);
      return apply(
        { call: "issues.assign", ticket, assignee: facts.login, actor },
        say("claimed", `${key} is assigned to @${facts.login}; agents will not pick it up`),
      );
    case "release": {
      const unassign: LifecycleCall = { call: "issues.assign", ticket, assignee: null, actor };
      if (ticket.state === "in_progress" || ticket.state === "needs_input") {
        const released = say(
          "released",
          `${key} is back in todo (was ${ticket.state}); its attempt is ended`,
        );
        if (ticket.assignee === null) return apply(transition("todo", "released"), released);
        // Unassigning keeps the state and moves the version by one, so the release expects that
        // version: anyone else's change in between makes it a conflict, not a blind write.
        return {
          kind: "apply",
          steps: [unassign, transition("todo", "released", ticket.version + 1)],
          success: released,
        };
      }
      if (ticket.assignee === null)
        return refuse("nothing_to_release", `${key} is ${ticket.state} and assigned to nobody`);
      return apply(unassign, say("unassigned", `${key} is assigned to nobody; agents may pick it up`));
    }
    case "answer":
      if (ticket.state !== "needs_input")
        return refuse("not_waiting", `${key} is ${ticket.state}: there is no open question to answer`);
      return apply(
        { call: "answerQuestion", ticket: key, answer: command.text, actor },
        say("answered", `answer recorded; ${key} goes back to todo at the next dispatch`),
      );
    case "done": {
      if (!facts.verifierConfigured)
        return reply("verifier_unavailable", "the evidence verifier is not configured");
      // `attempt=2` names the ticket's second attempt, as the board and the issue number them.
      const attemptId =
        typeof command.attempt === "string"
          ? command.attempt
          : facts.attempts.find((attempt) => attempt.number === command.attempt)?.id;
      if (attemptId === undefined)
        return refuse(
          "no_such_attempt",
          `${key} has no attempt ${command.attempt} (its attempts: ${facts.attempts.map((a) => a.number).join(", ") || "none yet"})`,
        );
      return apply(
        { call: "verify", ticket: key, attemptId },
        { say: "verdict", attempt: attemptId, sha: command.sha },
      );
    }
    case "approve":
    case "reject":
      return review(command, facts, ticket, actor);
    case "cancel": {
      // The reason goes where `mctl ticket cancel --reason` puts it: the event's detail.
      const cancel = transition("cancelled", "cancelled");
      const { reason } = command;
      return apply(
        reason === undefined ? cancel : { ...cancel, input: { ...cancel.input, detail: { note: reason } } },
        say("cancelled", `${key}: ${ticket.state} → cancelled (cancelled${reason ? `: ${reason}` : ""})`),
      );
    }
    case "priority":
      if (ticket.priority === command.priority)
        return refuse("unchanged", `${key} already has priority ${command.priority}`);
      return apply(
        { call: "issues.setPriority", ticket, priority: command.priority, actor },
        say("priority_changed", `${key} has priority ${command.priority} (was ${ticket.priority})`),
      );
    case "retry":
      return retry(command, facts, ticket, actor);
  }
}

/**
 * `/mc approve|reject` of a ticket in verifying or in_review. A decision the inbox waits for (an
 * open `completion_verified` item) is taken there, so the item is acted on with the transition;
 * otherwise the transition alone.
 */
function review(
  command: Extract<Command, { name: "approve" | "reject" }>,
  facts: CommandFacts,
  ticket: TicketRow,
  actor: Actor,
): CommandPlan {
  if (ticket.state !== "verifying" && ticket.state !== "in_review")
    return refuse(
      "not_reviewable",
      `${ticket.key} is ${ticket.state}: only a ticket in verifying or in_review can be ${command.name === "approve" ? "approved" : "rejected"}`,
    );
  const change =
    command.name === "reject"
      ? { to: "todo" as const, reason: "rejected" as const }
      : ticket.state === "verifying"
        ? { to: "done" as const, reason: "accepted" as const }
        : { to: "done" as const, reason: "approved" as const };
  // Accepting stands on the evidence: without a passing verdict only an explicit override does.
  const gate =
    command.name === "approve"
      ? gateAcceptance(ticket.key, facts.latestVerdict, command.override)
      : ({ kind: "passing" } as const);
  if (gate.kind === "refused")
    return refuse(
      "evidence_not_passing",
      `${gate.message}. A maintainer may accept it anyway with \`/mc approve override <reason>\` (recorded as an evidence override)`,
    );
  if (gate.kind === "overridden")
    return apply(
      {
        call: "transition",
        input: {
          ticket: ticket.key,
          from: ticket.state,
          expectedVersion: ticket.version,
          to: "done",
          reason: "evidence_overridden",
          actor,
          detail: gate.detail,
        },
      },
      say("evidence_overridden", `${ticket.key}: ${ticket.state} → done (${gate.message})`),
    );
  const success = say(change.reason, `${ticket.key}: ${ticket.state} → ${change.to} (${change.reason})`);
  const item = facts.openItems.find((open) => open.kind === "completion_verified");
  if (!item)
    return apply(
      {
        call: "transition",
        input: {
          ticket: ticket.key,
          from: ticket.state,
          expectedVersion: ticket.version,
          to: change.to,
          reason: change.reason,
          actor,
        },
      },
      success,
    );
  return apply(
    {
      call: "inbox.act",
      ticket: ticket.key,
      itemId: item.id,
      result: {
        decision: command.name === "approve" ? "accept" : "reject",
        transition: { from: ticket.state, to: change.to, reason: change.reason },
        hold: null,
        actor,
        note: `/mc by @${facts.login}`,
      },
    },
    success,
  );
}

/**
 * `/mc retry` of a held ticket acts on its open inbox item: `retry` releases the hold; a ticket held
 * after max_attempts answers to its `max_attempts_reached` item with `grant_attempts` (one attempt,
 * or `attempts=N`), since releasing alone would let the dispatcher hold it again at once.
 */
function retry(
  command: Extract<Command, { name: "retry" }>,
  facts: CommandFacts,
  ticket: TicketRow,
  actor: Actor,
): CommandPlan {
  if (ticket.state !== "todo" || ticket.hold === null)
    return refuse("not_held", `${ticket.key} is ${ticket.state} and not held: there is nothing to retry`);
  const grant = ticket.hold === MAX_ATTEMPTS_HOLD;
  if (!grant && command.attempts !== undefined)
    return refuse(
      "no_attempts_to_grant",
      `${ticket.key} is held (${ticket.hold}), not for max_attempts: attempts= only applies to a ticket that used up its attempts; use /mc retry`,
    );
  const attempts = command.attempts ?? 1;
  const [first] = facts.openItems;
  const item = grant
    ? (facts.openItems.find((open) => open.kind === "max_attempts_reached") ?? first)
    : first;
  if (!item) return reply("nothing_to_retry", `${ticket.key} has no open decision to retry`);
  const act = (result: InboxResultInput): LifecycleCall => ({
    call: "inbox.act",
    ticket: ticket.key,
    itemId: item.id,
    result,
  });
  if (item.kind === "max_attempts_reached")
    return apply(
      act({
        decision: "grant_attempts",
        transition: null,
        hold: "release",
        attempts,
        actor,
        note: `/mc retry by @${facts.login}`,
      }),
      { say: "grant", ticket: ticket.key, granted: attempts },
    );
  return apply(
    act({ decision: "retry", transition: null, hold: "release", actor, note: "/mc retry" }),
    say("retried", `${ticket.key} is back in the queue`),
  );
}
