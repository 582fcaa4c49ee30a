/**
 * The person of a chaos run (`alice`, write access): answers each open question once, as a
 * `/mc answer` comment on the ticket's issue (through the app) or with `mctl ticket answer`;
 * decides each inbox item handed to a person with `mctl inbox act … --decision cancel` (a ticket
 * that used up its attempts is given up); as the operator's routine, runs `mctl webhooks redeliver`
 * when GitHub's delivery log shows deliveries that never succeeded (and the app is up); and, being
 * wrong on purpose, claims a lost attempt done (`/mc done sha=… attempt=<lost attempt>`, with the
 * branch's current commit), which must never count as a completion.
 */
import { spawn } from "node:child_process";
import { sql } from "drizzle-orm";
import type { Database } from "../../src/db/database.js";
import { queryRows } from "../../src/db/database.js";
import type { GitHubStandin } from "../../src/github-standin/index.js";
import type { Rng } from "./prng.js";

export const PERSON = "alice";

export interface PersonOptions {
  readonly db: Database;
  readonly gh: GitHubStandin;
  readonly repository: string;
  readonly rng: Rng;
  /** argv prefix of mctl (`[node, dist/cli/main.js]`) and its environment. */
  readonly mctl: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly answerDelayMs: readonly [min: number, max: number];
  /**
   * GUIDs whose every delivery attempt failed so far, from GitHub's delivery log (what the person
   * sees), and how far back in that log (newest first) the oldest of them is.
   */
  readonly failedDeliveries: () => { readonly guids: readonly string[]; readonly depth: number };
  /** At least this long between two redelivery runs (longer than the app's delivery lease). */
  readonly redeliverGapMs: number;
  /** True while the app is up and answering (redelivery to a dead app only fails again). */
  readonly appUp: () => Promise<boolean>;
  readonly log: (line: string) => void;
}

export interface PersonActivity {
  answersByComment: number;
  answersByCli: number;
  inboxActs: number;
  inboxActFailures: number;
  redeliveryRuns: number;
  redelivered: number;
  redeliveryFailures: number;
  staleDoneClaims: number;
}

export class Person {
  readonly activity: PersonActivity = {
    answersByComment: 0,
    answersByCli: 0,
    inboxActs: 0,
    inboxActFailures: 0,
    redeliveryRuns: 0,
    redelivered: 0,
    redeliveryFailures: 0,
    staleDoneClaims: 0,
  };
  /** Question id → when it will be answered (each question is answered once). */
  #answers = new Map<number, number>();
  #acted = new Set<number>();
  #claimedStale = new Set<string>();
  /**
   * How often a redelivery run found a failed GUID recorded by the app: twice, a lease apart, means
   * the app has it (handled, its answer lost), so it no longer calls for a run.
   */
  #recorded = new Map<string, number>();
  #redeliveredAt = 0;
  #stopped = false;
  #loops: Promise<void>[] = [];

  constructor(private readonly options: PersonOptions) {}

