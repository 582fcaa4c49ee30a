import {
  OPERATOR_CONDITIONS,
  type AlertChange,
  type Finding,
  type OperatorPassRecord,
} from "../domain/alerts.js";
import { evaluateConditions } from "./conditions.js";
import type { OperatorPort, OperatorThresholds, SnapshotReader } from "./port.js";
import type { TaskFlag } from "./snapshot.js";

export interface OperatorDeps {
  readonly reader: SnapshotReader;
  readonly port: OperatorPort;
  readonly thresholds: OperatorThresholds;
  readonly now: () => Date;
}

export type OperatorReport =
  | { readonly status: "paused"; readonly setting: TaskFlag }
  | {
      readonly status: "completed";
      readonly findings: readonly Finding[];
      readonly changes: readonly AlertChange[];
      readonly filed: OperatorPassRecord["filed"];
    };

/**
 * One operator pass: read a snapshot, evaluate every condition (pure), record the findings as
 * alerts through the port. If the snapshot cannot be read, nothing is recorded, so no alert is
 * resolved by a check that did not run.
 */
export async function runOperatorPass(deps: OperatorDeps): Promise<OperatorReport> {
  const snapshot = await deps.reader.read(deps.now(), deps.thresholds);
  if (!snapshot.tasks.operate.enabled) return { status: "paused", setting: snapshot.tasks.operate };
  const findings = evaluateConditions(snapshot, deps.thresholds);
  const record = await deps.port.recordPass({ findings, checked: OPERATOR_CONDITIONS });
  return { status: "completed", findings, changes: record.changes, filed: record.filed };
}
