import type { Database } from "../../src/db/database.js";
import type { TicketRow } from "../../src/db/schema.js";
import type { Actor } from "../../src/domain/actors.js";
import { type Clock, createLifecycle, type Lifecycle } from "../../src/lifecycle/index.js";
import type { NewTicket } from "../../src/lifecycle/schemas.js";

export const human: Actor = { kind: "human", id: "octocat" };
export const dispatcher: Actor = { kind: "dispatcher", id: "dispatcher-1" };

/** A clock tests can move by hand. */
export function manualClock(start = new Date("2026-01-01T00:00:00Z")): Clock & { advance(ms: number): void } {
  let now = start.getTime();
  return {
    now: () => new Date(now),
    advance: (ms) => {
      now += ms;
    },
  };
}

export function testLifecycle(db: Database, clock: Clock = manualClock()): Lifecycle {
  return createLifecycle({ db, clock, keyPrefix: "MC" });
}

export function newTicket(overrides: Partial<NewTicket> = {}): NewTicket {
  return { repository: "acme/widgets", title: "Fix the widget", ...overrides };
}

/** Creates a ticket and returns its row, failing the test if creation is refused. */
export async function givenTicket(
  lifecycle: Lifecycle,
  overrides: Partial<NewTicket> = {},
): Promise<TicketRow> {
  const result = await lifecycle.createTicket(newTicket(overrides), human);
  if (!result.ok) throw new Error(`test set-up: ${result.message}`);
  return result.ticket;
}

export const agentWorker: Actor = { kind: "worker", id: "agent" };

/**
 * A ticket claimed by the dispatcher (its attempt `launching`) and, with `start`, taken by its
 * worker (`running`). Fails the test if any step is refused.
 */
export async function givenClaimedTicket(
  lifecycle: Lifecycle,
  options: { ticket?: Partial<NewTicket>; worker?: string; leaseMs?: number; start?: boolean } = {},
) {
  const leaseMs = options.leaseMs ?? 60_000;
  const ticket = await givenTicket(lifecycle, options.ticket);
  const claim = await lifecycle.claim({
    ticket: ticket.key,
    expectedVersion: ticket.version,
    worker: options.worker ?? "agent",
    actor: dispatcher,
    leaseMs,
    fence: null,
  });
  if (!claim.ok) throw new Error(`test set-up claim: ${claim.message}`);
  if (options.start) {
    const started = await lifecycle.startAttempt({
      attemptId: claim.attempt.id,
      launchKey: claim.attempt.launchKey,
      leaseMs,
    });
    if (!started.ok) throw new Error(`test set-up start: ${started.message}`);
  }
  return claim;
}
