/**
 * DESIGN.md "Inbox and orchestrator", failure 5: `pending → delivered → acted`, acted only with a
 * structured result and the ticket change, in one transaction; never processed on delivery.
 */
import { expect, it } from "vitest";
import { runDispatchCycle } from "../../src/dispatch/cycle.js";
import { testDispatcher } from "../builders/dispatch.js";
import { givenTicket, human, manualClock, testLifecycle } from "../builders/tickets.js";
import { describeEachDriver } from "../helpers/databases.js";
import {
  acceptResult,
  eventCount,
  givenVerdict,
  givenVerifiedItem,
  givenVerifying,
  itemRow,
  orchestratorActor,
} from "./support.js";

describeEachDriver("inbox", ({ db }) => {
  it("a passing verdict files completion_verified, a failing one completion_failed, once per verdict", async () => {
    const lifecycle = testLifecycle(db());
    const { ticketKey, ticketId, attemptId, item } = await givenVerifiedItem(lifecycle);
    expect(item).toMatchObject({
      kind: "completion_verified",
      state: "pending",
      audience: "orchestrator",
      attemptId,
      deliveryCount: 0,
      result: null,
    });
    // The same verdict again only re-stamps the verdict row: no second item.
    const again = await lifecycle.evidence.recordVerdict({
      ...(await lifecycle.evidence.latestVerdictOf(attemptId).then((v) => ({
        ticketKey,
        attemptId,
        repository: "acme/widgets",
        sha: v?.sha ?? null,
        status: "pass" as const,
        criteria: [],
        summary: "again",
        fingerprint: v?.fingerprint ?? "",
        actor: { kind: "verifier" as const, id: "v" },
        backoff: { baseMs: 1000, capMs: 2000 },
      }))),
    });
    expect(again.ok && again.changed).toBe(false);
    await givenVerdict(lifecycle, { ticketKey, attemptId }, "fail");
    const items = await lifecycle.inbox.ofTicket(ticketId);
    expect(items.map((i) => i.kind)).toEqual(["completion_verified", "completion_failed"]);
    expect((await lifecycle.findTicket(ticketKey))?.state).toBe("todo");
  });

  it("a ticket held for max_attempts files one max_attempts_reached item for a person", async () => {
    const lifecycle = testLifecycle(db());
    const ticket = await givenTicket(lifecycle);
    const deps = testDispatcher(lifecycle, { settings: { maxAttempts: 0 } });
    await runDispatchCycle(deps);
    await runDispatchCycle(deps);
    const items = await lifecycle.inbox.ofTicket(ticket.id);
    expect(items).toMatchObject([{ kind: "max_attempts_reached", audience: "person", state: "pending" }]);
  });

  it("delivery leases an item and never marks it processed; an expired lease delivers it again", async () => {
    const clock = manualClock();
    const lifecycle = testLifecycle(db(), clock);
    const { item } = await givenVerifiedItem(lifecycle);
    const deliver = (holder: string) =>
      lifecycle.inbox.deliver({ audience: "orchestrator", holder, leaseMs: 60_000, limit: 10 });
    const [first] = await deliver("a");
    expect(first).toMatchObject({
      id: item.id,
      state: "delivered",
      deliveredTo: "a",
      deliveryCount: 1,
      result: null,
    });
    expect(await deliver("b")).toEqual([]);
    clock.advance(59_999);
    expect(await deliver("b")).toEqual([]);
    clock.advance(1);
    const [second] = await deliver("b");
    expect(second).toMatchObject({ id: item.id, state: "delivered", deliveredTo: "b", deliveryCount: 2 });
    expect((await itemRow(db(), item.id)).actedAt).toBeNull();
  });

  it("act applies the transition and marks the item acted with the result, in one transaction; twice returns the first result", async () => {
    const lifecycle = testLifecycle(db());
    const { item, ticketKey, ticketId } = await givenVerifiedItem(lifecycle);
    const [delivered] = await lifecycle.inbox.deliver({
      audience: "orchestrator",
      holder: "o",
      leaseMs: 60_000,
      limit: 1,
    });
    const acted = await lifecycle.inbox.act({
      itemId: item.id,
      result: acceptResult(),
      delivery: delivered?.deliveryCount,
    });
    expect(acted).toMatchObject({
      ok: true,
      replayed: false,
      item: { state: "acted" },
      result: {
        decision: "accept",
        transition: { to: "done" },
        actor: orchestratorActor,
        applied: { ticketVersion: expect.any(Number) },
      },
    });
    const ticket = await lifecycle.findTicket(ticketKey);
    expect(ticket?.state).toBe("done");
    // A different decision later changes nothing and answers with the first result.
    const reject = {
      decision: "reject",
      transition: { from: "in_review", to: "todo", reason: "rejected" },
      hold: null,
      actor: human,
      note: "changed my mind",
    };
    const second = await lifecycle.inbox.act({ itemId: item.id, result: reject });
    expect(second.ok && second.replayed).toBe(true);
    expect(second.ok && second.result).toEqual(acted.ok && acted.result);
    expect((await lifecycle.findTicket(ticketKey))?.version).toBe(ticket?.version);
    expect(await eventCount(db(), ticketId, "accepted")).toBe(1);
  });

  it("an act without a valid result is refused with the reason and changes nothing", async () => {
    const lifecycle = testLifecycle(db());
    const { item, ticketKey } = await givenVerifiedItem(lifecycle);
    const cases: [unknown, RegExp][] = [
      [{}, /decision/],
      [{ ...acceptResult(), transition: null }, /transition: accept needs a transition to done/],
      [{ ...acceptResult(), actor: { kind: "operator", id: "op" } }, /only the orchestrator or a person/],
      [{ ...acceptResult(), decision: "dismiss" }, /dismiss changes no ticket state/],
      [{ ...acceptResult(), extra: 1 }, /extra/],
    ];
    for (const [result, message] of cases) {
      const refused = await lifecycle.inbox.act({ itemId: item.id, result });
      expect(refused).toMatchObject({ ok: false, code: "invalid_input" });
      expect(!refused.ok && refused.message).toMatch(message);
    }
    expect(await itemRow(db(), item.id)).toMatchObject({ state: "pending", result: null });
    expect((await lifecycle.findTicket(ticketKey))?.state).toBe("verifying");
  });

  it("refuses decisions that do not fit the item, a stale proof, and a superseded delivery", async () => {
    const clock = manualClock();
    const lifecycle = testLifecycle(db(), clock);
    const { item, ticketKey, attemptId } = await givenVerifiedItem(lifecycle);
    const retry = { decision: "retry", transition: null, hold: null, actor: human, note: "" };
    expect(await lifecycle.inbox.act({ itemId: item.id, result: retry })).toMatchObject({
      ok: false,
      code: "decision_not_allowed",
    });
    // Delivered twice: the first delivery's token no longer acts.
    const deliver = () =>
      lifecycle.inbox.deliver({ audience: "orchestrator", holder: "o", leaseMs: 1000, limit: 1 });
    await deliver();
    clock.advance(1000);
    await deliver();
    expect(await lifecycle.inbox.act({ itemId: item.id, result: acceptResult(), delivery: 1 })).toMatchObject(
      {
        ok: false,
        code: "fenced",
      },
    );
    // The proof is gone (the verdict went pending): accepting is refused, the item stays open.
    await givenVerdict(lifecycle, { ticketKey, attemptId }, "pending");
    expect(await lifecycle.inbox.act({ itemId: item.id, result: acceptResult(), delivery: 2 })).toMatchObject(
      {
        ok: false,
        code: "stale_item",
      },
    );
    expect((await itemRow(db(), item.id)).state).toBe("delivered");
    expect((await lifecycle.findTicket(ticketKey))?.state).toBe("verifying");
  });

  it("a lost compare-and-set leaves the item un-acted", async () => {
    const lifecycle = testLifecycle(db());
    const { item } = await givenVerifiedItem(lifecycle);
    const result = { ...acceptResult(), transition: { from: "in_review", to: "done", reason: "approved" } };
    const refused = await lifecycle.inbox.act({ itemId: item.id, result });
    expect(refused).toMatchObject({ ok: false, code: "conflict" });
    expect(await itemRow(db(), item.id)).toMatchObject({ state: "pending", result: null, actedAt: null });
  });

  it("hold on a failed completion keeps the ticket out of the queue, with a held event", async () => {
    const lifecycle = testLifecycle(db());
    const { ticket, attemptId } = await givenVerifying(lifecycle);
    await givenVerdict(lifecycle, { ticketKey: ticket.key, attemptId }, "fail");
    const [failed] = await lifecycle.inbox.ofTicket(ticket.id);
    if (!failed) throw new Error("no completion_failed item");
    const hold = { decision: "hold", transition: null, hold: "set", actor: human, note: "look first" };
    const held = await lifecycle.inbox.act({ itemId: failed.id, result: hold });
    expect(held).toMatchObject({
      ok: true,
      result: { hold: "set", applied: { eventId: expect.any(Number) } },
    });
    expect((await lifecycle.findTicket(ticket.key))?.hold).toBe("inbox:completion_failed");
    const history = await lifecycle.ticketHistory(ticket.id);
    expect(history.at(-1)).toMatchObject({
      reason: "held",
      actorKind: "human",
      detail: { inboxItem: failed.id },
    });
  });
});
