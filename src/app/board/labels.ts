import type { TicketState } from "../../domain/ticket-states.js";

/** Column and state names as people read them. */
export const STATE_LABELS: Readonly<Record<TicketState, string>> = {
  todo: "To do",
  in_progress: "In progress",
  needs_input: "Needs input",
  verifying: "Verifying",
  in_review: "In review",
  done: "Done",
  cancelled: "Cancelled",
};

/** A stored dispatch decision (JSON), as far as the board shows it: its reason code, subject and why. */
export interface DecisionLine {
  readonly code: string;
  readonly ticket: string | null;
  readonly detail: string;
}

const str = (value: unknown): string | null => (typeof value === "string" && value ? value : null);

/** `changed by alice` from a stored claim conflict's last change, if it has a readable one. */
function changedBy(value: unknown): string | null {
  if (typeof value !== "object" || value === null) return null;
  const actor = (value as Record<string, unknown>).actor;
  const id = typeof actor === "object" && actor ? str((actor as Record<string, unknown>).id) : null;
  return id ? `changed by ${id}` : null;
}

/**
 * One line per stored decision. Decisions are JSON written by the dispatcher (src/dispatch/decisions.ts);
 * anything unexpected is shown by its code, never trusted to have a shape.
 */
export function decisionLine(decision: unknown): DecisionLine {
  if (typeof decision !== "object" || decision === null) return { code: "unknown", ticket: null, detail: "" };
  const d = decision as Record<string, unknown>;
  const code = str(d.code) ?? "unknown";
  const ticket = str(d.ticket);
  let detail = "";
  switch (code) {
    case "skipped_policy":
      detail = str(d.rule) ?? "";
      break;
    case "claimed":
      detail = str(d.worker) ? `for ${str(d.worker)}` : "";
      break;
    case "claim_conflict":
      detail = [str(d.state) ? `now ${str(d.state)}` : null, changedBy(d.changedBy)]
        .filter(Boolean)
        .join(", ");
      break;
    case "no_slot":
      detail = typeof d.freeSlots === "number" ? `${d.freeSlots} slots free` : "";
      break;
    case "repository_full":
      detail = [
        str(d.repository),
        typeof d.maxWorkers === "number" && typeof d.workers === "number"
          ? `${d.workers} of ${d.maxWorkers} workers`
          : null,
      ]
        .filter(Boolean)
        .join(": ");
      break;
    case "batch_limit":
      detail = typeof d.batchSize === "number" ? `batch_size ${d.batchSize} reached` : "";
      break;
    case "blocked":
      detail = Array.isArray(d.blockers)
        ? `by ${d.blockers.filter((b) => typeof b === "string").join(", ")}`
        : "";
      break;
    case "backing_off":
      detail = str(d.until) ? `until ${str(d.until)}` : "";
      break;
    case "max_attempts":
      detail =
        typeof d.attempts !== "number"
          ? ""
          : typeof d.budget === "number"
            ? `${d.attempts} of ${d.budget} attempts used`
            : `${d.attempts} attempts`;
      break;
    case "lock_held":
      detail = str(d.holder) ? `held by ${str(d.holder)}` : "";
      break;
    case "launch_failed":
      detail = str(d.error) ?? "";
      break;
    case "lease_lost":
      detail =
        typeof d.fencingToken === "number" ? `fencing token ${d.fencingToken} lost` : (str(d.message) ?? "");
      break;
    case "paused":
      detail = [str(d.by) ? `by ${str(d.by)}` : null, str(d.reason)].filter(Boolean).join(": ");
      break;
    case "worker_count_unavailable":
      detail = str(d.repository) ? `${str(d.repository)}: ` : "";
      detail += Array.isArray(d.errors)
        ? d.errors
            .map((e) => (typeof e === "object" && e ? str((e as Record<string, unknown>).source) : null))
            .filter(Boolean)
            .join(", ")
        : "";
      break;
    default:
      detail = "";
  }
  return { code, ticket, detail };
}
