import { backoffFrom } from "../config/durations.js";
import type { DispatchConfig } from "../config/schema.js";
import type { Actor } from "../domain/actors.js";
import type { BackoffPolicy } from "../domain/backoff.js";
import { errorMessage } from "../domain/error-message.js";
import type { CandidateCursor, Fence } from "../lifecycle/index.js";
import { type CycleRecord, countDecisions, type Decision } from "./decisions.js";
import type { Launcher } from "./launchers/launcher.js";
import { type Candidate, planPick } from "./plan.js";
import type { PolicyConfig } from "./policy.js";
import type { DispatchLifecycle } from "./port.js";
import { countWorkers, type WorkerCountSource } from "./worker-count.js";

export const DISPATCH_LEASE = "dispatch";

export interface DispatchSettings {
  readonly maxWorkers: number;
  readonly attemptLeaseMs: number;
  readonly dispatchLeaseMs: number;
  readonly backoff: BackoffPolicy;
  readonly maxAttempts: number;
  readonly batchSize: number;
  /** Candidates examined per cycle at most (blocked, backing off or refused ones included). */
  readonly scanLimit: number;
  readonly policy: PolicyConfig;
  /** Identity recorded as the worker of new attempts. */
  readonly workerIdentity: string;
}

/** The `dispatch:` configuration as the cycle's settings (seconds → milliseconds). */
export function dispatchSettingsFrom(d: DispatchConfig): DispatchSettings {
  return {
    maxWorkers: d.max_workers,
    attemptLeaseMs: d.attempt_lease_seconds * 1000,
    dispatchLeaseMs: d.lease_seconds * 1000,
    backoff: backoffFrom(d),
    maxAttempts: d.max_attempts,
    batchSize: d.batch_size,
    scanLimit: d.scan_limit,
    policy: {
      agentIdentities: d.agent_identities,
      excludedCampaigns: d.policy.excluded_campaigns,
      excludedLabels: d.policy.excluded_labels,
    },
    workerIdentity: d.agent_identities[0] ?? "mission-control-agent",
  };
}

export interface DispatchDeps {
  readonly lifecycle: DispatchLifecycle;
  readonly sources: readonly WorkerCountSource[];
  readonly launcher: Launcher;
  readonly settings: DispatchSettings;
  /** This dispatcher's name in the lease and in events (host/pid/random). */
  readonly holder: string;
}

const PAGE = 100;

/**
 * One dispatch cycle, in the order DESIGN.md gives: lease → count → expire → needs-input → pick →
 * claim → launch → record. With `dryRun` it decides from reads only and writes nothing.
 */
