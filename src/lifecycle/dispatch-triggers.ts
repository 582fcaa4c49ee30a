import { sql } from "drizzle-orm";
import { queryRows } from "../db/database.js";
import type { LifecycleDeps } from "./deps.js";

/**
 * Prompt dispatch, coalesced: takes the right to send one `workflow_dispatch` to `repository` if
 * none was taken in the last `intervalMs`. One statement, so replicas never both take it.
 */
export async function takeDispatchTrigger(
  deps: LifecycleDeps,
  input: { repository: string; intervalMs: number },
): Promise<{ readonly ok: true } | { readonly ok: false; readonly code: "coalesced" }> {
  const now = deps.clock.now();
  const cutoff = new Date(now.getTime() - input.intervalMs);
  const rows = await queryRows<{ repository: string }>(
    deps.db,
    sql`insert into dispatch_triggers (repository, triggered_at, count) values (${input.repository}, ${now}, 1)
        on conflict (repository) do update set triggered_at = excluded.triggered_at, count = dispatch_triggers.count + 1
        where dispatch_triggers.triggered_at <= ${cutoff}
        returning repository`,
  );
  return rows.length === 1 ? { ok: true } : { ok: false, code: "coalesced" };
}
