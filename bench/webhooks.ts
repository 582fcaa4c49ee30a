/**
 * npm run bench:webhooks — webhook deliveries handled per second, with p50/p99 latency, by Mission
 * Control's app versus a no-op Probot app (same Probot, same server, a handler that does nothing),
 * in the same run: with the app's intake on the embedded database (PGlite in a data directory) and,
 * when PostgreSQL answers, on PostgreSQL. Prints both figures and the ratios.
 *
 * The deliveries are real: GitHub's example payloads (@octokit/webhooks-examples) of kinds the app
 * handles, pointed at a repository of the GitHub stand-in, each with a fresh `X-GitHub-Delivery`
 * and a valid `X-Hub-Signature-256`, sent over HTTP with bounded concurrency by a load generator on
 * its own thread. The mix, per 10 deliveries: 4 `check_run.completed` (recorded for evidence
 * re-evaluation), 2 `issues.labeled`, 3 `issue_comment.created` without a command and 1 with
 * `/mc status` (a reaction, a permission read and a reply: three API calls to the stand-in, which
 * runs in its own process). The app runs as `npm start` does, its mirror and re-evaluation loops
 * beside it; Octokit's write pacing is off, as in the tests (with it on, every `/mc` command waits
 * a second between its writes by design).
 *
 * Environment: BENCH_DELIVERIES (per round, default 1000), BENCH_ROUNDS (default 3),
 * BENCH_CONCURRENCY (deliveries in flight, default 8), BENCH_DRIVERS (default "pglite,postgres"),
 * MCTL_BENCH_DATABASE_URL (admin URL, default postgres://postgres@127.0.0.1:5432/postgres; "skip"
 * to bench the embedded database only).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { Worker } from "node:worker_threads";
import examples from "@octokit/webhooks-examples/api.github.com/index.json" with { type: "json" };
import { sql } from "drizzle-orm";
import pg from "pg";
import { pino } from "pino";
import { type ApplicationFunction, Probot, ProbotOctokit, Server } from "probot";
import { missionControlApp } from "../src/app/app.js";
import { startAppWorkers } from "../src/app/workers.js";
import { verifierSettingsFrom } from "../src/config/durations.js";
import { parseConfig } from "../src/config/load.js";
import { openDatabase } from "../src/db/connect.js";
import { type DatabaseHandle, queryRows } from "../src/db/database.js";
import { migrateDatabase } from "../src/db/migrate.js";
import { createVerifier, databaseHttpCache } from "../src/evidence/index.js";
import { startGitHubStandin } from "../src/github-standin/index.js";
import { signWebhook } from "../src/github-standin/webhooks/sign.js";
import { createLifecycle, type Lifecycle, systemClock } from "../src/lifecycle/index.js";
import { createStore } from "../src/store/index.js";

const DELIVERIES = Number(process.env.BENCH_DELIVERIES ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const ADMIN_URL = process.env.MCTL_BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const DRIVERS = (process.env.BENCH_DRIVERS ?? "pglite,postgres").split(",").map((d) => d.trim());
const SECRET = "bench-webhook-secret";
const OWNER = "acme";
const REPO = "widgets";
const ISSUES = 20;

// ---------------------------------------------------------------------------------------------
// The stand-in's process (`bench/webhooks.ts --standin KEYFILE`): GitHub for the app's API calls.

async function standinProcess(keyFile: string, commandCount: number): Promise<void> {
  const { readFile } = await import("node:fs/promises");
  const gh = await startGitHubStandin({
    app: { privateKey: await readFile(keyFile, "utf8") },
    // A benchmark sends thousands of commands in minutes; GitHub's hourly budget is not what is measured.
    rateLimit: { installationLimit: 1e9, appLimit: 1e9 },
  });
  gh.world.repository({
    owner: OWNER,
    name: REPO,
    files: { "README.md": "# widgets\n" },
    collaborators: { alice: "admin", bob: "write" },
  });
  const issues: number[] = [];
  for (let i = 1; i <= ISSUES; i++)
    issues.push(gh.world.issue(`${OWNER}/${REPO}`, { title: `Ticket ${i}`, author: "alice" }).number);
  // The `/mc status` comments the deliveries announce: the app reacts to them, so they must exist.
  const commands: [number, number][] = [];
  for (let i = 0; i < commandCount; i++) {
    const issue = issues[i % issues.length] ?? 1;
    commands.push([
      gh.world.comment(`${OWNER}/${REPO}`, issue, { author: "bob", body: "/mc status" }).id,
      issue,
    ]);
  }
  process.stdout.write(`${JSON.stringify({ url: gh.url, appId: gh.app.id, issues, commands })}\n`);
  const stop = () => void gh.stop().then(() => process.exit(0));
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

interface Standin {
  readonly url: string;
  readonly appId: number;
  readonly issues: readonly number[];
  /** Unused `/mc status` comments on the stand-in: [comment id, issue number], taken one per command. */
  readonly commands: [number, number][];
  readonly child: ChildProcess;
}

