import { sql } from "drizzle-orm";
import type { Database } from "../../../src/db/database.js";
import { queryRows } from "../../../src/db/database.js";

/** Ticket events that have no mirror job: none once `appendEvent` writes the outbox (it must). */
export async function eventsWithoutMirrorJob(db: Database): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from ticket_events e where not exists (select 1 from mirror_jobs j where j.event_id = e.id)`,
  );
  return row?.n ?? 0;
}
