/**
 * Periodic work inside the app (src/app/periodic/): each task under its own lease (one replica at
 * a time, taken over when the holder stops), paused by its maintenance setting, never ended by a
 * failure, and visible on /api/health. Real database (both drivers), real stand-in for the sweep.
 */
import type { Octokit } from "@octokit/rest";
import { ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  appPeriodicTasks,
  PeriodicStatusBoard,
  type PeriodicTask,
  runPeriodicOnce,
  startPeriodicTasks,
} from "../../src/app/periodic/index.js";
import { nextPauseMs } from "../../src/app/periodic/runner.js";
import { DEFAULT_CONFIG } from "../../src/config/schema.js";
import { DatabaseUnavailableError, isTransientFailure } from "../../src/db/errors.js";
import type { Lifecycle } from "../../src/lifecycle/index.js";
import { snapshotReader } from "../../src/operator/snapshot.js";
import { human, manualClock, testLifecycle } from "../builders/tickets.js";
import { describeOnDriver } from "../helpers/databases.js";
import { until } from "../helpers/until.js";
import { type AppHarness, SECRET, startApp } from "./support/harness.js";

const quiet = () => {};

describe("isTransientFailure", () => {
  it("the database away, GitHub 5xx/429 or unreachable: back off; a 404 or a bug: not", () => {
    expect(isTransientFailure(new DatabaseUnavailableError("down"))).toBe(true);
    expect(isTransientFailure(Object.assign(new Error("bad gateway"), { status: 502 }))).toBe(true);
    expect(isTransientFailure(Object.assign(new Error("slow down"), { status: 429 }))).toBe(true);
    expect(isTransientFailure(new Error("fetch failed", { cause: { code: "ECONNREFUSED" } }))).toBe(true);
    expect(isTransientFailure(Object.assign(new Error("not found"), { status: 404 }))).toBe(false);
    expect(isTransientFailure(new TypeError("x is undefined"))).toBe(false);
  });

  it("the pause doubles per transient failure in a row, capped; a non-transient one waits the interval", () => {
    const task: PeriodicTask = { name: "t", intervalMs: 1000, run: async () => "completed" };
    const failed = (n: number) => ({
      name: "t",
      interval_seconds: 1,
      last_run_at: null,
      last_outcome: "failed" as const,
      last_error: "x",
      last_error_at: null,
      failures_in_a_row: n,
    });
    expect(nextPauseMs(task, failed(1), true, 60_000)).toBe(1000);
    expect(nextPauseMs(task, failed(3), true, 60_000)).toBe(4000);
    expect(nextPauseMs(task, failed(20), true, 60_000)).toBe(60_000);
    expect(nextPauseMs(task, failed(3), false, 60_000)).toBe(1000);
  });
});