async function startStandinProcess(keyFile: string, commandCount: number): Promise<Standin> {
  // The same file under the same loader (tsx), in a process of its own.
  const args = [...process.execArgv, import.meta.filename, "--standin", keyFile, String(commandCount)];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  const line = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`the stand-in exited with ${code} before it listened`)));
  });
  const ready = JSON.parse(line) as Omit<Standin, "child">;
  return { ...ready, child };
}

// ---------------------------------------------------------------------------------------------
// Deliveries: GitHub's examples, pointed at the stand-in's repository, each one fresh.

type Json = Record<string, unknown>;
const exampleOf = (event: string, action: string): Json => {
  const group = (examples as { name: string; examples: Json[] }[]).find((g) => g.name === event);
  const found = group?.examples.find((e) => e.action === action);
  if (!found) throw new Error(`@octokit/webhooks-examples has no ${event}.${action}`);
  return found;
};
const TEMPLATES = {
  checkRun: exampleOf("check_run", "completed"),
  labeled: exampleOf("issues", "labeled"),
  comment: exampleOf("issue_comment", "created"),
};
/** Per 10 deliveries (see the header). */
const MIX = [
  "check_run",
  "issues",
  "issue_comment",
  "check_run",
  "issue_comment",
  "check_run",
  "issues",
  "issue_comment",
  "check_run",
  "command",
] as const;

const KIND_LABEL: Record<string, string> = {
  check_run: "check_run.completed",
  issues: "issues.labeled",
  issue_comment: "comment",
  command: "/mc status",
};

interface Delivery {
  readonly headers: Record<string, string>;
  readonly body: string;
}

let sequence = 0;

