import type { Actor } from "../../domain/actors.js";
import { moreAttempts } from "../../domain/inbox.js";
import type { TicketRow } from "../../db/schema.js";
import type { Verifier } from "../../evidence/index.js";
import type { Lifecycle } from "../../lifecycle/index.js";
import type { Task } from "../../domain/tasks.js";
import type { CommandAction } from "./plan.js";

/** What an applied command did: a reason code and the sentence of the reply. */
export interface CommandOutcome {
  readonly code: string;
  readonly text: string;
}

export interface ExecuteDeps {
  readonly lifecycle: Lifecycle;
  readonly verifier: Verifier | null;
}

const failed = (result: { code: string; message: string }): CommandOutcome => ({
  code: result.code,
  text: result.message,
});

/** Someone decided the item between the read and the act: their result stands, nothing changed. */
const alreadyDecided = (
  key: string,
  result: { decision: string; actor: { kind: string; id: string } },
): CommandOutcome => ({
  code: "already_decided",
  text: `${key}: its open decision was just taken (${result.decision} by ${result.actor.kind}:${result.actor.id}); nothing changed`,
});

/**
 * Performs a planned action through the lifecycle module, always with the ticket version the plan
 * saw: if someone changed the ticket meanwhile, the answer is the conflict, never a blind write.
 */
export async function executeAction(
  deps: ExecuteDeps,
  action: CommandAction,
  ticket: TicketRow | null,
  actor: Actor,
): Promise<CommandOutcome> {
  const { lifecycle } = deps;
  if (action.op === "maintenance") {
    const result = await lifecycle.tasks.setEnabled({
      task: action.task as Task,
      enabled: action.enabled,
      actor,
      reason: `/mc maintenance by @${actor.id}`,
    });
    if (!result.ok) return failed(result);
    return {
      code: action.enabled ? "resumed" : "paused",
      text: `task ${action.task} is ${action.enabled ? "resumed" : "paused"}`,
    };
  }
  if (!ticket) return { code: "not_a_ticket", text: "this issue does not mirror a Mission Control ticket" };
  switch (action.op) {
    case "assign": {
      let current = ticket;
      if (ticket.assignee !== action.assignee) {
        const assigned = await lifecycle.app.assign({ ticket, assignee: action.assignee, actor });
        if (!assigned.ok) return failed(assigned);
        current = assigned.ticket;
      }
      if (!action.thenRelease)
        return action.assignee
          ? {
              code: "claimed",
              text: `${ticket.key} is assigned to @${action.assignee}; agents will not pick it up`,
            }
          : { code: "unassigned", text: `${ticket.key} is assigned to nobody; agents may pick it up` };
      const released = await lifecycle.transition({
        ticket: current.key,
        from: current.state,
        expectedVersion: current.version,
        to: "todo",
        reason: "released",
        actor,
      });
      if (!released.ok) return failed(released);
      return {
        code: "released",
        text: `${ticket.key} is back in todo (was ${current.state}); its attempt is ended`,
      };
    }
    case "answer": {
      const answered = await lifecycle.answerQuestion({ ticket: ticket.key, answer: action.text, actor });
      if (!answered.ok) return failed(answered);
      return {
        code: "answered",
        text: `answer recorded; ${ticket.key} goes back to todo at the next dispatch`,
      };
    }
    case "priority": {
      const changed = await lifecycle.app.setPriority({ ticket, priority: action.priority, actor });
      if (!changed.ok) return failed(changed);
      return {
        code: "priority_changed",
        text: `${ticket.key} has priority ${action.priority} (was ${ticket.priority})`,
      };
    }
    case "verify": {
      if (!deps.verifier)
        return { code: "verifier_unavailable", text: "the evidence verifier is not configured" };
      const result = await deps.verifier.verifyTicket({ ticket: ticket.key, attemptId: action.attempt });
      if (!result.ok) return failed(result);
      const { verdict } = result.evaluation;
      return {
        code: `verdict_${verdict.status}`,
        text: `evidence of attempt ${action.attempt} at ${action.sha.slice(0, 12)} verified: ${verdict.status}`,
      };
    }
    case "retry": {
      const open = (await lifecycle.inbox.ofTicket(ticket.id)).filter((row) => row.state !== "acted");
      // A ticket held after max_attempts answers to its max_attempts_reached item: more attempts.
      const item = action.grant
        ? (open.find((row) => row.kind === "max_attempts_reached") ?? open[0])
        : open[0];
      if (!item) return { code: "nothing_to_retry", text: `${ticket.key} has no open decision to retry` };
      if (item.kind === "max_attempts_reached") {
        const acted = await lifecycle.inbox.act({
          itemId: item.id,
          result: {
            decision: "grant_attempts",
            transition: null,
            hold: "release",
            attempts: action.attempts,
            actor,
            note: `/mc retry by @${actor.id}`,
          },
        });
        if (!acted.ok) return failed(acted as { code: string; message: string });
        if (acted.replayed) return alreadyDecided(ticket.key, acted.result);
        const grant = acted.result.applied?.grant;
        const granted = moreAttempts(acted.result.attempts ?? action.attempts);
        return {
          code: "attempts_granted",
          text: grant
            ? `${ticket.key}: ${granted} granted (${grant.attemptsUsed} of ${grant.budget} used); back in the queue`
            : `${ticket.key}: ${granted} granted; back in the queue`,
        };
      }
      const acted = await lifecycle.inbox.act({
        itemId: item.id,
        result: { decision: "retry", transition: null, hold: "release", actor, note: "/mc retry" },
      });
      if (!acted.ok) return failed(acted as { code: string; message: string });
      if (acted.replayed) return alreadyDecided(ticket.key, acted.result);
      return { code: "retried", text: `${ticket.key} is back in the queue` };
    }
    case "transition": {
      const request = {
        ticket: ticket.key,
        from: ticket.state,
        expectedVersion: ticket.version,
        to: action.to,
        reason: action.reason,
        actor,
      };
      // A decision the inbox is waiting for is taken there, so the item is acted with its result.
      const item = action.inbox
        ? (await lifecycle.inbox.ofTicket(ticket.id)).find(
            (row) => row.state !== "acted" && row.kind === "completion_verified",
          )
        : undefined;
      if (item && action.inbox) {
        const acted = await lifecycle.inbox.act({
          itemId: item.id,
          result: {
            decision: action.inbox,
            transition: { from: ticket.state, to: action.to, reason: action.reason },
            hold: null,
            actor,
            note: `/mc by @${actor.id}`,
          },
        });
        if (!acted.ok) return failed(acted as { code: string; message: string });
      } else {
        const moved = await lifecycle.transition(request);
        if (!moved.ok) return failed(moved);
      }
      return {
        code: action.reason,
        text: `${ticket.key}: ${ticket.state} → ${action.to} (${action.reason})`,
      };
    }
  }
}