describeOnDriver("periodic tasks under leases", (ctx) => {
  it("one replica at a time: the other finds the lease held, and takes over once it expires", async () => {
    const clock = manualClock();
    const lifecycle = testLifecycle(ctx.db(), clock);
    const runs: string[] = [];
    const task = (holder: string): PeriodicTask => ({
      name: "orchestrate",
      intervalMs: 30_000,
      run: async () => {
        runs.push(holder);
        return "completed";
      },
    });
    const replica = (holder: string) => ({
      leases: lifecycle,
      holder,
      clock,
      status: new PeriodicStatusBoard(),
      log: quiet,
      leaseSlackMs: 10_000,
    });
    const a = replica("a");
    const b = replica("b");
    expect((await runPeriodicOnce(task("a"), a)).last_outcome).toBe("completed");
    expect((await runPeriodicOnce(task("b"), b)).last_outcome).toBe("lock_held");
    clock.advance(30_000);
    // Its own next tick: a takes its lease again (a new term), b still finds it held.
    expect((await runPeriodicOnce(task("a"), a)).last_outcome).toBe("completed");
    expect((await runPeriodicOnce(task("b"), b)).last_outcome).toBe("lock_held");
    // a stops: after its term (interval + slack) b takes the task over.
    clock.advance(40_000);
    expect((await runPeriodicOnce(task("b"), b)).last_outcome).toBe("completed");
    expect(runs).toEqual(["a", "a", "b"]);
    expect((await lifecycle.readLease("app:orchestrate"))?.holder).toBe("b");
  });

  it("an outage past the threshold raises the outage alert at once when the database answers, names its length when it ends, and resolves it", async () => {
    const clock = manualClock();
    const lifecycle = testLifecycle(ctx.db(), clock);
    const logged: string[] = [];
    let calls = 0;
    // Each pass takes a second of the manual clock; GitHub answers 502 to the first three.
    const github: PeriodicTask = {
      name: "redeliver",
      intervalMs: 1,
      run: async () => {
        clock.advance(1_000);
        calls++;
        if (calls <= 3) throw Object.assign(new Error("GitHub answered 502"), { status: 502 });
        return "completed";
      },
    };
    const running = startPeriodicTasks([github], {
      leases: lifecycle,
      holder: "replica",
      clock,
      status: new PeriodicStatusBoard(),
      log: (level, message, detail) => logged.push(`${level}: ${message} ${String(detail.alert ?? "")}`),
      maxBackoffMs: 4,
      outage: {
        policy: { alertAfterMs: 1_500, limitMs: null },
        alerts: {
          raise: (finding) => lifecycle.alerts.raise(finding),
          resolve: (subject) => lifecycle.alerts.resolve({ condition: "outage", subjects: [subject] }),
        },
      },
    });
    try {
      await until(async () => (await lifecycle.alerts.find("outage:app:redeliver"))?.status === "resolved", {
        what: "the outage alert to be resolved",
      });
    } finally {
      await running.stop();
    }
    const alert = await lifecycle.alerts.find("outage:app:redeliver");
    expect(alert).toMatchObject({ condition: "outage", severity: "critical", seenCount: 2, recurrence: 0 });
    expect(alert?.message).toBe(
      "app:redeliver could not work for 3 s (from 2026-01-01T00:00:01.000Z to 2026-01-01T00:00:04.000Z, 3 failed tries): GitHub answered 502",
    );
    // Raised during the outage (written at once: the database answered), then updated when it ended.
    expect(logged.filter((line) => line.includes("outage alert"))).toEqual([
      "warn: outage alert app:redeliver has not been able to work for 2 s (since 2026-01-01T00:00:01.000Z, 3 failed tries): GitHub answered 502",
      "warn: outage alert app:redeliver could not work for 3 s (from 2026-01-01T00:00:01.000Z to 2026-01-01T00:00:04.000Z, 3 failed tries): GitHub answered 502",
      "info: outage alert resolved ",
    ]);
  });

  it("a failure never ends the loop: it is recorded with its error, and the task carries on", async () => {
    const lifecycle = testLifecycle(ctx.db());
    const status = new PeriodicStatusBoard();
    let calls = 0;
    const logged: string[] = [];
    const flaky: PeriodicTask = {
      name: "operate",
      intervalMs: 1,
      run: async () => {
        calls++;
        if (calls <= 2) throw Object.assign(new Error("GitHub answered 502"), { status: 502 });
        if (calls === 3) throw new Error("a bug");
        return "completed";
      },
    };
    const running = startPeriodicTasks([flaky], {
      leases: lifecycle,
      holder: "replica",
      clock: lifecycle.clock,
      status,
      log: (level, message, detail) => logged.push(`${level}: ${message} ${String(detail.error)}`),
      maxBackoffMs: 4,
    });
    try {
      await until(() => status.get("operate")?.last_outcome === "completed", { what: "a completed pass" });
    } finally {
      await running.stop();
    }
    expect(status.get("operate")).toMatchObject({
      last_outcome: "completed",
      last_error: "a bug",
      failures_in_a_row: 0,
      interval_seconds: 0,
    });
    expect(logged).toEqual([
      "warn: operate failed; it runs again after its pause GitHub answered 502",
      "warn: operate failed; it runs again after its pause GitHub answered 502",
      "error: operate failed; it runs again after its pause a bug",
    ]);
  });
});

