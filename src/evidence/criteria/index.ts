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
import { criterion as evidence, type EvidenceReason } from "./evidence.js";
import { criterion as merged, type MergedReason } from "./merged.js";
import { criterion as policy, type PolicyReason } from "./policy.js";
import { criterion as requiredChecks, type RequiredCheckReason } from "./required-checks.js";
import {
  criterion as requiredEnvironments,
  type RequiredEnvironmentReason,
} from "./required-environments.js";
import { criterion as requiredStatuses, type RequiredStatusReason } from "./required-statuses.js";
import { criterion as tests, type TestsReason } from "./tests.js";

export const CRITERIA: readonly EvidenceCriterion[] = [
  attempt,
  evidence,
  policy,
  commit,
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
  | RequiredCheckReason
  | RequiredStatusReason
  | RequiredEnvironmentReason
  | TestsReason;
