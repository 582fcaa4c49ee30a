/**
 * Operator findings and alerts.
 *
 * Terminology
 * - condition: a named health check (`dispatch_stale` …), a pure function over a snapshot.
 * - finding: one condition holding for one subject now; its fingerprint is `condition:subject`.
 * - alert: the stored, long-lived side of a fingerprint: `open` while findings keep arriving,
 *   `resolved` when a pass that checked its condition no longer finds it. A finding whose alert is
 *   resolved reopens that same alert and increments its recurrence count — there is no time window
 *   in which a returning condition is suppressed (an earlier control plane hid alerts for hours).
 */
/** The operator pass's conditions (src/operator/conditions.ts): each pass checks all of them. */
export const OPERATOR_CONDITIONS = [
  "dispatch_stale",
  "dispatch_paused_with_backlog",
  "worker_count_unavailable",
  "attempts_lost",
  "attempt_lease_overdue",
  "needs_input_unanswered",
  "inbox_waiting",
  "evidence_pending",
  "webhook_deliveries_failing",
] as const;

/**
 * The app's installation self-check (src/operator/installation.ts): what an owner must fix in its
 * repositories or its control repository. Checked on start and hourly, not by the operator pass.
 */
export const INSTALLATION_CONDITIONS = [
  "agent_workflow_missing",
  "default_branch_unprotected",
  "required_check_never_seen",
  "dispatch_workflow_silent",
] as const;

/**
 * Conditions raised where they happen rather than found by the operator's checks (so an operator
 * pass, which resolves the conditions it checked and did not find, leaves them alone):
 * `launch_config_error` is raised by the dispatcher when a launch fails for configuration, and
 * resolved by its next launch in that repository that succeeds; `outage` is raised by a long-running
 * loop (`mctl dispatch --loop`, `mctl orchestrate --loop`, the app's periodic tasks) whose work has
 * failed transiently for longer than `operator.outage_alert_seconds`, and resolved by that loop once
 * it has worked again for as long (src/domain/outage.ts).
 */
export const RAISED_ALERT_CONDITIONS = ["launch_config_error", "outage"] as const;

/** Every condition an alert may be of. */
export const ALERT_CONDITIONS = [
  ...OPERATOR_CONDITIONS,
  ...INSTALLATION_CONDITIONS,
  ...RAISED_ALERT_CONDITIONS,
] as const;
export type AlertCondition = (typeof ALERT_CONDITIONS)[number];
export type RaisedAlertCondition = (typeof RAISED_ALERT_CONDITIONS)[number];

export const ALERT_SEVERITIES = ["warning", "critical"] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

export const ALERT_STATUSES = ["open", "resolved"] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** A semantic decision the operator asks for (it files an inbox item; it never decides itself). */
export interface DecisionRequest {
  /** The ticket the decision is about. */
  readonly ticketKey: string;
  readonly question: string;
}

export interface Finding {
  readonly condition: AlertCondition;
  /** What the finding is about: a ticket key, an inbox item, `dispatch` … */
  readonly subject: string;
  readonly severity: AlertSeverity;
  readonly message: string;
  readonly detail: Readonly<Record<string, unknown>>;
  readonly decision?: DecisionRequest;
}

export function fingerprintOf(finding: Pick<Finding, "condition" | "subject">): string {
  return `${finding.condition}:${finding.subject}`;
}

/** What recording a pass did to one alert. */
export type AlertChangeKind = "opened" | "updated" | "reopened" | "resolved";

export interface AlertChange {
  readonly change: AlertChangeKind;
  readonly alertId: number;
  readonly fingerprint: string;
  readonly recurrence: number;
  readonly seenCount: number;
  readonly message: string;
}

/** What recording one operator pass did: alert changes and the inbox items it filed. */
export interface OperatorPassRecord {
  readonly changes: readonly AlertChange[];
  readonly filed: readonly {
    readonly itemId: number;
    readonly idempotencyKey: string;
    readonly created: boolean;
  }[];
}
