/**
 * Terminology of the dispatcher
 * - cycle: one run of `mctl dispatch`: lease → count → expire → needs-input → pick → claim → launch → record.
 * - decision: what the cycle did or declined to do about one subject, with a reason code. The codes
 *   are distinct on purpose (an earlier control plane reported policy refusals as "already claimed"):
 *   `skipped_policy` names the rule, `claim_conflict` names the holder or the last change, and
 *   `no_slot` (the workers are full) is never used for `batch_limit` (this cycle claimed enough).
 * - slot: room for one more live attempt under `max_workers` (the global one, and the ticket's
 *   repository's own): `repository_full` is the repository at its own cap while the workers had room.
 * - scope: the tickets a cycle dispatches: every ticket (local mode), or one owner's (`--owner`).
 */
import type { Actor } from "../domain/actors.js";
import type { Holder } from "../lifecycle/index.js";

export type Decision =
  | { code: "claimed"; ticket: string; attempt: string; worker: string; launchKey: string }
  | { code: "skipped_policy"; ticket: string; rule: string; message: string }
  | {
      code: "claim_conflict";
      ticket: string;
      message: string;
      state: string;
      holder: Holder | null;
      /** Who changed the ticket last and when (ISO); names the winner when no attempt holds it. */
      changedBy: { actor: Actor; reason: string; at: string } | null;
    }
  | { code: "no_slot"; ticket: string; freeSlots: number }
  /**
   * The repository has `workers` live attempts of its own `maxWorkers`; `ticket` is the first one
   * that found no slot in it (absent when the repository was full before its queue was read).
   */
  | { code: "repository_full"; repository: string; workers: number; maxWorkers: number; ticket?: string }
  /** The cycle claimed `batch_size` tickets although workers had `freeSlots` free: the next cycle goes on. */
  | { code: "batch_limit"; ticket: string; batchSize: number; freeSlots: number }
  | { code: "blocked"; ticket: string; blockers: string[] }
  | { code: "backing_off"; ticket: string; until: string }
  /** `budget`: `max_attempts` plus the attempts people granted the ticket. */
  | { code: "max_attempts"; ticket: string; attempts: number; budget: number }
  | { code: "requeued_needs_input"; ticket: string }
  | { code: "lease_expired"; ticket: string; attempt: string }
  | { code: "lock_held"; holder: string; until: string }
  /** `repository`: only that repository's count failed (it gets no claims); absent: the cycle's. */
  | {
      code: "worker_count_unavailable";
      errors: { source: string; message: string; repository?: string }[];
      repository?: string;
    }
  | { code: "launch_failed"; ticket: string; attempt: string; error: string }
  /**
   * The launch failed for configuration (`fix` says what to change): the attempt was given back
   * to the ticket's budget, an operator alert names the fix, no more tickets of `repository` are
   * claimed this cycle, and `mctl dispatch` exits non-zero.
   */
  | {
      code: "launch_config_error";
      ticket: string;
      attempt: string;
      launchKey: string;
      repository: string;
      error: string;
      fix: string;
    }
  /** `fencingToken`: the token of the lease this cycle held and lost (null for a dry run). */
  | { code: "lease_lost"; message: string; fencingToken: number | null }
  | { code: "scan_limit_reached"; scanned: number; repository?: string }
  | { code: "paused"; by: string | null; reason: string | null; since: string | null }
  /** The cycle threw in `phase`: its record keeps what it decided before, and its lease was given back. */
  | { code: "cycle_failed"; phase: string; error: string };

export type DecisionCode = Decision["code"];

/** How a cycle ended. */
export type CycleOutcome = "completed" | "lock_held" | "lease_lost" | "dry_run" | "paused" | "failed";

export interface CycleRecord {
  /** The owner whose tickets the cycle dispatched; null: every ticket (local mode). */
  readonly scope: string | null;
  readonly holder: string;
  /** The token of the lease this cycle held; for `lock_held`, of the term it found held. */
  readonly fencingToken: number | null;
  readonly outcome: CycleOutcome;
  readonly dryRun: boolean;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly counts: Record<string, number>;
  readonly decisions: Decision[];
  /** Milliseconds per phase. */
  readonly timings: Record<string, number>;
}

/** Counts of decisions by code plus the worker figures, for the record and the summary line. */
export function countDecisions(
  decisions: readonly Decision[],
  extra: Record<string, number>,
): Record<string, number> {
  const counts: Record<string, number> = { ...extra };
  for (const decision of decisions) counts[decision.code] = (counts[decision.code] ?? 0) + 1;
  return counts;
}
