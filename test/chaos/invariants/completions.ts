import type { History } from "../history.js";
import { replayAttempts, ticketKeys } from "./attempts.js";
import { type Finding, groupBy, type InvariantOutcome, outcome } from "./finding.js";

/** Events that accept a completion (the ticket leaves `verifying` as done or for review). */
const ACCEPTANCES: ReadonlySet<string> = new Set(["accepted", "accepted_for_review"]);

/**
 * Nothing claimed done without proof: a completion is claimed only by the live attempt; an
 * acceptance names the attempt whose completion is the latest, that attempt really ended
 * `completed`, its latest verdict before the acceptance was `pass`, and GitHub shows its commit with
 * a successful CI run. A ticket whose agent always fails is never done, and none is accepted twice.
 */
export function checkNoStaleCompletion(history: History): InvariantOutcome {
  const result = outcome();
  const keyOf = ticketKeys(history);
  const add = (category: Finding["category"], subject: string, message: string) =>
    result.findings.push({ invariant: "no_stale_completion", category, subject, message });
  const attempts = new Map(history.attempts.map((a) => [a.id, a]));
  const verdicts = groupBy(history.verdicts, (v) => v.attemptId);
  const commits = new Map(history.commits.map((c) => [c.sha, c]));
  const tickets = new Map(history.tickets.map((t) => [t.id, t]));

  for (const [ticketId, events] of groupBy(history.events, (e) => e.ticketId)) {
    const key = keyOf(ticketId);
    let lastCompletion: string | null = null;
    let acceptances = 0;
    for (const { event, liveBefore } of replayAttempts(events)) {
      if (event.reason === "claimed") lastCompletion = null;
      if (event.reason === "completion_claimed") {
        if (event.attemptId !== liveBefore)
          add(
            "unexpected",
            key,
            `completion claimed (event ${event.id}) by attempt ${event.attemptId}, which was not live (live: ${liveBefore ?? "none"})`,
          );
        lastCompletion = event.attemptId;
      }
      if (!ACCEPTANCES.has(event.reason)) continue;
      acceptances += 1;
      const attemptId = event.attemptId;
      if (!attemptId || attemptId !== lastCompletion) {
        add(
          "unexpected",
          key,
          `${event.reason} (event ${event.id}) names attempt ${attemptId ?? "none"}, not the latest completion (${lastCompletion ?? "none"})`,
        );
        continue;
      }
      const attempt = attempts.get(attemptId);
      if (attempt?.status !== "completed" || attempt.outcomeReason !== "completion_claimed")
        add(
          "unexpected",
          key,
          `${event.reason} of attempt ${attemptId}, which ended ${attempt?.status ?? "unknown"} (${attempt?.outcomeReason ?? "no outcome"})`,
        );
      const before = (verdicts.get(attemptId) ?? []).filter(
        (v) => v.evaluatedAt.getTime() <= event.at.getTime(),
      );
      const latest = before.sort((a, b) => a.id - b.id).at(-1);
      if (latest?.status !== "pass")
        add(
          "unexpected",
          key,
          `${event.reason} of attempt ${attemptId} while its latest verdict was ${latest?.status ?? "missing"}`,
        );
      const sha = attempt?.evidenceSha ?? null;
      const commit = sha ? commits.get(sha) : undefined;
      if (!commit)
        add(
          "unexpected",
          key,
          `${event.reason} of attempt ${attemptId}: its commit ${sha ?? "(none)"} is not on GitHub`,
        );
      else if (!commit.ci.includes("success"))
        add(
          "unexpected",
          key,
          `${event.reason} of attempt ${attemptId}: CI on ${sha} concluded ${commit.ci.join(", ") || "nothing"}`,
        );
    }
    if (acceptances > 1) add("duplicated", key, `accepted ${acceptances} times`);
    const ticket = tickets.get(ticketId);
    if (ticket?.kind === "fail" && (ticket.state === "done" || ticket.state === "in_review"))
      add("unexpected", key, `its agent always fails, yet it is ${ticket.state}`);
  }
  return result;
}
