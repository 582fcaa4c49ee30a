/**
 * The history checker (Jepsen-style): pure functions over a run's recorded history (history.ts),
 * no I/O. Each invariant returns its violations, sorted into lost / duplicated / unexpected, and
 * what it explained instead (terminal states, enumerated explainable states, acted decisions).
 * The run passes when all three totals are 0.
 */
import type { History } from "./history.js";
import { checkLaunchedOnce, checkSingleLiveAttempt } from "./invariants/attempts.js";
import { checkNoStaleCompletion } from "./invariants/completions.js";
import { checkHistoryConsistent } from "./invariants/consistency.js";
import {
  CATEGORIES,
  type Category,
  type Finding,
  INVARIANTS,
  type InvariantName,
  type InvariantOutcome,
} from "./invariants/finding.js";
import { checkInboxActedOnce } from "./invariants/inbox.js";
import { checkIssueMirrored } from "./invariants/mirror.js";
import { checkTerminalOrExplainable } from "./invariants/terminal.js";
import { checkWebhooksHandled } from "./invariants/webhooks.js";

export type { Category, Finding, InvariantName } from "./invariants/finding.js";

const CHECKS: Readonly<Record<InvariantName, (history: History) => InvariantOutcome>> = {
  terminal_or_explainable: checkTerminalOrExplainable,
  single_live_attempt: checkSingleLiveAttempt,
  launched_once: checkLaunchedOnce,
  no_stale_completion: checkNoStaleCompletion,
  inbox_acted_once: checkInboxActedOnce,
  issue_mirrored: checkIssueMirrored,
  history_consistent: checkHistoryConsistent,
  webhooks_handled: checkWebhooksHandled,
};

export interface InvariantReport extends Record<Category, number> {
  readonly name: InvariantName;
  readonly description: string;
  readonly explained: Readonly<Record<string, number>>;
}

export interface CheckReport extends Record<Category, number> {
  readonly seed: number;
  readonly endedBy: History["endedBy"];
  readonly invariants: readonly InvariantReport[];
  readonly findings: readonly Finding[];
  /** Final states of the tickets by scripted kind, e.g. `{ ask: { done: 30 } }`. */
  readonly outcomes: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** Runs every invariant over the history. */
export function checkHistory(history: History): CheckReport {
  const findings: Finding[] = [];
  const invariants: InvariantReport[] = [];
  for (const name of Object.keys(CHECKS) as InvariantName[]) {
    const result = CHECKS[name](history);
    findings.push(...result.findings);
    invariants.push({
      name,
      description: INVARIANTS[name],
      ...countByCategory(result.findings),
      explained: result.explained,
    });
  }
  const outcomes: Record<string, Record<string, number>> = {};
  for (const ticket of history.tickets) {
    const kind = ticket.kind ?? "unknown";
    const byState = outcomes[kind] ?? {};
    byState[ticket.state] = (byState[ticket.state] ?? 0) + 1;
    outcomes[kind] = byState;
  }
  return {
    seed: history.seed,
    endedBy: history.endedBy,
    ...countByCategory(findings),
    invariants,
    findings,
    outcomes,
  };
}

function countByCategory(findings: readonly Finding[]): Record<Category, number> {
  const counts = { lost: 0, duplicated: 0, unexpected: 0 };
  for (const finding of findings) counts[finding.category] += 1;
  return counts;
}

/** The one-line verdict the harness prints and the test asserts on. */
export function summaryLine(report: CheckReport): string {
  return `lost=${report.lost} duplicated=${report.duplicated} unexpected=${report.unexpected} seed=${report.seed}`;
}

/** The report as text: the summary line, one line per invariant, ticket outcomes, the first findings. */
export function formatReport(report: CheckReport, maxFindings = 30): string {
  const lines = [summaryLine(report), `ended: ${report.endedBy}`];
  for (const inv of report.invariants) {
    const counts = CATEGORIES.map((c) => `${c}=${inv[c]}`).join(" ");
    const explained = Object.entries(inv.explained)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}=${v}`)
      .join(" ");
    lines.push(`  ${inv.name.padEnd(24)} ${counts}${explained ? `  (${explained})` : ""}`);
  }
  lines.push("  outcomes by kind:");
  for (const [kind, states] of Object.entries(report.outcomes).sort(([a], [b]) => a.localeCompare(b)))
    lines.push(
      `    ${kind.padEnd(8)} ${Object.entries(states)
        .map(([s, n]) => `${s}=${n}`)
        .join(" ")}`,
    );
  for (const finding of report.findings.slice(0, maxFindings))
    lines.push(`  ! ${finding.category} ${finding.invariant} ${finding.subject}: ${finding.message}`);
  if (report.findings.length > maxFindings)
    lines.push(`  … and ${report.findings.length - maxFindings} more`);
  return lines.join("\n");
}
