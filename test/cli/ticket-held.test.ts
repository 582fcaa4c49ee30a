/**
 * A held ticket is not a plain `todo`: `mctl ticket list` and `show` say why it is held, how many of
 * its attempts are used, its back-off, its blockers and the next step. In-process on both drivers
 * (the same command tree, output and exit codes as the binary).
 */
import { beforeEach, expect, it } from "vitest";
import type { Lifecycle } from "../../src/lifecycle/index.js";
import {
  agentWorker,
  givenClaimedTicket,
  givenTicket,
  manualClock,
  testLifecycle,
} from "../builders/tickets.js";
import { type InProcessCli, inProcessCli } from "../helpers/cli-in-process.js";
import { describeEachDriver } from "../helpers/databases.js";
import { givenHeldAfterMaxAttempts } from "../inbox/support.js";

describeEachDriver("mctl ticket list/show of held, blocked and backing-off tickets", (ctx) => {
  let mctl: InProcessCli;
  let lifecycle: Lifecycle;
  let clock: ReturnType<typeof manualClock>;
  beforeEach(() => {
    // The dispatcher of givenHeldAfterMaxAttempts allows one attempt; the CLI reads the same budget.
    mctl = inProcessCli(ctx.handle(), { MCTL_ACTOR: "alice", MCTL__DISPATCH__MAX_ATTEMPTS: "1" });
    clock = manualClock();
    lifecycle = testLifecycle(ctx.db(), clock);
  });

  it("shows held (reason, attempts used of budget), blockers and the next step", async () => {
    const { ticket } = await givenHeldAfterMaxAttempts(lifecycle, clock);
    const blocked = await givenTicket(lifecycle, { title: "after flaky", blockedBy: [ticket.key] });

    const list = await mctl(["ticket", "list"]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`${ticket.key}\\s+held \\(max_attempts_reached, 1 of 1 used\\)`));
    expect(list.stdout).toMatch(new RegExp(`${blocked.key}\\s+todo \\(blocked by ${ticket.key}\\)`));

    const show = await mctl(["ticket", "show", ticket.key]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toMatch(/^state:\s+held \(version \d+\)$/m);
    expect(show.stdout).toMatch(/^held:\s+max_attempts_reached, 1 of 1 attempts used$/m);
    expect(show.stdout).toMatch(/^attempts:\s+1 of 1 used$/m);
    expect(show.stdout).toMatch(
      /^next step:\s+a person decides: `mctl inbox list --kind max_attempts_reached`/m,
    );

    const json = await mctl(["ticket", "show", ticket.key, "--json"]);
    expect(JSON.parse(json.stdout)).toMatchObject({
      key: ticket.key,
      state: "todo",
      status: {
        label: "held (max_attempts_reached, 1 of 1 used)",
        held: { reason: "max_attempts_reached", attemptsUsed: 1, budget: 1 },
        attemptBudget: 1,
      },
    });

    const waiting = await mctl(["ticket", "show", blocked.key]);
    expect(waiting.stdout).toMatch(new RegExp(`^blocked by:\\s+${ticket.key} \\(todo\\)$`, "m"));
    expect(waiting.stdout).toMatch(
      new RegExp(`^next step:\\s+waits for ${ticket.key} \\(todo\\) to be done$`, "m"),
    );
  });

  it("shows the back-off of a ticket whose attempt failed", async () => {
    // The CLI compares with the system clock: the attempt fails "now", with an hour's back-off.
    const now = testLifecycle(ctx.db(), manualClock(new Date()));
    const claim = await givenClaimedTicket(now, { ticket: { title: "retry later" }, start: true });
    const hour = 3_600_000;
    const failed = await now.failAttempt({
      attemptId: claim.attempt.id,
      actor: agentWorker,
      reason: "tests_failed",
      backoff: { baseMs: hour, capMs: hour },
    });
    expect(failed.ok).toBe(true);
    const ticket = await now.findTicket(claim.ticket.key);
    const until = ticket?.nextEligibleAt?.toISOString();
    expect(until).toBeDefined();

    const show = await mctl(["ticket", "show", claim.ticket.key]);
    expect(show.stdout).toMatch(/^state:\s+todo \(version \d+\)$/m);
    expect(show.stdout).toContain(`back-off until:  ${until}\n`);
    expect(show.stdout).toContain(`next step:       the dispatcher may claim it again after ${until}\n`);
    const list = JSON.parse((await mctl(["ticket", "list", "--json"])).stdout) as { key: string }[];
    expect(list.find((t) => t.key === claim.ticket.key)).toMatchObject({
      status: { label: `todo (backing off until ${until})`, held: null },
    });
  });
});
