import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { openDatabase } from "../../src/db/connect.js";
import { queryRows } from "../../src/db/database.js";
import type { TransitionResult } from "../../src/lifecycle/index.js";
import { givenTicket, testLifecycle } from "../builders/tickets.js";
import { databaseUrl, describePostgres, postgresServer } from "../helpers/databases.js";

const RACERS = 16;
const TICKETS = 500;

describePostgres("lifecycle under contention", ({ db }) => {
  it(`${RACERS} connections racing for the same ${TICKETS} tickets: one winner each, typed conflicts, no skipped versions`, async () => {
    const setup = testLifecycle(db());
    const keys: string[] = [];
    for (let i = 0; i < TICKETS; i++) keys.push((await givenTicket(setup, { title: `t${i}` })).key);

    // Each racer has its own connection (a pool of one) and walks the tickets in its own order.
    const [{ current_database: name } = { current_database: "" }] = await queryRows<{
      current_database: string;
    }>(db(), sql`select current_database()`);
    const url = databaseUrl(postgresServer?.adminUrl ?? "", name);
    const handles = await Promise.all(
      Array.from({ length: RACERS }, () => openDatabase({ driver: "postgres", url }, { maxConnections: 1 })),
    );
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
});
