/** Failure 9: only a person's maintenance action changes a task setting, and each change is an event. */
import { expect, it } from "vitest";
import { runDispatchCycle } from "../../src/dispatch/cycle.js";
import { testDispatcher } from "../builders/dispatch.js";
import { givenTicket, human, testLifecycle } from "../builders/tickets.js";
import { describeEachDriver } from "../helpers/databases.js";

describeEachDriver("task settings", ({ db }) => {
  it("every task starts enabled; pause and resume are events with actor and reason; a no-op writes nothing", async () => {
    const lifecycle = testLifecycle(db());
    expect((await lifecycle.tasks.settings()).map((s) => [s.task, s.enabled])).toEqual([
      ["dispatch", true],
      ["operate", true],
      ["orchestrate", true],
      ["redeliver", true],
    ]);
    expect(
      await lifecycle.tasks.setEnabled({
        task: "dispatch",
        enabled: true,
        actor: human,
        reason: "already on",
      }),
    ).toMatchObject({
      ok: true,
      changed: false,
      event: null,
    });
    const paused = await lifecycle.tasks.setEnabled({
      task: "dispatch",
      enabled: false,
      actor: human,
      reason: "release freeze",
    });
    expect(paused).toMatchObject({
      ok: true,
      changed: true,
      setting: { enabled: false, changedBy: "octocat", reason: "release freeze", version: 1 },
      event: { task: "dispatch", enabled: false, previous: true, actorKind: "human", actorId: "octocat" },
    });
    expect(
      await lifecycle.tasks.setEnabled({ task: "dispatch", enabled: false, actor: human, reason: "again" }),
    ).toMatchObject({ changed: false });
    const resumed = await lifecycle.tasks.setEnabled({
      task: "dispatch",
      enabled: true,
      actor: { kind: "human", id: "bob" },
      reason: "freeze over",
    });
    expect(resumed).toMatchObject({
      changed: true,
      setting: { enabled: true, changedBy: "bob", version: 2 },
      event: { previous: false },
    });
    expect((await lifecycle.tasks.history(10)).map((e) => `${e.task} ${e.enabled} ${e.actorId}`)).toEqual([
      "dispatch true bob",
      "dispatch false octocat",
    ]);
  });

  it("refuses anyone but a person, and bad input, writing nothing", async () => {
    const lifecycle = testLifecycle(db());
    for (const kind of ["operator", "orchestrator", "dispatcher", "worker", "verifier"] as const) {
      const refused = await lifecycle.tasks.setEnabled({
        task: "dispatch",
        enabled: false,
        actor: { kind, id: "x" },
        reason: "r",
      });
      expect(refused).toMatchObject({ ok: false, code: "not_allowed" });
    }
    expect(
      await lifecycle.tasks.setEnabled({ task: "dispatch", enabled: false, actor: human, reason: " " }),
    ).toMatchObject({
      ok: false,
      code: "invalid_input",
      message: expect.stringMatching(/needs a reason/),
    });
    expect(
      await lifecycle.tasks.setEnabled({
        task: "retired" as "dispatch",
        enabled: true,
        actor: human,
        reason: "r",
      }),
    ).toMatchObject({
      code: "invalid_input",
    });
    expect(await lifecycle.tasks.history(10)).toEqual([]);
    expect((await lifecycle.tasks.setting("dispatch")).enabled).toBe(true);
  });

  it("a paused dispatcher records `paused` and claims nothing; resumed, it claims again", async () => {
    const lifecycle = testLifecycle(db());
    const ticket = await givenTicket(lifecycle);
    await lifecycle.tasks.setEnabled({
      task: "dispatch",
      enabled: false,
      actor: human,
      reason: "incident 42",
    });
    const deps = testDispatcher(lifecycle);
    const record = await runDispatchCycle(deps);
    expect(record).toMatchObject({
      outcome: "paused",
      decisions: [{ code: "paused", by: "octocat", reason: "incident 42" }],
    });
    expect(deps.launched).toEqual([]);
    expect(await lifecycle.findTicket(ticket.key)).toMatchObject({ state: "todo", version: ticket.version });
    expect(await lifecycle.readLease("dispatch")).toBeUndefined();
    expect((await lifecycle.recentDispatchCycles(1))[0]).toMatchObject({
      outcome: "paused",
      counts: { paused: 1 },
    });
    await lifecycle.tasks.setEnabled({ task: "dispatch", enabled: true, actor: human, reason: "fixed" });
    expect((await runDispatchCycle(deps)).decisions).toMatchObject([{ code: "claimed", ticket: ticket.key }]);
  });
});
