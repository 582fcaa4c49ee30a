import type { BackoffPolicy } from "../domain/backoff.js";
import type { AppConfig, DispatchConfig, EvidenceConfig } from "./schema.js";

/** `dispatch.backoff` in milliseconds: the retry back-off of attempts, and of the app's GitHub work. */
export function backoffFrom(d: Pick<DispatchConfig, "backoff">): BackoffPolicy {
  return { baseMs: d.backoff.base_seconds * 1000, capMs: d.backoff.cap_seconds * 1000 };
}

/** What a worker's report needs from `dispatch:`: the attempt lease it renews and the back-off of a retry. */
export function attemptPolicyFrom(d: Pick<DispatchConfig, "backoff" | "attempt_lease_seconds">): {
  readonly leaseMs: number;
  readonly backoff: BackoffPolicy;
} {
  return { leaseMs: d.attempt_lease_seconds * 1000, backoff: backoffFrom(d) };
}

/** What the evidence verifier needs from the configuration: the back-off of a failed verdict and the missing-commit grace. */
export function verifierSettingsFrom(c: {
  readonly dispatch: Pick<DispatchConfig, "backoff">;
  readonly evidence: Pick<EvidenceConfig, "missing_commit_grace_seconds">;
}): { readonly backoff: BackoffPolicy; readonly missingCommitGraceMs: number } {
  return {
    backoff: backoffFrom(c.dispatch),
    missingCommitGraceMs: c.evidence.missing_commit_grace_seconds * 1000,
  };
}

/** `app.mirror`'s retry back-off in milliseconds: the mirror's and the evidence re-evaluations' failed work. */
export function mirrorRetryFrom(
  m: Pick<AppConfig["mirror"], "retry_base_seconds" | "retry_cap_seconds">,
): BackoffPolicy {
  return { baseMs: m.retry_base_seconds * 1000, capMs: m.retry_cap_seconds * 1000 };
}
