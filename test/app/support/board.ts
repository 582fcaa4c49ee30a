import { afterAll, beforeAll } from "vitest";
import type { DatabaseHandle } from "../../../src/db/database.js";
import type { TicketRow } from "../../../src/db/schema.js";
import { runDispatchCycle } from "../../../src/dispatch/cycle.js";
import type { TicketState } from "../../../src/domain/ticket-states.js";
import type { Lifecycle } from "../../../src/lifecycle/index.js";
import { testDispatcher } from "../../builders/dispatch.js";
import { givenClaimedTicket, givenTicket, human } from "../../builders/tickets.js";
import { openTestPglite } from "../../helpers/databases.js";
import { acceptResult, backoff, givenVerifiedItem, givenVerifying, verifier } from "../../inbox/support.js";
import { type AppHarness, startApp } from "./harness.js";
import { givenNeedsInput } from "./tickets.js";

/** The criteria of the scene's verdict, as the evidence verifier writes them (src/evidence/criteria/). */
export const SCENE_CRITERIA = [
  {
    id: "attempt",
    title: "attempt is current and valid",
    status: "pass",
    reason: "current_attempt",
    message: "attempt #1 of the ticket",
    url: null,
  },
  {
    id: "commit",
    title: "commit exists",
    status: "pass",
    reason: "commit_found",
    message: "aaaaaaa exists",
    url: "https://github.com/acme/widgets/commit/aaaaaaa",
  },
  {
    id: "check:build",
    title: "check run build",
    status: "pending",
    reason: "check_missing",
    message: "no check run named build on this commit yet",
    url: "javascript:alert(1)",
  },
] as const;

export interface BoardScene {
  /** Each scene ticket's key by the state it was left in. */
  readonly byState: Readonly<Record<TicketState, readonly string[]>>;
  /** In progress, running, with a heartbeat. */
  readonly running: TicketRow;
  /** Verifying, with a pending verdict over SCENE_CRITERIA. */
  readonly verifying: TicketRow;
  /** Assigned to a person: the dispatch cycle skips it (`skipped_policy`, `assigned_to_human`). */
  readonly assigned: TicketRow;
}

/**
 * A board with a ticket in every state, made only through the lifecycle (and one real dispatch
 * cycle): an attempt with a heartbeat, verdicts, inbox items, an open alert and a recorded cycle.
 */
export async function givenBoardScene(lifecycle: Lifecycle): Promise<BoardScene> {
  const assigned = await givenTicket(lifecycle, {
    title: "Add retries to the fetcher",
    priority: "high",
    assignee: "ana",
    campaign: "spring",
  });
  const blocked = await givenTicket(lifecycle, { title: "Document the retries", blockedBy: [assigned.key] });
  const claim = await givenClaimedTicket(lifecycle, {
    ticket: { title: "Refactor the dispatcher", priority: "urgent", campaign: "spring" },
    start: true,
    leaseMs: 600_000,
  });
  const beat = await lifecycle.heartbeat({ attemptId: claim.attempt.id, leaseMs: 600_000 });
  if (!beat.ok) throw new Error(`set-up heartbeat: ${beat.message}`);
  const asking = await givenNeedsInput(
    lifecycle,
    await givenTicket(lifecycle, { title: "Pick a colour", assignee: "bo" }),
    "Which colour should the button be?",
  );

  const verifying = await givenVerifying(lifecycle, "Ship the board page");
  const verdict = await lifecycle.evidence.recordVerdict({
    ticketKey: verifying.ticket.key,
    attemptId: verifying.attemptId,
    repository: "acme/widgets",
    sha: "a".repeat(40),
    status: "pending",
    criteria: SCENE_CRITERIA,
    summary: "pending: 2 pass, 1 pending (check:build)",
    fingerprint: "pending:check:build",
    actor: verifier,
    backoff,
  });
  if (!verdict.ok) throw new Error(`set-up verdict: ${verdict.message}`);

  const reviewing = await givenVerifiedItem(lifecycle, "Speed up the test suite");
  await act(lifecycle, reviewing.item.id, {
    ...acceptResult(),
    decision: "accept_for_review",
    transition: { from: "verifying", to: "in_review", reason: "accepted_for_review" },
  });
  const finished = await givenVerifiedItem(lifecycle, "Fix the flaky test");
  await act(lifecycle, finished.item.id, acceptResult());
  // One verified completion still waits in the inbox.
  const waiting = await givenVerifiedItem(lifecycle, "Bump the dependencies");

  const dropped = await givenTicket(lifecycle, { title: "Rewrite it in another language", priority: "low" });
  const cancel = await lifecycle.transition({
    ticket: dropped.key,
    from: "todo",
    expectedVersion: dropped.version,
    to: "cancelled",
    reason: "cancelled",
    actor: human,
  });
  if (!cancel.ok) throw new Error(`set-up cancel: ${cancel.message}`);

  await lifecycle.alerts.recordPass({
    findings: [
      {
        condition: "needs_input_unanswered",
        subject: asking.key,
        severity: "warning",
        message: `${asking.key} has waited for an answer too long`,
        detail: {},
      },
    ],
    checked: ["needs_input_unanswered"],
  });
  // A real cycle: the person's ticket is skipped by policy, the blocked one waits; nothing is claimed.
  const cycle = await runDispatchCycle(testDispatcher(lifecycle));
  if (cycle.decisions.some((d) => d.code === "claimed"))
    throw new Error("set-up: the cycle claimed a ticket");

  const running = await lifecycle.findTicket(claim.ticket.key);
  const verifyingNow = await lifecycle.findTicket(verifying.ticket.key);
  if (!running || !verifyingNow) throw new Error("set-up: a ticket vanished");
  return {
    byState: {
      todo: [assigned.key, blocked.key],
      in_progress: [running.key],
      needs_input: [asking.key],
      verifying: [verifying.ticket.key, waiting.ticketKey],
      in_review: [reviewing.ticketKey],
      done: [finished.ticketKey],
      cancelled: [dropped.key],
    },
    running,
    verifying: verifyingNow,
    assigned,
  };
}

async function act(lifecycle: Lifecycle, itemId: number, result: unknown) {
  const acted = await lifecycle.inbox.act({ itemId, result });
  if (!acted.ok) throw new Error(`set-up act: ${acted.message}`);
}

/**
 * One app (the harness's Probot server over real HTTP) on an in-memory PGlite with the board scene,
 * for a whole file: the pages only read, so every test shares it. Read the fields inside tests.
 */
export function boardApp(): { readonly app: AppHarness; readonly base: string; readonly scene: BoardScene } {
  let handle: DatabaseHandle | undefined;
  let current: { app: AppHarness; base: string; scene: BoardScene } | undefined;
  beforeAll(async () => {
    handle = await openTestPglite();
    const app = await startApp(handle.db);
    current = { app, base: app.baseUrl, scene: await givenBoardScene(app.lifecycle) };
  });
  afterAll(async () => {
    await current?.app.stop();
    await handle?.close();
  });
  const started = () => {
    if (!current) throw new Error("the board app starts in beforeAll");
    return current;
  };
  return {
    get app() {
      return started().app;
    },
    get base() {
      return started().base;
    },
    get scene() {
      return started().scene;
    },
  };
}