  /** Three routines, each in its own loop, so a slow command never delays an answer. */
  start(): void {
    const loop = async (routine: () => Promise<void>) => {
      while (!this.#stopped) {
        await routine().catch((error: unknown) => this.options.log(`[person] ${String(error)}`));
        await new Promise((resolve) => setTimeout(resolve, 400));
      }
    };
    this.#loops = [
      loop(() => this.#answerQuestions()),
      loop(() => this.#actOnItems()),
      loop(() => this.#redeliverWhenDue()),
      loop(() => this.#claimLostAttemptsDone()),
    ];
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all(this.#loops);
  }

  async #redeliverWhenDue(): Promise<void> {
    const failed = this.options.failedDeliveries();
    const unresolved = failed.guids.filter((guid) => (this.#recorded.get(guid) ?? 0) < 2);
    if (unresolved.length === 0 || Date.now() - this.#redeliveredAt < this.options.redeliverGapMs) return;
    if (!(await this.options.appUp())) return;
    this.#redeliveredAt = Date.now();
    // Only as far back as the oldest failure (the whole log of a long run is thousands of deliveries).
    await this.#redeliver(failed.depth + 100);
  }

  async #answerQuestions(): Promise<void> {
    const { db, rng } = this.options;
    const open = await queryRows<{ id: number; key: string; issue_number: number | null }>(
      db,
      sql`select q.id::int as id, t.key, t.issue_number from ticket_questions q join tickets t on t.id = q.ticket_id
          where q.answer is null and t.state = 'needs_input'`,
    );
    const now = Date.now();
    for (const question of open) {
      const due = this.#answers.get(question.id);
      if (due === undefined) {
        this.#answers.set(question.id, now + rng.between(...this.options.answerDelayMs));
        continue;
      }
      if (due > now) continue;
      this.#answers.set(question.id, Number.POSITIVE_INFINITY);
      const answer = `Use the blue widget (${question.key}, question ${question.id})`;
      if (question.issue_number !== null && rng.chance(0.75)) {
        this.options.gh.world.comment(this.options.repository, question.issue_number, {
          author: PERSON,
          body: `/mc answer ${answer}`,
        });
        this.activity.answersByComment += 1;
      } else {
        const result = await this.#mctl([
          "ticket",
          "answer",
          question.key,
          "--answer",
          answer,
          "--actor",
          PERSON,
        ]);
        if (result.code === 0) this.activity.answersByCli += 1;
        // Refused (e.g. the database was busy): try again next round.
        else this.#answers.set(question.id, now);
      }
    }
  }

  /** `/mc done` for each lost attempt of a ticket that is still open, naming the branch's current commit. */
  async #claimLostAttemptsDone(): Promise<void> {
    const { db, gh, repository } = this.options;
    const lost = await queryRows<{ id: string; key: string; issue_number: number }>(
      db,
      sql`select a.id, t.key, t.issue_number from attempts a join tickets t on t.id = a.ticket_id
          where a.status = 'lost' and t.issue_number is not null and t.state not in ('done', 'cancelled')`,
    );
    for (const attempt of lost) {
      if (this.#claimedStale.has(attempt.id)) continue;
      const sha = gh.world.repo(repository).branches.get(`mission-control/${attempt.key}`);
      if (!sha) continue;
      this.#claimedStale.add(attempt.id);
      gh.world.comment(repository, attempt.issue_number, {
        author: PERSON,
        body: `/mc done sha=${sha} attempt=${attempt.id}`,
      });
      this.activity.staleDoneClaims += 1;
    }
  }

  async #actOnItems(): Promise<void> {
    const items = await queryRows<{ id: number; kind: string }>(
      this.options.db,
      sql`select id::int as id, kind from inbox_items where audience = 'person' and state <> 'acted' order by id`,
    );
    for (const item of items) {
      if (this.#acted.has(item.id)) continue;
      const result = await this.#mctl([
        "inbox",
        "act",
        String(item.id),
        "--decision",
        "cancel",
        "--actor",
        PERSON,
        "--note",
        `chaos: ${item.kind}, giving up`,
        "--json",
      ]);
      if (result.code === 0) {
        this.#acted.add(item.id);
        this.activity.inboxActs += 1;
      } else {
        this.activity.inboxActFailures += 1;
        this.options.log(`[person] inbox act ${item.id} failed (${result.code}): ${result.stderr.trim()}`);
      }
    }
  }

  /** One `mctl webhooks redeliver`; false when it failed (tried again later). */
  async #redeliver(limit: number): Promise<boolean> {
    this.activity.redeliveryRuns += 1;
    const result = await this.#mctl(["webhooks", "redeliver", "--limit", String(limit), "--json"]);
    if (result.code !== 0) {
      this.activity.redeliveryFailures += 1;
      this.options.log(
        `[person] webhooks redeliver failed (${result.code}): ${result.stderr.trim().slice(0, 300)}`,
      );
      return false;
    }
    const decisions = (
      JSON.parse(result.stdout) as { decisions: { guid: string; decision: string; reason?: string }[] }
    ).decisions;
    for (const d of decisions)
      if (d.reason === "recorded") this.#recorded.set(d.guid, (this.#recorded.get(d.guid) ?? 0) + 1);
    const redelivered = decisions.filter((d) => d.decision === "redeliver").length;
    this.activity.redelivered += redelivered;
    if (redelivered) this.options.log(`[person] asked GitHub to redeliver ${redelivered} webhook(s)`);
    return true;
  }

  #mctl(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const [command = process.execPath, ...prefix] = this.options.mctl;
    return new Promise((resolve, reject) => {
      const child = spawn(command, [...prefix, ...args], {
        cwd: this.options.cwd,
        env: { ...this.options.env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
  }
}
