/**
 * `grant_attempts` on a `max_attempts_reached` item: the ticket's extra attempts grow, its hold is
 * released and the item is acted, in one transaction, with an `attempts_granted` and a
 * `hold_released` event. A stale item or a count outside 1–10 is refused and changes nothing.
 */
import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import type { Database } from "../../src/db/database.js";
import type { Lifecycle } from "../../src/lifecycle/index.js";
import { givenTicket, human, manualClock, testLifecycle } from "../builders/tickets.js";
import { describeEachDriver } from "../helpers/databases.js";
import { eventCount, givenHeldAfterMaxAttempts, givenVerdict, givenVerifying, itemRow } from "./support.js";

/** One grant of `attempts` by a person, as `mctl inbox act` and `/mc retry` send it. */
const grant = (attempts: unknown, note = "one more try") => ({
  decision: "grant_attempts",
  transition: null,
  hold: "release",
  attempts,
  actor: human,
  note,
});

/** A person cancels the held ticket: its max_attempts item goes stale. */
async function cancel(lifecycle: Lifecycle, ticket: { key: string; version: number }) {
  const cancelled = await lifecycle.transition({
    ticket: ticket.key,
    from: "todo",
    expectedVersion: ticket.version,
    to: "cancelled",
    reason: "cancelled",
    actor: human,
  });
  expect(cancelled.ok).toBe(true);
}

async function eventsOf(lifecycle: Lifecycle, ticketId: number) {
  return (await lifecycle.ticketHistory(ticketId)).map((e) => ({
    reason: e.reason,
    from: e.fromState,
    to: e.toState,
    version: e.version,
  }));
}

