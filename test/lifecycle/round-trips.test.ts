/**
 * Statements per ticket on the job path, counted at the driver (every query a pooled client
 * sends, BEGIN and COMMIT included): claim (under the dispatcher's fence) → start → complete.
 */
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import { afterEach, expect, it } from "vitest";
import type { Database } from "../../src/db/database.js";
import * as schema from "../../src/db/schema.js";
import { agentWorker, dispatcher, givenTicket, manualClock, testLifecycle } from "../builders/tickets.js";
import { describePostgres } from "../helpers/databases.js";

describePostgres("round trips of the job path", ({ url }) => {
  let pool: pg.Pool | undefined;
  afterEach(() => pool?.end());

  it("claim → start → complete costs 3 statements per ticket, one each (issue 20's goal: at most 8)", async () => {
    const sent: string[] = [];
    pool = new pg.Pool({ connectionString: url(), max: 2 });
    pool.on("connect", (client) => {
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
        const first = args[0];
        sent.push(typeof first === "string" ? first : String((first as { text?: string }).text));
        return query(...args);
      };
    });
    const db = drizzle(pool, { schema }) as unknown as Database;
    const clock = manualClock();
    const lifecycle = testLifecycle(db, clock);
    const counts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const ticket = await givenTicket(lifecycle, { title: `t${i}` });
      const lease = await lifecycle.acquireLease({ name: "dispatch", holder: "d", ttlMs: 60_000 });
      if (!lease.ok) throw new Error("lease");
      const fence = { name: "dispatch", holder: "d", fencingToken: lease.fencingToken };
      sent.length = 0;
      const claim = await lifecycle.claim({
        ticket: ticket.key,
        expectedVersion: ticket.version,
        worker: "agent",
        actor: dispatcher,
        leaseMs: 60_000,
        fence,
      });
      if (!claim.ok) throw new Error(claim.message);
      const claimed = sent.length;
      const started = await lifecycle.startAttempt({
        attemptId: claim.attempt.id,
        launchKey: claim.attempt.launchKey,
        leaseMs: 60_000,
      });
      expect(started.ok).toBe(true);
      const completed = await lifecycle.completeAttempt({
        attemptId: claim.attempt.id,
        actor: agentWorker,
        evidence: { commitSha: "a".repeat(40) },
      });
      expect(completed.ok).toBe(true);
      counts.push(sent.length);
      console.info(
        `claim ${claimed}, start → complete ${sent.length - claimed}: ${sent.map((s) => s.split(/\s+/).slice(0, 3).join(" ")).join(" | ")}`,
      );
      await lifecycle.releaseLease(fence);
    }
    expect(counts).toEqual([3, 3, 3]);
  });
});
