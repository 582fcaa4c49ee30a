import { eq } from "drizzle-orm";
import { expect, it } from "vitest";
import { mirrorJobs, ticketEvents, tickets } from "../../src/db/schema.js";
import { TICKET_EVENT_REASONS } from "../../src/domain/ticket-events.js";
import { TRANSITION_REASONS } from "../../src/domain/ticket-states.js";
import { casTicket } from "../../src/lifecycle/cas-ticket.js";
import {
  dispatcher,
  givenClaimedTicket,
  givenTicket,
  human,
  manualClock,
  testLifecycle,
} from "../builders/tickets.js";
import { describeEachDriver } from "../helpers/databases.js";

/** The one guarded ticket write (src/lifecycle/cas-ticket.ts), on its own. */
describeEachDriver("casTicket", ({ db }) => {
  const at = new Date("2026-01-01T00:05:00Z");

  const eventsOf = (ticketId: number) =>
    db().select().from(ticketEvents).where(eq(ticketEvents.ticketId, ticketId)).orderBy(ticketEvents.id);

  it("sets the fields, moves the version, and writes the event with its mirror job", async () => {
    const ticket = await givenTicket(testLifecycle(db(), manualClock()));
    const result = await db().transaction((tx) =>
      casTicket(tx, {
        key: ticket.key,
        expectedVersion: ticket.version,
        from: "todo",
        set: { priority: "urgent" },
        event: { actor: human, reason: "priority_changed", detail: { from: "normal", to: "urgent" } },
        at,
      }),
    );
    expect(result).toMatchObject({
      ok: true,
      ticket: {
        key: ticket.key,
        state: "todo",
        priority: "urgent",
        version: ticket.version + 1,
        updatedAt: at,
      },
      event: { fromState: "todo", toState: "todo", reason: "priority_changed", version: ticket.version + 1 },
    });
    if (!result.ok) return;
    expect((await eventsOf(ticket.id)).map((e) => e.reason)).toEqual(["created", "priority_changed"]);
    const jobs = await db().select().from(mirrorJobs).where(eq(mirrorJobs.eventId, result.event.id));
    expect(jobs).toHaveLength(1);
  });

  it("a transition sets the state and records from → to", async () => {
    const ticket = await givenTicket(testLifecycle(db(), manualClock()));
    const result = await db().transaction((tx) =>
      casTicket(tx, {
        key: ticket.key,
        expectedVersion: ticket.version,
        from: "todo",
        to: "cancelled",
        event: { actor: human, reason: "cancelled" },
        at,
      }),
    );
    expect(result).toMatchObject({
      ok: true,
      ticket: { state: "cancelled" },
      event: { fromState: "todo", toState: "cancelled", reason: "cancelled" },
    });
  });

  it("loses to a change made first: a conflict naming the state, version and holder, and nothing written", async () => {
    const lifecycle = testLifecycle(db(), manualClock());
    const claim = await givenClaimedTicket(lifecycle, { worker: "agent-7" });
    const stale = claim.ticket.version - 1;
    const before = await eventsOf(claim.ticket.id);
    const result = await db().transaction((tx) =>
      casTicket(tx, {
        key: claim.ticket.key,
        expectedVersion: stale,
        set: { priority: "low" },
        event: { actor: human, reason: "priority_changed" },
        at,
      }),
    );
    expect(result).toEqual({
      ok: false,
      code: "conflict",
      message: `${claim.ticket.key} changed first: expected in_progress v${stale}, found in_progress v${claim.ticket.version}, held by agent-7 (attempt ${claim.attempt.id})`,
      current: {
        state: "in_progress",
        version: claim.ticket.version,
        holder: { attemptId: claim.attempt.id, worker: "agent-7" },
        lastChange: { actor: dispatcher, reason: "claimed", at: new Date("2026-01-01T00:00:00Z") },
      },
    });
    const [row] = await db().select().from(tickets).where(eq(tickets.id, claim.ticket.id));
    expect(row).toMatchObject({ priority: "normal", version: claim.ticket.version });
    expect(await eventsOf(claim.ticket.id)).toEqual(before);
  });

  it("guards the state and the hold when asked: the right version in another state is a conflict", async () => {
    const ticket = await givenTicket(testLifecycle(db(), manualClock()));
    const wrongState = await db().transaction((tx) =>
      casTicket(tx, {
        key: ticket.key,
        expectedVersion: ticket.version,
        from: "needs_input",
        event: { actor: human, reason: "answered" },
        at,
      }),
    );
    expect(wrongState).toMatchObject({
      ok: false,
      code: "conflict",
      message: expect.stringContaining("expected needs_input v1, found todo v1"),
    });
    const held = await db().transaction((tx) =>
      casTicket(tx, {
        key: ticket.key,
        expectedVersion: ticket.version,
        from: "todo",
        unheld: true,
        set: { hold: "by hand" },
        event: { actor: human, reason: "held" },
        at,
      }),
    );
    expect(held).toMatchObject({ ok: true, ticket: { hold: "by hand", version: 2 } });
    const again = await db().transaction((tx) =>
      casTicket(tx, {
        key: ticket.key,
        expectedVersion: 2,
        from: "todo",
        unheld: true,
        set: { hold: "twice" },
        event: { actor: human, reason: "held" },
        at,
      }),
    );
    expect(again).toMatchObject({ ok: false, code: "conflict", current: { state: "todo", version: 2 } });
  });

  it("a ticket that does not exist is not_found", async () => {
    const result = await db().transaction((tx) =>
      casTicket(tx, {
        key: "MC-404",
        expectedVersion: 1,
        event: { actor: human, reason: "assigned" },
        at,
      }),
    );
    expect(result).toEqual({ ok: false, code: "not_found", message: "no ticket MC-404" });
  });

  it("writes in the caller's transaction: a rollback takes the change and its event back together", async () => {
    const ticket = await givenTicket(testLifecycle(db(), manualClock()));
    const rollback = new Error("the caller's next step failed");
    await expect(
      db().transaction(async (tx) => {
        const result = await casTicket(tx, {
          key: ticket.key,
          expectedVersion: ticket.version,
          set: { assignee: "someone" },
          event: { actor: human, reason: "assigned" },
          at,
        });
        expect(result.ok).toBe(true);
        throw rollback;
      }),
    ).rejects.toBe(rollback);
    const [row] = await db().select().from(tickets).where(eq(tickets.id, ticket.id));
    expect(row).toMatchObject({ assignee: null, version: ticket.version });
    expect((await eventsOf(ticket.id)).map((e) => e.reason)).toEqual(["created"]);
  });
});

it("the event reasons are the transition reasons plus the field changes, each once", () => {
  expect(TICKET_EVENT_REASONS).toEqual(expect.arrayContaining([...TRANSITION_REASONS]));
  expect(new Set(TICKET_EVENT_REASONS).size).toBe(TICKET_EVENT_REASONS.length);
  expect(TICKET_EVENT_REASONS).toEqual(
    expect.arrayContaining([
      "created",
      "answered",
      "held",
      "hold_released",
      "attempts_granted",
      "assigned",
      "priority_changed",
    ]),
  );
});