function deliveries(count: number, installationId: number, standin: Standin): Delivery[] {
  const { issues } = standin;
  const person = { login: "bob", id: 1002, type: "User" };
  const repository = (template: Json) => ({
    ...(template.repository as Json),
    name: REPO,
    full_name: `${OWNER}/${REPO}`,
    owner: { ...((template.repository as Json).owner as Json), login: OWNER },
  });
  return Array.from({ length: count }, (_, i) => {
    sequence += 1;
    const kind = MIX[i % MIX.length] ?? "check_run";
    const issueNumber = issues[sequence % issues.length] ?? 1;
    let event: string;
    let payload: Json;
    if (kind === "check_run") {
      const template = TEMPLATES.checkRun;
      event = "check_run";
      payload = {
        ...template,
        check_run: {
          ...(template.check_run as Json),
          name: "ci/test",
          head_sha: sequence.toString(16).padStart(40, "a"),
        },
        repository: repository(template),
      };
    } else if (kind === "issues") {
      const template = TEMPLATES.labeled;
      event = "issues";
      payload = {
        ...template,
        issue: { ...(template.issue as Json), number: issueNumber },
        label: { ...(template.label as Json), name: "bug" },
        repository: repository(template),
        sender: { ...(template.sender as Json), ...person },
      };
    } else {
      const template = TEMPLATES.comment;
      // A command is a fresh comment each time (`/mc` commands are answered once per comment).
      const command = kind === "command" ? standin.commands.pop() : undefined;
      if (kind === "command" && !command) throw new Error("the stand-in has no unused /mc comment left");
      event = "issue_comment";
      payload = {
        ...template,
        issue: { ...(template.issue as Json), number: command?.[1] ?? issueNumber },
        comment: {
          ...(template.comment as Json),
          id: command?.[0] ?? 1_000_000 + sequence,
          body: command ? "/mc status" : "Looks good to me.",
          user: { ...((template.comment as Json).user as Json), ...person },
        },
        repository: repository(template),
        sender: { ...(template.sender as Json), ...person },
      };
    }
    payload.installation = { id: installationId, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u" };
    const body = JSON.stringify(payload);
    return {
      body,
      headers: {
        "content-type": "application/json",
        "user-agent": "GitHub-Hookshot/bench",
        "x-github-event": event,
        "x-github-delivery": randomUUID(),
        "x-hub-signature-256": signWebhook(SECRET, body),
      },
    };
  });
}

// ---------------------------------------------------------------------------------------------
// The load generator: plain JavaScript on its own thread, so it does not share the app's event loop.

const LOAD_GENERATOR = `
const { parentPort } = require("node:worker_threads");
const http = require("node:http");
parentPort.on("message", async ({ url, deliveries, concurrency }) => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies = new Float64Array(deliveries.length);
  const statuses = {};
  let next = 0;
  const send = (delivery) => new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const req = http.request(url, { method: "POST", agent, headers: delivery.headers }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
    });
    req.on("error", (err) => resolve({ status: "error: " + err.message, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
    req.end(delivery.body);
  });
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let i = next++; i < deliveries.length; i = next++) {
      const { status, ms } = await send(deliveries[i]);
      latencies[i] = ms;
      statuses[status] = (statuses[status] || 0) + 1;
    }
  }));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  parentPort.postMessage({ latencies, seconds, statuses });
});
`;

interface RoundResult {
  readonly latencies: Float64Array;
  readonly seconds: number;
  readonly statuses: Record<string, number>;
}

function loadGenerator() {
  const worker = new Worker(LOAD_GENERATOR, { eval: true });
  return {
    run(url: string, batch: readonly Delivery[]): Promise<RoundResult> {
      return new Promise((resolve, reject) => {
        worker.once("message", (result: RoundResult) => resolve(result));
        worker.once("error", reject);
        worker.postMessage({ url, deliveries: batch, concurrency: CONCURRENCY });
      });
    },
    stop: () => worker.terminate(),
  };
}

// ---------------------------------------------------------------------------------------------
// The two apps, each served by Probot's own Server (what `npm start` runs), each on its own port.

interface Target {
  readonly name: string;
  readonly url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === "string") throw new Error("no free port");
  return address.port;
}

async function serve(
  name: string,
  standin: Standin,
  privateKey: string,
  appFn: ApplicationFunction,
): Promise<Target & { server: Server }> {
  const port = await freePort();
  const server = new Server({
    Probot: Probot.defaults({
      appId: standin.appId,
      privateKey,
      secret: SECRET,
      Octokit: ProbotOctokit.defaults((instance: { throttle?: object }) => ({
        ...instance,
        baseUrl: standin.url,
        throttle: { ...instance.throttle, enabled: false },
      })),
    }),
    host: "127.0.0.1",
    port,
    // Both apps log alike: warnings and errors only (where log lines go is not what is measured).
    log: pino({ level: "warn" }),
  });
  await server.load(appFn);
  await server.start();
  return { name, server, url: `http://127.0.0.1:${port}/api/github/webhooks`, stop: () => server.stop() };
}

/** No-op: every delivery is verified and parsed by Probot, and its handler does nothing. */
const noopApp: ApplicationFunction = (app) => {
  app.onAny(async () => {});
};

