/**
 * `mctl inbox act ID --decision grant_attempts --attempts N`, run in-process (the same command
 * tree, parsing, output and exit codes as the binary) on both drivers.
 */
import { beforeEach, expect, it } from "vitest";
import type { Lifecycle } from "../../src/lifecycle/index.js";
import { givenTicket, manualClock, testLifecycle } from "../builders/tickets.js";
import { type InProcessCli, inProcessCli } from "../helpers/cli-in-process.js";
import { describeEachDriver } from "../helpers/databases.js";
import { givenHeldAfterMaxAttempts } from "./support.js";

describeEachDriver("mctl inbox act --decision grant_attempts", (ctx) => {
  let mctl: InProcessCli;
  let lifecycle: Lifecycle;
  let clock: ReturnType<typeof manualClock>;
  beforeEach(() => {
    mctl = inProcessCli(ctx.handle(), { MCTL_ACTOR: "alice" });
    clock = manualClock();
    lifecycle = testLifecycle(ctx.db(), clock);
  });

  it("grants N attempts and releases the hold; --json as for the other decisions; again prints the first result", async () => {
    const { ticket, item } = await givenHeldAfterMaxAttempts(lifecycle, clock);
    const id = String(item.id);
    const acted = await mctl([
      "inbox",
      "act",
      id,
      "--decision",
      "grant_attempts",
      "--attempts",
      "2",
      "--json",
    ]);
    expect(acted.code, acted.stderr).toBe(0);
    expect(JSON.parse(acted.stdout)).toMatchObject({
      replayed: false,
      item: { id: item.id, state: "acted" },
      result: {
        decision: "grant_attempts",
        transition: null,
        hold: "release",
        attempts: 2,
        actor: { kind: "human", id: "alice" },
        applied: { grant: { attemptsUsed: 1, maxAttempts: 1, extraAttempts: 2, budget: 3 } },
      },
    });
    expect(await lifecycle.findTicket(ticket.key)).toMatchObject({ hold: null, extraAttempts: 2 });

    // The same person repeating the same decision sees it again (exit 0)…
    const same = await mctl(["inbox", "act", id, "--decision", "grant_attempts"]);
    expect(same.code, same.stderr).toBe(0);
    expect(same.stdout).toBe(
      `inbox item ${id} was already acted on by human:alice (grant_attempts, MC-1: 2 more attempts granted, 1 of 3 used; hold released); that result stands, nothing changed\n`,
    );
    // …a late second person is told plainly that nothing changed and who decided (exit 1).
    const again = await mctl([
      "inbox",
      "act",
      id,
      "--decision",
      "grant_attempts",
      "--actor",
      "bob",
      "--json",
    ]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(
      new RegExp(
        `^mctl: already_decided: inbox item ${id} was already decided by human:alice at \\S+ \\(grant_attempts, MC-1: 2 more attempts granted, 1 of 3 used; hold released\\); nothing was changed by your grant_attempts\\n$`,
      ),
    );
    expect(JSON.parse(again.stdout)).toMatchObject({
      error: {
        code: "already_decided",
        detail: { result: { decision: "grant_attempts", actor: { kind: "human", id: "alice" } } },
      },
    });
    expect(await lifecycle.findTicket(ticket.key)).toMatchObject({ extraAttempts: 2 });
  });

  it("grants one attempt by default, in words", async () => {
    const { item } = await givenHeldAfterMaxAttempts(lifecycle, clock);
    const acted = await mctl([
      "inbox",
      "act",
      String(item.id),
      "--decision",
      "grant_attempts",
      "--note",
      "flaky CI",
    ]);
    expect(acted.code, acted.stderr).toBe(0);
    expect(acted.stdout).toBe(
      `acted on inbox item ${item.id}: grant_attempts (MC-1: 1 more attempt granted, 1 of 2 used; hold released)\n`,
    );
  });

  it("refuses --attempts outside 1–10 or with another decision (exit 2), and a ticket no longer held (exit 1)", async () => {
    const { ticket, item } = await givenHeldAfterMaxAttempts(lifecycle, clock);
    const id = String(item.id);
    for (const attempts of ["0", "11", "1.5", "two", "-1"]) {
      const bad = await mctl(["inbox", "act", id, "--decision", "grant_attempts", "--attempts", attempts]);
      expect(bad.code, attempts).toBe(2);
      expect(bad.stderr, attempts).toBe("mctl: --attempts must be a whole number from 1 to 10\n");
    }
    const wrong = await mctl(["inbox", "act", id, "--decision", "dismiss", "--attempts", "2"]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toBe("mctl: --attempts only goes with --decision grant_attempts, not dismiss\n");
    expect(await lifecycle.findTicket(ticket.key)).toMatchObject({
      hold: "max_attempts_reached",
      extraAttempts: 0,
    });

    // An item about a ticket that is not held (filed by hand here) is refused with the reason.
    const loose = await givenTicket(lifecycle, { title: "not held" });
    const stale = await lifecycle.inbox.enqueue({
      kind: "max_attempts_reached",
      ticketId: loose.id,
      payload: { attempts: 0 },
      idempotencyKey: "stale",
    });
    const refused = await mctl(["inbox", "act", String(stale.item.id), "--decision", "grant_attempts"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      "mctl: decision_not_applicable: cannot grant_attempts: ticket is todo and not held: it is no longer held for max_attempts (dismiss the item, or decide again)\n",
    );
    expect((await lifecycle.inbox.find(stale.item.id))?.state).toBe("pending");
  });

  it("--help names the decision and its --attempts option", async () => {
    const help = await mctl(["inbox", "act", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/grant_attempts/);
    expect(help.stdout).toMatch(
      /--attempts <n>\s+with --decision grant_attempts: attempts to add, 1–10\s+\(default 1\)/,
    );
    expect(help.stdout).toMatch(/grant_attempts → more attempts for a ticket held after max_attempts/);
  });
});
