/**
 * A run's figures (what happened, in numbers, besides the checker's verdict) and the artifacts kept
 * in its work folder for a look afterwards.
 */
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { sql } from "drizzle-orm";
import type { Database } from "../../src/db/database.js";
import { queryRows } from "../../src/db/database.js";
import type { GitHubStandin } from "../../src/github-standin/index.js";
import type { KillRecord } from "./driver.js";
import type { History } from "./history.js";
import type { PersonActivity } from "./person.js";
import type { Role } from "./processes.js";

export interface RunFigures {
  readonly seconds: number;
  readonly tickets: number;
  readonly attempts: number;
  readonly events: number;
  /** Kills that found something alive, by target. */
  readonly kills: Readonly<Record<string, number>>;
  readonly restarts: Readonly<Record<string, number>>;
  readonly workersKilled: number;
  readonly agentStarts: number;
  /** From the workers' logs: runners that lost their lease under a running agent, reports refused. */
  readonly staleWorkers: { readonly leaseLost: number; readonly refused: number };
  readonly github: {
    readonly requests: number;
    readonly faulted: number;
    readonly webhooks: number;
    readonly failedDeliveries: number;
    readonly redeliveries: number;
  };
  readonly person: PersonActivity;
  /** How the app answered the person's `/mc` comments: `answer:answered`, `done:verdict_fail` … */
  readonly commands: Readonly<Record<string, number>>;
  readonly orchestratorPasses: number;
  /** Processes that exited on their own (not killed or stopped by the harness), by role. */
  readonly crashes: Readonly<Record<string, number>>;
  /** How each long-running role ended when it was stopped at the end (0 = clean). */
  readonly finalExits: Readonly<Record<string, string>>;
}

export async function collectFigures(input: {
  readonly seconds: number;
  readonly history: History;
  readonly kills: readonly KillRecord[];
  readonly restarts: Readonly<Record<string, number>>;
  readonly gh: GitHubStandin;
  readonly db: Database;
  readonly workerLogs: string;
  readonly person: PersonActivity;
  readonly orchestratorPasses: number;
  readonly roles: readonly Role[];
  readonly finalExits: Readonly<Record<string, string>>;
}): Promise<RunFigures> {
  const { history, gh } = input;
  const failed = (d: { statusCode: number }) => d.statusCode < 200 || d.statusCode >= 300;
  return {
    seconds: input.seconds,
    tickets: history.tickets.length,
    attempts: history.attempts.length,
    events: history.events.length,
    kills: countBy(input.kills.filter((k) => k.victims.length > 0).map((k) => k.target)),
    restarts: input.restarts,
    workersKilled: input.kills.reduce(
      (n, k) => n + k.victims.filter((v) => v.startsWith("worker")).length,
      0,
    ),
    agentStarts: history.agentStarts.length,
    staleWorkers: await staleWorkers(input.workerLogs),
    github: {
      requests: gh.requests.entries.length,
      faulted: gh.requests.entries.filter((e) => e.faults.length > 0).length,
      webhooks: history.webhooksSent.length,
      failedDeliveries: gh.webhooks.deliveries.filter(failed).length,
      redeliveries: gh.webhooks.deliveries.filter((d) => d.redelivery).length,
    },
    person: input.person,
    commands: await commandOutcomes(input.db),
    orchestratorPasses: input.orchestratorPasses,
    crashes: Object.fromEntries(
      input.roles.filter((r) => r.crashes.length).map((r) => [r.spec.name, r.crashes.length]),
    ),
    finalExits: input.finalExits,
  };
}

/** `history.json` (exactly what the checker judged) and `github.json` (every request and delivery). */
export async function saveArtifacts(workDir: string, history: History, gh: GitHubStandin): Promise<void> {
  await writeFile(path.join(workDir, "history.json"), JSON.stringify(history));
  await writeFile(
    path.join(workDir, "github.json"),
    JSON.stringify({
      requests: gh.requests.entries.map((e) => [
        e.timestamp,
        e.method,
        e.route,
        e.status,
        e.faults.join(","),
      ]),
      deliveries: gh.webhooks.deliveries.map((d) => [
        d.deliveredAt,
        d.guid,
        d.event,
        d.action,
        d.statusCode,
        d.durationMs,
        d.redelivery,
      ]),
    }),
  );
}

async function staleWorkers(logDir: string): Promise<{ leaseLost: number; refused: number }> {
  let leaseLost = 0;
  let refused = 0;
  for (const file of await readdir(logDir).catch(() => [] as string[])) {
    const text = await readFile(path.join(logDir, file), "utf8").catch(() => "");
    leaseLost += text.split("lease lost, the agent was stopped").length - 1;
    refused += text.split("the attempt's end was refused").length - 1;
  }
  return { leaseLost, refused };
}

async function commandOutcomes(db: Database): Promise<Record<string, number>> {
  const rows = await queryRows<{ name: string; outcome: string; n: number }>(
    db,
    sql`select split_part(command, ' ', 2) as name, outcome, count(*)::int as n from command_replies group by 1, 2`,
  );
  return Object.fromEntries(rows.map((r) => [`${r.name}:${r.outcome}`, r.n]));
}

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
