import { type EvidenceCriterion, make } from "../criterion.js";
import type { SubjectFacts } from "../facts.js";
import type { Criterion } from "../types.js";

export type AttemptReason =
  | "attempt_not_current"
  | "attempt_not_completed"
  | "ticket_not_verifying"
  | "current_attempt";

/**
 * The attempt must be the ticket's current one and must have ended by claiming completion while it
 * still held its lease (the lifecycle fenced that), and the ticket must still be waiting in
 * `verifying`. A lost, failed or superseded attempt's evidence proves nothing.
 */
export function attemptCriterion(subject: SubjectFacts): Criterion {
  const base = { id: "attempt", title: "attempt is current and valid" } as const;
  const { ticket, attempt } = subject;
  if (ticket.currentAttemptId !== attempt.id)
    return make({
      ...base,
      status: "fail",
      reason: "attempt_not_current",
      message: `attempt #${attempt.number} (${attempt.id}) is not ${ticket.key}'s current attempt (it is ${attempt.status})`,
    });
  if (attempt.status !== "completed" || attempt.outcomeReason !== "completion_claimed")
    return make({
      ...base,
      status: "fail",
      reason: "attempt_not_completed",
      message: `attempt #${attempt.number} is ${attempt.status}, not a completion claimed within its lease`,
    });
  if (ticket.state !== "verifying")
    return make({
      ...base,
      status: "fail",
      reason: "ticket_not_verifying",
      message: `${ticket.key} is ${ticket.state}, not verifying`,
    });
  return make({
    ...base,
    status: "pass",
    reason: "current_attempt",
    message: `attempt #${attempt.number} of ${ticket.key}`,
  });
}

export const criterion: EvidenceCriterion = {
  name: "attempt",
  triggers: [],
  notRetriggered:
    "the ticket and attempt are Mission Control's own records: a later attempt is verified when it completes",
  judgedWhen: "always",
  evaluate: (facts) => [attemptCriterion(facts.subject)],
};