async function serveMissionControl(
  handle: DatabaseHandle,
  standin: Standin,
  privateKey: string,
): Promise<Target & { lifecycle: Lifecycle }> {
  await migrateDatabase(handle);
  const lifecycle = createLifecycle({ db: handle.db, clock: systemClock, keyPrefix: "MC" });
  const store = createStore({ db: handle.db, clock: systemClock });
  // Every issue of the repository mirrors a ticket, so `/mc status` answers about one.
  for (const issueNumber of standin.issues) {
    const created = await lifecycle.createTicket(
      { repository: `${OWNER}/${REPO}`, title: `Ticket for #${issueNumber}` },
      { kind: "human", id: "alice" },
    );
    if (!created.ok) throw new Error(created.message);
    await lifecycle.issues.linkIssue({ ticketId: created.ticket.id, issueNumber });
  }
  const config = parseConfig("{}", "defaults");
  const stops: (() => Promise<void>)[] = [];
  const target = await serve(
    "Mission Control",
    standin,
    privateKey,
    missionControlApp({
      lifecycle,
      store,
      ticketLabel: config.app.ticket_label,
      deliveryLeaseMs: config.app.delivery_lease_seconds * 1000,
      verifier: (octokitFor) =>
        createVerifier({
          lifecycle,
          octokit: octokitFor,
          cache: databaseHttpCache(store.httpCache),
          ...verifierSettingsFrom(config),
        }),
      // The mirror and the evidence re-evaluation loops run beside the intake, as in `npm start`.
      onLoad: (runtime) => {
        const workers = startAppWorkers(runtime, {
          lifecycle,
          store,
          clock: systemClock,
          config,
          worker: "bench",
          log: () => {},
          promptDispatch: false,
        });
        stops.push(() => workers.stop());
      },
    }),
  );
  return {
    ...target,
    lifecycle,
    async stop() {
      await target.stop();
      for (const stop of stops) await stop();
    },
  };
}

// ---------------------------------------------------------------------------------------------

interface Measured {
  readonly rates: number[];
  readonly latencies: number[];
  /** Latencies by kind of delivery (the MIX entry it was made from). */
  readonly byKind: Map<string, number[]>;
  readonly statuses: Record<string, number>;
}

const measuredOf = (): Measured => ({ rates: [], latencies: [], byKind: new Map(), statuses: {} });

