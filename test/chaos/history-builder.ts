/**
 * Builds histories for the checker's own tests: a ticket is described as a walk of events (the
 * versions, mirror jobs, issue, comments, commits and webhooks that a correct system would leave
 * behind are derived from it), so a test can plant exactly one kind of violation.
 */
import { renderEventComment, renderIssue } from "../../src/app/mirror/render.js";
import type { TicketRow } from "../../src/db/schema.js";
import type { AttemptFact, EventFact, History, IssueFact, TicketFact, TicketKind } from "./history.js";
import { TICKET_LABEL } from "./invariants/mirror.js";

const T0 = Date.parse("2026-01-01T00:00:00Z");
export const at = (second: number) => new Date(T0 + second * 1000);

/** One step of a walk: `[reason, to, attemptId?, detail?]`. */
export type Step = readonly [
  reason: string,
  to: string,
  attemptId?: string | undefined,
  detail?: Record<string, unknown>,
];

const ACTOR_OF: Readonly<Record<string, string>> = {
  created: "human",
  claimed: "dispatcher",
  lease_expired: "dispatcher",
  launch_failed: "dispatcher",
  requeued_needs_input: "dispatcher",
  held: "dispatcher",
  needs_input: "worker",
  attempt_failed: "worker",
  completion_claimed: "worker",
  evidence_failed: "verifier",
  accepted: "orchestrator",
  accepted_for_review: "orchestrator",
  answered: "human",
  cancelled: "human",
};

export class HistoryBuilder {
  readonly tickets: TicketFact[] = [];
  readonly events: EventFact[] = [];
  readonly attempts: AttemptFact[] = [];
  readonly issues: IssueFact[] = [];
  history: Omit<History, "tickets" | "events" | "attempts" | "issues"> = {
    seed: 7,
    endedBy: "quiesced",
    endedAt: at(1000),
    maxAttempts: 3,
    questions: [],
    verdicts: [],
    inbox: [],
    mirrorJobs: [],
    commits: [],
    webhooksSent: [{ guid: "g-1", event: "push", action: null, sha: null, statusCodes: [200] }],
    webhooksReceived: [{ guid: "g-1", status: "handled" }],
    pendingReevaluations: [],
    agentStarts: [],
    launches: [],
    orchestratorOutcomes: [],
  };
  #clock = 0;

  /** A ticket walked through `steps` after `created`; its issue mirrors the end of the walk. */
  walk(key: string, kind: TicketKind, steps: readonly Step[]): TicketFact {
    const id = this.tickets.length + 1;
    let state = "todo";
    let version = 1;
    const mine: EventFact[] = [];
    const push = (reason: string, from: string | null, to: string, attemptId?: string, detail = {}) => {
      const event: EventFact = {
        id: this.events.length + 1,
        ticketId: id,
        from,
        to,
        reason,
        actorKind: ACTOR_OF[reason] ?? "human",
        actorId: "someone",
        attemptId: attemptId ?? null,
        version,
        detail,
        at: at(++this.#clock),
      };
      this.events.push(event);
      mine.push(event);
      this.history = {
        ...this.history,
        mirrorJobs: [...this.history.mirrorJobs, { eventId: event.id, done: true }],
      };
    };
    push("created", null, "todo");
    for (const [reason, to, attemptId, detail] of steps) {
      version += 1;
      push(reason, state, to, attemptId, detail);
      state = to;
    }
    const title = `Chaos ticket ${id} [${kind}]`;
    const row: TicketRow = {
      id,
      key,
      repository: "acme/widgets",
      title,
      body: "",
      labels: [],
      priority: "normal",
      assignee: null,
      campaign: null,
      blockedBy: [],
      state: state as TicketRow["state"],
      version,
      attemptCount: 0,
      extraAttempts: 0,
      nextEligibleAt: null,
      hold: null,
      currentAttemptId: null,
      issueNumber: id,
      createdAt: at(0),
      updatedAt: at(0),
    };
    const ticket: TicketFact = {
      id,
      key,
      title,
      kind,
      state,
      version,
      hold: null,
      currentAttemptId: null,
      attemptCount: 0,
      nextEligibleAt: null,
      issueNumber: id,
      row,
    };
    this.tickets.push(ticket);
    this.issues.push(issueFor(ticket, mine));
    return ticket;
  }

  /** An attempt row; ended one second after it began unless told otherwise. */
  attempt(ticket: TicketFact, input: Partial<AttemptFact> & { id: string }): AttemptFact {
    const number = this.attempts.filter((a) => a.ticketId === ticket.id).length + 1;
    const attempt: AttemptFact = {
      ticketId: ticket.id,
      number,
      status: "completed",
      launchKey: `${ticket.key}/${number}`,
      leaseExpiresAt: at(2000),
      createdAt: at(++this.#clock),
      endedAt: at(++this.#clock),
      outcomeReason: "completion_claimed",
      evidenceSha: null,
      ...input,
    };
    this.attempts.push(attempt);
    this.history = {
      ...this.history,
      agentStarts: [
        ...this.history.agentStarts,
        {
          attemptId: attempt.id,
          ticket: ticket.key,
          pid: 1000 + this.attempts.length,
          at: attempt.createdAt,
        },
      ],
      launches: [
        ...this.history.launches,
        { cycleId: this.attempts.length, code: "claimed", attemptId: attempt.id },
      ],
    };
    return attempt;
  }

  with(patch: Partial<History>): this {
    this.history = { ...this.history, ...patch };
    return this;
  }

  build(): History {
    return {
      ...this.history,
      tickets: this.tickets,
      events: this.events,
      attempts: this.attempts,
      issues: this.issues,
    };
  }
}

/** The issue a correct mirror leaves: what src/app/mirror/render.ts renders, and one comment per event it comments on. */
export function issueFor(ticket: TicketFact, events: readonly EventFact[]): IssueFact {
  const view = renderIssue(ticket.row, TICKET_LABEL);
  return {
    number: ticket.issueNumber ?? 0,
    title: view.title,
    body: view.body,
    state: view.state,
    labels: [...view.labels],
    comments: events.flatMap((e) => {
      const comment = renderEventComment(ticket.row, {
        id: e.id,
        ticketId: e.ticketId,
        fromState: e.from as TicketRow["state"] | null,
        toState: e.to as TicketRow["state"],
        actorKind: e.actorKind as "human",
        actorId: e.actorId,
        reason: e.reason,
        attemptId: e.attemptId,
        version: e.version,
        detail: e.detail,
        createdAt: e.at,
      });
      return comment ? [comment] : [];
    }),
  };
}
