import { createHash } from "node:crypto";
import { backoffFrom } from "../config/durations.js";
import { repositorySettings } from "../config/repositories.js";
import type { Config, DispatchConfig } from "../config/schema.js";
import type { Actor } from "../domain/actors.js";
import type { BackoffPolicy } from "../domain/backoff.js";
import { errorMessage } from "../domain/error-message.js";
import { dispatchSettingOf } from "../domain/tasks.js";
import type { TicketState } from "../domain/ticket-states.js";
import type { CandidateCursor, Fence, PolicySkip, QueuePolicy, TicketScope } from "../lifecycle/index.js";
import { type CycleRecord, countDecisions, type Decision } from "./decisions.js";
import type { LaunchResult, Launcher } from "./launchers/launcher.js";
import {
  type Candidate,
  planPick,
  planRepositories,
  type RepositoryQueue,
  repositoryFreeSlots,
} from "./plan.js";
import { evaluatePolicy, type PolicyConfig } from "./policy.js";
import type { DispatchLifecycle } from "./port.js";
import { countWorkers, type WorkerCountSource } from "./worker-count.js";

export const DISPATCH_LEASE = "dispatch";

/** Which tickets a cycle dispatches: every ticket (local mode), or one owner's (`acme/*`). */
export type DispatchScope = "all" | { readonly owner: string };

const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;

/** The lease of a scope: `dispatch` for every ticket, `dispatch:<owner>` for one owner's. */
export function dispatchLeaseOf(scope: DispatchScope): string {
  return scope === "all" ? DISPATCH_LEASE : `${DISPATCH_LEASE}:${scope.owner.toLowerCase()}`;
}

/** One allowed repository as the cycle sees it. */
export interface RepositoryDispatchSettings {
  readonly repository: string;
  /** Its own `max_workers` (null: only the global one). */
  readonly maxWorkers: number | null;
  readonly policy: PolicyConfig;
}

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
  /** The allow-list (`repositories:`); absent or null: every repository, with `policy`. */
  readonly repositories?: readonly RepositoryDispatchSettings[] | null;
}

/**
 * The `dispatch:` configuration (and the `repositories:` allow-list, if any) as the cycle's
 * settings (seconds → milliseconds).
 */
export function dispatchSettingsFrom(
  d: DispatchConfig,
  repositories: Config["repositories"] = undefined,
): DispatchSettings {
  const agentIdentities = d.agent_identities;
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
    repositories: repositories
      ? Object.keys(repositories).flatMap((key) => {
          const r = repositorySettings({ dispatch: d, repositories }, key);
          return r
            ? [
                {
                  repository: r.repository,
                  maxWorkers: r.maxWorkers,
                  policy: {
                    agentIdentities,
                    excludedCampaigns: r.excludedCampaigns,
                    excludedLabels: r.excludedLabels,
                  },
                },
              ]
            : [];
        })
      : null,
  };
}

export interface DispatchDeps {
  readonly lifecycle: DispatchLifecycle;
  /** Worker count sources of the whole scope (the database's live attempts). */
  readonly sources: readonly WorkerCountSource[];
  /** A repository's own count sources (its agent workflow's runs); absent: none. */
  readonly repositorySources?: (repository: string) => readonly WorkerCountSource[];
  /** The launcher of a repository: a ticket is only ever launched through its own repository's. */
  readonly launcherFor: (repository: string) => Launcher;
  readonly settings: DispatchSettings;
  /** This dispatcher's name in the lease and in events (host/pid/random). */
  readonly holder: string;
}

const PAGE = 100;

/**
 * One dispatch cycle, in the order DESIGN.md gives: lease → count → expire → needs-input → pick →
 * claim → launch → record. With `dryRun` it decides from reads only and writes nothing.
 *
 * `scope` (default `all`): with `{ owner }` only that owner's tickets (and of those, only the
 * allowed repositories') are read, expired, counted and claimed, under the owner's own lease
 * (`dispatch:<owner>`) and pause setting (`dispatch:<owner>`, besides the deployment-wide
 * `dispatch`); the record names the owner.
 */
