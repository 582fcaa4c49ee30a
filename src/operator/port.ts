/**
 * What the operator is given, and nothing more (DESIGN.md "Operator"; failures 6 and 9):
 * - a SnapshotReader: reads only, inside a READ ONLY transaction;
 * - an OperatorPort: records findings as alerts and files inbox items for decisions.
 * No ticket transition, attempt, claim or task-setting write is reachable from src/operator
 * (test/operator/architecture.test.ts walks the imports to prove it).
 */
import type { AlertCondition, Finding, OperatorPassRecord } from "../domain/alerts.js";
import type { Snapshot } from "./snapshot.js";

export interface OperatorThresholds {
  readonly dispatchStaleMs: number;
  readonly needsInputUnansweredMs: number;
  readonly inboxWaitingMs: number;
  readonly lostAttemptsWindowMs: number;
  readonly evidencePendingMs: number;
  /** Webhook deliveries that failed within this window and were not handled since are reported. */
  readonly webhookFailureWindowMs: number;
}

export interface SnapshotReader {
  read(now: Date, thresholds: OperatorThresholds): Promise<Snapshot>;
}

export interface OperatorPort {
  recordPass(input: {
    findings: readonly Finding[];
    checked: readonly AlertCondition[];
  }): Promise<OperatorPassRecord>;
}