describeOnDriver("the app's periodic tasks", (ctx) => {
  let app: AppHarness;
  beforeEach(async () => {
    app = await startApp(ctx.db());
    app.gh.world.repository({ owner: "acme", name: "widgets", collaborators: { bob: "write" } });
  });
  afterEach(async () => app?.stop());

  const tasksOf = (lifecycle: Lifecycle, status: PeriodicStatusBoard) => {
    const appOctokit = async () =>
      new ProbotOctokit({
        baseUrl: app.gh.url,
        auth: { appId: app.gh.app.id, privateKey: app.gh.app.privateKey ?? "" },
      }) as unknown as Octokit;
    const tasks = appPeriodicTasks({
      lifecycle,
      snapshots: snapshotReader(ctx.db()),
      config: DEFAULT_CONFIG,
      holder: "app-test",
      appOctokit,
      deliveries: app.store.deliveries,
      log: quiet,
    });
    const deps = { leases: lifecycle, holder: "app-test", clock: lifecycle.clock, status, log: quiet };
    const byName = (name: string) => {
      const task = tasks.find((t) => t.name === name);
      if (!task) throw new Error(`no task ${name}`);
      return () => runPeriodicOnce(task, deps);
    };
    return { names: tasks.map((t) => t.name), byName };
  };

  it("orchestrate, operate and redeliver each run, with the intervals of app.periodic", async () => {
    const status = new PeriodicStatusBoard();
    const { names, byName } = tasksOf(app.lifecycle, status);
    expect(names).toEqual(["orchestrate", "operate", "redeliver"]);
    for (const name of names) expect((await byName(name)()).last_outcome).toBe("completed");
    expect(status.list().map((s) => [s.name, s.interval_seconds])).toEqual([
      ["orchestrate", 30],
      ["operate", 60],
      ["redeliver", 300],
    ]);
  });

  it("the redelivery sweep asks again for a delivery missed while the app was down, unless redeliver is paused", async () => {
    app.gh.webhooks.setTarget({ url: "http://127.0.0.1:1/api/github/webhooks", secret: SECRET });
    app.gh.world.issue("acme/widgets", { title: "while down", author: "bob" });
    await app.settle();
    app.gh.webhooks.setTarget({ url: app.webhookUrl, secret: SECRET });
    const missed = app.gh.webhooks.deliveries.find((d) => d.statusCode === 0);
    if (!missed) throw new Error("no failed delivery");
    const status = new PeriodicStatusBoard();
    const { byName } = tasksOf(app.lifecycle, status);

    await app.lifecycle.tasks.setEnabled({
      task: "redeliver",
      enabled: false,
      actor: human,
      reason: "noisy",
    });
    expect((await byName("redeliver")()).last_outcome).toBe("paused");
    await app.settle();
    expect(await app.store.deliveries.find(missed.guid)).toBeUndefined();

    await app.lifecycle.tasks.setEnabled({ task: "redeliver", enabled: true, actor: human, reason: "quiet" });
    expect((await byName("redeliver")()).last_outcome).toBe("completed");
    await app.settle();
    expect(await app.store.deliveries.find(missed.guid)).toMatchObject({ status: "handled" });
  });

  it("orchestrate and operate honour their maintenance pause", async () => {
    const status = new PeriodicStatusBoard();
    const { byName } = tasksOf(app.lifecycle, status);
    for (const task of ["orchestrate", "operate"] as const) {
      await app.lifecycle.tasks.setEnabled({ task, enabled: false, actor: human, reason: "maintenance" });
      expect((await byName(task)()).last_outcome).toBe("paused");
    }
  });

  it("/api/health shows each task's last run and last error", async () => {
    const status = new PeriodicStatusBoard();
    const { byName } = tasksOf(app.lifecycle, status);
    await byName("orchestrate")();
    const { apiHandler } = await import("../../src/app/api/index.js");
    const handler = apiHandler({
      lifecycle: app.lifecycle,
      mirror: app.store.mirror,
      periodic: () => status.list(),
    });
    const { createServer } = await import("node:http");
    const server = createServer((req, res) => void handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const address = server.address() as { port: number };
      const body = (await (await fetch(`http://127.0.0.1:${address.port}/api/health`)).json()) as {
        periodic: unknown[];
      };
      expect(body.periodic).toEqual([
        {
          name: "orchestrate",
          interval_seconds: 30,
          last_run_at: expect.any(String),
          last_outcome: "completed",
          last_error: null,
          last_error_at: null,
          failures_in_a_row: 0,
        },
      ]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
