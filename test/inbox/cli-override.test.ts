/**
 * `mctl inbox act --decision accept` stands on the evidence like `/mc approve`: refused while the
 * latest verdict is not `pass`, accepted with `--override <reason>` as an `evidence_overridden`
 * transition. Real processes on PostgreSQL (as test/inbox/cli.test.ts).
 */
import { beforeEach, expect, it } from "vitest";
import { testLifecycle } from "../builders/tickets.js";
import { runMctl } from "../helpers/cli.js";
import { describePostgres } from "../helpers/databases.js";
import { givenVerdict, givenVerifying } from "./support.js";

describePostgres("mctl inbox act: accepting without passing evidence", ({ db, url }) => {
  let env: Record<string, string>;
  beforeEach(() => {
    env = { DATABASE_URL: url(), MCTL_ACTOR: "alice" };
  });

  it("is refused with the criteria not met, and accepted with --override as an evidence override", async () => {
    const lifecycle = testLifecycle(db());
    const { ticket, attemptId } = await givenVerifying(lifecycle);
    await givenVerdict(lifecycle, { ticketKey: ticket.key, attemptId }, "pending");
    const filed = await lifecycle.inbox.enqueue({
      kind: "needs_decision",
      ticketId: ticket.id,
      payload: { question: "evidence pending too long: ship it?" },
      idempotencyKey: "override-1",
    });
    const id = String(filed.item.id);

    const refused = await runMctl(["inbox", "act", id, "--decision", "accept"], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^mctl: evidence_not_passing: MC-1's latest evidence verdict is pending, not pass; not met: .+; pass --override <reason> to accept it anyway/,
    );
    expect((await lifecycle.findTicket(ticket.key))?.state).toBe("verifying");

    const misplaced = await runMctl(["inbox", "act", id, "--decision", "dismiss", "--override", "x"], env);
    expect(misplaced.code).toBe(2);
    expect(misplaced.stderr).toContain("only goes with --decision accept, not dismiss");

    const accepted = await runMctl(
      ["inbox", "act", id, "--decision", "accept", "--override", "verified by hand", "--json"],
      env,
    );
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(JSON.parse(accepted.stdout)).toMatchObject({
      result: {
        decision: "accept",
        transition: { from: "verifying", to: "done", reason: "evidence_overridden" },
        note: expect.stringMatching(
          /^evidence overridden \(verdict pending; not met: .+\): verified by hand$/,
        ),
      },
    });
    const events = await lifecycle.ticketHistory(ticket.id);
    expect(events.at(-1)).toMatchObject({
      reason: "evidence_overridden",
      detail: { note: expect.stringContaining("verified by hand") },
    });
  });
});
