import { expect, it } from "vitest";
import type { Lifecycle } from "../../src/lifecycle/index.js";
import { runOrchestratorPass } from "../../src/orchestrator/pass.js";
import type { OrchestratorRules } from "../../src/orchestrator/rules.js";
import { human, testLifecycle } from "../builders/tickets.js";
import { describeEachDriver } from "../helpers/databases.js";
import { givenVerdict, givenVerifiedItem, givenVerifying, itemRow } from "../inbox/support.js";

const pass = (lifecycle: Lifecycle, rules: Partial<OrchestratorRules> = {}) =>
  runOrchestratorPass({
    inbox: lifecycle.inbox,
    setting: () => lifecycle.tasks.setting("orchestrate"),
    rules: { reviewRequired: false, retryFailedCompletions: true, ...rules },
    holder: "orchestrator-test",
    leaseMs: 60_000,
    batchSize: 10,
  });

describeEachDriver("orchestrator pass", ({ db }) => {
  it("accepts a verified completion (done), or sends it to review", async () => {
    const lifecycle = testLifecycle(db());
    const a = await givenVerifiedItem(lifecycle, "a");
    const report = await pass(lifecycle);
    expect(report).toMatchObject({
      status: "completed",
      delivered: 1,
      outcomes: [{ item: a.item.id, outcome: "acted", decision: "accept" }],
    });
    expect((await lifecycle.findTicket(a.ticketKey))?.state).toBe("done");
    const history = await lifecycle.ticketHistory(a.ticketId);
    expect(history.at(-1)).toMatchObject({
      reason: "accepted",
      actorKind: "orchestrator",
      actorId: "orchestrator-test",
    });

    const b = await givenVerifiedItem(lifecycle, "b");
    await pass(lifecycle, { reviewRequired: true });
    expect((await lifecycle.findTicket(b.ticketKey))?.state).toBe("in_review");
    expect(await itemRow(db(), b.item.id)).toMatchObject({
      state: "acted",
      result: { decision: "accept_for_review" },
    });
    // Nothing is left to deliver.
    expect(await pass(lifecycle)).toMatchObject({ delivered: 0 });
  });

  it("dismisses a verified completion whose proof went pending, without touching the ticket", async () => {
    const lifecycle = testLifecycle(db());
    const a = await givenVerifiedItem(lifecycle);
    await givenVerdict(lifecycle, { ticketKey: a.ticketKey, attemptId: a.attemptId }, "pending");
    const report = await pass(lifecycle);
    expect(report).toMatchObject({ outcomes: [{ outcome: "acted", decision: "dismiss" }] });
    expect((await lifecycle.findTicket(a.ticketKey))?.state).toBe("verifying");
  });

  it("a failed completion is held for a person when retries are off; the person's retry releases it", async () => {
    const lifecycle = testLifecycle(db());
    const { ticket, attemptId } = await givenVerifying(lifecycle);
    await givenVerdict(lifecycle, { ticketKey: ticket.key, attemptId }, "fail");
    const report = await pass(lifecycle, { retryFailedCompletions: false });
    expect(report).toMatchObject({ outcomes: [{ outcome: "handed_over", detail: /ticket held/ }] });
    const [item] = await lifecycle.inbox.ofTicket(ticket.id);
    expect(item).toMatchObject({
      state: "pending",
      audience: "person",
      handoverNote: "failed completions wait for a person",
    });
    expect((await lifecycle.findTicket(ticket.key))?.hold).toBe("inbox:completion_failed");
    // The orchestrator does not take it again.
    expect(await pass(lifecycle, { retryFailedCompletions: false })).toMatchObject({ delivered: 0 });
    const [mine] = await lifecycle.inbox.deliver({
      audience: "person",
      holder: "alice",
      leaseMs: 60_000,
      limit: 1,
    });
    const retry = { decision: "retry", transition: null, hold: "release", actor: human, note: "flaky CI" };
    const acted = await lifecycle.inbox.act({
      itemId: item?.id ?? 0,
      result: retry,
      delivery: mine?.deliveryCount,
    });
    expect(acted).toMatchObject({ ok: true, replayed: false });
    expect((await lifecycle.findTicket(ticket.key))?.hold).toBeNull();
  });

  it("with retries on, a failed completion is acknowledged and stays queued", async () => {
    const lifecycle = testLifecycle(db());
    const { ticket, attemptId } = await givenVerifying(lifecycle);
    await givenVerdict(lifecycle, { ticketKey: ticket.key, attemptId }, "fail");
    const before = await lifecycle.findTicket(ticket.key);
    expect(await pass(lifecycle)).toMatchObject({ outcomes: [{ outcome: "acted", decision: "retry" }] });
    expect(await lifecycle.findTicket(ticket.key)).toEqual(before);
  });

  it("a paused orchestrator delivers nothing", async () => {
    const lifecycle = testLifecycle(db());
    const a = await givenVerifiedItem(lifecycle);
    await lifecycle.tasks.setEnabled({
      task: "orchestrate",
      enabled: false,
      actor: human,
      reason: "incident",
    });
    expect(await pass(lifecycle)).toMatchObject({
      status: "paused",
      setting: { enabled: false, changedBy: "octocat" },
    });
    expect(await itemRow(db(), a.item.id)).toMatchObject({ state: "pending", deliveryCount: 0 });
  });
});
