import type { History } from "../history.js";
import { ticketKeys } from "./attempts.js";
import { explain, type Finding, groupBy, type InvariantOutcome, outcome } from "./finding.js";

/**
 * Every inbox item was acted on exactly once: it ends `acted` with a decision; at most one ticket
 * event records an act on it (`detail.inboxItem`), and the event its stored result names is one of
 * those; no two orchestrator passes report having acted on it (a replay of the first result is not
 * an act). An item still open when a run that hit its time bound ended is explained, not lost.
 */
export function checkInboxActedOnce(history: History): InvariantOutcome {
  const result = outcome();
  const keyOf = ticketKeys(history);
  const add = (category: Finding["category"], subject: string, message: string) =>
    result.findings.push({ invariant: "inbox_acted_once", category, subject, message });
  const eventsByItem = groupBy(
    // An act's event carries the item and the decision; a hand-over's hold carries only the item.
    history.events.filter(
      (e) => typeof e.detail.inboxItem === "number" && typeof e.detail.decision === "string",
    ),
    (e) => e.detail.inboxItem as number,
  );
  const actsByItem = groupBy(
    history.orchestratorOutcomes.filter((o) => o.outcome === "acted"),
    (o) => o.item,
  );
  for (const item of history.inbox) {
    const subject = `inbox item ${item.id} (${item.kind}, ${keyOf(item.ticketId)})`;
    const events = eventsByItem.get(item.id) ?? [];
    const acts = actsByItem.get(item.id) ?? [];
    if (events.length > 1)
      add(
        "duplicated",
        subject,
        `${events.length} ticket events record an act on it (${events.map((e) => e.id).join(", ")})`,
      );
    if (acts.length > 1)
      add(
        "duplicated",
        subject,
        `acted on by ${acts.length} orchestrator passes (${acts.map((a) => a.process).join(", ")})`,
      );
    if (item.state !== "acted") {
      if (events.length || acts.length)
        add("unexpected", subject, `is ${item.state}, yet something acted on it`);
      if (history.endedBy === "bound") explain(result, `open_at_bound:${item.audience}`);
      else
        add(
          "lost",
          subject,
          `never acted on (${item.state}, for ${item.audience}, delivered ${item.deliveryCount} times)`,
        );
      continue;
    }
    explain(result, `acted:${item.decision ?? "none"}`);
    if (item.decision === null) add("unexpected", subject, "acted without a decision in its result");
    if (item.appliedEventId !== null && !events.some((e) => e.id === item.appliedEventId))
      add("unexpected", subject, `its result names event ${item.appliedEventId}, which records no act on it`);
    if (item.appliedEventId === null && events.length > 0)
      add("unexpected", subject, `its result names no ticket change, yet event ${events[0]?.id} records one`);
  }
  return result;
}
