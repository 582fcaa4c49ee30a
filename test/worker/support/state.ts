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
 * What the dispatcher does to a lost lease: once the attempt's lease has run out, it is expired
 * (`lost`). Waits for the lease's own end instead of polling (each look opens the database).
 */
export async function expireOnceLapsed(db: SharedDatabase, attemptId: string): Promise<void> {
  for (let tries = 0; tries < 100; tries++) {
    const wait = await db.withLifecycle(async (lifecycle) => {
      const attempt = await lifecycle.findAttempt(attemptId);
      if (!attempt) throw new Error("no attempt");
      if (attempt.status !== "running") return 0;
      const left = attempt.leaseExpiresAt.getTime() - Date.now();
      if (left > 0) return left;
      const expired = await lifecycle.expireAttempt({ attemptId, actor: dispatcher, backoff, fence: null });
      return expired.ok ? 0 : 50;
    });
    if (wait === 0) return;
    await new Promise((resolve) => setTimeout(resolve, wait + 20));
  }
  throw new Error(`attempt ${attemptId} was never expired`);
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
