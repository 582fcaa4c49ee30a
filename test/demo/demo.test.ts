import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, readlinkSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STATE_LABELS } from "../../src/app/board/labels.js";
import type { TicketState } from "../../src/domain/ticket-states.js";
import { describeWithBrowser } from "../helpers/browser.js";

const DEMO = path.resolve(import.meta.dirname, "../../dist/demo/main.js");

/** What the demo prints with --json, one object a line. */
type Line =
  | {
      type: "started";
      port: number;
      dir: string;
      board: string;
      api: string;
      tickets: { key: string; role: string }[];
    }
  | { type: "decision"; at: string; ticket: string | null; kind: string; source: string; text: string }
  | {
      type: "summary";
      ok: boolean;
      reason: string;
      tickets: { ticket: string; role: string; ok: boolean; actual: string }[];
    }
  | { type: "complete"; tickets: number; board: string; lingerSeconds: number | null; message: string }
  | { type: "stopped"; dir: string; removed: boolean }
  | { type: "error"; message: string };

interface ApiTicket {
  key: string;
  state: TicketState;
  hold: string | null;
  attemptCount: number;
  assignee: string | null;
  issueNumber: number | null;
}

/** The demo as a real process (`npm run demo` runs the same file), its JSON lines collected as they come. */
function startDemo(args: readonly string[]) {
  const env = { ...process.env };
  for (const name of ["DATABASE_URL", "MCTL_DATA_DIR", "MCTL_CONFIG"]) delete env[name];
  const child: ChildProcess = spawn(process.execPath, [DEMO, ...args], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: Line[] = [];
  let stdout = "";
  let stderr = "";
  let partial = "";
  const waiters: (() => void)[] = [];
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    partial += chunk.toString();
    const complete = partial.split("\n");
    partial = complete.pop() ?? "";
    for (const text of complete.filter(Boolean)) lines.push(JSON.parse(text) as Line);
    for (const wake of waiters.splice(0)) wake();
  });
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => {
      for (const wake of waiters.splice(0)) wake();
      resolve({ code, signal });
    }),
  );
  let ended = false;
  void exited.then(() => (ended = true));
  return {
    child,
    lines,
    exited,
    output: () => ({ stdout, stderr }),
    /** The first line of `type`, waiting for it (fails if the process ends without printing it). */
    async next<T extends Line["type"]>(type: T): Promise<Extract<Line, { type: T }>> {
      for (;;) {
        const found = lines.find((l) => l.type === type);
        if (found) return found as Extract<Line, { type: T }>;
        if (ended) throw new Error(`the demo ended without a ${type} line:\n${stdout}\n${stderr}`);
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
  };
}

/** Processes whose working directory is inside `dir` (Linux /proc); none may outlive the demo. */
function processesIn(dir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((e) => /^\d+$/.test(e))) {
    try {
      if (readlinkSync(`/proc/${pid}/cwd`).startsWith(dir)) found.push(pid);
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

/**
 * `npm run demo -- --once`: the whole story in one real process (PGlite, the GitHub stand-in, the
 * Probot app, dispatcher, runner, sample agent, CI, alice). Asserted three ways while it lingers —
 * its own output, the JSON API, the board in Chromium — then it must stop cleanly on SIGTERM.
 */
describe("npm run demo -- --once --port 0 --json", () => {
  let demo: ReturnType<typeof startDemo>;
  let started: Extract<Line, { type: "started" }>;
  let summary: Extract<Line, { type: "summary" }>;
  let base: string;
  const keyOf = (role: string) => started.tickets.find((t) => t.role === role)?.key ?? `(no ${role})`;
  const decisions = () =>
    demo.lines.filter((l): l is Extract<Line, { type: "decision" }> => l.type === "decision");

  beforeAll(async () => {
    // --linger keeps it serving after the summary; the last test stops it with SIGTERM. The
    // timeout only bounds a hung run: on a quiet machine the story takes well under a minute, but
    // on a loaded one it has taken more than five, and the demo's own deadline must not decide.
    demo = startDemo(["--once", "--port", "0", "--json", "--linger", "600", "--timeout", "1800"]);
    started = await demo.next("started");
    base = `http://127.0.0.1:${started.port}`;
    summary = await demo.next("summary");
  }, 1_860_000);

  afterAll(async () => {
    if (demo && demo.child.exitCode === null && demo.child.signalCode === null) {
      demo.child.kill("SIGTERM");
      await demo.exited;
    }
  });

  it("every demo ticket reached its expected end state", () => {
    expect(started.board).toBe(`http://localhost:${started.port}/board`);
    expect(started.api).toBe(`http://localhost:${started.port}/api/v1/tickets`);
    expect(started.tickets.map((t) => t.role)).toEqual([
      "assigned_to_person",
      "completes",
      "blocked",
      "asks_question",
      "ci_fails",
    ]);
    expect(summary.reason, JSON.stringify(summary.tickets, null, 1)).toBe("reached");
    expect(summary.ok).toBe(true);
    expect(summary.tickets.map((t) => [t.ticket, t.ok])).toEqual(started.tickets.map((t) => [t.key, true]));
  });

  it("says the story is complete and how to stop while it lingers", async () => {
    const complete = await demo.next("complete");
    expect(complete).toMatchObject({ tickets: 5, board: started.board, lingerSeconds: 600 });
    expect(complete.message).toBe(
      `All five tickets reached their end; the board stays up at ${started.board} for 600 s (--linger); press Ctrl-C to stop sooner.`,
    );
  });

  it("the decision log is what happened: skips, blocks, the question and answer, CI, verdicts, decisions", () => {
    const log = decisions();
    const texts = log.map((d) => d.text);
    const index = (ticket: string, kind: string) =>
      log.findIndex((d) => d.ticket === ticket && d.kind === kind);
    const person = keyOf("assigned_to_person");
    const completes = keyOf("completes");
    const blocked = keyOf("blocked");
    const asks = keyOf("asks_question");
    const ci = keyOf("ci_fails");

    expect(texts).toContain(`${person} skipped: assigned_to_human (assigned to alice, who is not an agent)`);
    expect(log.some((d) => d.ticket === person && d.kind === "claimed")).toBe(false);

    expect(texts).toContain(`${blocked} not claimed: blocked by ${completes}`);
    expect(index(blocked, "claimed")).toBeGreaterThan(index(completes, "accepted"));

    expect(texts).toContain(`${asks} asked: "Which colour should the widget be?" (attempt 1)`);
    expect(texts.some((t) => new RegExp(`^alice answered ${asks} on issue #\\d+$`).test(t))).toBe(true);
    // The answer arrived as a signed webhook, was queued, and the command worker ran it (answered above).
    expect(texts).toContain("github → app: issue_comment.created (handled: command:queued)");
    expect(texts).toContain(`${asks} claimed by dispatcher (attempt 2)`);

    for (const key of [completes, blocked, asks]) {
      expect(index(key, "completion_claimed"), key).toBeGreaterThan(-1);
      expect(index(key, "verdict_pass"), key).toBeGreaterThan(index(key, "completion_claimed"));
      expect(texts).toContain(`${key} evidence verified → done (orchestrator)`);
    }

    const ciFailures = log.filter((d) => d.ticket === ci && d.kind === "ci_failed");
    expect(ciFailures.map((d) => d.text)).toEqual([
      expect.stringMatching(new RegExp(`^CI failed for ${ci} at [0-9a-f]{7}: build \\(`)),
      expect.stringMatching(new RegExp(`^CI failed for ${ci} at [0-9a-f]{7}: build \\(`)),
    ]);
    expect(new Set(ciFailures.map((d) => d.text)).size).toBe(2); // two commits, one per attempt
    expect(texts).toContain(`${ci} held: max_attempts_reached (out of the queue until a person decides)`);
    expect(log.some((d) => d.ticket === ci && d.kind === "inbox_for_person")).toBe(true);
  });

  it("the JSON API says the same while the demo is still running", async () => {
    const response = await fetch(`${base}/api/v1/tickets?limit=50`);
    expect(response.status).toBe(200);
    const { items } = (await response.json()) as { items: ApiTicket[] };
    const ticket = (role: string) => items.find((t) => t.key === keyOf(role));
    expect(ticket("assigned_to_person")).toMatchObject({ state: "todo", attemptCount: 0, assignee: "alice" });
    expect(ticket("completes")).toMatchObject({ state: "done", attemptCount: 1 });
    expect(ticket("blocked")).toMatchObject({ state: "done", attemptCount: 1 });
    expect(ticket("asks_question")).toMatchObject({ state: "done", attemptCount: 2 });
    expect(ticket("ci_fails")).toMatchObject({
      state: "todo",
      hold: "max_attempts_reached",
      attemptCount: 2,
    });
    // Every ticket was mirrored to an issue on the stand-in.
    expect(items.every((t) => typeof t.issueNumber === "number")).toBe(true);

    const detail = (await (await fetch(`${base}/api/v1/tickets/${keyOf("asks_question")}`)).json()) as {
      events: { reason: string; actorKind: string; actorId: string }[];
    };
    expect(detail.events).toContainEqual(
      expect.objectContaining({ reason: "answered", actorKind: "human", actorId: "alice" }),
    );
    const failed = (await (await fetch(`${base}/api/v1/tickets/${keyOf("ci_fails")}`)).json()) as {
      verdicts: { status: string; criteria: { id: string; status: string }[] }[];
    };
    expect(
      failed.verdicts.filter(
        (v) => v.status === "fail" && v.criteria.some((c) => c.id === "check:build" && c.status === "fail"),
      ).length,
    ).toBeGreaterThanOrEqual(2);
  });

  describeWithBrowser("the board of the running demo", (browser) => {
    it("shows the demo's tickets in the columns of their states", async () => {
      const page = await browser.newPage();
      await page.goto(`${base}/board`);
      const expected: [string, TicketState][] = [
        [keyOf("assigned_to_person"), "todo"],
        [keyOf("completes"), "done"],
        [keyOf("blocked"), "done"],
        [keyOf("asks_question"), "done"],
        [keyOf("ci_fails"), "todo"],
      ];
      for (const [key, state] of expected) {
        const card = new RegExp(`^${key} `);
        const column = page.getByRole("region", { name: STATE_LABELS[state], exact: true });
        expect(await column.getByRole("link", { name: card }).count(), `${key} in ${state}`).toBe(1);
        expect(await page.getByRole("link", { name: card }).count(), `${key} once on the page`).toBe(1);
      }
      await browser.screenshot(page, "demo-board");
      await page.close();
    });
  });

  it("stops on SIGTERM: exit 0, every process gone, its temporary folder removed, nothing secret printed", async () => {
    expect(existsSync(started.dir)).toBe(true);
    demo.child.kill("SIGTERM");
    const end = await demo.exited;
    const { stdout, stderr } = demo.output();
    expect(end, stderr).toEqual({ code: 0, signal: null });
    expect(demo.lines.at(-1)).toEqual({ type: "stopped", dir: started.dir, removed: true });
    expect(existsSync(started.dir)).toBe(false);
    expect(processesIn(started.dir)).toEqual([]);
    // The per-run credentials (app key, installation tokens, webhook secret, signal token) never show.
    for (const text of [stdout, stderr]) {
      expect(text).not.toMatch(/PRIVATE KEY/);
      expect(text).not.toMatch(/ghs_[A-Za-z0-9]{10,}/);
      expect(text).not.toMatch(/MCTL_SIGNAL_TOKEN|Bearer /);
    }
    expect(stderr).toBe("");
  });
});
