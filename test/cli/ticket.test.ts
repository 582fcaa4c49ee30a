import type { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCliContext } from "../../src/cli/context.js";
import { buildProgram } from "../../src/cli/program.js";
import { readEnvironment } from "../../src/config/environment.js";
import { openDatabase } from "../../src/db/connect.js";
import type { DatabaseHandle } from "../../src/db/database.js";
import { givenClaimedTicket, testLifecycle } from "../builders/tickets.js";
import { runMctl, tempDir } from "../helpers/cli.js";
import { type InProcessCli, inProcessCli } from "../helpers/cli-in-process.js";
import { openTestPglite } from "../helpers/databases.js";

// Commands run in-process on one embedded database (a spawned mctl pays ~2 s of PGlite start-up per
// command); "the mctl binary" below runs the built binary for what only a real process shows.
describe("mctl ticket on the embedded database", () => {
  let handle: DatabaseHandle;
  let runMctl: InProcessCli;
  beforeAll(async () => {
    handle = await openTestPglite();
    runMctl = inProcessCli(handle, { MCTL_ACTOR: "alice" });
  });
  afterAll(() => handle.close());
  const env = {};

  it("creates, lists, shows, cancels and tells the history of a ticket", async () => {
    const created = await runMctl(
      [
        "ticket",
        "create",
        "--title",
        "Add a retry",
        "--priority",
        "high",
        "--label",
        "bug",
        "--repo",
        "acme/app",
      ],
      env,
    );
    expect(created).toMatchObject({ code: 0, stderr: "" });
    expect(created.stdout).toBe("created MC-1 (high) Add a retry\n");

    const list = await runMctl(["ticket", "list", "--json"], env);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toMatchObject([
      { key: "MC-1", state: "todo", priority: "high", labels: ["bug"], repository: "acme/app", version: 1 },
    ]);
    const table = await runMctl(["ticket", "list"], env);
    expect(table.stdout).toMatch(/^KEY\s+STATE\s+PRIORITY\s+TITLE/);
    expect(table.stdout).toMatch(/MC-1\s+todo\s+high\s+Add a retry/);

    const show = await runMctl(["ticket", "show", "mc-1"], env);
    expect(show.stdout).toContain("state:           todo (version 1)");

    const cancel = await runMctl(["ticket", "cancel", "MC-1", "--reason", "duplicate"], env);
    expect(cancel).toMatchObject({ code: 0, stdout: "cancelled MC-1 (was todo)\n" });

    const history = await runMctl(["ticket", "history", "MC-1", "--json"], env);
    expect(JSON.parse(history.stdout)).toMatchObject([
      { fromState: null, toState: "todo", reason: "created", actorKind: "human", actorId: "alice" },
      {
        fromState: "todo",
        toState: "cancelled",
        reason: "cancelled",
        actorId: "alice",
        detail: { note: "duplicate" },
      },
    ]);

    const again = await runMctl(["ticket", "cancel", "MC-1", "--reason", "twice"], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(
      "mctl: terminal_state: ticket is cancelled, a terminal state; allowed for human: none\n",
    );
  });

  it("answers a ticket's open question and shows its attempts and questions", async () => {
    const lifecycle = testLifecycle(handle.db);
    const claim = await givenClaimedTicket(lifecycle, { ticket: { title: "Needs a decision" }, start: true });
    await lifecycle.askQuestion({
      attemptId: claim.attempt.id,
      actor: { kind: "worker", id: "agent" },
      question: "Which region?",
    });
    const key = "MC-2";
    const answered = await runMctl(["ticket", "answer", key, "--answer", "eu-west"], env);
    expect(answered).toMatchObject({ code: 0, stdout: `answered ${key}: "Which region?"\n` });
    const again = await runMctl(["ticket", "answer", key, "--answer", "us"], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/not_waiting: MC-2 is needs_input and has no open question/);
    const show = await runMctl(["ticket", "show", key], env);
    expect(show.stdout).toMatch(/needs_input/);
    expect(show.stdout).toContain("Q (");
    expect(show.stdout).toContain("A: eu-west");
    const json = JSON.parse((await runMctl(["ticket", "show", key, "--json"], env)).stdout);
    expect(json).toMatchObject({
      attempts: [{ number: 1, status: "needs_input" }],
      questions: [{ question: "Which region?", answer: "eu-west", answeredBy: "alice" }],
    });
  });

  it("bad input prints one clear line, exits non-zero and writes nothing", async () => {
    const before = JSON.parse((await runMctl(["ticket", "list", "--json"], env)).stdout) as unknown[];
    const cases: [string[], number, RegExp][] = [
      [
        ["ticket", "create", "--title", "x", "--priority", "soon"],
        2,
        /^mctl: --priority must be one of urgent, high, normal, low\n$/,
      ],
      [["ticket", "create", "--title", "x", "--repo", "nope"], 2, /repository: must be a GitHub repository/],
      [["ticket", "create", "--title", "x", "--blocked-by", "MC-77"], 2, /do not exist: MC-77/],
      [["ticket", "show", "MC-404"], 1, /^mctl: no ticket MC-404\n$/],
      [["ticket", "show", "42"], 2, /not a ticket key/],
      [["ticket", "list", "--limit", "0"], 2, /^mctl: --limit must be a whole number of at least 1\n$/],
      [["ticket", "frobnicate"], 2, /unknown command 'frobnicate'/],
    ];
    for (const [args, code, message] of cases) {
      const run = await runMctl(args, env);
      expect(run.code, args.join(" ")).toBe(code);
      expect(run.stderr, args.join(" ")).toMatch(message);
    }
    const after = JSON.parse((await runMctl(["ticket", "list", "--json"], env)).stdout) as unknown[];
    expect(after).toEqual(before);
  });

  it("takes configuration from MCTL__SECTION__KEY variables, and names a bad one", async () => {
    const run = await runMctl(["dispatch", "--dry-run", "--json"], {
      ...env,
      MCTL__DISPATCH__MAX_WORKERS: "7",
    });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ outcome: "dry_run", counts: { free_slots: 7 } });
    const bad = await runMctl(["dispatch", "--dry-run"], { ...env, MCTL__DISPATCH__MAX_WORKERS: "many" });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /dispatch\.max_workers \(from MCTL__DISPATCH__MAX_WORKERS\): must be a whole number, not "many"/,
    );
  });
});

