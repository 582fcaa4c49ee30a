/**
 * The demo's decision log, as pure functions: what Mission Control recorded (ticket events,
 * dispatch decisions, evidence verdicts, inbox items, webhook deliveries) turned into one readable
 * line each, or one JSON object each with `--json`.
 */
import { z } from "zod";

export const ENTRY_SOURCES = ["event", "dispatch", "verdict", "inbox", "webhook"] as const;

export interface DecisionEntry {
  readonly at: Date;
  /** The ticket it is about (null for deliveries that name none). */
  readonly ticket: string | null;
  /** A reason code: the event's reason, the dispatch decision's code, `verdict_pass`, `ci_failed` … */
  readonly kind: string;
  readonly source: (typeof ENTRY_SOURCES)[number];
  readonly text: string;
}

/** What the formatter needs to know about a ticket event (a `ticket_events` row). */
export interface EventFacts {
  readonly id: number;
  readonly reason: string;
  readonly fromState: string | null;
  readonly toState: string;
  readonly actorKind: string;
  readonly actorId: string;
  readonly detail: Record<string, unknown>;
  readonly createdAt: Date;
}

export interface TicketFacts {
  readonly key: string;
  readonly title: string;
  readonly issueNumber: number | null;
  readonly assignee: string | null;
  readonly blockedBy: readonly string[];
}

const short = (sha: unknown) => (typeof sha === "string" ? sha.slice(0, 7) : "?");
const quote = (text: string) => JSON.stringify(text.length > 120 ? `${text.slice(0, 119)}…` : text);
const str = (value: unknown) => (typeof value === "string" ? value : null);

const EvidenceDetail = z.object({
  evidence: z.object({
    commitSha: z.string(),
    tests: z.object({ status: z.string() }).optional(),
  }),
});

const FailedCriteria = z.array(z.object({ id: z.string(), message: z.string().optional() }));

/** One line for a ticket event; null for none (never: every event is worth a line). */
export function eventEntry(
  ticket: TicketFacts,
  event: EventFacts,
  attemptNumber: (attemptId: string | null) => number | null,
  attemptId: string | null,
): DecisionEntry {
  const key = ticket.key;
  const by = event.actorKind === "human" ? event.actorId : event.actorKind;
  const n = attemptNumber(attemptId);
  const attempt = n === null ? "" : ` (attempt ${n})`;
  const entry = (text: string): DecisionEntry => ({
    at: event.createdAt,
    ticket: key,
    kind: event.reason,
    source: "event",
    text,
  });
  switch (event.reason) {
    case "created": {
      const notes = [
        ticket.assignee ? `assigned to ${ticket.assignee}` : null,
        ticket.blockedBy.length ? `blocked by ${ticket.blockedBy.join(", ")}` : null,
      ].filter(Boolean);
      return entry(`${key} created: ${quote(ticket.title)}${notes.length ? ` (${notes.join(", ")})` : ""}`);
    }
    case "claimed":
      return entry(`${key} claimed by ${by}${attempt}`);
    case "needs_input":
      return entry(`${key} asked: ${quote(str(event.detail.question) ?? "(no question)")}${attempt}`);
    case "answered": {
      const where = ticket.issueNumber === null ? "" : ` on issue #${ticket.issueNumber}`;
      return entry(`${event.actorId} answered ${key}${where}`);
    }
    case "requeued_needs_input":
      return entry(`${key} back in the queue with its answer`);
    case "completion_claimed": {
      const parsed = EvidenceDetail.safeParse(event.detail);
      const evidence = parsed.success ? parsed.data.evidence : null;
      const tests = evidence?.tests ? `, tests ${evidence.tests.status}` : "";
      return entry(
        `${key} completion claimed at ${short(evidence?.commitSha)}${attempt}: pushed, clean tree${tests} → verifying`,
      );
    }
    case "evidence_failed": {
      const failed = FailedCriteria.safeParse(event.detail.failed);
      const which =
        failed.success && failed.data.length ? ` (${failed.data.map((c) => c.id).join(", ")})` : "";
      return entry(`${key} evidence failed at ${short(event.detail.sha)}${which} → todo with back-off`);
    }
    case "accepted":
      return entry(`${key} evidence verified → done (${by})`);
    case "accepted_for_review":
      return entry(`${key} evidence verified → in review (${by})`);
    case "held":
      return entry(`${key} held: ${str(event.detail.hold) ?? "?"} (out of the queue until a person decides)`);
    case "hold_released":
      return entry(`${key} hold released by ${by} (back in the queue)`);
    case "attempt_failed":
      return entry(
        `${key} attempt failed: ${str(event.detail.reason) ?? "?"}${attempt} → todo with back-off`,
      );
    default:
      return entry(`${key} ${event.fromState ?? "∅"} → ${event.toState} (${event.reason}) by ${by}`);
  }
}

