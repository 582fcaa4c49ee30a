import { eq } from "drizzle-orm";
import { expect, it } from "vitest";
import { attempts, ticketEvents, tickets } from "../../src/db/schema.js";
import type { Lifecycle } from "../../src/lifecycle/index.js";
import { dispatcher, givenClaimedTicket, manualClock, testLifecycle } from "../builders/tickets.js";
import { describeEachDriver } from "../helpers/databases.js";

const SHA = "a".repeat(40);
const run = { repository: "acme/widgets", runId: "1001", runAttempt: 1 };
const runner = { kind: "worker" as const, id: "actions:acme/widgets/1001" };

/** Attempts bound to a GitHub Actions run (src/lifecycle/attempt-runs.ts). */
describeEachDriver("attempt runs", ({ db }) => {
  const rows = async (attemptId: string) => {
    const [attempt] = await db().select().from(attempts).where(eq(attempts.id, attemptId));
    const [ticket] = await db().select().from(tickets).where(eq(tickets.currentAttemptId, attemptId));
    const events = await db().select().from(ticketEvents).orderBy(ticketEvents.id);
    return { attempt, ticket, events };
  };

  const bind = (lifecycle: Lifecycle, attemptId: string, launchKey: string, over: Partial<typeof run> = {}) =>
    lifecycle.runs.bind({
      attemptId,
      launchKey,
      leaseMs: 60_000,
      run: { ...run, ...over },
      baseSha: SHA,
      actor: runner,
    });

  it("start binds the attempt to its run once, records the base commit and writes an event", async () => {
    const clock = manualClock();
    const lifecycle = testLifecycle(db(), clock);
    const { attempt } = await givenClaimedTicket(lifecycle);
    const result = await bind(lifecycle, attempt.id, attempt.launchKey);
    expect(result).toMatchObject({
      ok: true,
      attempt: {
        status: "running",
        runRepository: "acme/widgets",
        runId: "1001",
        runAttempt: 1,
        baseSha: SHA,
      },
      ticket: { state: "in_progress" },
    });
    const after = await rows(attempt.id);
    expect(after.events.at(-1)).toMatchObject({
      reason: "attempt_started",
      fromState: "in_progress",
      toState: "in_progress",
      attemptId: attempt.id,
      actorKind: "worker",
      detail: { runId: "1001", baseSha: SHA },
    });
  });

  it("a replayed start (even of the same run) is refused and changes nothing", async () => {
    const lifecycle = testLifecycle(db(), manualClock());
    const { attempt } = await givenClaimedTicket(lifecycle);
    expect((await bind(lifecycle, attempt.id, attempt.launchKey)).ok).toBe(true);
    const before = await rows(attempt.id);
    for (const over of [{}, { runId: "2002" }]) {
      const again = await bind(lifecycle, attempt.id, attempt.launchKey, over);
      expect(again).toMatchObject({ ok: false, code: "refused", reason: "already_started" });
    }
    expect(await rows(attempt.id)).toEqual(before);
  });

  it("two runs starting the same attempt at once: exactly one is bound", async () => {
    const lifecycle = testLifecycle(db(), manualClock());
    const { attempt } = await givenClaimedTicket(lifecycle);
    const results = await Promise.all(
      ["3001", "3002", "3003"].map((runId) => bind(lifecycle, attempt.id, attempt.launchKey, { runId })),
    );
    const winners = results.filter((r) => r.ok);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => (r.ok ? null : r.code))).toEqual(
      expect.arrayContaining([expect.stringMatching(/^(refused|conflict)$/)]),
    );
    const after = await rows(attempt.id);
    expect(after.events.filter((e) => e.reason === "attempt_started")).toHaveLength(1);
    expect(after.attempt?.runId).toBe(winners[0]?.ok ? winners[0].attempt.runId : "none");
  });

  it("a wrong launch key, another repository or an expired lease is refused and changes nothing", async () => {
    const clock = manualClock();
    const lifecycle = testLifecycle(db(), clock);
    const { attempt } = await givenClaimedTicket(lifecycle);
    const before = await rows(attempt.id);
    expect(await bind(lifecycle, attempt.id, `${attempt.launchKey}x`)).toMatchObject({
      ok: false,
      reason: "launch_key_mismatch",
    });
    expect(await bind(lifecycle, attempt.id, attempt.launchKey, { repository: "acme/other" })).toMatchObject({
      ok: false,
      reason: "wrong_repository",
    });
    clock.advance(60_001);
    expect(await bind(lifecycle, attempt.id, attempt.launchKey)).toMatchObject({
      ok: false,
      reason: "lease_expired",
    });
    expect(await rows(attempt.id)).toEqual(before);
    expect(await bind(lifecycle, "00000000-0000-4000-8000-000000000000", "k")).toMatchObject({
      ok: false,
      code: "not_found",
    });
  });

  it("an attempt started by the command launcher cannot be bound to a run", async () => {
    const lifecycle = testLifecycle(db(), manualClock());
    const { attempt } = await givenClaimedTicket(lifecycle, { start: true });
    expect(await bind(lifecycle, attempt.id, attempt.launchKey)).toMatchObject({
      ok: false,
      reason: "already_started",
    });
  });

  it("run webhooks renew the lease while the run lives; a completed run leaves a grace period, then expiry", async () => {
    const clock = manualClock();
    const lifecycle = testLifecycle(db(), clock);
    const { attempt } = await givenClaimedTicket(lifecycle);
    await bind(lifecycle, attempt.id, attempt.launchKey);
    clock.advance(50_000);
    const renewed = await lifecycle.runs.renew({
      repository: "acme/widgets",
      runId: "1001",
      leaseMs: 60_000,
    });
    expect(renewed.map((a) => a.id)).toEqual([attempt.id]);
    expect(renewed[0]?.leaseExpiresAt).toEqual(new Date(clock.now().getTime() + 60_000));
    // Another repository's run of the same id renews nothing.
    expect(await lifecycle.runs.renew({ repository: "acme/other", runId: "1001", leaseMs: 60_000 })).toEqual(
      [],
    );

    const ended = await lifecycle.runs.completed({
      repository: "acme/widgets",
      runId: "1001",
      graceMs: 5_000,
    });
    expect(ended[0]?.leaseExpiresAt).toEqual(new Date(clock.now().getTime() + 5_000));
    // A late in-progress webhook does not bring it back.
    expect(
      await lifecycle.runs.renew({ repository: "acme/widgets", runId: "1001", leaseMs: 60_000 }),
    ).toEqual([]);
    expect(await lifecycle.findExpiredAttempts(10)).toEqual([]);
    clock.advance(5_000);
    const expired = await lifecycle.findExpiredAttempts(10);
    expect(expired.map((a) => a.id)).toEqual([attempt.id]);
    const lost = await lifecycle.expireAttempt({
      attemptId: attempt.id,
      actor: dispatcher,
      backoff: { baseMs: 1000, capMs: 1000 },
      fence: null,
    });
    expect(lost).toMatchObject({ ok: true, attempt: { status: "lost" }, ticket: { state: "todo" } });
  });

  it("a completed run never lengthens a lease that was already shorter than the grace", async () => {
    const clock = manualClock();
    const lifecycle = testLifecycle(db(), clock);
    const { attempt } = await givenClaimedTicket(lifecycle);
    await bind(lifecycle, attempt.id, attempt.launchKey);
    clock.advance(59_000);
    const [row] = await lifecycle.runs.completed({
      repository: "acme/widgets",
      runId: "1001",
      graceMs: 300_000,
    });
    expect(row?.leaseExpiresAt).toEqual(new Date(clock.now().getTime() + 1_000));
  });
});
