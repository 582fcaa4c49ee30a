/** The lifecycle operation that keeps an attempt's log (src/lifecycle/attempt-log.ts), on both drivers. */
import { expect, it } from "vitest";
import { dispatcher, givenTicket, testLifecycle } from "../builders/tickets.js";
import { describeEachDriver } from "../helpers/databases.js";

const worker = { kind: "worker", id: "agent-1" } as const;
const log = { text: "hello from the agent\n", totalBytes: 21, truncated: false };

describeEachDriver("attempt log", ({ db }) => {
  it("is stored once, only after the attempt has ended, beside its outcome", async () => {
    const lifecycle = testLifecycle(db());
    const ticket = await givenTicket(lifecycle);
    const claim = await lifecycle.claim({
      ticket: ticket.key,
      expectedVersion: ticket.version,
      worker: "agent-1",
      actor: dispatcher,
      leaseMs: 60_000,
      fence: null,
    });
    if (!claim.ok) throw new Error(claim.message);
    const attemptId = claim.attempt.id;
    await lifecycle.startAttempt({ attemptId, launchKey: claim.attempt.launchKey, leaseMs: 60_000 });

    const early = await lifecycle.recordAttemptLog({ attemptId, log });
    expect(early).toMatchObject({
      ok: false,
      code: "fenced",
      message: expect.stringContaining("still running"),
    });

    const failed = await lifecycle.failAttempt({
      attemptId,
      actor: worker,
      reason: "agent_crashed",
      detail: { exitCode: 3 },
      backoff: { baseMs: 1000, capMs: 1000 },
    });
    expect(failed.ok).toBe(true);
    const stored = await lifecycle.recordAttemptLog({ attemptId, log });
    expect(stored.ok).toBe(true);
    expect((await lifecycle.findAttempt(attemptId))?.outcome).toEqual({
      reason: "agent_crashed",
      exitCode: 3,
      log,
    });

    const again = await lifecycle.recordAttemptLog({ attemptId, log: { ...log, text: "rewritten" } });
    expect(again).toMatchObject({
      ok: false,
      code: "fenced",
      message: expect.stringContaining("already has a log"),
    });
    expect((await lifecycle.findAttempt(attemptId))?.outcome?.log).toEqual(log);
  });

  it("refuses an unknown attempt and an invalid log", async () => {
    const lifecycle = testLifecycle(db());
    expect(
      await lifecycle.recordAttemptLog({ attemptId: "00000000-0000-4000-8000-000000000000", log }),
    ).toMatchObject({ ok: false, code: "not_found" });
    expect(
      await lifecycle.recordAttemptLog({
        attemptId: "00000000-0000-4000-8000-000000000000",
        log: { ...log, totalBytes: -1 },
      }),
    ).toMatchObject({ ok: false, code: "invalid_input" });
  });
});
