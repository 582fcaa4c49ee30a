/** The evidence verifier: completion proven by GitHub facts, published as a check run. */
export { type AttemptEvidence, parseAttemptEvidence } from "./attempt-evidence.js";
export { publishCheckRun, renderCheckRun } from "./check-run.js";
export { CRITERIA, type CriterionReason } from "./criteria/index.js";
export type { CommitFacts, CriterionFacts, EvidenceCriterion } from "./criterion.js";
export type * from "./facts.js";
export { DEFAULT_RETRY, GitHubReader, type ReadStats, type RetryPolicy } from "./github-reader.js";
export { type CachedResponse, databaseHttpCache, type HttpCache, memoryHttpCache } from "./http-cache.js";
export { type PendingTooLong, pendingTooLong } from "./pending-report.js";
export { type PublicationPlan, planPublication } from "./publication-plan.js";
export type * from "./types.js";
export { buildVerdict, overallStatus, verdictOf } from "./verdict.js";
export {
  createVerifier,
  type Evaluation,
  VERIFIER,
  type Verifier,
  type VerifierDeps,
  type VerifyRefusalCode,
  type VerifyResult,
} from "./verifier.js";
export type { VerifierEvidenceStore, VerifierLifecycle } from "./verifier-port.js";
export { EVIDENCE_EVENTS, type EvidenceTargets, evidenceTargets } from "./webhook-targets.js";