const StoredDecision = z.looseObject({
  code: z.string(),
  ticket: z.string().optional(),
  rule: z.string().optional(),
  message: z.string().optional(),
  blockers: z.array(z.string()).optional(),
  until: z.string().optional(),
  attempts: z.number().optional(),
  budget: z.number().optional(),
  error: z.string().optional(),
  holder: z.unknown().optional(),
});

/**
 * One line for a dispatch decision worth showing, with the key that makes it new: a cycle repeats
 * `skipped_policy` and `blocked` every second, the log shows each once. `claimed` and the ticket
 * changes are left to the ticket events.
 */
export function dispatchEntry(decision: unknown, at: Date): { dedupe: string; entry: DecisionEntry } | null {
  const parsed = StoredDecision.safeParse(decision);
  if (!parsed.success) return null;
  const d = parsed.data;
  const ticket = d.ticket ?? null;
  const make = (dedupe: string, text: string) => ({
    dedupe,
    entry: { at, ticket, kind: d.code, source: "dispatch" as const, text },
  });
  switch (d.code) {
    case "skipped_policy":
      return make(`${ticket}:${d.code}:${d.rule}`, `${ticket} skipped: ${d.rule} (${d.message ?? ""})`);
    case "blocked":
      return make(
        `${ticket}:${d.code}:${(d.blockers ?? []).join(",")}`,
        `${ticket} not claimed: blocked by ${(d.blockers ?? []).join(", ")}`,
      );
    case "backing_off":
      return make(`${ticket}:${d.code}:${d.until}`, `${ticket} not claimed: backing off after a failure`);
    case "max_attempts":
      return make(
        `${ticket}:${d.code}`,
        `${ticket} not claimed: ${d.attempts ?? "?"}${d.budget === undefined ? "" : ` of ${d.budget}`} attempts used (max_attempts)`,
      );
    case "launch_failed":
      return make(`${ticket}:${d.code}:${at.getTime()}`, `${ticket} launch failed: ${d.error ?? "?"}`);
    case "claim_conflict":
      return make(`${ticket}:${d.code}:${at.getTime()}`, `${ticket} claim conflict: ${d.message ?? ""}`);
    case "worker_count_unavailable":
    case "lease_lost":
      return make(`${d.code}:${at.getTime()}`, `dispatcher: ${d.code}${d.message ? ` (${d.message})` : ""}`);
    default:
      return null;
  }
}

const StoredCriterion = z.object({ id: z.string(), status: z.string(), message: z.string() });

export interface VerdictFacts {
  readonly id: number;
  readonly status: string;
  readonly sha: string | null;
  readonly criteria: unknown;
  readonly evaluatedAt: Date;
}

