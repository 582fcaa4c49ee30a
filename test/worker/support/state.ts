import { dispatcher } from "../../builders/tickets.js";
import type { SharedDatabase } from "./databases.js";

const backoff = { baseMs: 1000, capMs: 1000 };

/** A ticket with its attempts, questions and event reasons, read in one short session. */
export function stateOf(db: SharedDatabase, ticketKey: string) {
  return db.withLifecycle(async (lifecycle) => {
    const ticket = await lifecycle.findTicket(ticketKey);
    if (!ticket) throw new Error(`no ticket ${ticketKey}`);
    return {
      ticket,
      attempts: await lifecycle.attemptsOf(ticket.id),
      questions: await lifecycle.questionsOf(ticket.id),
      reasons: (await lifecycle.ticketHistory(ticket.id)).map((e) => e.reason),
    };
  });
}

/**
 * What the dispatcher does to a lost lease, decided by the test instead of by the machine's speed:
 * the attempt is expired (`lost`) by a lifecycle whose clock is a day ahead, so its lease has run
 * out whatever the runner renewed. The runner learns it from its next heartbeat (refused).
 */
export async function expireNow(db: SharedDatabase, attemptId: string): Promise<void> {
  const dayAhead = { now: () => new Date(Date.now() + 86_400_000) };
  const expired = await db.withLifecycle(
    (lifecycle) => lifecycle.expireAttempt({ attemptId, actor: dispatcher, backoff, fence: null }),
    dayAhead,
  );
  if (!expired.ok) throw new Error(`attempt ${attemptId} was not expired: ${expired.message}`);
}

/** True while a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
