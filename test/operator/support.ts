import type { Database } from "../../src/db/database.js";
import type { Lifecycle } from "../../src/lifecycle/index.js";
import { runOperatorPass } from "../../src/operator/pass.js";
import type { OperatorThresholds } from "../../src/operator/port.js";
import type { Snapshot } from "../../src/operator/snapshot.js";
import { snapshotReader } from "../../src/operator/snapshot.js";

export const thresholds: OperatorThresholds = {
  dispatchStaleMs: 30 * 60_000,
  needsInputUnansweredMs: 24 * 3_600_000,
  inboxWaitingMs: 60 * 60_000,
  lostAttemptsWindowMs: 60 * 60_000,
  evidencePendingMs: 120 * 60_000,
  webhookFailureWindowMs: 60 * 60_000,
};

/** One operator pass composed as `mctl operate` composes it: read-only reader + the alert port. */
export function operate(db: Database, lifecycle: Lifecycle) {
  return runOperatorPass({
    reader: snapshotReader(db),
    port: { recordPass: lifecycle.alerts.recordPass },
    thresholds,
    now: () => lifecycle.clock.now(),
  });
}

export function emptySnapshot(overrides: Partial<Snapshot> = {}): Snapshot {
  const enabled = { enabled: true, changedBy: null, reason: null };
  return {
    now: new Date("2026-01-01T12:00:00Z"),
    tasks: { dispatch: enabled, operate: enabled, orchestrate: enabled, redeliver: enabled },
    lastCycle: { startedAt: new Date("2026-01-01T11:59:00Z"), outcome: "completed", workerCountErrors: [] },
    queued: 0,
    lostAttempts: [],
    overdueAttempts: [],
    unansweredQuestions: [],
    waitingItems: [],
    pendingEvidence: [],
    failedDeliveries: [],
    ...overrides,
  };
}
