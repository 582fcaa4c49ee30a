/**
 * Real `mctl dispatch` processes against one PostgreSQL database: the lease keeps them single-flight,
 * and a dispatcher killed between claim and launch loses nothing.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, expect, it } from "vitest";
import { queryRows } from "../../src/db/database.js";
import { startGitHubStandin } from "../../src/github-standin/index.js";
import { givenTicket, testLifecycle } from "../builders/tickets.js";
import { captureChildOutput, MCTL, tempDir } from "../helpers/cli.js";
import { describePostgres } from "../helpers/databases.js";
import { until } from "../helpers/until.js";

const children: ChildProcess[] = [];

function startDispatcher(args: string[], env: Record<string, string>, cwd: string): ChildProcess {
  const child = spawn(process.execPath, [MCTL, "dispatch", ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  captureChildOutput(child, "mctl-dispatch");
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.on("exit", (code, signal) => {
    if (code && code !== 0) console.error(`dispatcher exited ${code} ${signal}: ${stderr}`);
  });
  children.push(child);
  return child;
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once("exit", (code) => resolve(code));
  });

// Enough tickets for several full batches per dispatcher term, with every dispatcher racing for the
// lease: the property (each ticket claimed and launched exactly once, one cycle at a time) does not
// grow with the count, only the run time does.
const TICKETS = 200;
const BATCH = 25;

describePostgres("dispatcher processes", ({ db, url }) => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    dir = await tempDir("mctl-dispatch-");
  });
  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
    await dir.remove();
  });

  it(`8 looping dispatchers and ${TICKETS} tickets: each ticket claimed and launched exactly once, one cycle at a time`, async () => {
    const lifecycle = testLifecycle(db());
    for (let chunk = 0; chunk < TICKETS; chunk += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, i) => givenTicket(lifecycle, { title: `t${chunk + i}` })),
      );
    }
    const launches = `${dir.path}/launches.txt`;
    await writeFile(
      `${dir.path}/mc.yml`,
      [
        "dispatch:",
        "  max_workers: 100000",
        `  batch_size: ${BATCH}`,
        "  launcher:",
        "    kind: command",
        `    command: ["sh", "-c", "echo {attempt} {launch_key} >> ${launches}"]`,
      ].join("\n"),
    );
    const env = { DATABASE_URL: url(), MCTL_CONFIG: `${dir.path}/mc.yml` };
    const dispatchers = Array.from({ length: 8 }, (_, i) =>
      // Half a second apart: enough for every dispatcher to race for each lease term, without the
      // idle cycles of eight processes being most of the work.
      startDispatcher(["--loop", "--interval", "0.5", "--holder", `dispatcher-${i}`], env, dir.path),
    );
    const queued = async () =>
      (
        await queryRows<{ n: number }>(db(), sql`select count(*)::int as n from tickets where state = 'todo'`)
      )[0]?.n;
    await until(async () => (await queued()) === 0, { what: "every ticket to be claimed", everyMs: 200 });
    for (const child of dispatchers) child.kill("SIGTERM");
    expect(await Promise.all(dispatchers.map(exited))).toEqual(Array(8).fill(0));

    const attempts = await queryRows<{ ticket_id: number; n: number }>(
      db(),
      sql`select ticket_id, count(*)::int as n from attempts group by ticket_id`,
    );
    expect(attempts).toHaveLength(TICKETS);
    expect(attempts.every((a) => a.n === 1)).toBe(true);
    await until(
      async () => {
        const lines = (await readFile(launches, "utf8").catch(() => "")).trim().split("\n");
        return lines.length >= TICKETS;
      },
      { what: "the launched commands to finish writing" },
    );
    const lines = (await readFile(launches, "utf8")).trim().split("\n");
    expect(lines).toHaveLength(TICKETS);
    expect(new Set(lines.map((line) => line.split(" ")[0])).size).toBe(TICKETS);

    const cycles = await queryRows<{
      fencing_token: string | null;
      timings: { lease?: number };
      holder: string;
      outcome: string;
      started_at: Date;
      finished_at: Date;
      decisions: { code: string }[];
    }>(
      db(),
      sql`select holder, fencing_token, timings, outcome, started_at, finished_at, decisions from dispatch_cycles order by started_at`,
    );
    expect(new Set(cycles.map((c) => c.outcome))).toEqual(new Set(["completed", "lock_held"]));
    expect(new Set(cycles.map((c) => c.holder)).size).toBeGreaterThan(1);
    // Single flight: each lease term has its own fencing token, and no cycle finished taking the
    // lease before the previous term's holder had finished its cycle (it releases only after that).
    const completed = cycles
      .filter((c) => c.outcome === "completed")
      .sort((a, b) => Number(a.fencing_token) - Number(b.fencing_token));
    const tokens = completed.map((c) => Number(c.fencing_token));
    expect(new Set(tokens).size).toBe(tokens.length);
    for (let i = 1; i < completed.length; i++) {
      const current = completed[i];
      const previous = completed[i - 1];
      const leaseTakenBy =
        new Date(current?.started_at ?? 0).getTime() + Math.ceil(current?.timings.lease ?? 0);
      expect(leaseTakenBy).toBeGreaterThanOrEqual(new Date(previous?.finished_at ?? 0).getTime());
    }
    const codes = new Set(cycles.flatMap((c) => c.decisions.map((d) => d.code)));
    expect(codes.has("claim_conflict")).toBe(false);
    expect(
      cycles.filter((c) => c.outcome === "lock_held").every((c) => c.decisions[0]?.code === "lock_held"),
    ).toBe(true);
    // No deadline inside: vitest's timeout is the only backstop, generous for a loaded machine.
  }, 600_000);

  it("a dispatcher killed with -9 between claim and launch: the next one takes over, nothing is lost or run twice", async () => {
    const gh = await startGitHubStandin();
    try {
      const repo = gh.world.repository({ owner: "acme", name: "widgets" });
      gh.world.workflow(repo, { path: ".github/workflows/mission-control-agent.yml" });
      // The workflow dispatch hangs: the first dispatcher has claimed and is stuck launching.
      const hang = gh.faults.add({
        method: "POST",
        route: "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches",
        fault: { kind: "latency", ms: 60_000 },
      });
      const lifecycle = testLifecycle(db());
      await givenTicket(lifecycle);
      const config = (launcher: string[]) =>
        [
          "dispatch:",
          "  lease_seconds: 2",
          "  attempt_lease_seconds: 2",
          "  backoff: { base_seconds: 1, cap_seconds: 1 }",
          ...launcher,
        ].join("\n");
      await writeFile(
        `${dir.path}/github.yml`,
        // The ticket's own repository (acme/widgets) is where its agent workflow runs.
        config(["  launcher:", "    kind: github-workflow"]),
      );
      const first = startDispatcher(
        ["--holder", "doomed"],
        {
          DATABASE_URL: url(),
          MCTL_CONFIG: `${dir.path}/github.yml`,
          GITHUB_TOKEN: gh.installationToken("acme/widgets"),
          GITHUB_API_URL: gh.url,
        },
        dir.path,
      );
      await until(async () => (await lifecycle.findTicket("MC-1"))?.state === "in_progress", {
        what: "the claim",
      });
      first.kill("SIGKILL");
      await exited(first);
      gh.faults.remove(hang);
      const [stuck] = await lifecycle.attemptsOf(1);
      expect(stuck).toMatchObject({ status: "launching", number: 1 });

      const launches = `${dir.path}/launches.txt`;
      await writeFile(
        `${dir.path}/local.yml`,
        config([
          "  launcher:",
          "    kind: command",
          `    command: ["sh", "-c", "echo {attempt} >> ${launches}"]`,
        ]),
      );
      const second = startDispatcher(
        ["--loop", "--interval", "0.3", "--holder", "successor"],
        { DATABASE_URL: url(), MCTL_CONFIG: `${dir.path}/local.yml` },
        dir.path,
      );
      await until(async () => (await lifecycle.attemptsOf(1)).length === 2, {
        what: "the ticket to be claimed again",
      });
      second.kill("SIGTERM");
      expect(await exited(second)).toBe(0);

      const [lost, retry] = await lifecycle.attemptsOf(1);
      expect(lost).toMatchObject({ id: stuck?.id, status: "lost" });
      expect(retry).toMatchObject({ number: 2, status: "launching", launchKey: "MC-1/2" });
      expect(await lifecycle.findTicket("MC-1")).toMatchObject({
        state: "in_progress",
        currentAttemptId: retry?.id,
      });
      // Even if GitHub ran the first dispatch after all, its worker can never start the lost attempt.
      expect(
        await lifecycle.startAttempt({
          attemptId: stuck?.id ?? "",
          launchKey: stuck?.launchKey ?? "",
          leaseMs: 60_000,
        }),
      ).toMatchObject({ ok: false, code: "fenced" });
      await until(async () => (await readFile(launches, "utf8").catch(() => "")).includes(retry?.id ?? "?"), {
        what: "the launch",
      });
      expect((await readFile(launches, "utf8")).trim().split("\n")).toEqual([retry?.id]);
      const cycles = await lifecycle.recentDispatchCycles(50);
      expect(
        cycles.some((c) => c.decisions.some((d) => (d as { code: string }).code === "lease_expired")),
      ).toBe(true);
    } finally {
      await gh.stop();
    }
  }, 300_000);
});