export async function runDispatchCycle(
  deps: DispatchDeps,
  options: { dryRun?: boolean; scope?: DispatchScope } = {},
): Promise<CycleRecord> {
  const { lifecycle, settings } = deps;
  const clock = lifecycle.clock;
  const dryRun = options.dryRun ?? false;
  const scope = options.scope ?? "all";
  if (scope !== "all" && !OWNER.test(scope.owner))
    throw new Error(`dispatch scope: ${JSON.stringify(scope.owner)} is not a GitHub owner name`);
  const owner = scope === "all" ? null : scope.owner;
  const leaseName = dispatchLeaseOf(scope);
  const allowed = settings.repositories ?? null;
  const inScope = (repository: string) =>
    owner === null || repository.toLowerCase().startsWith(`${owner.toLowerCase()}/`);
  const ticketScope: TicketScope = {
    owner,
    repositories: allowed ? allowed.map((r) => r.repository).filter(inScope) : null,
  };
  const actor: Actor = { kind: "dispatcher", id: deps.holder };
  const startedAt = clock.now();
  const decisions: Decision[] = [];
  const timings: Record<string, number> = {};
  // Where the cycle is, for the record of a cycle that throws; and whether its record is stored.
  let phase = "settings";
  let recorded = false;
  // Written by the lease phase (in cycle() below); `as` keeps TypeScript from narrowing it to null here.
  let fence = null as Fence | null;
  const time = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    phase = name;
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
    /** lock_held: the token of the term found held (at most one such record per holder and term). */
    heldToken: number | null = null,
  ) => {
    const record: CycleRecord = {
      scope: owner,
      holder: deps.holder,
      fencingToken: fence?.fencingToken ?? heldToken,
      outcome,
      dryRun,
      startedAt,
      finishedAt: clock.now(),
      counts: countDecisions(decisions, extra),
      decisions,
      timings,
    };
    if (!dryRun) {
      phase = "record";
      if (outcome === "lock_held") await lifecycle.recordLockHeld(record);
      else await lifecycle.recordDispatchCycle({ ...record, fencingToken: record.fencingToken });
      recorded = true;
      phase = "release";
      if (fence) await lifecycle.releaseLease(fence);
    }
    return record;
  };

  try {
    return await cycle();
  } catch (error) {
    if (dryRun) throw error;
    // A cycle that throws, in whatever phase, leaves a `failed` record with the decisions made so
    // far and gives its lease back at once (else no dispatcher could run until the lease's term
    // ends). Both are best effort: when the database itself is gone they fail too, and the
    // original error is what the caller sees (a loop waits out an outage on it).
    const failedPhase = phase;
    decisions.push({ code: "cycle_failed", phase: failedPhase, error: errorMessage(error) });
    if (!recorded) {
      await lifecycle
        .recordDispatchCycle({
          scope: owner,
          holder: deps.holder,
          fencingToken: fence?.fencingToken ?? null,
          outcome: "failed",
          dryRun,
          startedAt,
          finishedAt: clock.now(),
          counts: countDecisions(decisions, {}),
          decisions,
          timings,
        })
        .catch(() => undefined);
    }
    if (fence) await lifecycle.releaseLease(fence).catch(() => undefined);
    throw error;
  }

  async function cycle(): Promise<CycleRecord> {
    // 0. Maintenance: a paused dispatcher records `paused` and claims nothing (only a person's
    //    maintenance action pauses or resumes it). `dispatch` pauses every scope; `dispatch:<owner>` one owner's.
    for (const name of owner === null
      ? ["dispatch" as const]
      : ["dispatch" as const, dispatchSettingOf(owner)]) {
      const setting = await lifecycle.tasks.setting(name);
      if (!setting.enabled) {
        decisions.push({
          code: "paused",
          by: setting.changedBy,
          reason: setting.reason,
          since: setting.changedAt?.toISOString() ?? null,
        });
        return finish("paused", null, {});
      }
    }

    // 1. The lease: one dispatcher per scope at a time, whatever runs it.
    if (!dryRun) {
      const lease = await time("lease", () =>
        lifecycle.acquireLease({ name: leaseName, holder: deps.holder, ttlMs: settings.dispatchLeaseMs }),
      );
      if (!lease.ok) {
        decisions.push({ code: "lock_held", holder: lease.holder, until: lease.until.toISOString() });
        return finish("lock_held", null, {}, lease.fencingToken);
      }
      fence = { name: leaseName, holder: deps.holder, fencingToken: lease.fencingToken };
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

    // 2. Worker count, failing closed: per repository (its own cap) and for the scope (the global one).
    phase = "queue";
    const queued = await lifecycle.queuedRepositories(ticketScope);
    const settingsOf = (repository: string): RepositoryDispatchSettings | null => {
      if (!allowed) return { repository, maxWorkers: null, policy: settings.policy };
      return allowed.find((r) => r.repository.toLowerCase() === repository.toLowerCase()) ?? null;
    };
    // A repository whose own source failed gets no claims, and counts toward the global cap as its
    // own cap (unknown runs of its workflow may fill it), or as what the other sources saw.
    const capOf = (repository: string) => settingsOf(repository)?.maxWorkers ?? 0;
    // Repositories whose own sources are asked: every allowed one in scope, else those with queued tickets.
    const counted = new Set((ticketScope.repositories ?? queued).map((r) => r.toLowerCase()));
    const workers = await time("count", async () => {
      const sources = [
        ...deps.sources,
        ...(ticketScope.repositories ?? queued).flatMap((r) => deps.repositorySources?.(r) ?? []),
      ];
      return countWorkers(sources, settings.maxWorkers, ticketScope, capOf);
    });
    if (!workers.available) decisions.push({ code: "worker_count_unavailable", errors: workers.errors });
    else
      for (const repository of workers.unavailable)
        decisions.push({
          code: "worker_count_unavailable",
          repository,
          errors: workers.errors.filter((e) => e.repository?.toLowerCase() === repository),
        });

    // 3. Expire attempts whose lease ran out.
    const expired = await time("expire", async () => {
      let n = 0;
      for (const attempt of await lifecycle.findExpiredAttempts(settings.batchSize, ticketScope)) {
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
      for (const ticket of await lifecycle.findAnsweredTickets(settings.batchSize, ticketScope)) {
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

    // 5–7. Pick, claim, launch: each repository's queue read on its own, claims taken in turn.
    const freeSlots = workers.available ? Math.max(0, settings.maxWorkers - workers.count) : 0;
    // Read again: the expiry and needs-input phases put tickets back in the queue.
    phase = "queue";
    const queuedNow = await lifecycle.queuedRepositories(ticketScope);
    const repositories: Omit<RepositoryQueue, "candidates">[] = queuedNow.flatMap((repository) => {
      const own = settingsOf(repository);
      if (!own || workers.unavailable.has(repository.toLowerCase())) return [];
      // A repository that joined the queue after the count and has sources of its own was not
      // counted by them: it waits for the next cycle (failing closed).
      if (!counted.has(repository.toLowerCase()) && (deps.repositorySources?.(repository).length ?? 0) > 0)
        return [];
      return [
        {
          repository,
          workers: workers.byRepository.get(repository.toLowerCase()) ?? 0,
          maxWorkers: own.maxWorkers,
          policy: own.policy,
        },
      ];
    });
    const misconfigured = new Set<string>();
    const launchedIn = new Set<string>();
    const outcome = await time("pick_claim_launch", () =>
      pickClaimLaunch(
        deps,
        { freeSlots, fence, actor, dryRun, decisions, stillOurs, misconfigured, launchedIn },
        repositories,
      ),
    );
    if (outcome === "lease_lost") return leaseLost();
    if (launchedIn.size) {
      phase = "resolve_alerts";
      await lifecycle.alerts.resolve({ condition: "launch_config_error", subjects: [...launchedIn] });
    }
    return finish(dryRun ? "dry_run" : "completed", fence, { workers: workers.count, free_slots: freeSlots });
  }
}

/**
 * The policy as the queue read applies it; its key (a digest of the settings) ties a recorded
 * verdict to the policy that made it, so a changed policy looks at every ticket again.
 */
export function queuePolicyOf(policy: PolicyConfig): QueuePolicy {
  const sorted = (xs: readonly string[]) => [...new Set(xs)].sort();
  const parts = {
    agentIdentities: sorted(policy.agentIdentities),
    excludedCampaigns: sorted(policy.excludedCampaigns),
    excludedLabels: sorted(policy.excludedLabels),
  };
  const key = createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, 16);
  return { key, ...parts };
}

interface PickContext {
  readonly freeSlots: number;
  readonly fence: Fence | null;
  readonly actor: Actor;
  readonly dryRun: boolean;
  readonly decisions: Decision[];
  readonly stillOurs: () => Promise<boolean>;
  /** Repositories whose launch failed for configuration this cycle: no more claims there. */
  readonly misconfigured: Set<string>;
  /** Repositories where a launch succeeded this cycle (their launch_config_error alert clears). */
  readonly launchedIn: Set<string>;
}

/**
 * Reads each repository's queue (keyset pages of its own, up to its share of `scan_limit`, and
 * only as far as needed to fill its free slots), plans the claims across repositories in turn
 * (src/dispatch/plan.ts), holds the tickets out of attempts, then claims and launches.
 * Repositories with fewer live workers go first, so the turns rotate from cycle to cycle.
 */
async function pickClaimLaunch(
  deps: DispatchDeps,
  ctx: PickContext,
  repositories: readonly Omit<RepositoryQueue, "candidates">[],
): Promise<"done" | "lease_lost"> {
  const { lifecycle, settings } = deps;
  const now = lifecycle.clock.now();
  const limit = Math.min(ctx.freeSlots, settings.batchSize);
  const ordered = [...repositories].sort(
    (a, b) => a.workers - b.workers || a.repository.localeCompare(b.repository),
  );
  const open = ordered.filter((r) => repositoryFreeSlots(r) > 0);
  for (const full of ordered.filter((r) => repositoryFreeSlots(r) <= 0))
    ctx.decisions.push({
      code: "repository_full",
      repository: full.repository,
      workers: full.workers,
      maxWorkers: full.maxWorkers ?? settings.maxWorkers,
    });
  const share = Math.max(1, Math.ceil(settings.scanLimit / Math.max(1, open.length)));
  const queues: RepositoryQueue[] = [];
  const blockerStates = new Map<string, TicketState>();
  const skips: PolicySkip[] = [];
  for (const repository of open) {
    // The database leaves out tickets still backing off and tickets the policy refuses.
    const policy = queuePolicyOf(repository.policy);
    const eligibility = { now, policy, maxAttempts: settings.maxAttempts };
    const candidates: Candidate[] = [];
    const want = Math.min(repositoryFreeSlots(repository), limit);
    let cursor: CandidateCursor | null = null;
    let runnable = 0;
    // Whether the pages read reached the end of the queue (else they stopped at `cursor`).
    let queueEnd = false;
    for (;;) {
      const size = Math.min(PAGE, share - candidates.length);
      const page = await lifecycle.candidatePage(cursor, size, repository.repository, eligibility);
      candidates.push(...page.candidates);
      cursor = page.candidates[page.candidates.length - 1]?.cursor ?? null;
      for (const [key, state] of await lifecycle.blockerStates(page.candidates.flatMap((c) => c.blockedBy)))
        blockerStates.set(key, state);
      // Read on only while this repository could still claim more than it found runnable.
      const plan = planPick({
        candidates: page.candidates,
        blockerStates,
        freeSlots: want - runnable,
        maxAttempts: settings.maxAttempts,
        policy: repository.policy,
        now,
      });
      runnable += plan.claims.length;
      queueEnd = page.candidates.length < size;
      if (plan.slotsExhausted || queueEnd) break;
      if (candidates.length >= share) {
        ctx.decisions.push({
          code: "scan_limit_reached",
          scanned: candidates.length,
          repository: repository.repository,
        });
        break;
      }
    }
    // A refusal is reported (`skipped_policy`) and recorded once per ticket version, a page at a
    // time, up to where the pages above stopped: the read's cost follows the part of the queue the
    // cycle looked at, not the backlog behind it (reached by later cycles).
    for (const ticket of await lifecycle.unrecordedPolicyRefusals({
      policy,
      limit: PAGE,
      repository: repository.repository,
      through: queueEnd ? null : cursor,
    })) {
      const verdict = evaluatePolicy(ticket, repository.policy);
      if (verdict.allowed) continue;
      ctx.decisions.push({
        code: "skipped_policy",
        ticket: ticket.key,
        rule: verdict.rule,
        message: verdict.message,
      });
      skips.push({ ticketId: ticket.id, version: ticket.version, policy: policy.key, rule: verdict.rule });
    }
    queues.push({ ...repository, candidates });
  }
  if (!ctx.dryRun) await lifecycle.recordPolicySkips(skips);
  const plan = planRepositories({
    queues,
    blockerStates,
    freeSlots: ctx.freeSlots,
    batchLeft: settings.batchSize,
    maxAttempts: settings.maxAttempts,
    now,
  });
  // Reasons first, then the claims in pick order, then the tickets that found no slot (or the batch full).
  const stop = (d: Decision) =>
    d.code === "no_slot" || d.code === "batch_limit" || d.code === "repository_full";
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
  const repositoryOf = new Map(
    queues.flatMap((q) => q.candidates.map((c) => [c.key, q.repository] as const)),
  );
  for (const candidate of plan.claims) {
    // The launcher of a repository that failed for configuration fails the same way for its other tickets.
    if (ctx.misconfigured.has(repositoryOf.get(candidate.key) ?? "")) continue;
    const step = await claimAndLaunch(deps, ctx, candidate, repositoryOf.get(candidate.key) ?? "");
    if (step === "lease_lost") return step;
  }
  ctx.decisions.push(...plan.decisions.filter(stop));
  return "done";
}

async function claimAndLaunch(
  deps: DispatchDeps,
  ctx: PickContext,
  candidate: Candidate,
  repository: string,
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
  // The ticket's own repository's launcher, never another's.
  const launched = await Promise.resolve()
    .then(() => deps.launcherFor(repository).launch(request))
    .catch((error: unknown): LaunchResult => ({ ok: false, error: errorMessage(error) }));
  if (launched.ok) {
    ctx.decisions.push({ code: "claimed", ...request, worker: settings.workerIdentity });
    ctx.launchedIn.add(repository);
    return "claimed";
  }
  if (launched.fix !== undefined) {
    ctx.misconfigured.add(repository);
    ctx.decisions.push({
      code: "launch_config_error",
      ...request,
      repository,
      error: launched.error,
      fix: launched.fix,
    });
  } else ctx.decisions.push({ code: "launch_failed", ...request, error: launched.error });
  const released = await lifecycle.releaseFailedLaunch({
    attemptId: claim.attempt.id,
    actor: ctx.actor,
    error: launched.error,
    backoff: settings.backoff,
    fence: ctx.fence,
    fix: launched.fix,
  });
  return !released.ok && released.code === "fenced" ? "lease_lost" : "skipped";
}
