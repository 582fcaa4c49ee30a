import type { EvidenceVerdictRow } from "../db/schema.js";

/** One verdict pending for too long: what the operator is told (fingerprint = condition + subject). */
export interface PendingTooLong {
  readonly fingerprint: string;
  readonly ticket: string;
  readonly attemptId: string;
  readonly repository: string;
  readonly sha: string | null;
  readonly pendingSince: Date;
  readonly pendingMinutes: number;
  /** The criteria still pending, `id: message`. */
  readonly waitingFor: readonly string[];
  readonly checkRunId: number | null;
}

/** Pure: latest pending verdicts + now + the limit → the report, longest-waiting first. */
export function pendingTooLong(
  rows: readonly { verdict: EvidenceVerdictRow; ticketKey: string }[],
  now: Date,
  timeoutMinutes: number,
): PendingTooLong[] {
  return rows
    .filter(({ verdict }) => verdict.status === "pending" && verdict.pendingSince !== null)
    .map(({ verdict, ticketKey }) => {
      const since = verdict.pendingSince ?? now;
      const waitingFor = (verdict.criteria as { id?: string; status?: string; message?: string }[])
        .filter((c) => c.status === "pending")
        .map((c) => `${c.id}: ${c.message}`);
      return {
        fingerprint: `evidence_pending_too_long:${ticketKey}:${verdict.attemptId}`,
        ticket: ticketKey,
        attemptId: verdict.attemptId,
        repository: verdict.repository,
        sha: verdict.sha,
        pendingSince: since,
        pendingMinutes: Math.floor((now.getTime() - since.getTime()) / 60_000),
        waitingFor,
        checkRunId: verdict.checkRunId,
      };
    })
    .filter((item) => item.pendingMinutes >= timeoutMinutes)
    .sort((a, b) => a.pendingSince.getTime() - b.pendingSince.getTime());
}
