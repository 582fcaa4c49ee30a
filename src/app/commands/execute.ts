import { moreAttempts } from "../../domain/inbox.js";
import type { Verifier } from "../../evidence/index.js";
import type { Lifecycle, StoredResult } from "../../lifecycle/index.js";
import {
  type CommandOutcome,
  type LifecycleFailureCode,
  VERIFY_FAILURE_CODES,
  type VerdictStatus,
} from "./codes.js";
import type { CommandPlan, LifecycleCall, Success } from "./plan.js";

export interface ExecuteDeps {
  readonly lifecycle: Lifecycle;
  readonly verifier: Verifier | null;
}

/** A call that went through, with what the reply may name: a verdict, the budget of a grant. */
type Performed =
  | { readonly ok: true; readonly answer: Answer }
  | { readonly ok: false; readonly outcome: CommandOutcome };

type Answer =
  | { readonly kind: "done" }
  | { readonly kind: "verdict"; readonly status: VerdictStatus }
  | { readonly kind: "grant"; readonly grant: Grant | null };

type Grant = NonNullable<NonNullable<StoredResult["applied"]>["grant"]>;

const DONE: Performed = { ok: true, answer: { kind: "done" } };

const failed = (result: { code: LifecycleFailureCode; message: string }): Performed => ({
  ok: false,
  outcome: { code: result.code, text: result.message },
});

/**
 * Performs a plan: replies as planned, or makes the plan's lifecycle calls in order (stopping at the
 * first that fails, whose code and message are the outcome) and says the plan's success. The
 * lifecycle guards each write (the ticket version the planner read, an inbox item acted on once, a
 * question still open): a change since the facts were read is the answer, never overwritten.
 * Decides nothing of its own.
 */
export async function executePlan(deps: ExecuteDeps, plan: CommandPlan): Promise<CommandOutcome> {
  if (plan.kind !== "apply") return { code: plan.code, text: plan.text };
  let answer: Answer = { kind: "done" };
  for (const step of plan.steps) {
    const performed = await perform(deps, step);
    if (!performed.ok) return performed.outcome;
    answer = performed.answer;
  }
  return succeeded(plan.success, answer);
}

/** One lifecycle call, its answer mapped to `Performed`. */
async function perform(deps: ExecuteDeps, step: LifecycleCall): Promise<Performed> {
  const { lifecycle } = deps;
  switch (step.call) {
    case "transition": {
      const moved = await lifecycle.transition(step.input);
      return moved.ok ? DONE : failed(moved);
    }
    case "issues.assign": {
      const { ticket, assignee, actor } = step;
      const assigned = await lifecycle.issues.assign({ ticket, assignee, actor });
      return assigned.ok ? DONE : failed(assigned);
    }
    case "issues.setPriority": {
      const { ticket, priority, actor } = step;
      const changed = await lifecycle.issues.setPriority({ ticket, priority, actor });
      return changed.ok ? DONE : failed(changed);
    }
    case "answerQuestion": {
      const { ticket, answer, actor } = step;
      const answered = await lifecycle.answerQuestion({ ticket, answer, actor });
      return answered.ok ? DONE : failed(answered);
    }
    case "tasks.setEnabled": {
      const { task, enabled, actor, reason } = step;
      const set = await lifecycle.tasks.setEnabled({ task, enabled, actor, reason });
      return set.ok ? DONE : failed(set);
    }
    case "inbox.act": {
      const acted = await lifecycle.inbox.act({ itemId: step.itemId, result: step.result });
      if (!acted.ok) return failed(acted);
      // Someone decided the item between the read and the act: their result stands, nothing changed.
      if (acted.replayed)
        return {
          ok: false,
          outcome: {
            code: "already_decided",
            text: `${step.ticket}: its open decision was just taken (${acted.result.decision} by ${acted.result.actor.kind}:${acted.result.actor.id}); nothing changed`,
          },
        };
      return { ok: true, answer: { kind: "grant", grant: acted.result.applied?.grant ?? null } };
    }
    case "verify": {
      // The planner answers `verifier_unavailable` first; this only guards the deps it was given.
      if (!deps.verifier)
        return {
          ok: false,
          outcome: { code: "verifier_unavailable", text: "the evidence verifier is not configured" },
        };
      const result = await deps.verifier.verifyTicket({ ticket: step.ticket, attemptId: step.attemptId });
      if (!result.ok)
        return failed({
          code: VERIFY_FAILURE_CODES.find((code) => code === result.code) ?? "verify_failed",
          message: result.message,
        });
      return { ok: true, answer: { kind: "verdict", status: result.evaluation.verdict.status } };
    }
  }
}

/**
 * The reply of an applied plan, in the plan's words plus what its last call answered. A plan whose
 * success names an answer its call does not give is a bug of the planner: it throws.
 */
function succeeded(success: Success, answer: Answer): CommandOutcome {
  if (success.say === "text") return { code: success.code, text: success.text };
  if (success.say === "verdict" && answer.kind === "verdict")
    return {
      code: `verdict_${answer.status}`,
      text: `evidence of attempt ${success.attempt} at ${success.sha.slice(0, 12)} verified: ${answer.status}`,
    };
  if (success.say === "grant" && answer.kind === "grant") {
    const granted = moreAttempts(success.granted);
    const { grant } = answer;
    return {
      code: "attempts_granted",
      text: grant
        ? `${success.ticket}: ${granted} granted (${grant.attemptsUsed} of ${grant.budget} used); back in the queue`
        : `${success.ticket}: ${granted} granted; back in the queue`,
    };
  }
  throw new Error(`command plan: a ${success.say} reply after a call that answered ${answer.kind}`);
}
