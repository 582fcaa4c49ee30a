/**
 * What the harness watches while a run goes on: the progress line, whether the workload has
 * quiesced, and which webhooks GitHub could not deliver (what the person redelivers).
 */
import { sql } from "drizzle-orm";
import type { Database } from "../../src/db/database.js";
import { queryRows } from "../../src/db/database.js";
import type { GitHubStandin } from "../../src/github-standin/index.js";

export interface Progress {
  /** e.g. `todo=12 in_progress=6 done=40 | live attempts=6 inbox open=1 …` */
  readonly line: string;
  /** Every ticket terminal, no open inbox item, empty mirror and re-evaluation backlogs, no live attempt. */
  readonly quiet: boolean;
}

export async function progress(db: Database, gh: GitHubStandin): Promise<Progress> {
  const [row] = await queryRows<{
    states: Record<string, number> | null;
    open_items: number;
    mirror: number;
    reevaluations: number;
    reevaluations_due: number;
    live: number;
  }>(
    db,
    sql`select (select json_object_agg(state, n) from (select state, count(*)::int as n from tickets group by state) s) as states,
               (select count(*)::int from inbox_items where state <> 'acted') as open_items,
               (select count(*)::int from mirror_jobs where done_at is null) as mirror,
               (select count(*)::int from evidence_reevaluations where done_at is null) as reevaluations,
               (select count(*)::int from evidence_reevaluations
                 where done_at is null and next_attempt_at <= now()) as reevaluations_due,
               (select count(*)::int from attempts where status in ('launching', 'running')) as live`,
  );
  const states = row?.states ?? {};
  const open = Object.entries(states)
    .filter(([s]) => s !== "done" && s !== "cancelled")
    .reduce((n, [, c]) => n + c, 0);
  const line =
    `${Object.entries(states)
      .map(([s, n]) => `${s}=${n}`)
      .join(" ")} | live attempts=${row?.live} inbox open=${row?.open_items} ` +
    `mirror backlog=${row?.mirror} re-evaluations=${row?.reevaluations} (due ${row?.reevaluations_due}) ` +
    `github requests=${gh.requests.entries.length}`;
  return {
    line,
    // Quiet: every ticket terminal and nothing in flight. A re-evaluation scheduled for later (a
    // re-check after GitHub failed a read, or at a missing commit's grace end) is not in flight: on
    // a terminal ticket it finds nothing to verify when it comes due.
    quiet:
      open === 0 &&
      row?.open_items === 0 &&
      row?.mirror === 0 &&
      row?.reevaluations_due === 0 &&
      row?.live === 0,
  };
}

/**
 * Every webhook GitHub has queued is sent (the stand-in sends one at a time) and recorded `handled`
 * by the app: nothing is in flight, nothing waits for a redelivery.
 */
export async function webhooksSettled(db: Database, gh: GitHubStandin): Promise<boolean> {
  await gh.webhooks.settle();
  const handled = new Set(
    (
      await queryRows<{ delivery_id: string }>(
        db,
        sql`select delivery_id from webhook_deliveries where status = 'handled'`,
      )
    ).map((r) => r.delivery_id),
  );
  return gh.webhooks.deliveries.every((d) => handled.has(d.guid));
}

/** GUIDs none of whose delivery attempts succeeded, and how many attempts back the oldest of them is. */
export function failedDeliveries(deliveries: readonly { guid: string; statusCode: number }[]): {
  guids: string[];
  depth: number;
} {
  const ok = new Set(deliveries.filter((d) => d.statusCode >= 200 && d.statusCode < 300).map((d) => d.guid));
  const guids = new Set<string>();
  let oldest = deliveries.length;
  deliveries.forEach((d, i) => {
    if (ok.has(d.guid)) return;
    guids.add(d.guid);
    oldest = Math.min(oldest, i);
  });
  return { guids: [...guids], depth: deliveries.length - oldest };
}
