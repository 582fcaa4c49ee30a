/**
 * The workspace of the runner-outcome tests (runner-completion, runner-outcomes): a worker sandbox
 * whose test command leaves a trace, and how a ticket's attempt ended.
 */
import { beforeEach } from "vitest";
import type { SharedDatabase } from "./databases.js";
import { workerSandbox } from "./worker.js";

export const BRANCH = "mission-control/MC-1";

/** Each test's temporary directory and git workspace, with a test command that leaves a trace. */
export function setUpWorkspace(db: SharedDatabase) {
  const t = workerSandbox(db);
  beforeEach(async () => {
    await t.setUp({
      testCommand: ["sh", "-c", `touch ${t.dir}/tests-ran; test -f work.txt && echo 'all 3 tests passed'`],
    });
  });
  return {
    dir: () => t.dir,
    ws: () => t.ws,
    endOf: (ticketKey: string) =>
      db.withLifecycle(async (lifecycle) => {
        const ticket = await lifecycle.findTicket(ticketKey);
        if (!ticket) throw new Error(`no ticket ${ticketKey}`);
        const [attempt] = await lifecycle.attemptsOf(ticket.id);
        const events = await lifecycle.ticketHistory(ticket.id);
        return { ticket, attempt, reasons: events.map((e) => e.reason) };
      }),
  };
}
