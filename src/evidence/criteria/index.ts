/**
 * The registry of evidence criteria: one file per criterion in this folder, listed here in the
 * order their rows appear in a verdict and its check run. The verdict (src/evidence/verdict.ts),
 * the webhook events that re-evaluate verdicts (src/evidence/webhook-targets.ts) and the check
 * run's text (src/evidence/check-run.ts) read this list; none of them names a criterion.
 * How to add one: docs/evidence.md, "How to add an evidence criterion".
 */
import type { EvidenceCriterion } from "../criterion.js";
import { type AttemptReason, criterion as attempt } from "./attempt.js";
import { type CommitReason, criterion as commit } from "./commit.js";
import { type EvidenceReason, criterion as evidence } from "./evidence.js";
import { type MergedReason, criterion as merged } from "./merged.js";
import { type NewWorkReason, criterion as newWork } from "./new-work.js";
import { type PolicyReason, criterion as policy } from "./policy.js";
import { type RequiredCheckReason, criterion as requiredChecks } from "./required-checks.js";
import {
  type RequiredEnvironmentReason,
  criterion as requiredEnvironments,
} from "./required-environments.js";
import { type RequiredStatusReason, criterion as requiredStatuses } from "./required-statuses.js";
import { type TestsReason, criterion as tests } from "./tests.js";

export const CRITERIA: readonly EvidenceCriterion[] = [
  attempt,
  evidence,
  policy,
  commit,
  newWork,
  merged,
  requiredChecks,
  requiredStatuses,
  requiredEnvironments,
  tests,
];

/** Every reason code a criterion can give (`Criterion.reason`). */
export type CriterionReason =
  | AttemptReason
  | EvidenceReason
  | PolicyReason
  | CommitReason
  | MergedReason
  | NewWorkReason
  | RequiredCheckReason
  | RequiredStatusReason
  | RequiredEnvironmentReason
  | TestsReason;
