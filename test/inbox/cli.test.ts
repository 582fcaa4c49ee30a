/**
 * `mctl inbox list|show|next|act` as real processes. On PostgreSQL: an embedded database costs
 * each process seconds to open, and the commands are the same on both drivers.
 */
import { beforeEach, expect, it } from "vitest";
import type { Database } from "../../src/db/database.js";
import { givenTicket, testLifecycle } from "../builders/tickets.js";
import { runMctl } from "../helpers/cli.js";
import { describePostgres } from "../helpers/databases.js";
import { givenVerdict, givenVerifying } from "./support.js";

describePostgres("mctl inbox", ({ db, url }) => {
  let env: Record<string, string>;
  beforeEach(() => {
    env = { DATABASE_URL: url(), MCTL_ACTOR: "alice" };
  });
  const arrange = (work: (handle: { db: Database }) => Promise<void>) => work({ db: db() });

  it("lists, shows, hands out and acts; acting again prints the first result", async () => {
    await arrange(async ({ db }) => {
      const lifecycle = testLifecycle(db);
      const { ticket, attemptId } = await givenVerifying(lifecycle);
      await givenVerdict(lifecycle, { ticketKey: ticket.key, attemptId }, "fail");
      await givenTicket(lifecycle, { title: "other" });
    });
    const list = await runMctl(["inbox", "list", "--json"], env);
    expect(list.code, list.stderr).toBe(0);
    const items = JSON.parse(list.stdout) as { id: number; kind: string; ticketKey: string }[];
    expect(items).toMatchObject([{ kind: "completion_failed", ticketKey: "MC-1" }]);
    const id = String(items[0]?.id);

    // completion_failed items are for the orchestrator: nothing waits for a person yet.
    expect((await runMctl(["inbox", "next"], env)).stdout).toBe("nothing waits for a person\n");

    const show = await runMctl(["inbox", "show", id], env);
    expect(show.stdout).toMatch(/kind\s+completion_failed/);
    expect(show.stdout).toMatch(/state\s+pending/);

    const wrong = await runMctl(["inbox", "act", id, "--decision", "accept"], env);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^mctl: decision_not_applicable: cannot accept: ticket is todo/);

    const hold = await runMctl(
      ["inbox", "act", id, "--decision", "hold", "--note", "look first", "--json"],
      env,
    );
    expect(hold.code, hold.stderr).toBe(0);
    expect(JSON.parse(hold.stdout)).toMatchObject({
      replayed: false,
      result: { decision: "hold", hold: "set", actor: { kind: "human", id: "alice" }, note: "look first" },
    });

    const again = await runMctl(["inbox", "act", id, "--decision", "cancel", "--actor", "bob"], env);
    expect(again.code).toBe(1);
    expect(again.stdout).toBe("");
    expect(again.stderr).toMatch(
      /^mctl: already_decided: inbox item \d+ was already decided by human:alice at .+ \(hold, MC-1: hold set\); nothing was changed by your cancel\n$/,
    );
    const ticket = await runMctl(["ticket", "show", "MC-1", "--json"], env);
    expect(JSON.parse(ticket.stdout)).toMatchObject({ state: "todo", hold: "inbox:completion_failed" });

    expect((await runMctl(["inbox", "list"], env)).stdout).toBe(
      "no open inbox items; 1 acted item hidden; `mctl inbox list --state all` shows it\n",
    );
    expect((await runMctl(["inbox", "list", "--state", "acted"], env)).stdout).toMatch(
      /completion_failed.*acted.*hold/,
    );
    const bad = await runMctl(["inbox", "act", id, "--decision", "maybe"], env);
    expect(bad.code).toBe(2);
  });

  it("next hands a person's item out with a lease", async () => {
    await arrange(async ({ db }) => {
      const lifecycle = testLifecycle(db);
      const ticket = await givenTicket(lifecycle);
      await lifecycle.inbox.enqueue({
        kind: "needs_decision",
        ticketId: ticket.id,
        payload: { question: "ship it?" },
        idempotencyKey: "q-1",
      });
    });
    const next = await runMctl(["inbox", "next", "--json", "--actor", "carol"], env);
    expect(next.code, next.stderr).toBe(0);
    expect(JSON.parse(next.stdout)).toMatchObject({
      kind: "needs_decision",
      state: "delivered",
      deliveredTo: "carol",
      deliveryCount: 1,
      payload: { question: "ship it?" },
    });
    expect(JSON.parse((await runMctl(["inbox", "next", "--json"], env)).stdout)).toBeNull();
  });
});
