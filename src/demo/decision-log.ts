/**
 * Reads what Mission Control recorded about the demo's tickets — ticket events, dispatch cycles,
 * evidence verdicts, inbox items, the app's webhook deliveries — through the lifecycle's read
 * functions, and turns what is new since the last poll into decision-log entries. The log is what
 * the database says happened, not what the demo meant to do.
 */
import type { TicketRow } from "../db/schema.js";
import type { Lifecycle } from "../lifecycle/index.js";
import type { Store } from "../store/index.js";
import type { OutcomeFacts } from "./end-states.js";
import {
  type DecisionEntry,
  deliveryEntry,
  dispatchEntry,
  eventEntry,
  inboxEntry,
  verdictEntry,
} from "./log-format.js";
import type { Role } from "./scenario.js";

export interface TrackedTicket {
  readonly key: string;
  readonly role: Role;
}

export interface DecisionLog {
  /** New entries since the last poll, oldest first. */
  poll(): Promise<DecisionEntry[]>;
  /** What the database says about each tracked ticket now (for the end-state checks). */
  outcomes(): Promise<OutcomeFacts[]>;
}

export function decisionLog(
  lifecycle: Lifecycle,
  deliveries: Pick<Store["deliveries"], "recent">,
  repository: string,
  tracked: readonly TrackedTicket[],
): DecisionLog {
  const seen = new Set<string>();
  const policySkips = new Map<string, Set<string>>();
  const blocked = new Set<string>();
  const lastVerdict = new Map<string, string>();
  const once = (key: string) => {
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };

  // What was read last time, so a poll reads only what can have changed: every ticket event moves
  // the ticket's version; verdicts arrive while it is verifying; inbox items move on their own.
  const versions = new Map<string, number>();
  const openInbox = new Set<string>();

  async function ticketEntries(ticket: TicketRow): Promise<DecisionEntry[]> {
    const key = ticket.key;
    const entries: DecisionEntry[] = [];
    const changed = versions.get(key) !== ticket.version;
    versions.set(key, ticket.version);
    if (changed) {
      const attempts = await lifecycle.attemptsOf(ticket.id);
      const numberOf = (id: string | null) => attempts.find((a) => a.id === id)?.number ?? null;
      for (const event of await lifecycle.ticketHistory(ticket.id))
        if (once(`event:${event.id}`)) entries.push(eventEntry(ticket, event, numberOf, event.attemptId));
    }
    if (changed || ticket.state === "verifying") {
      for (const verdict of await lifecycle.evidence.verdictsOf(ticket.id)) {
        if (!once(`verdict:${verdict.id}`)) continue;
        // A verdict re-recorded with the same meaning (e.g. merged, now also reachable) says nothing new.
        const entry = verdictEntry(key, verdict);
        if (lastVerdict.get(verdict.attemptId) === entry.text) continue;
        lastVerdict.set(verdict.attemptId, entry.text);
        entries.push(entry);
      }
    }
    if (changed || openInbox.has(key)) {
      const items = await lifecycle.inbox.ofTicket(ticket.id);
      if (items.some((i) => i.state !== "acted")) openInbox.add(key);
      else openInbox.delete(key);
      for (const item of items) {
        const made = inboxEntry(key, item);
        if (made && once(`inbox:${made.dedupe}`)) entries.push(made.entry);
      }
    }
    return entries;
  }

  return {
    async poll() {
      const entries: DecisionEntry[] = [];
      const rows = await lifecycle.listTickets({ repository, limit: 1000 });
      for (const { key } of tracked) {
        const row = rows.find((r) => r.key === key);
        if (row) entries.push(...(await ticketEntries(row)));
      }
      for (const cycle of (await lifecycle.recentDispatchCycles(20)).reverse()) {
        if (!once(`cycle:${cycle.id}`)) continue;
        for (const decision of cycle.decisions) {
          const made = dispatchEntry(decision, cycle.startedAt);
          if (!made) continue;
          const { ticket, kind } = made.entry;
          if (ticket && kind === "skipped_policy") {
            const rule = (decision as { rule?: unknown }).rule;
            if (typeof rule === "string")
              policySkips.set(ticket, new Set([...(policySkips.get(ticket) ?? []), rule]));
          }
          if (ticket && kind === "blocked") blocked.add(ticket);
          if (once(`dispatch:${made.dedupe}`)) entries.push(made.entry);
        }
      }
      for (const delivery of (await deliveries.recent(50)).reverse()) {
        const made = deliveryEntry(delivery);
        if (made && once(`delivery:${delivery.deliveryId}`)) entries.push(made);
      }
      return entries.sort((a, b) => a.at.getTime() - b.at.getTime());
    },

    async outcomes() {
      const doneAt = new Map<string, number | null>();
      const facts: OutcomeFacts[] = [];
      const rows = new Map<string, Awaited<ReturnType<Lifecycle["findTicket"]>>>();
      for (const { key } of tracked) rows.set(key, await lifecycle.findTicket(key));
      for (const [key, row] of rows) {
        if (!row) continue;
        const done = (await lifecycle.ticketHistory(row.id)).find((e) => e.toState === "done");
        doneAt.set(key, done?.id ?? null);
      }
      for (const { key, role } of tracked) {
        const row = rows.get(key);
        if (!row) continue;
        const events = await lifecycle.ticketHistory(row.id);
        const verdicts = await lifecycle.evidence.verdictsOf(row.id);
        const items = await lifecycle.inbox.ofTicket(row.id);
        facts.push({
          key,
          role,
          state: row.state,
          hold: row.hold,
          attempts: row.attemptCount,
          events: events.map((e) => ({ id: e.id, reason: e.reason, actorId: e.actorId })),
          policySkips: [...(policySkips.get(key) ?? [])],
          seenBlocked: blocked.has(key),
          blockersDoneAt: row.blockedBy.map((blocker) => doneAt.get(blocker) ?? null),
          verdicts: verdicts.map((v) => ({
            attemptId: v.attemptId,
            status: verdictEntry(key, v).kind === "ci_failed" ? "ci_failed" : v.status,
          })),
          forPerson: items.filter((i) => i.audience === "person" && i.state !== "acted").map((i) => i.kind),
        });
      }
      return facts;
    },
  };
}
