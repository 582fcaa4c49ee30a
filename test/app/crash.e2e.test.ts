/**
 * The real app (`node dist/app/main.js`) against the GitHub stand-in and its own PostgreSQL
 * database, killed with SIGKILL while the mirror is working: after a restart every issue converges
 * to its ticket's latest state, with no duplicate issue and no lost change.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { renderIssue } from "../../src/app/mirror/render.js";
import { PRIORITIES } from "../../src/domain/priorities.js";
import { type GitHubStandin, startGitHubStandin } from "../../src/github-standin/index.js";
import { createLifecycle, type Lifecycle, systemClock } from "../../src/lifecycle/index.js";
import { createStore } from "../../src/store/index.js";
import { givenTicket, human } from "../builders/tickets.js";
import { captureChildOutput, tempDir } from "../helpers/cli.js";
import { describePostgres } from "../helpers/databases.js";
import { until } from "../helpers/until.js";
import { eventsWithoutMirrorJob } from "./support/outbox.js";

const MAIN = path.resolve(import.meta.dirname, "../../dist/app/main.js");
const SECRET = "crash-test-secret";
const repo = "acme/widgets";

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === "string") throw new Error("no port");
  return address.port;
}

describePostgres("app crash mid-mirror", ({ db, url }) => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let gh: GitHubStandin | undefined;
  const children: ChildProcess[] = [];
  let output = "";

  beforeEach(async () => {
    dir = await tempDir("mctl-app-crash-");
    output = "";
  });
  afterEach(async (context) => {
    // The app's own account of a failed run (a wait that never ended shows only what it awaited).
    if (context.task.result?.state === "fail") console.error(`app output:\n${output.slice(-4000)}`);
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    children.length = 0;
    await gh?.stop();
    await dir.remove();
  });

  function startAppProcess(env: Record<string, string>): ChildProcess {
    const base = { ...process.env };
    for (const name of ["DATABASE_URL", "MCTL_DATA_DIR", "MCTL_CONFIG", "MCTL_KEY_PREFIX", "GHE_HOST"])
      delete base[name];
    const child = spawn(process.execPath, [MAIN], {
      cwd: dir.path,
      env: { ...base, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    captureChildOutput(child, "app");
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    children.push(child);
    return child;
  }

  async function changeAll(lifecycle: Lifecycle, keys: readonly string[], round: number): Promise<number> {
    let changes = 0;
    for (const [i, key] of keys.entries()) {
      const current = await lifecycle.findTicket(key);
      if (!current) throw new Error(`no ticket ${key}`);
      const candidates = PRIORITIES.filter((p) => p !== current.priority);
      const priority = candidates[(round + i) % candidates.length] ?? "low";
      const changed = await lifecycle.issues.setPriority({ ticket: current, priority, actor: human });
      if (!changed.ok) throw new Error(changed.message);
      changes += 1;
    }
    return changes;
  }

  it("kill -9 mid-mirror: after a restart every issue converges, none duplicated, no change lost", async () => {
    const lifecycle = createLifecycle({ db: db(), clock: systemClock, keyPrefix: "MC" });
    const store = createStore({ db: db(), clock: systemClock });
    const port = await freePort();
    gh = await startGitHubStandin({
      webhook: { url: `http://127.0.0.1:${port}/api/github/webhooks`, secret: SECRET, timeoutMs: 2_000 },
    });
    gh.world.repository({ owner: "acme", name: "widgets", collaborators: { bob: "write" } });
    gh.world.workflow(repo, { path: ".github/workflows/mission-control-dispatch.yml" });
    // Slow issue writes, so the kill lands while the mirror is between creating and recording.
    const slowCreate = gh.faults.add({
      method: "POST",
      route: "/repos/{owner}/{repo}/issues",
      fault: { kind: "latency", ms: 300 },
    });
    const slowUpdate = gh.faults.add({
      method: "PATCH",
      route: "/repos/{owner}/{repo}/issues/{issue_number}",
      fault: { kind: "latency", ms: 300 },
    });
    await writeFile(
      path.join(dir.path, "mc.yml"),
      "app:\n  mirror:\n    lease_seconds: 1\n    poll_seconds: 1\n    retry_base_seconds: 1\n    retry_cap_seconds: 2\n    batch_size: 3\n",
    );
    const privateKey = gh.app.privateKey;
    if (!privateKey) throw new Error("the stand-in generated no key");
    const env = {
      APP_ID: String(gh.app.id),
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET: SECRET,
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
      LOG_FORMAT: "json",
      DATABASE_URL: url(),
      MCTL_CONFIG: path.join(dir.path, "mc.yml"),
      MCTL_GITHUB_API_URL: gh.url,
      // The loopback board/API listener on any free port (the default 3001 may be taken).
      MCTL__APP__UI_PORT: "0",
    };

    // Tickets and changes before the app starts.
    const keys: string[] = [];
    // Three tickets: the app paces its issue writes as GitHub asks (one creation every 3 s, one
    // other write a second), and three already leave work in flight at the kill.
    const TICKETS = 3;
    for (let i = 0; i < TICKETS; i += 1)
      keys.push((await givenTicket(lifecycle, { repository: repo, title: `T${i}` })).key);
    let changes = keys.length;
    for (let round = 0; round < 3; round += 1) changes += await changeAll(lifecycle, keys, round);

    // 1. The app mirrors; more changes arrive meanwhile; it is killed mid-mirror.
    const doomed = startAppProcess(env);
    const issues = () => gh?.world.repo(repo).issues.size ?? 0;
    await until(() => issues() >= 1, { what: "the mirror to create an issue" });
    for (let round = 3; round < 5; round += 1) changes += await changeAll(lifecycle, keys, round);
    await until(() => issues() >= 2, { what: "the mirror to create a second issue" });
    const exited = new Promise((resolve) => doomed.once("exit", (_code, signal) => resolve(signal)));
    doomed.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");
    const pendingAtKill = await store.mirror.backlog();
    expect(pendingAtKill, "the kill landed after the mirror finished").toBeGreaterThan(0);

    // The survivor's writes need not be slow: what it must show is taking the dead one's work over.
    gh.faults.remove(slowCreate);
    gh.faults.remove(slowUpdate);

    // 2. Changes while the app is down.
    for (let round = 5; round < 7; round += 1) changes += await changeAll(lifecycle, keys, round);
    expect(changes).toBe(TICKETS * 8);

    // 3. Restarted (a new worker, which takes the dead one's leases over): everything converges.
    const survivor = startAppProcess(env);
    await until(async () => (await store.mirror.backlog()) === 0, {
      what: "the mirror to converge",
      everyMs: 200,
    });
    const stopped = new Promise((resolve) => survivor.once("exit", (code) => resolve(code)));
    survivor.kill("SIGTERM");
    expect(await stopped).toBe(0);

    expect(await eventsWithoutMirrorJob(db())).toBe(0);
    const world = gh.world.repo(repo);
    expect(world.issues.size, "one issue per ticket").toBe(keys.length);
    const seen = new Set<number>();
    for (const key of keys) {
      const ticket = await lifecycle.findTicket(key);
      if (!ticket?.issueNumber) throw new Error(`${key} has no issue`);
      seen.add(ticket.issueNumber);
      const issue = gh.world.issueOf(repo, ticket.issueNumber);
      expect(issue.body).toContain(key);
      // The issue shows the ticket as it finally is (the rendering carries no version: every
      // change the issue can show is in it).
      expect(issue.body).toBe(renderIssue(ticket, "mission-control").body);
      expect(gh.world.labelsOf(repo, ticket.issueNumber)).toContain(
        `mission-control:priority/${ticket.priority}`,
      );
    }
    expect(seen.size).toBe(keys.length);
  }, 90_000);
});
