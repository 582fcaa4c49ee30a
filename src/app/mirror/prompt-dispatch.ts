import type { Octokit } from "@octokit/rest";
import type { TicketEventRow, TicketRow } from "../../db/schema.js";
import type { Lifecycle } from "../../lifecycle/index.js";

/** Events after which a ticket can be picked at once: created, answered, released, rejected, retried. */
export const RUNNABLE_REASONS: readonly string[] = [
  "created",
  "answered",
  "released",
  "rejected",
  "hold_released",
];

export interface PromptDispatchConfig {
  /** The dispatch workflow (file name or id) in the ticket's repository. */
  readonly workflow: string;
  readonly intervalMs: number;
}

/** Whether a batch of events made the ticket runnable now (a pure decision). */
export function becameRunnable(ticket: TicketRow, events: readonly TicketEventRow[]): boolean {
  return (
    ticket.state === "todo" && ticket.hold === null && events.some((e) => RUNNABLE_REASONS.includes(e.reason))
  );
}

/**
 * Sends the dispatch workflow a `workflow_dispatch`, at most once per repository per interval (the
 * rest are `coalesced`): work starts within a minute instead of at the next scheduled run. A call
 * that fails gives the interval's slot back, so a 5xx never swallows a prompt. The
 * workflow's concurrency group and the dispatch lease keep dispatch single-flight.
 */
export async function promptDispatch(
  deps: { lifecycle: Lifecycle; octokit: Octokit; config: PromptDispatchConfig },
  repository: string,
): Promise<"triggered" | "coalesced"> {
  const taken = await deps.lifecycle.app.dispatchSlot.claim({
    repository,
    intervalMs: deps.config.intervalMs,
  });
  if (!taken.ok) return "coalesced";
  const [owner = "", repo = ""] = repository.split("/");
  try {
    const { data } = await deps.octokit.rest.repos.get({ owner, repo });
    await deps.octokit.rest.actions.createWorkflowDispatch({
      owner,
      repo,
      workflow_id: deps.config.workflow,
      ref: data.default_branch,
    });
  } catch (error) {
    // Not sent: give the slot back, so the next runnable change (or this batch's retry) triggers.
    await deps.lifecycle.app.dispatchSlot.release({ repository, takenAt: taken.takenAt });
    throw error;
  }
  return "triggered";
}
