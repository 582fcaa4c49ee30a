/**
 * At 100k tickets every list, page and count the CLI, the API, the board and the dispatcher run
 * reads an index, never the whole table: each query the lifecycle sends is captured from the
 * driver and planned again with EXPLAIN. PostgreSQL only (PGlite's planner is the same, but the
 * point is the server a team runs).
 */
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import { afterEach, expect, it } from "vitest";
import type { Database } from "../../src/db/database.js";
import * as schema from "../../src/db/schema.js";
import { queuePolicyOf } from "../../src/dispatch/cycle.js";
import { EVERY_TICKET } from "../../src/lifecycle/index.js";
import { manualClock, testLifecycle } from "../builders/tickets.js";
import { describePostgres } from "../helpers/databases.js";

interface Captured {
  readonly query: string;
  readonly params: unknown[];
}

/** Relation names a plan reads with a sequential scan. */
function seqScans(plan: unknown, found: string[] = []): string[] {
  if (plan && typeof plan === "object") {
    const node = plan as Record<string, unknown>;
    if (node["Node Type"] === "Seq Scan") found.push(String(node["Relation Name"]));
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) for (const child of value) seqScans(child, found);
      else if (value && typeof value === "object") seqScans(value, found);
    }
  }
  return found;
}

describePostgres(
  "query plans at 100k tickets",
  ({ url }) => {
    let pool: pg.Pool | undefined;
    afterEach(() => pool?.end());

    it("no list, page or count is a sequential scan", async () => {
      const captured: Captured[] = [];
      pool = new pg.Pool({ connectionString: url(), max: 2 });
      const db = drizzle(pool, {
        schema,
        logger: { logQuery: (query, params) => captured.push({ query, params }) },
      }) as unknown as Database;
      // One statement: 100k tickets over 20 repositories, most done, the rest spread over the open states.
      await pool.query(`
        insert into tickets (id, key, repository, title, priority, state, assignee, created_at, updated_at,
                             next_eligible_at, attempt_count)
        select g, 'MC-' || g, 'acme/r' || (g % 20), 'ticket ' || g,
               (array['urgent','high','normal','low'])[1 + g % 4]::ticket_priority,
               (case when g % 10 < 8 then 'done' when g % 10 = 8 then 'todo'
                     when g % 20 = 9 then 'needs_input' else 'in_progress' end)::ticket_state,
               case when g % 7 = 0 then 'alice' end,
               timestamptz '2025-01-01' + g * interval '1 second',
               timestamptz '2025-01-01' + g * interval '1 second',
               case when g % 30 = 8 then timestamptz '2027-01-01' end,
               0
        from generate_series(1, 100000) g`);
      await pool.query("select setval(pg_get_serial_sequence('tickets', 'id'), 100000)");
      // Questions of the needs_input tickets (half answered), and recorded policy verdicts.
      await pool.query(`
        insert into ticket_questions (ticket_id, attempt_id, question, asked_at, answer)
        select id, gen_random_uuid(), 'why?', created_at, case when id % 40 = 9 then 'because' end
        from tickets where state = 'needs_input'`);
      await pool.query(`
        insert into ticket_policy_skips (ticket_id, version, policy, rule, recorded_at)
        select id, version, 'p', 'assigned_to_human', now() from tickets where assignee is not null`);
      await pool.query("vacuum analyze tickets, ticket_questions, ticket_policy_skips");
      const lifecycle = testLifecycle(db, manualClock(new Date("2026-06-01T00:00:00Z")));
      const policy = queuePolicyOf({
        agentIdentities: ["agent"],
        excludedCampaigns: ["legal"],
        excludedLabels: ["x"],
      });
      const reads: Record<string, () => Promise<unknown>> = {
        "mctl ticket list": () => lifecycle.listTickets({}),
        "mctl ticket list --state todo": () => lifecycle.listTickets({ state: "todo" }),
        "mctl ticket list --state done": () => lifecycle.listTickets({ state: "done" }),
        "mctl ticket list --repo": () => lifecycle.listTickets({ repository: "acme/r3" }),
        "api page 1": () => lifecycle.listTicketsAfter({ limit: 50 }),
        "api page after": () =>
          lifecycle.listTicketsAfter({
            limit: 50,
            after: { priority: "high", createdMicros: "1735700000000000", id: 50001 },
          }),
        "api page --state": () =>
          lifecycle.listTicketsAfter({
            limit: 50,
            state: "in_progress",
            after: { priority: "normal", createdMicros: "1735700000000000", id: 50002 },
          }),
        "board columns and counts": () => lifecycle.board.columns({ perColumn: 25 }),
        "answered needs_input": () => lifecycle.findAnsweredTickets(50, EVERY_TICKET),
        "queued repositories": () => lifecycle.queuedRepositories(EVERY_TICKET),
        "candidate page": () =>
          lifecycle.candidatePage(null, 100, "acme/r8", {
            now: lifecycle.clock.now(),
            policy,
            maxAttempts: 3,
          }),
        "candidate page after": () =>
          lifecycle.candidatePage(
            { priority: "normal", createdAt: new Date("2025-01-01T10:00:00Z"), id: 36008 },
            100,
            "acme/r8",
            { now: lifecycle.clock.now(), policy, maxAttempts: 3 },
          ),
        "policy refusals": () =>
          lifecycle.unrecordedPolicyRefusals({ policy, limit: 100, repository: "acme/r8" }),
        "live attempts": () => lifecycle.countLiveAttemptsByRepository(EVERY_TICKET),
        "expired attempts": () => lifecycle.findExpiredAttempts(50, EVERY_TICKET),
      };
      const offenders: string[] = [];
      for (const [name, read] of Object.entries(reads)) {
        captured.length = 0;
        await read();
        expect(captured.length, name).toBeGreaterThan(0);
        for (const { query, params } of captured) {
          const { rows } = await pool.query(`explain (format json) ${query}`, params);
          const scans = seqScans(rows[0]?.["QUERY PLAN"]).filter((r) =>
            ["tickets", "attempts", "ticket_questions", "ticket_policy_skips"].includes(r),
          );
          if (scans.length) offenders.push(`${name}: seq scan on ${scans.join(", ")}\n  ${query}`);
        }
      }
      expect(offenders).toEqual([]);
    });
  },
  { postgres: "per-test" },
);