async function benchDriver(
  label: string,
  handle: DatabaseHandle,
  standin: Standin,
  privateKey: string,
  installationId: number,
): Promise<string> {
  const app = await serveMissionControl(handle, standin, privateKey);
  const noop = await serve("no-op", standin, privateKey, noopApp);
  const load = loadGenerator();
  const measured = new Map<string, Measured>([
    [app.name, measuredOf()],
    [noop.name, measuredOf()],
  ]);
  const round = async (target: Target, record: boolean) => {
    const result = await load.run(target.url, deliveries(DELIVERIES, installationId, standin));
    const m = measured.get(target.name);
    if (!record || !m) return;
    m.rates.push(DELIVERIES / result.seconds);
    m.latencies.push(...result.latencies);
    result.latencies.forEach((ms, i) => {
      const kind = MIX[i % MIX.length] ?? "check_run";
      const list = m.byKind.get(kind) ?? [];
      list.push(ms);
      m.byKind.set(kind, list);
    });
    for (const [status, n] of Object.entries(result.statuses))
      m.statuses[status] = (m.statuses[status] ?? 0) + n;
  };
  try {
    // Warm up both (JIT, connections, installation token), then alternate so drift affects both alike.
    await round(noop, false);
    await round(app, false);
    for (let r = 0; r < ROUNDS; r++) {
      await round(app, true);
      await round(noop, true);
    }
    const outcomes = await queryRows<{ outcome: string; n: number }>(
      handle.db,
      sql`select coalesce(outcome, status) as outcome, count(*)::int as n from webhook_deliveries group by 1 order by 2 desc`,
    );
    const line = (name: string) => {
      const m = measured.get(name) as Measured;
      const sorted = Float64Array.from(m.latencies).sort();
      return {
        rate: median(m.rates),
        p50: percentile(sorted, 0.5),
        p99: percentile(sorted, 0.99),
        errors: Object.entries(m.statuses)
          .filter(([status]) => status !== "200")
          .map(([status, n]) => `${n} × ${status}`),
      };
    };
    const p50Of = (name: string, kind: string) =>
      percentile(Float64Array.from(measured.get(name)?.byKind.get(kind) ?? []).sort(), 0.5).toFixed(1);
    const a = line(app.name);
    const n = line(noop.name);
    const fmt = (x: ReturnType<typeof line>) =>
      `${x.rate.toFixed(0).padStart(6)} deliveries/s   p50 ${x.p50.toFixed(1).padStart(6)} ms   p99 ${x.p99.toFixed(1).padStart(6)} ms${x.errors.length ? `   NOT 200: ${x.errors.join(", ")}` : ""}`;
    return (
      `${label.padEnd(8)} concurrency ${CONCURRENCY}, ${DELIVERIES} deliveries × ${ROUNDS} rounds each (median rate; latency over all rounds)\n` +
      `  no-op Probot app:     ${fmt(n)}\n` +
      `  Mission Control app:  ${fmt(a)}\n` +
      `  ratio app / no-op:    ${(a.rate / n.rate).toFixed(2)} of the throughput, p50 ×${(a.p50 / n.p50).toFixed(1)}, p99 ×${(a.p99 / n.p99).toFixed(1)}\n` +
      `  p50 by kind, app (no-op): ${[...(measured.get(app.name) as Measured).byKind.keys()]
        .map((kind) => `${KIND_LABEL[kind] ?? kind} ${p50Of(app.name, kind)} (${p50Of(noop.name, kind)}) ms`)
        .join(", ")}\n` +
      `  recorded by the app (warm-up included): ${outcomes.map((o) => `${o.outcome} ${o.n}`).join(", ")}`
    );
  } finally {
    await load.stop();
    await noop.stop();
    await app.stop();
  }
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), "mctl-bench-webhooks-"));
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  const keyFile = path.join(dir, "app.pem");
  await writeFile(keyFile, privateKey, { mode: 0o600 });
  // Commands per round × (warm-up + rounds) × both apps × both databases.
  const commandCount = Math.ceil(DELIVERIES / MIX.length) * (ROUNDS + 1) * 2 * 2;
  const standin = await startStandinProcess(keyFile, commandCount);
  const results: string[] = [];
  try {
    const jwt = new ProbotOctokit({ baseUrl: standin.url, auth: { appId: standin.appId, privateKey } });
    const { data: installation } = await jwt.rest.apps.getRepoInstallation({ owner: OWNER, repo: REPO });
    console.log(
      `bench:webhooks: ${DELIVERIES} deliveries per round, ${ROUNDS} rounds, concurrency ${CONCURRENCY}; ` +
        "mix per 10: 4 check_run.completed, 2 issues.labeled, 3 issue_comment.created, 1 /mc status",
    );
    if (DRIVERS.includes("pglite")) {
      const lite = await openDatabase({ driver: "pglite", dataDir: path.join(dir, "pglite") });
      try {
        results.push(await benchDriver("pglite", lite, standin, privateKey, installation.id));
      } finally {
        await lite.close();
      }
    }
    if (ADMIN_URL !== "skip" && DRIVERS.includes("postgres"))
      results.push(...(await onPostgres(standin, privateKey, installation.id)));
  } finally {
    standin.child.kill("SIGTERM");
    await rm(dir, { recursive: true, force: true });
  }
  console.log(`\n${results.join("\n")}`);
}

async function onPostgres(standin: Standin, privateKey: string, installationId: number): Promise<string[]> {
  const name = `mctl_bench_webhooks_${process.pid}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  try {
    await admin.connect();
  } catch (error) {
    return [`postgres skipped: ${ADMIN_URL} did not answer (${(error as Error).message})`];
  }
  await admin.query(`create database ${name}`);
  try {
    const url = new URL(ADMIN_URL);
    url.pathname = `/${name}`;
    const handle = await openDatabase({ driver: "postgres", url: url.toString() });
    try {
      return [await benchDriver("postgres", handle, standin, privateKey, installationId)];
    } finally {
      await handle.close();
    }
  } finally {
    await admin.query(`drop database if exists ${name}`);
    await admin.end();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
}

if (process.argv[2] === "--standin") {
  standinProcess(process.argv[3] ?? "", Number(process.argv[4] ?? 0)).catch((error: unknown) => {
    console.error(`bench:webhooks stand-in: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
} else {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
