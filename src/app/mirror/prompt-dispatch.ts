import type { Octokit } from "@octokit/rest";
import type { TicketEventRow, TicketRow } from "../../db/schema.js";
import type { Clock, Store } from "../../store/index.js";

/** Events after which a `todo` ticket can be picked at once: created, answered, released, rejected, retried. */
export const RUNNABLE_REASONS: readonly string[] = [
  "created",
  "answered",
  "released",
  "rejected",
  "hold_released",
];

export interface PromptDispatchConfig {
  /** The dispatch workflow (file name or id) in the repository `repositoryFor` names. */
  readonly workflow: string;
  readonly intervalMs: number;
  /**
   * Where a ticket's dispatch workflow lives: the app names its owner's control repository
   * (`<owner>/<app.control_repository_name>`). Absent: the ticket's own repository (local setups).
   */
  readonly repositoryFor?: (ticketRepository: string) => string;
}

/**
 * Whether a batch of events made the ticket runnable (a pure decision): now (it is `todo` after one
 * of RUNNABLE_REASONS), or at the dispatcher's next cycle (its question was answered: the cycle puts
 * an answered `needs_input` ticket back in the queue and may claim it at once).
 */
export function becameRunnable(ticket: TicketRow, events: readonly TicketEventRow[]): boolean {
  if (ticket.hold !== null) return false;
  if (ticket.state === "needs_input") return events.some((e) => e.reason === "answered");
  return ticket.state === "todo" && events.some((e) => RUNNABLE_REASONS.includes(e.reason));
}

/**
 * Sends the dispatch workflow a `workflow_dispatch`, at most once per repository per interval (the
 * rest are `coalesced`): work starts within a minute instead of at the next scheduled run. A call
 * that fails gives the interval's slot back, so a 5xx never swallows a prompt. The
 * workflow's concurrency group and the dispatch lease keep dispatch single-flight.
 */
export async function promptDispatch(
  deps: { slots: Store["dispatchSlot"]; clock: Clock; octokit: Octokit; config: PromptDispatchConfig },
  repository: string,
): Promise<"triggered" | "coalesced"> {
  const taken = await deps.slots.claim({
    repository,
    intervalMs: deps.config.intervalMs,
  });
  if (!taken.ok) return "coalesced";
  const [owner = "", repo = ""] = repository.split("/");
  const branches = defaultBranchesOf(deps.config);
  const nowMs = deps.clock.now().getTime();
  try {
    let ref = branches.get(repository);
    if (!ref || ref.until <= nowMs) {
      const { data } = await deps.octokit.rest.repos.get({ owner, repo });
      ref = { branch: data.default_branch, until: nowMs + DEFAULT_BRANCH_TTL_MS };
      branches.set(repository, ref);
    }
    await deps.octokit.rest.actions.createWorkflowDispatch({
      owner,
      repo,
      workflow_id: deps.config.workflow,
      ref: ref.branch,
    });
  } catch (error) {
    // Not sent: give the slot back, so the next runnable change (or this batch's retry) triggers,
    // and read the default branch again then (it may have been renamed).
    branches.delete(repository);
    await deps.slots.release({ repository, takenAt: taken.takenAt });
    throw error;
  }
  return "triggered";
}

/** How long a repository's default branch is trusted without reading the repository again. */
const DEFAULT_BRANCH_TTL_MS = 3_600_000;

/**
 * Default branches by repository, one memo per configured mirror (its `dispatch` settings object
 * lives as long as the mirror loop): a prompt costs one request instead of two.
 */
const defaultBranches = new WeakMap<PromptDispatchConfig, Map<string, { branch: string; until: number }>>();

function defaultBranchesOf(config: PromptDispatchConfig): Map<string, { branch: string; until: number }> {
  let memo = defaultBranches.get(config);
  if (!memo) {
    memo = new Map();
    defaultBranches.set(config, memo);
  }
  return memo;
}
