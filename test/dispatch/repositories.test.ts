import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { type DispatchSettings, runDispatchCycle } from "../../src/dispatch/cycle.js";
import type { Decision } from "../../src/dispatch/decisions.js";
import type { Launcher, LaunchRequest } from "../../src/dispatch/launchers/launcher.js";
import type { WorkerCountSource } from "../../src/dispatch/worker-count.js";
import type { Lifecycle } from "../../src/lifecycle/index.js";
import { failingSource, testDispatcher, testSettings } from "../builders/dispatch.js";
import { givenTicket, human, testLifecycle } from "../builders/tickets.js";
import { describeEachDriver } from "../helpers/databases.js";

const codes = (decisions: readonly Decision[]) =>
  decisions.map((d) => `${d.code}${"ticket" in d && d.ticket ? ` ${d.ticket}` : ""}`);

/** One recording launcher per repository: which repository's launcher started which ticket. */
function launchersByRepository() {
  const calls: { launcher: string; request: LaunchRequest }[] = [];
  const launchers = new Map<string, Launcher>();
  const launcherFor = (repository: string): Launcher => {
    let launcher = launchers.get(repository);
    if (!launcher) {
      launcher = {
        kind: `recording ${repository}`,
        launch: async (request) => {
          calls.push({ launcher: repository, request });
          return { ok: true, duplicate: false, detail: repository };
        },
      };
      launchers.set(repository, launcher);
    }
    return launcher;
  };
  return { calls, launcherFor };
}

const allowList = (entries: Record<string, number | null>): Pick<DispatchSettings, "repositories"> => ({
  repositories: Object.entries(entries).map(([repository, maxWorkers]) => ({
    repository,
    maxWorkers,
    policy: testSettings.policy,
  })),
});

async function ticketsIn(lifecycle: Lifecycle, repository: string, n: number) {
  const keys: string[] = [];
  for (let i = 0; i < n; i++)
    keys.push((await givenTicket(lifecycle, { repository, title: `${repository} ${i}` })).key);
  return keys;
}