describeEachDriver("grant_attempts", ({ db }) => {
  it("grows the extra attempts, releases the hold and acts the item, with attempts_granted and hold_released events", async () => {
    const clock = manualClock();
    const lifecycle = testLifecycle(db(), clock);
    const { ticket, item } = await givenHeldAfterMaxAttempts(lifecycle, clock);
    expect(item).toMatchObject({
      state: "pending",
      audience: "person",
      payload: { attempts: 1, maxAttempts: 1, extraAttempts: 0, budget: 1 },
    });

    const acted = await lifecycle.inbox.act({ itemId: item.id, result: grant(2) });
    expect(acted).toMatchObject({
      ok: true,
      replayed: false,
      item: { state: "acted" },
      result: {
        decision: "grant_attempts",
        hold: "release",
        attempts: 2,
        actor: human,
        note: "one more try",
        applied: {
          ticketVersion: ticket.version + 2,
          grant: { attemptsUsed: 1, maxAttempts: 1, extraAttempts: 2, budget: 3 },
        },
      },
    });
    expect(await lifecycle.findTicket(ticket.key)).toMatchObject({
      state: "todo",
      hold: null,
      extraAttempts: 2,
      attemptCount: 1,
      version: ticket.version + 2,
    });
    const history = await lifecycle.ticketHistory(ticket.id);
    const [granted, released] = history.slice(-2);
    expect(granted).toMatchObject({
      reason: "attempts_granted",
      fromState: "todo",
      toState: "todo",
      actorKind: "human",
      actorId: human.id,
      version: ticket.version + 1,
      detail: {
        inboxItem: item.id,
        decision: "grant_attempts",
        granted: 2,
        attemptsUsed: 1,
        maxAttempts: 1,
        extraAttempts: 2,
        budget: 3,
      },
    });
    expect(released).toMatchObject({
      reason: "hold_released",
      fromState: "todo",
      toState: "todo",
      version: ticket.version + 2,
      detail: { released: "max_attempts_reached", inboxItem: item.id },
    });
    expect(acted.ok && acted.result.applied).toMatchObject({
      eventId: granted?.id,
      grant: { holdReleasedEventId: released?.id },
    });
  });

  it("a second act returns the first result and changes nothing", async () => {
    const clock = manualClock();
    const lifecycle = testLifecycle(db(), clock);
    const { ticket, item } = await givenHeldAfterMaxAttempts(lifecycle, clock);
    const first = await lifecycle.inbox.act({ itemId: item.id, result: grant(1) });
    expect(first.ok).toBe(true);
    const after = await lifecycle.findTicket(ticket.key);
    for (const again of [grant(3, "more"), { ...grant(null), decision: "dismiss", hold: null }]) {
      const second = await lifecycle.inbox.act({ itemId: item.id, result: again });
      expect(second).toMatchObject({ ok: true, replayed: true });
      expect(second.ok && second.result).toEqual(first.ok && first.result);
    }
    expect(await lifecycle.findTicket(ticket.key)).toEqual(after);
    expect(await eventCount(db(), ticket.id, "attempts_granted")).toBe(1);
    expect(await eventCount(db(), ticket.id, "hold_released")).toBe(1);
  });

  it("is one transaction: when marking the item acted fails, neither the grant nor the release is kept", async () => {
    const clock = manualClock();
    const lifecycle = testLifecycle(db(), clock);
    const { ticket, item } = await givenHeldAfterMaxAttempts(lifecycle, clock);
    const before = await eventsOf(lifecycle, ticket.id);
    // A trigger makes the last statement of the act (the item → acted) fail, after the ticket writes.
    await refuseActedItems(db(), async () => {
      const error = await lifecycle.inbox.act({ itemId: item.id, result: grant(1) }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(String((error as { cause?: unknown } | null)?.cause)).toMatch(/test: acting refused/);
    });
    expect(await lifecycle.findTicket(ticket.key)).toMatchObject({
      hold: "max_attempts_reached",
      extraAttempts: 0,
      version: ticket.version,
    });
    expect(await eventsOf(lifecycle, ticket.id)).toEqual(before);
    expect(await itemRow(db(), item.id)).toMatchObject({ state: "pending", result: null });
    // Nothing was half-written: the same grant goes through once the failure is gone.
    expect(await lifecycle.inbox.act({ itemId: item.id, result: grant(1) })).toMatchObject({ ok: true });
  });

  it("refuses dismiss and hold while the ticket is still held for max_attempts (they would strand it), allows dismiss once stale", async () => {
    const clock = manualClock();
    const lifecycle = testLifecycle(db(), clock);
    const { ticket, item } = await givenHeldAfterMaxAttempts(lifecycle, clock);
    for (const result of [
      { ...grant(null), decision: "dismiss", hold: null },
      { ...grant(null), decision: "hold", hold: "set" },
    ]) {
      const refused = await lifecycle.inbox.act({ itemId: item.id, result });
      expect(refused).toMatchObject({ ok: false, code: "decision_not_allowed" });
      expect(!refused.ok && refused.message).toMatch(/MC-1 is still held for max_attempts/);
    }
    expect(await itemRow(db(), item.id)).toMatchObject({ state: "pending", result: null });
    await cancel(lifecycle, ticket);
    const dismissed = await lifecycle.inbox.act({
      itemId: item.id,
      result: { ...grant(null), decision: "dismiss", hold: null },
    });
    expect(dismissed).toMatchObject({ ok: true });
  });

  it("refuses a stale item (the ticket is no longer held for max_attempts) and leaves it open", async () => {
    const clock = manualClock();
    const lifecycle = testLifecycle(db(), clock);
    const { ticket, item } = await givenHeldAfterMaxAttempts(lifecycle, clock);
    await cancel(lifecycle, ticket);
    const refused = await lifecycle.inbox.act({ itemId: item.id, result: grant(1) });
    expect(refused).toMatchObject({ ok: false, code: "stale_item" });
    expect(!refused.ok && refused.message).toMatch(
      /MC-1 is no longer held for max_attempts \(it is cancelled, held: max_attempts_reached\)/,
    );
    expect(await itemRow(db(), item.id)).toMatchObject({ state: "pending", result: null });
    expect(await lifecycle.findTicket(ticket.key)).toMatchObject({ extraAttempts: 0 });
    expect(await eventCount(db(), ticket.id, "attempts_granted")).toBe(0);
  });

  it("refuses a ticket that is not held, and a grant that would leave no attempt to make", async () => {
    const lifecycle = testLifecycle(db());
    // An item (filed by hand) about a ticket that is not held at all: stale.
    const loose = await givenTicket(lifecycle, { title: "never held" });
    const item = await lifecycle.inbox.enqueue({
      kind: "max_attempts_reached",
      ticketId: loose.id,
      payload: { attempts: 0 },
      idempotencyKey: "by-hand",
    });
    expect(await lifecycle.inbox.act({ itemId: item.item.id, result: grant(1) })).toMatchObject({
      ok: false,
      code: "stale_item",
      message: expect.stringMatching(/it is todo, not held/),
    });

    // Held with max_attempts 1 after three attempts (max_attempts was lowered): +1 still leaves none.
    const { ticket, attemptCount } = await givenUsedAttempts(lifecycle, 3);
    const held = await lifecycle.holdTicket({
      ticket: ticket.key,
      expectedVersion: ticket.version,
      hold: "max_attempts_reached",
      actor: human,
      fence: null,
      maxAttempts: 1,
    });
    if (!held.ok) throw new Error(`set-up hold: ${held.message}`);
    const [filed] = await lifecycle.inbox.ofTicket(ticket.id);
    expect(filed).toMatchObject({ payload: { attempts: attemptCount, maxAttempts: 1, budget: 1 } });
    const short = await lifecycle.inbox.act({ itemId: filed?.id ?? 0, result: grant(1) });
    expect(short).toMatchObject({ ok: false, code: "decision_not_allowed" });
    expect(!short.ok && short.message).toMatch(
      /granting 1 attempt leaves MC-2 at 3 of 2 used \(max_attempts 1 \+ 1 granted\): grant at least 3/,
    );
    expect(await lifecycle.findTicket(ticket.key)).toMatchObject({
      hold: "max_attempts_reached",
      extraAttempts: 0,
    });
    expect(await lifecycle.inbox.act({ itemId: filed?.id ?? 0, result: grant(3) })).toMatchObject({
      ok: true,
      result: { applied: { grant: { attemptsUsed: 3, budget: 4 } } },
    });
  });

  it("an item filed without max_attempts (before grants existed) counts the attempts used at the hold as the budget", async () => {
    const lifecycle = testLifecycle(db());
    const { ticket } = await givenUsedAttempts(lifecycle, 2);
    const held = await lifecycle.holdTicket({
      ticket: ticket.key,
      expectedVersion: ticket.version,
      hold: "max_attempts_reached",
      actor: human,
      fence: null,
    });
    if (!held.ok) throw new Error(`set-up hold: ${held.message}`);
    const [item] = await lifecycle.inbox.ofTicket(ticket.id);
    expect(item).toMatchObject({ payload: { attempts: 2 } });
    expect(item?.payload).not.toHaveProperty("maxAttempts");
    expect(await lifecycle.inbox.act({ itemId: item?.id ?? 0, result: grant(1) })).toMatchObject({
      ok: true,
      result: { applied: { grant: { attemptsUsed: 2, maxAttempts: 2, extraAttempts: 1, budget: 3 } } },
    });
  });

  it("refuses a count outside 1–10, a grant without one, a count with another decision, and a grant on another kind", async () => {
    const clock = manualClock();
    const lifecycle = testLifecycle(db(), clock);
    const { ticket, item } = await givenHeldAfterMaxAttempts(lifecycle, clock);
    const cases: [unknown, RegExp][] = [
      [grant(0), /attempts: attempts must be a whole number from 1 to 10/],
      [grant(11), /attempts: attempts must be a whole number from 1 to 10/],
      [grant(1.5), /attempts: attempts must be a whole number from 1 to 10/],
      [grant("2"), /attempts: attempts must be a whole number from 1 to 10/],
      [grant(null), /attempts: grant_attempts needs the number of attempts to grant/],
      [{ ...grant(1), hold: null }, /hold: grant_attempts cannot null a hold/],
      [{ ...grant(1), decision: "dismiss", hold: null }, /attempts: dismiss grants no attempts/],
    ];
    for (const [result, message] of cases) {
      const refused = await lifecycle.inbox.act({ itemId: item.id, result });
      expect(refused, String(message)).toMatchObject({ ok: false, code: "invalid_input" });
      expect(!refused.ok && refused.message).toMatch(message);
    }
    expect(await itemRow(db(), item.id)).toMatchObject({ state: "pending", result: null });
    expect(await lifecycle.findTicket(ticket.key)).toMatchObject({
      hold: "max_attempts_reached",
      extraAttempts: 0,
    });

    // Only a max_attempts_reached item grants attempts.
    const { ticket: failedTicket, attemptId } = await givenVerifying(lifecycle, "failed completion");
    await givenVerdict(lifecycle, { ticketKey: failedTicket.key, attemptId }, "fail");
    const [failedItem] = await lifecycle.inbox.ofTicket(failedTicket.id);
    expect(await lifecycle.inbox.act({ itemId: failedItem?.id ?? 0, result: grant(1) })).toMatchObject({
      ok: false,
      code: "decision_not_allowed",
      message: expect.stringMatching(/grant_attempts does not apply to completion_failed items/),
    });
  });
});

/** A `todo` ticket that has used `n` attempts (claimed and released by a person each time). */
async function givenUsedAttempts(lifecycle: Lifecycle, n: number) {
  let ticket = await givenTicket(lifecycle, { title: `used ${n}` });
  for (let i = 0; i < n; i++) {
    const claim = await lifecycle.claim({
      ticket: ticket.key,
      expectedVersion: ticket.version,
      worker: "agent",
      actor: { kind: "dispatcher", id: "d" },
      leaseMs: 60_000,
      fence: null,
    });
    if (!claim.ok) throw new Error(`set-up claim: ${claim.message}`);
    const released = await lifecycle.transition({
      ticket: ticket.key,
      from: "in_progress",
      expectedVersion: claim.ticket.version,
      to: "todo",
      reason: "released",
      actor: human,
    });
    if (!released.ok) throw new Error(`set-up release: ${released.message}`);
    ticket = released.ticket;
  }
  return { ticket, attemptCount: ticket.attemptCount };
}

/** Runs `work` while the database refuses to mark any inbox item acted (a trigger), then removes it. */
async function refuseActedItems(db: Database, work: () => Promise<void>): Promise<void> {
  await db.execute(sql`
    create function test_refuse_acted() returns trigger language plpgsql as $$
    begin
      if new.state = 'acted' then raise exception 'test: acting refused'; end if;
      return new;
    end $$`);
  await db.execute(
    sql`create trigger test_refuse_acted before update on inbox_items for each row execute function test_refuse_acted()`,
  );
  try {
    await work();
  } finally {
    await db.execute(sql`drop trigger test_refuse_acted on inbox_items`);
    await db.execute(sql`drop function test_refuse_acted()`);
  }
}