/** Every command path of the tree, e.g. ["ticket", "create"]. */
function commandPaths(command: Command, prefix: string[] = []): string[][] {
  return command.commands.flatMap((sub) => {
    const path = [...prefix, sub.name()];
    return [path, ...commandPaths(sub, path)];
  });
}

describe("mctl basics", () => {
  it("answers --help on every command of the tree", async () => {
    const ctx = createCliContext({ stdout: () => {}, stderr: () => {} }, () =>
      readEnvironment({}, process.cwd()),
    );
    const paths = [[], ...commandPaths(await buildProgram(ctx))];
    expect(paths.length).toBeGreaterThan(30);
    const cli = inProcessCli(null);
    for (const path of paths) {
      const run = await cli([...path, "--help"]);
      expect(run.code, path.join(" ")).toBe(0);
      expect(run.stdout, path.join(" ")).toMatch(
        new RegExp(`^Usage: mctl${path.map((p) => ` ${p}`).join("")}`),
      );
    }
  });
});

describe("the mctl binary", () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(() => dir.remove());

  it("prints its version, writes to and reads from its embedded database, and refuses it while another process holds it", async () => {
    expect(await runMctl(["--version"])).toMatchObject({ code: 0, stdout: "0.1.0\n" });
    const dataDir = `${dir.path}/data`;
    const env = { MCTL_DATA_DIR: dataDir, MCTL_ACTOR: "alice" };
    const created = await runMctl(["ticket", "create", "--title", "From a process"], env);
    expect(created).toMatchObject({ code: 0, stderr: "", stdout: "created MC-1 (normal) From a process\n" });
    const bad = await runMctl(["ticket", "show", "MC-404"], env);
    expect(bad).toMatchObject({ code: 1, stderr: "mctl: no ticket MC-404\n" });

    // Held by this process: one line, exit 3, and whose it is.
    const handle = await openDatabase({ driver: "pglite", dataDir });
    try {
      const held = await runMctl(["ticket", "list"], { ...env, MCTL_LOCK_WAIT_MS: "0" });
      expect(held.code).toBe(3);
      expect(held.stderr).toContain(`is in use by process ${process.pid}`);
    } finally {
      await handle.close();
    }
    const list = await runMctl(["ticket", "list", "--json"], env);
    expect(JSON.parse(list.stdout)).toMatchObject([{ key: "MC-1", title: "From a process" }]);
  });

  it("an unreachable PostgreSQL is one line, exit 3, and never shows the password", async () => {
    const run = await runMctl(["ticket", "list"], { DATABASE_URL: "postgres://mc:s3cret@127.0.0.1:9/mc" });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(
      /^mctl: cannot connect to PostgreSQL postgres:\/\/mc:\*\*\*@127\.0\.0\.1:9\/mc: .+\n$/,
    );
    expect(run.stderr).not.toContain("s3cret");
  });
});
