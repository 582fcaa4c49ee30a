import { sql } from "drizzle-orm";
import { queryRows } from "../db/database.js";
import type { StoreDeps } from "./deps.js";

/**
 * Prompt dispatch, coalesced: `claimDispatchSlot` takes the right to send one `workflow_dispatch`
 * to a repository if none was taken in the last interval (one statement, so replicas never both
 * take it); `releaseDispatchSlot` gives back exactly that take (compare-and-set on its time) when
 * the dispatch failed, so the next runnable change may trigger again at once.
 */
export async function claimDispatchSlot(
  deps: StoreDeps,
  input: { repository: string; intervalMs: number },
): Promise<
  { readonly ok: true; readonly takenAt: Date } | { readonly ok: false; readonly code: "coalesced" }
> {
  const now = deps.clock.now();
  const cutoff = new Date(now.getTime() - input.intervalMs);
  const rows = await queryRows<{ repository: string }>(
    deps.db,
    sql`insert into dispatch_triggers (repository, triggered_at, count) values (${input.repository}, ${now}, 1)
        on conflict (repository) do update set triggered_at = excluded.triggered_at, count = dispatch_triggers.count + 1
        where dispatch_triggers.triggered_at <= ${cutoff}
        returning repository`,
  );
  return rows.length === 1 ? { ok: true, takenAt: now } : { ok: false, code: "coalesced" };
}

/** Gives back the slot taken at `takenAt` (no-op if another take replaced it since). */
export async function releaseDispatchSlot(
  deps: StoreDeps,
  input: { repository: string; takenAt: Date },
): Promise<{ readonly ok: boolean }> {
  const rows = await queryRows<{ repository: string }>(
    deps.db,
    sql`update dispatch_triggers set triggered_at = ${new Date(0)}, count = greatest(count - 1, 0)
        where repository = ${input.repository} and triggered_at = ${input.takenAt}
        returning repository`,
  );
  return { ok: rows.length === 1 };
}