export async function runDispatchCycle(
  deps: DispatchDeps,
  options: { dryRun?: boolean } = {},
): Promise<CycleRecord> {
  const { lifecycle, settings } = deps;
  const clock = lifecycle.clock;
  const dryRun = options.dryRun ?? false;
  const actor: Actor = { kind: "dispatcher", id: deps.holder };
  const startedAt = clock.now();
  const decisions: Decision[] = [];
  const timings: Record<string, number> = {};
  const time = async <T>(phase: string, work: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      timings[phase] = Math.round((performance.now() - t0) * 10) / 10;
    }
  };
  const finish = async (
    outcome: CycleRecord["outcome"],
    fence: Fence | null,
    extra: Record<string, number>,
  ) => {
    const record: CycleRecord = {
      holder: deps.holder,
      fencingToken: fence?.fencingToken ?? null,
      outcome,
      dryRun,
      startedAt,
      finishedAt: clock.now(),
      counts: countDecisions(decisions, extra),
      decisions,
      timings,
    };
    if (!dryRun) {
      await lifecycle.recordDispatchCycle({ ...record, fencingToken: record.fencingToken });
      if (fence) await lifecycle.releaseLease(fence);
    }
    return record;
  };

  // 0. Maintenance: a paused dispatcher records `paused` and claims nothing (only a person's
  //    maintenance action pauses or resumes it).
  const setting = await lifecycle.tasks.setting("dispatch");
  if (!setting.enabled) {
    decisions.push({
      code: "paused",
      by: setting.changedBy,
      reason: setting.reason,
      since: setting.changedAt?.toISOString() ?? null,
    });
    return finish("paused", null, {});
  }

  // 1. The lease: one dispatcher at a time, whatever runs it.
  let fence: Fence | null = null;
  if (!dryRun) {
    const lease = await time("lease", () =>
      lifecycle.acquireLease({ name: DISPATCH_LEASE, holder: deps.holder, ttlMs: settings.dispatchLeaseMs }),
    );
    if (!lease.ok) {
      decisions.push({ code: "lock_held", holder: lease.holder, until: lease.until.toISOString() });
      return finish("lock_held", null, {});
    }
    fence = { name: DISPATCH_LEASE, holder: deps.holder, fencingToken: lease.fencingToken };
  }
  const stillOurs = async () =>
    dryRun || !fence || (await lifecycle.renewLease({ ...fence, ttlMs: settings.dispatchLeaseMs }));
  const leaseLost = () => {
    decisions.push({
      code: "lease_lost",
      message: "the dispatch lease was taken over; this cycle stops claiming",
      // The token that was lost, so the record can be matched with the successor's cycle.
      fencingToken: fence?.fencingToken ?? null,
    });
    return finish("lease_lost", null, {});
  };

  // 2. Worker count, failing closed.
  const workers = await time("count", () => countWorkers(deps.sources, settings.maxWorkers));
  if (!workers.available) decisions.push({ code: "worker_count_unavailable", errors: workers.errors });

  // 3. Expire attempts whose lease ran out.
  const expired = await time("expire", async () => {
    let n = 0;
    for (const attempt of await lifecycle.findExpiredAttempts(settings.batchSize)) {
      if (dryRun) {
        decisions.push({ code: "lease_expired", ticket: String(attempt.ticketId), attempt: attempt.id });
        continue;
      }
      const result = await lifecycle.expireAttempt({
        attemptId: attempt.id,
        actor,
        backoff: settings.backoff,
        fence,
      });
      if (result.ok) {
        decisions.push({ code: "lease_expired", ticket: result.ticket.key, attempt: attempt.id });
        n += 1;
      } else if (result.code === "fenced" && !(await stillOurs())) return null;
    }
    return n;
  });
  if (expired === null) return leaseLost();

  // 4. Needs-input: only answered needs_input tickets go back to todo. Nothing else happens here.
  if (!(await stillOurs())) return leaseLost();
  await time("needs_input", async () => {
    for (const ticket of await lifecycle.findAnsweredTickets(settings.batchSize)) {
      if (!dryRun) {
        const result = await lifecycle.transition({
          ticket: ticket.key,
          from: "needs_input",
          expectedVersion: ticket.version,
          to: "todo",
          reason: "requeued_needs_input",
          actor,
        });
        if (!result.ok) continue;
      }
      decisions.push({ code: "requeued_needs_input", ticket: ticket.key });
    }
  });

  // 5–7. Pick, claim, launch.
  const freeSlots = workers.available ? Math.max(0, settings.maxWorkers - workers.count) : 0;
  const outcome = await time("pick_claim_launch", () =>
    pickClaimLaunch(deps, { freeSlots, fence, actor, dryRun, decisions, stillOurs }),
  );
  if (outcome === "lease_lost") return leaseLost();
  return finish(dryRun ? "dry_run" : "completed", fence, { workers: workers.count, free_slots: freeSlots });
}

interface PickContext {
  readonly freeSlots: number;
  readonly fence: Fence | null;
  readonly actor: Actor;
  readonly dryRun: boolean;
  readonly decisions: Decision[];
  readonly stillOurs: () => Promise<boolean>;
}

