import { attemptBudget, attemptsUsedUp } from "../domain/attempts.js";
import type { TicketState } from "../domain/ticket-states.js";
import type { QueuedTicket } from "../lifecycle/index.js";
import type { Decision } from "./decisions.js";
import { type PolicyConfig, evaluatePolicy } from "./policy.js";

/**
 * What the pick phase knows about one `todo` ticket: the fields of the lifecycle's queue read
 * (src/lifecycle/candidates.ts) that the plan decides on; no I/O here.
 */
export type Candidate = Pick<
  QueuedTicket,
  | "key"
  | "version"
  | "assignee"
  | "campaign"
  | "labels"
  | "blockedBy"
  | "attemptCount"
  | "extraAttempts"
  | "nextEligibleAt"
>;

export interface PickInput {
  readonly candidates: readonly Candidate[];
  /** State of every ticket named in a candidate's blockedBy (missing = unknown, treated as not done). */
  readonly blockerStates: ReadonlyMap<string, TicketState>;
  readonly freeSlots: number;
  /**
   * Claims this cycle may still make under `dispatch.batch_size` (absent: no batch limit). When it
   * is the smaller limit, the stop is `batch_limit`, not `no_slot`: the workers had room, the cycle
   * chose not to claim more.
   */
  readonly batchLeft?: number;
  /** `dispatch.max_attempts`; a candidate's budget is this plus its extra attempts. */
  readonly maxAttempts: number;
  readonly policy: PolicyConfig;
  readonly now: Date;
}

export interface PickPlan {
  /** Candidates to claim, in pick order, at most `freeSlots`. */
  readonly claims: readonly Candidate[];
  /** Tickets to take out of the queue because they used up their attempt budget. */
  readonly holds: readonly Candidate[];
  /** Why every other candidate was not claimed. */
  readonly decisions: readonly Decision[];
  /** True when slots (or the batch) ran out before the candidates did. */
  readonly slotsExhausted: boolean;
}

/**
 * The pick phase as a pure function: for each candidate in pick order, the first reason not to
 * claim it (attempt budget — `max_attempts` plus attempts granted — used up, blockers not done,
 * back-off, policy), else a claim while slots last.
 */
export function planPick(input: PickInput): PickPlan {
  const claims: Candidate[] = [];
  const holds: Candidate[] = [];
  const decisions: Decision[] = [];
  let slotsExhausted = false;
  for (const candidate of input.candidates) {
    const ticket = candidate.key;
    const budget = attemptBudget(input.maxAttempts, candidate.extraAttempts);
    if (attemptsUsedUp(candidate.attemptCount, budget)) {
      holds.push(candidate);
      decisions.push({ code: "max_attempts", ticket, attempts: candidate.attemptCount, budget });
      continue;
    }
    const blockers = candidate.blockedBy.filter((key) => input.blockerStates.get(key) !== "done");
    if (blockers.length) {
      decisions.push({ code: "blocked", ticket, blockers });
      continue;
    }
    if (candidate.nextEligibleAt && candidate.nextEligibleAt.getTime() > input.now.getTime()) {
      decisions.push({ code: "backing_off", ticket, until: candidate.nextEligibleAt.toISOString() });
      continue;
    }
    const verdict = evaluatePolicy(candidate, input.policy);
    if (!verdict.allowed) {
      decisions.push({ code: "skipped_policy", ticket, rule: verdict.rule, message: verdict.message });
      continue;
    }
    const batchLeft = input.batchLeft ?? Number.POSITIVE_INFINITY;
    if (claims.length >= Math.min(input.freeSlots, batchLeft)) {
      decisions.push(
        batchLeft < input.freeSlots
          ? { code: "batch_limit", ticket, batchSize: batchLeft, freeSlots: input.freeSlots }
          : { code: "no_slot", ticket, freeSlots: input.freeSlots },
      );
      slotsExhausted = true;
      break;
    }
    claims.push(candidate);
  }
  return { claims, holds, decisions, slotsExhausted };
}

