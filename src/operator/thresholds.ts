import type { Config } from "../config/schema.js";
import type { OutagePolicy } from "../domain/outage.js";
import type { OperatorThresholds } from "./port.js";

/** The operator's thresholds from the configuration (`operator:` and `evidence.pending_timeout_minutes`). */
export function operatorThresholdsFrom(config: Pick<Config, "operator" | "evidence">): OperatorThresholds {
  const o = config.operator;
  return {
    dispatchStaleMs: o.dispatch_stale_minutes * 60_000,
    needsInputUnansweredMs: o.needs_input_unanswered_hours * 3_600_000,
    inboxWaitingMs: o.inbox_waiting_minutes * 60_000,
    lostAttemptsWindowMs: o.lost_attempts_window_minutes * 60_000,
    evidencePendingMs: config.evidence.pending_timeout_minutes * 60_000,
    webhookFailureWindowMs: o.webhook_failure_window_minutes * 60_000,
  };
}

/** When a long-running loop's outage raises its alert, and when a `--loop` command gives up (`operator:`). */
export function outagePolicyFrom(config: Pick<Config, "operator">): OutagePolicy {
  const o = config.operator;
  return {
    alertAfterMs: o.outage_alert_seconds * 1000,
    limitMs: o.outage_limit_seconds === undefined ? null : o.outage_limit_seconds * 1000,
  };
}