async function pickClaimLaunch(deps: DispatchDeps, ctx: PickContext): Promise<"done" | "lease_lost"> {
  const { lifecycle, settings } = deps;
  let claimed = 0;
  let scanned = 0;
  let cursor: CandidateCursor | null = null;
  for (;;) {
    const page = await lifecycle.candidatePage(cursor, PAGE);
    if (!page.candidates.length) return "done";
    scanned += page.candidates.length;
    cursor = page.candidates[page.candidates.length - 1]?.cursor ?? null;
    const plan = planPick({
      candidates: page.candidates,
      blockerStates: await lifecycle.blockerStates(page.candidates.flatMap((c) => c.blockedBy)),
      freeSlots: ctx.freeSlots - claimed,
      batchLeft: settings.batchSize - claimed,
      maxAttempts: settings.maxAttempts,
      policy: settings.policy,
      now: lifecycle.clock.now(),
    });
    // Reasons first, then the claims in pick order, then the ticket that found no slot (or the batch full).
    const stop = (d: Decision) => d.code === "no_slot" || d.code === "batch_limit";
    ctx.decisions.push(...plan.decisions.filter((d) => !stop(d)));
    for (const candidate of plan.holds) {
      if (!ctx.dryRun) {
        await lifecycle.holdTicket({
          ticket: candidate.key,
          expectedVersion: candidate.version,
          hold: "max_attempts_reached",
          actor: ctx.actor,
          fence: ctx.fence,
          // Recorded with the inbox item, so a grant can say the ticket's new budget.
          maxAttempts: settings.maxAttempts,
        });
      }
    }
    for (const candidate of plan.claims) {
      const step = await claimAndLaunch(deps, ctx, candidate);
      if (step === "lease_lost") return step;
      if (step === "claimed") claimed += 1;
    }
    for (const d of plan.decisions) {
      if (d.code === "no_slot") ctx.decisions.push({ ...d, freeSlots: ctx.freeSlots });
      if (d.code === "batch_limit")
        ctx.decisions.push({ ...d, batchSize: settings.batchSize, freeSlots: ctx.freeSlots });
    }
    const full = claimed >= Math.min(ctx.freeSlots, settings.batchSize);
    if (plan.slotsExhausted || full || page.candidates.length < PAGE) return "done";
    if (scanned >= settings.scanLimit) {
      ctx.decisions.push({ code: "scan_limit_reached", scanned });
      return "done";
    }
  }
}

async function claimAndLaunch(
  deps: DispatchDeps,
  ctx: PickContext,
  candidate: Candidate,
): Promise<"claimed" | "skipped" | "lease_lost"> {
  const { lifecycle, settings } = deps;
  if (ctx.dryRun) {
    ctx.decisions.push({
      code: "claimed",
      ticket: candidate.key,
      attempt: "(dry run)",
      worker: settings.workerIdentity,
      launchKey: "-",
    });
    return "claimed";
  }
  const claim = await lifecycle.claim({
    ticket: candidate.key,
    expectedVersion: candidate.version,
    worker: settings.workerIdentity,
    actor: ctx.actor,
    leaseMs: settings.attemptLeaseMs,
    fence: ctx.fence,
  });
  if (!claim.ok) {
    if (claim.code === "fenced") return "lease_lost";
    if (claim.code === "conflict") {
      ctx.decisions.push({
        code: "claim_conflict",
        ticket: candidate.key,
        message: claim.message,
        state: claim.current.state,
        holder: claim.current.holder,
        changedBy: claim.current.lastChange && {
          actor: claim.current.lastChange.actor,
          reason: claim.current.lastChange.reason,
          at: claim.current.lastChange.at.toISOString(),
        },
      });
    }
    return "skipped";
  }
  const request = { ticket: claim.ticket.key, attempt: claim.attempt.id, launchKey: claim.attempt.launchKey };
  const launched = await deps.launcher.launch(request).catch((error: unknown) => ({
    ok: false as const,
    error: errorMessage(error),
  }));
  if (launched.ok) {
    ctx.decisions.push({ code: "claimed", ...request, worker: settings.workerIdentity });
    return "claimed";
  }
  ctx.decisions.push({ code: "launch_failed", ...request, error: launched.error });
  const released = await lifecycle.releaseFailedLaunch({
    attemptId: claim.attempt.id,
    actor: ctx.actor,
    error: launched.error,
    backoff: settings.backoff,
    fence: ctx.fence,
  });
  return !released.ok && released.code === "fenced" ? "lease_lost" : "skipped";
}