/** One repository's queue as the cycle read it, with its own worker cap. */
export interface RepositoryQueue {
  readonly repository: string;
  /** Its queued tickets in pick order (priority, age). */
  readonly candidates: readonly Candidate[];
  /** Its live workers, and its own `max_workers` (null: only the global cap). */
  readonly workers: number;
  readonly maxWorkers: number | null;
  readonly policy: PolicyConfig;
}

export interface RepositoriesInput {
  readonly queues: readonly RepositoryQueue[];
  readonly blockerStates: ReadonlyMap<string, TicketState>;
  /** Free slots under the global `dispatch.max_workers`. */
  readonly freeSlots: number;
  /** Claims this cycle may still make under `dispatch.batch_size` (absent: no batch limit). */
  readonly batchLeft?: number;
  readonly maxAttempts: number;
  readonly now: Date;
}

/** A repository's free slots under its own cap (infinite without one). */
export function repositoryFreeSlots(queue: Pick<RepositoryQueue, "workers" | "maxWorkers">): number {
  return queue.maxWorkers === null ? Number.POSITIVE_INFINITY : Math.max(0, queue.maxWorkers - queue.workers);
}

/**
 * The pick phase over several repositories: each repository's queue is planned on its own (its own
 * policy, its own cap), then the claims are taken in turn, one per repository per round, in the
 * order the queues are given, until the global free slots (or the batch) run out; so one
 * repository's backlog cannot starve another's. The first ticket of a repository that finds no
 * slot is `repository_full` when its own cap stopped it, else `no_slot` (or `batch_limit`).
 */
export function planRepositories(input: RepositoriesInput): PickPlan {
  const batchLeft = input.batchLeft ?? Number.POSITIVE_INFINITY;
  const limit = Math.max(0, Math.min(input.freeSlots, batchLeft));
  const globalStop = (ticket: string): Decision =>
    batchLeft < input.freeSlots
      ? { code: "batch_limit", ticket, batchSize: batchLeft, freeSlots: input.freeSlots }
      : { code: "no_slot", ticket, freeSlots: input.freeSlots };
  const reasons: Decision[] = [];
  const holds: Candidate[] = [];
  const planned = input.queues.map((queue) => {
    const own = repositoryFreeSlots(queue);
    const plan = planPick({
      candidates: queue.candidates,
      blockerStates: input.blockerStates,
      freeSlots: Math.min(own, limit),
      maxAttempts: input.maxAttempts,
      policy: queue.policy,
      now: input.now,
    });
    reasons.push(...plan.decisions.filter((d) => d.code !== "no_slot"));
    holds.push(...plan.holds);
    const stopped = plan.decisions.find((d) => d.code === "no_slot");
    return {
      queue,
      own,
      claims: plan.claims,
      stoppedAt: stopped && "ticket" in stopped ? stopped.ticket : null,
    };
  });
  const claims: Candidate[] = [];
  const taken = planned.map(() => 0);
  for (let round = 0; claims.length < limit; round++) {
    let any = false;
    planned.forEach((p, i) => {
      const next = p.claims[round];
      if (next && claims.length < limit) {
        claims.push(next);
        taken[i] = (taken[i] ?? 0) + 1;
        any = true;
      }
    });
    if (!any) break;
  }
  const stops: Decision[] = [];
  planned.forEach((p, i) => {
    const leftover = p.claims[taken[i] ?? 0];
    if (leftover) stops.push(globalStop(leftover.key));
    else if (p.stoppedAt !== null)
      stops.push(
        p.own < limit && p.queue.maxWorkers !== null
          ? {
              code: "repository_full",
              repository: p.queue.repository,
              workers: p.queue.workers,
              maxWorkers: p.queue.maxWorkers,
              ticket: p.stoppedAt,
            }
          : globalStop(p.stoppedAt),
      );
  });
  return { claims, holds, decisions: [...reasons, ...stops], slotsExhausted: stops.length > 0 };
}
