/**
 * `mctl maintenance`, `mctl dispatch` while paused, and "dispatch paused while a backlog exists":
 * `mctl operate` raises the alert and re-enables nothing. Real processes on PostgreSQL.
 */
import { sql } from "drizzle-orm";
import { beforeEach, expect, it } from "vitest";
import { queryRows } from "../../src/db/database.js";
import { givenTicket, testLifecycle } from "../builders/tickets.js";
import { runMctl } from "../helpers/cli.js";
import { describePostgres } from "../helpers/databases.js";

describePostgres("mctl maintenance and operate", ({ db, url }) => {
  let env: Record<string, string>;
  beforeEach(() => {
    env = { DATABASE_URL: url() };
  });
  const settingsText = async () =>
    (await queryRows<{ row: string }>(db(), sql`select s::text as row from task_settings s order by 1`)).map(
      (r) => r.row,
    );

  it("the actor and reason are required; pause and resume print and record who and why", async () => {
    const noActor = await runMctl(["maintenance", "pause", "dispatch", "--reason", "x"], env);
    expect(noActor.code).toBe(2);
    expect(noActor.stderr).toMatch(/required option '--actor <name>'/);
    const badTask = await runMctl(
      ["maintenance", "pause", "retired-task", "--actor", "a", "--reason", "x"],
      env,
    );
    expect(badTask.code).toBe(2);
    expect(badTask.stderr).toMatch(/must be one of dispatch, operate, orchestrate, redeliver/);
    const pause = await runMctl(
      ["maintenance", "pause", "dispatch", "--actor", "alice", "--reason", "freeze"],
      env,
    );
    expect(pause.stdout).toBe("dispatch paused by alice: freeze\n");
    const status = await runMctl(["maintenance", "status", "--json"], env);
    expect(JSON.parse(status.stdout)).toMatchObject({
      settings: [
        { task: "dispatch", enabled: false, changedBy: "alice" },
        { task: "operate", enabled: true },
        { task: "orchestrate" },
        { task: "redeliver" },
      ],
      events: [{ task: "dispatch", enabled: false, actorKind: "human", actorId: "alice", reason: "freeze" }],
    });
  });

  it("dispatch paused while a backlog exists: the dispatcher claims nothing, the operator alerts and re-enables nothing", async () => {
    const lifecycle = testLifecycle(db());
    const ticket = await givenTicket(lifecycle);
    expect(
      (await runMctl(["maintenance", "pause", "dispatch", "--actor", "alice", "--reason", "freeze"], env))
        .code,
    ).toBe(0);
    const dispatch = await runMctl(["dispatch", "--json"], env);
    expect(dispatch.code, dispatch.stderr).toBe(0);
    expect(JSON.parse(dispatch.stdout)).toMatchObject({
      outcome: "paused",
      decisions: [{ code: "paused", by: "alice" }],
    });
    const settingsBefore = await settingsText();

    const first = await runMctl(["operate", "--json"], env);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({
      status: "completed",
      findings: [{ condition: "dispatch_paused_with_backlog", subject: "dispatch" }],
      changes: [{ change: "opened", fingerprint: "dispatch_paused_with_backlog:dispatch", recurrence: 0 }],
    });
    const second = await runMctl(["operate"], env);
    expect(second.stdout).toMatch(/updated\s+dispatch_paused_with_backlog:dispatch\s+0\s+2/);
    const alerts = await runMctl(["operate", "alerts", "--json"], env);
    expect(JSON.parse(alerts.stdout)).toMatchObject([
      { status: "open", seenCount: 2, recurrence: 0, issueNumber: null },
    ]);

    // Nothing was re-enabled, nothing changed hands.
    expect(await settingsText()).toEqual(settingsBefore);
    expect((await lifecycle.tasks.setting("dispatch")).enabled).toBe(false);
    expect(await lifecycle.tasks.history(10)).toHaveLength(1);
    expect(await lifecycle.findTicket(ticket.key)).toEqual(ticket);

    // Only a maintainer resumes it; the next operator pass resolves the alert.
    await runMctl(["maintenance", "resume", "dispatch", "--actor", "bob", "--reason", "freeze over"], env);
    const third = await runMctl(["operate", "--json"], env);
    expect(JSON.parse(third.stdout).changes).toContainEqual(
      expect.objectContaining({ change: "resolved", fingerprint: "dispatch_paused_with_backlog:dispatch" }),
    );
  });

  it("a configuration that spells a boolean wrong is refused by every command that reads it", async () => {
    const { writeFile } = await import("node:fs/promises");
    const { tempDir } = await import("../helpers/cli.js");
    const dir = await tempDir();
    try {
      await writeFile(`${dir.path}/mc.yml`, 'orchestrator:\n  review_required: "true"\n');
      for (const args of [["orchestrate"], ["operate"], ["dispatch", "--dry-run"]]) {
        const run = await runMctl(args, { ...env, MCTL_CONFIG: `${dir.path}/mc.yml` });
        expect(run.code, args.join(" ")).toBe(2);
        expect(run.stderr).toMatch(
          /orchestrator\.review_required: must be true or false \(a YAML boolean\), not "true"/,
        );
      }
    } finally {
      await dir.remove();
    }
  });
});
