/** Twenty people (or orchestrators) act on one item at once, on real connections. */
import { expect, it } from "vitest";
import { human, testLifecycle } from "../builders/tickets.js";
import { describePostgres } from "../helpers/databases.js";
import { acceptResult, eventCount, givenVerifiedItem, itemRow } from "./support.js";

describePostgres("inbox act under concurrency", ({ db }) => {
  it("20 concurrent acts on one item: one transition, one result, 19 identical replies", async () => {
    const lifecycle = testLifecycle(db());
    const { item, ticketKey, ticketId } = await givenVerifiedItem(lifecycle);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        lifecycle.inbox.act({
          itemId: item.id,
          // Each caller asks with its own actor and note: only the winner's is recorded.
          result: { ...acceptResult({ kind: "human", id: `person-${i}` }), note: `from ${i}` },
        }),
      ),
    );
    const ok = results.filter((r) => r.ok);
    expect(ok).toHaveLength(20);
    const fresh = ok.filter((r) => !r.replayed);
    const replays = ok.filter((r) => r.replayed);
    expect(fresh).toHaveLength(1);
    expect(replays).toHaveLength(19);
    const first = fresh[0]?.result;
    for (const reply of replays) expect(reply.result).toEqual(first);
    expect(new Set(replays.map((r) => JSON.stringify(r.result))).size).toBe(1);
    expect(await eventCount(db(), ticketId, "accepted")).toBe(1);
    const ticket = await lifecycle.findTicket(ticketKey);
    expect(ticket).toMatchObject({ state: "done" });
    const stored = await itemRow(db(), item.id);
    expect(stored).toMatchObject({ state: "acted", result: first });
    expect(first?.actor).not.toEqual(human);
  });
});