/** One line per stored verdict: CI failures are named as such. */
export function verdictEntry(ticket: string, verdict: VerdictFacts): DecisionEntry {
  const criteria = z.array(StoredCriterion).safeParse(verdict.criteria);
  const list = criteria.success ? criteria.data : [];
  const at = short(verdict.sha);
  const ids = (status: string) =>
    list
      .filter((c) => c.status === status)
      .map((c) => c.id)
      .join(", ");
  const base = { at: verdict.evaluatedAt, ticket, source: "verdict" as const };
  if (verdict.status === "pass")
    return {
      ...base,
      kind: "verdict_pass",
      text: `${ticket} evidence passed at ${at}: ${list.length} criteria`,
    };
  if (verdict.status === "fail") {
    const ci = list.find((c) => c.status === "fail" && c.id.startsWith("check:"));
    if (ci)
      return {
        ...base,
        kind: "ci_failed",
        text: `CI failed for ${ticket} at ${at}: ${ci.id.slice("check:".length)} (${ci.message})`,
      };
    return { ...base, kind: "verdict_fail", text: `${ticket} evidence failed at ${at}: ${ids("fail")}` };
  }
  return {
    ...base,
    kind: "verdict_pending",
    text: `${ticket} evidence pending at ${at}: waiting for ${ids("pending")}`,
  };
}

export interface InboxFacts {
  readonly id: number;
  readonly kind: string;
  readonly state: string;
  readonly audience: string;
  readonly handoverNote: string | null;
  readonly result: Record<string, unknown> | null;
  readonly updatedAt: Date;
}

/**
 * A line when the orchestrator acted on an item without changing the ticket (a change has its own
 * ticket event) or handed it to a person; null otherwise.
 */
export function inboxEntry(
  ticket: string,
  item: InboxFacts,
): { dedupe: string; entry: DecisionEntry } | null {
  const base = { at: item.updatedAt, ticket, source: "inbox" as const };
  if (item.state === "acted" && item.result) {
    if (item.result.transition) return null;
    const decision = str(item.result.decision) ?? "?";
    const note = str(item.result.note);
    return {
      dedupe: `${item.id}:acted`,
      entry: {
        ...base,
        kind: `inbox_${decision}`,
        text: `${ticket} orchestrator decided ${decision} on ${item.kind}${note ? `: ${note}` : ""}`,
      },
    };
  }
  if (item.audience === "person" && item.state !== "acted")
    return {
      dedupe: `${item.id}:person`,
      entry: {
        ...base,
        kind: "inbox_for_person",
        text: `${ticket} inbox: ${item.kind} waits for a person${item.handoverNote ? ` (${item.handoverNote})` : ""}`,
      },
    };
  return null;
}

export interface DeliveryFacts {
  readonly deliveryId: string;
  readonly event: string;
  readonly action: string | null;
  readonly status: string;
  readonly outcome: string | null;
  readonly receivedAt: Date;
}

/** The webhooks that carry the story (CI, deployments, merges, comments); others are left out. */
const SHOWN_DELIVERIES = new Set([
  "check_run.completed",
  "deployment_status.created",
  "pull_request.closed",
  "issue_comment.created",
]);

export function deliveryEntry(delivery: DeliveryFacts): DecisionEntry | null {
  const name = delivery.action ? `${delivery.event}.${delivery.action}` : delivery.event;
  if (!SHOWN_DELIVERIES.has(name) || delivery.status === "received") return null;
  return {
    at: delivery.receivedAt,
    ticket: null,
    kind: "webhook",
    source: "webhook",
    text: `github → app: ${name} (${delivery.status}: ${delivery.outcome ?? "-"})`,
  };
}

/** `12:00:01 MC-3 claimed by dispatcher (attempt 1)` (local time). */
export function formatLine(entry: DecisionEntry): string {
  const t = entry.at;
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(t.getHours())}:${pad(t.getMinutes())}:${pad(t.getSeconds())} ${entry.text}`;
}

/** The same entry as one JSON line. */
export function formatJsonLine(entry: DecisionEntry): string {
  return JSON.stringify({
    type: "decision",
    at: entry.at.toISOString(),
    ticket: entry.ticket,
    kind: entry.kind,
    source: entry.source,
    text: entry.text,
  });
}
