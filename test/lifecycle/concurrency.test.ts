import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { openDatabase } from "../../src/db/connect.js";
import { type Database, queryRows } from "../../src/db/database.js";
import type { EndAttemptResult, TransitionResult } from "../../src/lifecycle/index.js";
import {
  agentWorker,
  dispatcher,
  givenClaimedTicket,
  givenTicket,
  manualClock,
  testLifecycle,
} from "../builders/tickets.js";
import { databaseUrl, describePostgres, postgresServer } from "../helpers/databases.js";

const RACERS = 16;
const TICKETS = 200;

/** Connections of their own (a pool of one each) to the test's database. */
async function racerDatabases(db: () => Database, count: number) {
  const [{ current_database: name } = { current_database: "" }] = await queryRows<{
    current_database: string;
  }>(db(), sql`select current_database()`);
  const url = databaseUrl(postgresServer?.adminUrl ?? "", name);
  return Promise.all(
    Array.from({ length: count }, () => openDatabase({ driver: "postgres", url }, { maxConnections: 1 })),
  );
}

describePostgres("lifecycle under contention", ({ db }) => {
  it(`${RACERS} connections racing for the same ${TICKETS} tickets: one winner each, typed conflicts, no skipped versions`, async () => {
    const setup = testLifecycle(db());
    const keys: string[] = [];
    for (let i = 0; i < TICKETS; i++) keys.push((await givenTicket(setup, { title: `t${i}` })).key);

    // Each racer has its own connection (a pool of one) and walks the tickets in its own order.
    const handles = await racerDatabases(db, RACERS);
    const results: { racer: number; key: string; result: TransitionResult }[] = [];
    try {
      await Promise.all(
        handles.map(async (handle, racer) => {
          const lifecycle = testLifecycle(handle.db);
          const rotated = keys.map((_, i) => keys[(i + racer * 31) % keys.length] as string);
          const order = racer % 2 ? rotated.reverse() : rotated;
          for (const key of order) {
            const result = await lifecycle.transition({
              ticket: key,
              from: "todo",
              expectedVersion: 1,
              to: "in_progress",
              reason: "claimed",
              actor: { kind: "dispatcher", id: `racer-${racer}` },
            });
            results.push({ racer, key, result });
          }
        }),
      );
    } finally {
      await Promise.all(handles.map((h) => h.close()));
    }

    expect(results).toHaveLength(RACERS * TICKETS);
    const wins = results.filter((r) => r.result.ok);
    expect(new Set(wins.map((w) => w.key)).size).toBe(TICKETS);
    expect(wins).toHaveLength(TICKETS);
    for (const loss of results.filter((r) => !r.result.ok)) {
      expect(loss.result).toMatchObject({
        ok: false,
        code: "conflict",
        current: { state: "in_progress", version: 2 },
      });
    }
    // The winner recorded in the event is the racer that got `ok`.
    const events = await queryRows<{ key: string; version: number; actor_id: string; reason: string }>(
      db(),
      sql`select t.key, e.version, e.actor_id, e.reason from ticket_events e join tickets t on t.id = e.ticket_id order by e.id`,
    );
    expect(events.filter((e) => e.reason === "claimed")).toHaveLength(TICKETS);
    for (const win of wins) {
      expect(events).toContainEqual({
        key: win.key,
        version: 2,
        actor_id: `racer-${win.racer}`,
        reason: "claimed",
      });
    }
    const versions = await queryRows<{ key: string; versions: number[]; version: number }>(
      db(),
      sql`select t.key, t.version, array_agg(e.version order by e.id) as versions
          from tickets t join ticket_events e on e.ticket_id = t.id group by t.key, t.version`,
    );
    expect(versions).toHaveLength(TICKETS);
    for (const row of versions) {
      expect(row.version).toBe(2);
      expect(row.versions).toEqual([1, 2]);
    }
  });

  it("a completion racing an expiry and a priority change on the same attempts: each ending all or nothing", async () => {
    // One statement per ending: the attempt's end, the ticket's move, the event, its mirror job and
    // the re-evaluation request are written together or not at all, whichever racer wins.
    const ATTEMPTS = 150;
    const clock = manualClock();
    const setup = testLifecycle(db(), clock);
    const claims = [];
    for (let i = 0; i < ATTEMPTS; i++)
      claims.push(await givenClaimedTicket(setup, { ticket: { title: `r${i}` }, start: true }));
    const handles = await racerDatabases(db, 3);
    const endings: { racer: "complete" | "expire"; attemptId: string; result: EndAttemptResult }[] = [];
    try {
      const [completer, expirer, prioritizer] = handles.map((h) => testLifecycle(h.db, clock));
      if (!completer || !expirer || !prioritizer) throw new Error("racers");
      await Promise.all([
        (async () => {
          for (const { attempt } of claims) {
            const result = await completer.completeAttempt({
              attemptId: attempt.id,
              actor: agentWorker,
              evidence: { commitSha: "c".repeat(40) },
            });
            endings.push({ racer: "complete", attemptId: attempt.id, result });
          }
        })(),
        (async () => {
          for (const { attempt } of [...claims].reverse()) {
            const result = await expirer.expireAttempt({
              attemptId: attempt.id,
              actor: dispatcher,
              backoff: { baseMs: 30_000, capMs: 600_000 },
              fence: null,
            });
            endings.push({ racer: "expire", attemptId: attempt.id, result });
          }
        })(),
        (async () => {
          for (const { ticket } of claims)
            await prioritizer.issues.setPriority({ ticket, priority: "high", actor: dispatcher });
        })(),
      ]);
    } finally {
      await Promise.all(handles.map((h) => h.close()));
    }

    const tally = (racer: string, code: string) =>
      endings.filter((e) => e.racer === racer && (e.result.ok ? "ok" : e.result.code) === code).length;
    console.info(
      `complete: ${tally("complete", "ok")} ok, ${tally("complete", "fenced")} fenced, ${tally("complete", "conflict")} conflict; ` +
        `expire: ${tally("expire", "ok")} ok, ${tally("expire", "fenced")} fenced, ${tally("expire", "conflict")} conflict`,
    );
    for (const ending of endings.filter((e) => !e.result.ok))
      expect(["fenced", "conflict"]).toContain((ending.result as { code: string }).code);
    const rows = await queryRows<{
      id: string;
      status: string;
      state: string;
      version: number;
      next_eligible_at: string | null; // as the driver gives it
      events: string[];
      versions: number[];
      mirrored: number;
      requests: number;
    }>(
      db(),
      sql`select a.id, a.status, t.state, t.version, t.next_eligible_at,
                 (select array_agg(e.reason order by e.id) from ticket_events e where e.attempt_id = a.id and e.reason <> 'claimed') as events,
                 (select array_agg(e.version order by e.id) from ticket_events e where e.ticket_id = t.id) as versions,
                 (select count(*)::int from ticket_events e join mirror_jobs m on m.event_id = e.id where e.ticket_id = t.id) as mirrored,
                 (select count(*)::int from evidence_reevaluations r where r.delivery_id = 'completion:' || a.id) as requests
          from attempts a join tickets t on t.id = a.ticket_id`,
    );
    expect(rows).toHaveLength(ATTEMPTS);
    for (const row of rows) {
      const won = endings.filter((e) => e.attemptId === row.id && e.result.ok).map((e) => e.racer);
      expect(won.length, row.id).toBeLessThanOrEqual(1);
      // What the attempt says, the ticket, its events, the mirror jobs and the request agree.
      if (won[0] === "complete") {
        expect(row).toMatchObject({
          status: "completed",
          state: "verifying",
          events: ["completion_claimed"],
          requests: 1,
        });
      } else if (won[0] === "expire") {
        expect(row).toMatchObject({ status: "lost", state: "todo", events: ["lease_expired"], requests: 0 });
        expect(new Date(String(row.next_eligible_at)).getTime()).toBe(clock.now().getTime() + 30_000);
      } else {
        expect(row).toMatchObject({ status: "running", state: "in_progress", events: null, requests: 0 });
      }
      expect(row.versions).toEqual(Array.from({ length: row.version }, (_, i) => i + 1));
      expect(row.mirrored).toBe(row.versions.length);
    }
    expect(endings.filter((e) => e.result.ok).length).toBeGreaterThan(0);
  });
});
