import { expect, it } from "vitest";
import type { Lifecycle } from "../../src/lifecycle/index.js";
import { testStore } from "../builders/store.js";
import {
  dispatcher,
  givenClaimedTicket,
  givenTicket,
  human,
  manualClock,
  testLifecycle,
} from "../builders/tickets.js";
import { describeEachDriver } from "../helpers/databases.js";

const LEASE = 60_000;
const backoff = { baseMs: 30_000, capMs: 600_000 };
const worker = { kind: "worker", id: "agent-1" } as const;

const claimed = (lifecycle: Lifecycle, ticket: { title?: string } = {}) =>
  givenClaimedTicket(lifecycle, { ticket, worker: "agent-1", leaseMs: LEASE });

describeEachDriver("attempts", ({ db }) => {
  it("a claim moves the ticket and creates a launching attempt with a launch key, in one go", async () => {
    const lifecycle = testLifecycle(db());
    const claim = await claimed(lifecycle);
    expect(claim.ticket).toMatchObject({
      state: "in_progress",
      version: 2,
      attemptCount: 1,
      currentAttemptId: claim.attempt.id,
    });
    expect(claim.attempt).toMatchObject({
      status: "launching",
      number: 1,
      launchKey: "MC-1/1",
      worker: "agent-1",
    });
    expect(claim.event).toMatchObject({
      reason: "claimed",
      attemptId: claim.attempt.id,
      detail: { worker: "agent-1" },
    });
  });

  it("a claim under a lost dispatch lease is fenced and writes nothing", async () => {
    const clock = manualClock();
    const lifecycle = testLifecycle(db(), clock);
    const ticket = await givenTicket(lifecycle);
    const mine = await lifecycle.acquireLease({ name: "dispatch", holder: "d1", ttlMs: 10_000 });
    expect(mine).toMatchObject({ ok: true, fencingToken: 1, tookOver: false });
    if (!mine.ok) return;
    const held = await lifecycle.acquireLease({ name: "dispatch", holder: "d2", ttlMs: 10_000 });
    expect(held).toMatchObject({ ok: false, code: "lock_held", holder: "d1", until: mine.expiresAt });
    clock.advance(10_001);
    const theirs = await lifecycle.acquireLease({ name: "dispatch", holder: "d2", ttlMs: 10_000 });
    expect(theirs).toMatchObject({ ok: true, fencingToken: 2, tookOver: true });
    expect(
      await lifecycle.renewLease({ name: "dispatch", holder: "d1", fencingToken: 1, ttlMs: 10_000 }),
    ).toBe(false);
    const claim = await lifecycle.claim({
      ticket: ticket.key,
      expectedVersion: 1,
      worker: "agent-1",
      actor: dispatcher,
      leaseMs: LEASE,
      fence: { name: "dispatch", holder: "d1", fencingToken: 1 },
    });
    expect(claim).toMatchObject({ ok: false, code: "fenced" });
    expect(await lifecycle.findTicket(ticket.key)).toMatchObject({
      state: "todo",
      version: 1,
      attemptCount: 0,
    });
    const ok = await lifecycle.claim({
      ticket: ticket.key,
      expectedVersion: 1,
      worker: "agent-1",
      actor: dispatcher,
      leaseMs: LEASE,
      fence: { name: "dispatch", holder: "d2", fencingToken: 2 },
    });
    expect(ok.ok).toBe(true);
  });

  it("a claim that loses the race is a conflict naming the holder", async () => {
    const lifecycle = testLifecycle(db());
    const claim = await claimed(lifecycle);
    const second = await lifecycle.claim({
      ticket: claim.ticket.key,
      expectedVersion: 1,
      worker: "agent-2",
      actor: dispatcher,
      leaseMs: LEASE,
      fence: null,
    });
    expect(second).toMatchObject({
      ok: false,
      code: "conflict",
      current: { state: "in_progress", holder: { attemptId: claim.attempt.id, worker: "agent-1" } },
    });
  });

  it("only one start per attempt: a duplicate or stale launch is refused", async () => {
    const lifecycle = testLifecycle(db());
    const { attempt } = await claimed(lifecycle);
    const wrongKey = await lifecycle.startAttempt({
      attemptId: attempt.id,
      launchKey: "MC-1/9",
      leaseMs: LEASE,
    });
    expect(wrongKey).toMatchObject({ ok: false, code: "fenced" });
    const first = await lifecycle.startAttempt({
      attemptId: attempt.id,
      launchKey: attempt.launchKey,
      leaseMs: LEASE,
    });
    expect(first).toMatchObject({ ok: true, attempt: { status: "running" } });
    const duplicate = await lifecycle.startAttempt({
      attemptId: attempt.id,
      launchKey: attempt.launchKey,
      leaseMs: LEASE,
    });
    expect(duplicate).toMatchObject({
      ok: false,
      code: "fenced",
      message: expect.stringContaining("it is running"),
    });
  });

  it("heartbeats keep a lease alive; after expiry a worker can neither heartbeat nor complete", async () => {
    const clock = manualClock();
    const lifecycle = testLifecycle(db(), clock);
    const { attempt, ticket } = await claimed(lifecycle);
    await lifecycle.startAttempt({ attemptId: attempt.id, launchKey: attempt.launchKey, leaseMs: LEASE });
    clock.advance(LEASE - 1);
    expect(await lifecycle.heartbeat({ attemptId: attempt.id, leaseMs: LEASE })).toMatchObject({ ok: true });
    clock.advance(LEASE);
    expect(await lifecycle.heartbeat({ attemptId: attempt.id, leaseMs: LEASE })).toMatchObject({
      ok: false,
      code: "fenced",
      message: expect.stringContaining("lease has expired"),
    });
    const completion = await lifecycle.completeAttempt({
      attemptId: attempt.id,
      actor: worker,
      evidence: { sha: "abc" },
    });
    expect(completion).toMatchObject({ ok: false, code: "fenced" });
    expect(await lifecycle.findTicket(ticket.key)).toMatchObject({ state: "in_progress" });

    expect(await lifecycle.findExpiredAttempts(10)).toEqual([expect.objectContaining({ id: attempt.id })]);
    const expired = await lifecycle.expireAttempt({
      attemptId: attempt.id,
      actor: dispatcher,
      backoff,
      fence: null,
    });
    expect(expired).toMatchObject({
      ok: true,
      ticket: { state: "todo", currentAttemptId: null },
      attempt: { status: "lost" },
    });
    if (!expired.ok) return;
    expect(expired.ticket.nextEligibleAt?.getTime()).toBe(clock.now().getTime() + backoff.baseMs);
    expect(expired.event).toMatchObject({ reason: "lease_expired", actorKind: "dispatcher" });
    expect(await lifecycle.findExpiredAttempts(10)).toEqual([]);
  });

  it("a worker from an earlier attempt cannot complete the ticket's new attempt", async () => {
    const clock = manualClock();
    const lifecycle = testLifecycle(db(), clock);
    const first = await claimed(lifecycle);
    clock.advance(LEASE + 1);
    await lifecycle.expireAttempt({ attemptId: first.attempt.id, actor: dispatcher, backoff, fence: null });
    const ticket = await lifecycle.findTicket(first.ticket.key);
    const second = await lifecycle.claim({
      ticket: first.ticket.key,
      expectedVersion: ticket?.version ?? 0,
      worker: "agent-2",
      actor: dispatcher,
      leaseMs: LEASE,
      fence: null,
    });
    expect(second).toMatchObject({ ok: true, attempt: { number: 2, launchKey: "MC-1/2" } });
    const stale = await lifecycle.completeAttempt({
      attemptId: first.attempt.id,
      actor: worker,
      evidence: {},
    });
    expect(stale).toMatchObject({
      ok: false,
      code: "fenced",
      message: expect.stringContaining("it is lost"),
    });
  });

  it("completion moves the ticket to verifying with the evidence on the attempt", async () => {
    const lifecycle = testLifecycle(db());
    const { attempt } = await claimed(lifecycle);
    await lifecycle.startAttempt({ attemptId: attempt.id, launchKey: attempt.launchKey, leaseMs: LEASE });
    const done = await lifecycle.completeAttempt({
      attemptId: attempt.id,
      actor: worker,
      evidence: { sha: "abc123" },
    });
    expect(done).toMatchObject({
      ok: true,
      ticket: { state: "verifying", currentAttemptId: attempt.id },
      attempt: {
        status: "completed",
        outcome: { reason: "completion_claimed", evidence: { sha: "abc123" } },
      },
      event: { reason: "completion_claimed", actorKind: "worker" },
    });
    const again = await lifecycle.completeAttempt({ attemptId: attempt.id, actor: worker, evidence: {} });
    expect(again).toMatchObject({ ok: false, code: "fenced" });
  });

  it("a completion asks for verification at once: one re-evaluation request for its commit", async () => {
    const clock = manualClock();
    const lifecycle = testLifecycle(db(), clock);
    const store = testStore(db(), clock);
    const { ticket, attempt } = await claimed(lifecycle);
    await lifecycle.startAttempt({ attemptId: attempt.id, launchKey: attempt.launchKey, leaseMs: LEASE });
    const sha = "c".repeat(40);
    await lifecycle.completeAttempt({ attemptId: attempt.id, actor: worker, evidence: { commitSha: sha } });
    const taken = await store.reevaluations.take({ worker: "w", leaseMs: LEASE, limit: 10 });
    expect(taken).toEqual([
      expect.objectContaining({
        event: "completion_claimed",
        repository: ticket.repository,
        shas: [sha],
        wholeRepository: false,
      }),
    ]);
  });

  it("a failed attempt backs the ticket off; a failed launch releases it", async () => {
    const clock = manualClock();
    const lifecycle = testLifecycle(db(), clock);
    const a = await claimed(lifecycle, { title: "a" });
    await lifecycle.startAttempt({ attemptId: a.attempt.id, launchKey: a.attempt.launchKey, leaseMs: LEASE });
    const failed = await lifecycle.failAttempt({
      attemptId: a.attempt.id,
      actor: worker,
      reason: "dirty_worktree",
      detail: { files: 2 },
      backoff,
    });
    expect(failed).toMatchObject({
      ok: true,
      ticket: { state: "todo" },
      attempt: { status: "failed", outcome: { reason: "dirty_worktree", files: 2 } },
    });
    const b = await claimed(lifecycle, { title: "b" });
    const released = await lifecycle.releaseFailedLaunch({
      attemptId: b.attempt.id,
      actor: dispatcher,
      error: "HTTP 502",
      backoff,
      fence: null,
    });
    expect(released).toMatchObject({
      ok: true,
      ticket: { state: "todo" },
      attempt: { status: "released", outcome: { reason: "launch_failed", error: "HTTP 502" } },
    });
  });

  it("a question parks the ticket; only an answer makes it requeueable", async () => {
    const lifecycle = testLifecycle(db());
    const { attempt, ticket } = await claimed(lifecycle);
    await lifecycle.startAttempt({ attemptId: attempt.id, launchKey: attempt.launchKey, leaseMs: LEASE });
    const asked = await lifecycle.askQuestion({
      attemptId: attempt.id,
      actor: worker,
      question: "Which API version?",
    });
    expect(asked).toMatchObject({
      ok: true,
      ticket: { state: "needs_input" },
      attempt: { status: "needs_input" },
    });
    expect(await lifecycle.findAnsweredTickets(10)).toEqual([]);
    expect(await lifecycle.answerQuestion({ ticket: ticket.key, answer: "  ", actor: human })).toMatchObject({
      ok: false,
      code: "invalid_input",
    });
    const answered = await lifecycle.answerQuestion({ ticket: ticket.key, answer: "v2", actor: human });
    expect(answered).toMatchObject({
      ok: true,
      ticket: { state: "needs_input", version: 4 },
      question: { question: "Which API version?", answer: "v2", answeredBy: "octocat" },
      event: { reason: "answered", fromState: "needs_input", toState: "needs_input" },
    });
    expect(await lifecycle.answerQuestion({ ticket: ticket.key, answer: "v3", actor: human })).toMatchObject({
      ok: false,
      code: "not_waiting",
    });
    expect((await lifecycle.findAnsweredTickets(10)).map((t) => t.key)).toEqual([ticket.key]);
  });

  it("cancelling a ticket ends its live attempt, so the worker's heartbeats are refused", async () => {
    const lifecycle = testLifecycle(db());
    const { attempt, ticket } = await claimed(lifecycle);
    await lifecycle.startAttempt({ attemptId: attempt.id, launchKey: attempt.launchKey, leaseMs: LEASE });
    const cancelled = await lifecycle.transition({
      ticket: ticket.key,
      from: "in_progress",
      expectedVersion: 2,
      to: "cancelled",
      reason: "cancelled",
      actor: human,
    });
    expect(cancelled).toMatchObject({ ok: true, ticket: { state: "cancelled", currentAttemptId: null } });
    expect(await lifecycle.findAttempt(attempt.id)).toMatchObject({ status: "cancelled" });
    expect(await lifecycle.heartbeat({ attemptId: attempt.id, leaseMs: LEASE })).toMatchObject({
      ok: false,
      code: "fenced",
    });
    expect(await lifecycle.findExpiredAttempts(10)).toEqual([]);
  });
});
