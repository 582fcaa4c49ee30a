import { formatTable } from "./output.js";
import type { CycleRecord, Decision } from "../dispatch/decisions.js";

/** One human line per decision: the code, its subject and why. */
export function describeDecision(decision: Decision): [string, string, string] {
  switch (decision.code) {
    case "claimed":
      return [
        decision.code,
        decision.ticket,
        `attempt ${decision.attempt} for ${decision.worker} (${decision.launchKey})`,
      ];
    case "skipped_policy":
      return [decision.code, decision.ticket, `${decision.rule}: ${decision.message}`];
    case "claim_conflict":
      return [
        decision.code,
        decision.ticket,
        `now ${decision.state}${
          decision.holder
            ? `, held by ${decision.holder.worker}`
            : decision.changedBy
              ? `, changed by ${decision.changedBy.actor.id} (${decision.changedBy.reason}) at ${decision.changedBy.at}`
              : ""
        }`,
      ];
    case "no_slot":
      return [decision.code, decision.ticket, `no free worker slot (${decision.freeSlots} free this cycle)`];
    case "repository_full":
      return [
        decision.code,
        decision.ticket ?? "-",
        `${decision.repository} has ${decision.workers} of its ${decision.maxWorkers} workers; its tickets wait`,
      ];
    case "batch_limit":
      return [
        decision.code,
        decision.ticket,
        `batch_size ${decision.batchSize} claimed this cycle (${decision.freeSlots} slots free); the next cycle goes on`,
      ];
    case "blocked":
      return [decision.code, decision.ticket, `waiting for ${decision.blockers.join(", ")}`];
    case "backing_off":
      return [decision.code, decision.ticket, `retry after ${decision.until}`];
    case "max_attempts":
      return [
        decision.code,
        decision.ticket,
        `${decision.attempts} of ${decision.budget} attempts used; held for a decision`,
      ];
    case "requeued_needs_input":
      return [decision.code, decision.ticket, "answered; back to todo"];
    case "lease_expired":
      return [decision.code, decision.ticket, `attempt ${decision.attempt} lost its lease`];
    case "lock_held":
      return [decision.code, "-", `dispatch lease held by ${decision.holder} until ${decision.until}`];
    case "worker_count_unavailable":
      return [
        decision.code,
        "-",
        `${decision.repository ? `${decision.repository} gets no claims: ` : ""}${decision.errors.map((e) => `${e.source}: ${e.message}`).join("; ")}`,
      ];
    case "launch_failed":
      return [decision.code, decision.ticket, `attempt ${decision.attempt}: ${decision.error}`];
    case "lease_lost":
      return [
        decision.code,
        "-",
        `${decision.message}${decision.fencingToken === null ? "" : ` (fencing token ${decision.fencingToken} lost)`}`,
      ];
    case "paused":
      return [
        decision.code,
        "-",
        `dispatch is paused${decision.by ? ` by ${decision.by}` : ""}${decision.reason ? `: ${decision.reason}` : ""}; nothing claimed (mctl maintenance resume dispatch)`,
      ];
    case "scan_limit_reached":
      return [
        decision.code,
        "-",
        `examined ${decision.scanned} queued tickets${decision.repository ? ` of ${decision.repository}` : ""}; the rest wait for the next cycle`,
      ];
    case "launch_config_error":
      return [decision.code, decision.ticket, `${decision.error}; fix: ${decision.fix}`];
    case "cycle_failed":
      return [decision.code, "-", `the cycle failed in its ${decision.phase} phase: ${decision.error}`];
  }
}

export function summaryLine(record: CycleRecord): string {
  const counts = Object.entries(record.counts)
    .map(([key, value]) => `${key}=${value}`)
    .join(" ");
  const ms = record.finishedAt.getTime() - record.startedAt.getTime();
  return `dispatch${record.scope ? ` (${record.scope})` : ""} ${record.outcome}${record.dryRun ? " (dry run, nothing written)" : ""} by ${record.holder} in ${ms} ms: ${counts || "nothing to do"}`;
}

export function formatCycle(record: CycleRecord): string {
  const rows = record.decisions.map(describeDecision);
  const table = rows.length ? `${formatTable(["decision", "ticket", "detail"], rows)}\n` : "";
  return `${table}${summaryLine(record)}\n`;
}

/** GitHub Actions job summary (Markdown), appended to $GITHUB_STEP_SUMMARY by the command. */
export function cycleMarkdown(record: CycleRecord): string {
  const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");
  const rows = record.decisions.map(describeDecision).map((cells) => `| ${cells.map(cell).join(" | ")} |`);
  return [
    `### Mission Control dispatch: ${record.outcome}`,
    "",
    summaryLine(record),
    "",
    ...(rows.length ? ["| decision | ticket | detail |", "| --- | --- | --- |", ...rows, ""] : []),
  ].join("\n");
}
