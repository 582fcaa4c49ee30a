import { eq } from "drizzle-orm";
import fc from "fast-check";
import { expect, it } from "vitest";
import { ticketEvents, tickets } from "../../src/db/schema.js";
import { ACTOR_KINDS } from "../../src/domain/actors.js";
import { decideTransition, TRANSITIONS } from "../../src/domain/ticket-states.js";
import { dispatcher, givenTicket, human, manualClock, testLifecycle } from "../builders/tickets.js";
import { describeEachDriver } from "../helpers/databases.js";

describeEachDriver("lifecycle", ({ db }) => {
  it("creates a ticket in todo with a key, defaults and one created event", async () => {
    const lifecycle = testLifecycle(db());
    const first = await givenTicket(lifecycle, { labels: ["bug"], priority: "high" });
    const second = await givenTicket(lifecycle);
    expect(first).toMatchObject({
      key: "MC-1",
      state: "todo",
      version: 1,
      priority: "high",
      labels: ["bug"],
    });
    expect(second.key).toBe("MC-2");
    const history = await lifecycle.ticketHistory(first.id);
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({
      fromState: null,
      toState: "todo",
      reason: "created",
      actorId: "octocat",
    });
  });

  it("refuses invalid tickets with every problem named, and writes nothing", async () => {
    const lifecycle = testLifecycle(db());
    const result = await lifecycle.createTicket(
      { repository: "not a repo", title: "  ", priority: "soon" as never },
      human,
    );
    expect(result).toMatchObject({ ok: false, code: "invalid_input" });
    if (result.ok) return;
    expect(result.issues.join("\n")).toMatch(/repository: must be a GitHub repository/);
    expect(result.issues.join("\n")).toMatch(/title: a ticket needs a title/);
    expect(result.issues.join("\n")).toMatch(/priority: must be one of urgent, high, normal, low/);
    expect(await db().select().from(tickets)).toEqual([]);
  });

  it("refuses blockers that do not exist and accepts ones that do", async () => {
    const lifecycle = testLifecycle(db());
    const blocker = await givenTicket(lifecycle);
    const refused = await lifecycle.createTicket(
      { repository: "acme/widgets", title: "t", blockedBy: ["MC-1", "mc-99"] },
      human,
    );
    expect(refused).toMatchObject({
      ok: false,
      code: "invalid_input",
      message: expect.stringContaining("MC-99"),
    });
    const blocked = await givenTicket(lifecycle, { blockedBy: [blocker.key.toLowerCase()] });
    expect(blocked.blockedBy).toEqual(["MC-1"]);
    expect(await db().select().from(tickets)).toHaveLength(2);
  });

  it("applies an allowed transition as compare-and-set plus exactly one event", async () => {
    const clock = manualClock();
    const lifecycle = testLifecycle(db(), clock);
    const ticket = await givenTicket(lifecycle);
    clock.advance(1_000);
    const result = await lifecycle.transition({
      ticket: ticket.key,
      from: "todo",
      expectedVersion: 1,
      to: "in_progress",
      reason: "claimed",
      actor: dispatcher,
      detail: { cycle: 7 },
    });
    expect(result).toMatchObject({ ok: true, ticket: { state: "in_progress", version: 2 } });
    if (!result.ok) return;
    expect(result.ticket.updatedAt.getTime() - ticket.updatedAt.getTime()).toBe(1_000);
    expect(result.event).toMatchObject({
      fromState: "todo",
      toState: "in_progress",
      reason: "claimed",
      actorKind: "dispatcher",
      actorId: "dispatcher-1",
      version: 2,
      detail: { cycle: 7 },
    });
    expect(await lifecycle.ticketHistory(ticket.id)).toHaveLength(2);
  });

  it("a stale version or state is a typed conflict naming the current state, and nothing is written", async () => {
    const lifecycle = testLifecycle(db());
    const ticket = await givenTicket(lifecycle);
    const claim = {
      ticket: ticket.key,
      from: "todo",
      to: "in_progress",
      reason: "claimed",
      actor: dispatcher,
    } as const;
    expect((await lifecycle.transition({ ...claim, expectedVersion: 1 })).ok).toBe(true);
    const again = await lifecycle.transition({ ...claim, expectedVersion: 1 });
    expect(again).toMatchObject({
      ok: false,
      code: "conflict",
      current: {
        state: "in_progress",
        version: 2,
        holder: null,
        lastChange: { actor: dispatcher, reason: "claimed", at: expect.any(Date) },
      },
    });
    // With no holder, the message names who changed the ticket first, why and when.
    expect(again.ok ? "" : again.message).toMatch(/changed by dispatcher \S+ \(claimed\) at \d{4}-/);
    expect(await lifecycle.ticketHistory(ticket.id)).toHaveLength(2);
  });

  it("an illegal transition is refused with the allowed ones, before touching the database", async () => {
    const lifecycle = testLifecycle(db());
    const ticket = await givenTicket(lifecycle);
    const result = await lifecycle.transition({
      ticket: ticket.key,
      from: "todo",
      expectedVersion: 1,
      to: "done",
      reason: "accepted",
      actor: { kind: "operator", id: "watchdog" },
    });
    expect(result).toMatchObject({ ok: false, code: "no_such_transition", allowed: [] });
    const byWorker = await lifecycle.transition({
      ticket: ticket.key,
      from: "todo",
      expectedVersion: 1,
      to: "in_progress",
      reason: "claimed",
      actor: { kind: "worker", id: "w" },
    });
    expect(byWorker).toMatchObject({ ok: false, code: "actor_not_allowed" });
    const [row] = await db().select().from(tickets).where(eq(tickets.id, ticket.id));
    expect(row).toMatchObject({ state: "todo", version: 1 });
  });

  it("an unknown ticket is not_found and malformed input is invalid_input", async () => {
    const lifecycle = testLifecycle(db());
    const base = {
      from: "todo",
      expectedVersion: 1,
      to: "cancelled",
      reason: "cancelled",
      actor: human,
    } as const;
    expect(await lifecycle.transition({ ...base, ticket: "MC-404" })).toMatchObject({
      ok: false,
      code: "not_found",
    });
    expect(await lifecycle.transition({ ...base, ticket: "bogus" })).toMatchObject({
      ok: false,
      code: "invalid_input",
    });
    expect(await lifecycle.transition({ ...base, ticket: "MC-1", expectedVersion: 0 })).toMatchObject({
      ok: false,
      code: "invalid_input",
    });
  });

  it("random transition sequences: state follows the table and each success writes exactly one event", async () => {
    const step = fc.record({
      rule: fc.constantFrom(...TRANSITIONS),
      actor: fc.constantFrom(...ACTOR_KINDS),
      stale: fc.boolean(),
    });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 12 }), async (steps) => {
        const lifecycle = testLifecycle(db());
        const ticket = await givenTicket(lifecycle, { title: `run ${run++}` });
        let state = ticket.state;
        let version = ticket.version;
        let successes = 0;
        for (const { rule, actor, stale } of steps) {
          const expected = decideTransition({ from: state, to: rule.to, reason: rule.reason, actor });
          const result = await lifecycle.transition({
            ticket: ticket.key,
            from: state,
            expectedVersion: stale ? version - 1 || version + 1 : version,
            to: rule.to,
            reason: rule.reason,
            actor: { kind: actor, id: "prop" },
          });
          if (!expected.ok) expect(result).toMatchObject({ ok: false, code: expected.code });
          else if (stale) expect(result).toMatchObject({ ok: false, code: "conflict" });
          else {
            expect(result).toMatchObject({ ok: true, ticket: { state: rule.to, version: version + 1 } });
            state = rule.to;
            version += 1;
            successes += 1;
          }
        }
        const events = await db().select().from(ticketEvents).where(eq(ticketEvents.ticketId, ticket.id));
        expect(events).toHaveLength(1 + successes);
        // Versions never skip: the events carry 1, 2, 3 …
        expect(events.map((e) => e.version)).toEqual(events.map((_, i) => i + 1));
        const [row] = await db().select().from(tickets).where(eq(tickets.id, ticket.id));
        expect(row).toMatchObject({ state, version });
      }),
      { numRuns: 40 },
    );
  });
});