describeEachDriver("dispatch per repository", ({ db }) => {
  it("a ticket is only ever launched through its own repository's launcher", async () => {
    const lifecycle = testLifecycle(db());
    const a = await ticketsIn(lifecycle, "acme/a", 3);
    const b = await ticketsIn(lifecycle, "acme/b", 3);
    const { calls, launcherFor } = launchersByRepository();
    const record = await runDispatchCycle(testDispatcher(lifecycle, { launcherFor }));
    expect(record.counts).toMatchObject({ claimed: 6 });
    expect(
      calls
        .filter((c) => c.launcher === "acme/a")
        .map((c) => c.request.ticket)
        .sort(),
    ).toEqual(a.sort());
    expect(
      calls
        .filter((c) => c.launcher === "acme/b")
        .map((c) => c.request.ticket)
        .sort(),
    ).toEqual(b.sort());
    for (const call of calls) {
      const ticket = await lifecycle.findTicket(call.request.ticket);
      expect(ticket?.repository).toBe(call.launcher);
    }
  });

  it("repositories take turns, each under its own max_workers and all under the global one", async () => {
    const lifecycle = testLifecycle(db());
    await ticketsIn(lifecycle, "acme/a", 5);
    await ticketsIn(lifecycle, "acme/b", 2);
    const { calls, launcherFor } = launchersByRepository();
    const deps = testDispatcher(lifecycle, {
      launcherFor,
      settings: { maxWorkers: 4, ...allowList({ "acme/a": 2, "acme/b": null }) },
    });
    const record = await runDispatchCycle(deps);
    expect(calls.map((c) => c.launcher)).toEqual(["acme/a", "acme/b", "acme/a", "acme/b"]);
    expect(codes(record.decisions)).toEqual([
      "claimed MC-1",
      "claimed MC-6",
      "claimed MC-2",
      "claimed MC-7",
      "repository_full MC-3",
    ]);
    // Next cycle: a is at its cap (2 live), the global cap is reached too.
    const next = await runDispatchCycle(deps);
    expect(next.counts).toMatchObject({ workers: 4, free_slots: 0 });
    expect(next.decisions).toContainEqual({
      code: "repository_full",
      repository: "acme/a",
      workers: 2,
      maxWorkers: 2,
    });
  });

  it("1000 ineligible tickets of one repository do not stop another repository's ticket being claimed", async () => {
    const lifecycle = testLifecycle(db());
    // Older than B's ticket, so first in the global pick order; all backing off for a year.
    await db().execute(sql`
      insert into tickets (id, key, repository, title, created_at, updated_at, next_eligible_at)
      select g, 'MC-' || g, 'acme/a', 'backlog ' || g, timestamptz '2025-01-01' + g * interval '1 second',
             timestamptz '2025-01-01', timestamptz '2027-01-01'
      from generate_series(1, 1000) g`);
    await db().execute(sql`select setval(pg_get_serial_sequence('tickets', 'id'), 1000)`);
    const [b] = await ticketsIn(lifecycle, "acme/b", 1);
    const { calls, launcherFor } = launchersByRepository();
    const record = await runDispatchCycle(
      testDispatcher(lifecycle, { launcherFor, settings: { scanLimit: 1000 } }),
    );
    expect(calls.map((c) => `${c.launcher} ${c.request.ticket}`)).toEqual([`acme/b ${b}`]);
    expect(record.counts.claimed).toBe(1);
    // The database leaves A's backing-off tickets out of the queue read: nothing else to say.
    expect(record.decisions.map((d) => d.code)).toEqual(["claimed"]);
  });

  it("a scoped cycle never reads, claims, expires, leases or pauses another owner's tickets", async () => {
    const lifecycle = testLifecycle(db());
    const acme = await ticketsIn(lifecycle, "acme/api", 2);
    const other = await ticketsIn(lifecycle, "other/api", 2);
    // The other owner's dispatcher holds its lease and is paused: acme's cycle does not care.
    const otherLease = await lifecycle.acquireLease({
      name: "dispatch:other",
      holder: "other-dispatcher",
      ttlMs: 60_000,
    });
    expect(otherLease.ok).toBe(true);
    await lifecycle.tasks.setEnabled({
      task: "dispatch:other",
      enabled: false,
      actor: human,
      reason: "their maintenance",
    });
    const { calls, launcherFor } = launchersByRepository();
    const record = await runDispatchCycle(testDispatcher(lifecycle, { launcherFor }), {
      scope: { owner: "acme" },
    });
    expect(record).toMatchObject({ scope: "acme", outcome: "completed", fencingToken: 1 });
    expect(calls.map((c) => c.request.ticket).sort()).toEqual(acme.sort());
    for (const key of other) expect((await lifecycle.findTicket(key))?.state).toBe("todo");
    expect(await lifecycle.readLease("dispatch:other")).toMatchObject({ holder: "other-dispatcher" });
    const [stored] = await lifecycle.recentDispatchCycles(1);
    expect(stored).toMatchObject({ scope: "acme" });
    // acme's live attempts are not other's workers: other is paused, and acme's pause stops only acme.
    expect(
      (await runDispatchCycle(testDispatcher(lifecycle, { launcherFor }), { scope: { owner: "other" } }))
        .outcome,
    ).toBe("paused");
    await lifecycle.tasks.setEnabled({ task: "dispatch:acme", enabled: false, actor: human, reason: "ours" });
    await lifecycle.tasks.setEnabled({ task: "dispatch:other", enabled: true, actor: human, reason: "done" });
    await lifecycle.releaseLease({
      name: "dispatch:other",
      holder: "other-dispatcher",
      fencingToken: otherLease.ok ? otherLease.fencingToken : 0,
    });
    expect(
      (await runDispatchCycle(testDispatcher(lifecycle, { launcherFor }), { scope: { owner: "acme" } }))
        .outcome,
    ).toBe("paused");
    const theirs = await runDispatchCycle(testDispatcher(lifecycle, { launcherFor }), {
      scope: { owner: "other" },
    });
    expect(theirs.counts).toMatchObject({ claimed: 2, workers: 0 });
    expect(
      calls.filter((c) => other.includes(c.request.ticket)).every((c) => c.launcher.startsWith("other/")),
    ).toBe(true);
  });

  it("an allow-list keeps tickets of other repositories out of the cycle", async () => {
    const lifecycle = testLifecycle(db());
    await ticketsIn(lifecycle, "acme/api", 1);
    const [stray] = await ticketsIn(lifecycle, "acme/legacy", 1);
    const { calls, launcherFor } = launchersByRepository();
    await runDispatchCycle(
      testDispatcher(lifecycle, { launcherFor, settings: allowList({ "acme/api": null }) }),
    );
    expect(calls.map((c) => c.launcher)).toEqual(["acme/api"]);
    expect((await lifecycle.findTicket(stray ?? ""))?.state).toBe("todo");
  });

  it("a failing count of a repository spelled otherwise than its tickets still blocks it (names compare without case)", async () => {
    const lifecycle = testLifecycle(db());
    await ticketsIn(lifecycle, "acme/a", 1);
    const { calls, launcherFor } = launchersByRepository();
    // The source names the repository as the configuration spells it; the tickets as GitHub does.
    const runs = (): WorkerCountSource[] => [
      { ...failingSource("github-workflow-runs", "HTTP 502"), repository: "Acme/A" },
    ];
    const record = await runDispatchCycle(
      testDispatcher(lifecycle, { launcherFor, repositorySources: runs, settings: { maxWorkers: 20 } }),
    );
    expect(record.decisions[0]).toMatchObject({ code: "worker_count_unavailable", repository: "acme/a" });
    expect(calls).toEqual([]);
  });

  it("a repository's failing worker count blocks only that repository; a scope-wide one blocks the cycle", async () => {
    const lifecycle = testLifecycle(db());
    await ticketsIn(lifecycle, "acme/a", 2);
    const [b1, b2] = await ticketsIn(lifecycle, "acme/b", 2);
    const { calls, launcherFor } = launchersByRepository();
    const runs = (repository: string): WorkerCountSource[] =>
      repository === "acme/a"
        ? [{ ...failingSource("github-workflow-runs", "HTTP 502"), repository }]
        : [{ name: "github-workflow-runs", repository, count: async () => 0 }];
    const record = await runDispatchCycle(
      testDispatcher(lifecycle, { launcherFor, repositorySources: runs, settings: { maxWorkers: 20 } }),
    );
    expect(record.decisions[0]).toEqual({
      code: "worker_count_unavailable",
      repository: "acme/a",
      errors: [{ source: "github-workflow-runs", repository: "acme/a", message: "HTTP 502" }],
    });
    expect(calls.map((c) => c.request.ticket)).toEqual([b1, b2]);
    // acme/a has no cap of its own: it counts what the database saw (none), and gets no claims.
    expect(record.counts).toMatchObject({ workers: 0, free_slots: 20 });
    // With a cap of its own, it counts as full toward the global cap.
    const capped = await runDispatchCycle(
      testDispatcher(lifecycle, {
        launcherFor,
        repositorySources: runs,
        settings: { maxWorkers: 20, ...allowList({ "acme/a": 5, "acme/b": null }) },
      }),
    );
    expect(capped.counts).toMatchObject({ workers: 7, free_slots: 13 });

    const scopeWide = await runDispatchCycle(
      testDispatcher(lifecycle, { launcherFor, sources: [failingSource("database", "connection reset")] }),
    );
    expect(codes(scopeWide.decisions)[0]).toBe("worker_count_unavailable");
    expect(scopeWide.counts.claimed ?? 0).toBe(0);
  });
});
