import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Octokit } from "@octokit/rest";
import { stringify } from "yaml";
import type { ReevaluationDeps } from "../../src/app/evidence/reevaluate.js";
import type { Database } from "../../src/db/database.js";
import { ticketBranch } from "../../src/domain/ticket-key.js";
import { databaseHttpCache } from "../../src/evidence/http-cache.js";
import { createVerifier, type VerifierDeps } from "../../src/evidence/verifier.js";
import { type GitHubStandin, startGitHubStandin } from "../../src/github-standin/index.js";
import type { Lifecycle } from "../../src/lifecycle/index.js";
import type { Store } from "../../src/store/index.js";
import { testStore } from "../builders/store.js";
import { dispatcher, givenTicket, manualClock, testLifecycle } from "../builders/tickets.js";

export const LEASE_MS = 60_000;
export const BACKOFF = { baseMs: 30_000, capMs: 600_000 };
const worker = { kind: "worker", id: "agent-1" } as const;

/** Webhooks the stand-in delivered to us, by event name, with their payloads. */
export interface ReceivedWebhook {
  readonly event: string;
  readonly payload: Record<string, unknown>;
}

/** One GitHub stand-in per test file, with a receiver for its webhooks. */
export async function startWorld(): Promise<{
  gh: GitHubStandin;
  received: ReceivedWebhook[];
  stop(): Promise<void>;
}> {
  const received: ReceivedWebhook[] = [];
  const receiver: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      received.push({ event: String(req.headers["x-github-event"]), payload: JSON.parse(body) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const port = (receiver.address() as AddressInfo).port;
  const gh = await startGitHubStandin({ webhook: { url: `http://127.0.0.1:${port}/hooks`, secret: "s" } });
  gh.world.app({ slug: "ci", name: "CI" });
  return {
    gh,
    received,
    async stop() {
      await gh.stop();
      receiver.closeAllConnections();
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    },
  };
}

const noop = () => undefined;
/** Octokit logs every non-2xx (including 304s) at error level; the verifier reports failures itself. */
export const quietLog = { debug: noop, info: noop, warn: noop, error: noop };

let repoCounter = 0;

export interface EvidenceOptions {
  readonly tests?: "passed" | "not_configured";
  /** The branch the evidence names (default: the ticket's branch, `mission-control/<key>`). */
  readonly evidenceBranch?: string;
  /** The commit the attempt started from (default: the default branch's head at completion). */
  readonly baseSha?: string;
  /** Evidence naming a different attempt than the one completing. */
  readonly evidenceAttemptId?: string;
}

export interface Scenario {
  readonly gh: GitHubStandin;
  readonly repository: string;
  readonly lifecycle: Lifecycle;
  readonly store: Store;
  readonly clock: ReturnType<typeof manualClock>;
  readonly octokit: Octokit;
  /** Waits asked for by the verifier's retries (no real sleeping in tests). */
  readonly waits: number[];
  verifier(overrides?: Partial<VerifierDeps>): ReturnType<typeof createVerifier>;
  /** The app's re-evaluation worker on this scenario's lifecycle, with `verifier` (default: `verifier()`). */
  reevaluationWorker(verifier?: ReturnType<typeof createVerifier>): ReevaluationDeps;
  /** A commit on the ticket's branch (pushed), by default on top of the default branch. */
  commit(input?: { branch?: string; parents?: string[] }): string;
  /** A ticket in `verifying` whose current attempt completed with evidence naming `sha`. */
  verifyingTicket(sha: string, input?: EvidenceOptions): Promise<{ key: string; attemptId: string }>;
  /** Claims a `todo` ticket, starts and completes the new attempt with evidence naming `sha`. */
  completeNextAttempt(key: string, sha: string, input?: EvidenceOptions): Promise<string>;
}

/** A fresh repository with `policy` as its `.github/mission-control.yml` (evidence section). */
export function scenario(
  gh: GitHubStandin,
  db: Database,
  policy: Record<string, unknown> | string | null,
): Scenario {
  repoCounter += 1;
  const name = `widgets-${repoCounter}`;
  const files: Record<string, string> = { "README.md": "# widgets\n" };
  if (policy !== null)
    files[".github/mission-control.yml"] =
      typeof policy === "string" ? policy : stringify({ evidence: policy });
  gh.world.repository({ owner: "acme", name, files });
  const repository = `acme/${name}`;
  gh.world.installation("ci", { account: "acme", repositories: [repository] });
  const clock = manualClock();
  const lifecycle = testLifecycle(db, clock);
  const store = testStore(db, clock);
  const octokit = new Octokit({ baseUrl: gh.url, auth: gh.installationToken(repository), log: quietLog });
  const waits: number[] = [];
  let commits = 0;
  const defaultHead = () => {
    const repo = gh.world.repo(repository);
    const head = repo.branches.get(repo.defaultBranch);
    if (!head) throw new Error(`set-up: ${repository} has no ${repo.defaultBranch}`);
    return head;
  };
  return {
    gh,
    repository,
    lifecycle,
    store,
    clock,
    octokit,
    waits,
    verifier: (overrides = {}) =>
      createVerifier({
        lifecycle,
        octokit,
        cache: databaseHttpCache(store.httpCache),
        backoff: BACKOFF,
        retry: {
          attempts: 3,
          baseMs: 10,
          maxWaitMs: 5_000,
          sleep: async (ms) => {
            waits.push(ms);
          },
        },
        ...overrides,
      }),
    reevaluationWorker(verifier) {
      return {
        reevaluations: store.reevaluations,
        verifier: verifier ?? this.verifier(),
        worker: "test-reevaluation",
        retry: { baseMs: 1, capMs: 5 },
        leaseMs: 60_000,
        batchLimit: 20,
      };
    },
    commit(input = {}) {
      commits += 1;
      const branch = input.branch ?? "mc/work";
      if (!input.parents && !gh.world.repo(repository).branches.has(branch))
        gh.world.branch(repository, branch);
      return gh.world.commit(repository, {
        branch,
        ...(input.parents ? { parents: input.parents } : {}),
        message: `work ${commits}`,
        files: { [`src/file-${commits}.ts`]: `export const n = ${commits};\n` },
      }).sha;
    },
    async verifyingTicket(sha, input = {}) {
      const ticket = await givenTicket(lifecycle, { repository });
      const attemptId = await this.completeNextAttempt(ticket.key, sha, input);
      return { key: ticket.key, attemptId };
    },
    async completeNextAttempt(key, sha, input = {}) {
      const ticket = await lifecycle.findTicket(key);
      if (!ticket) throw new Error(`set-up: no ticket ${key}`);
      const claim = await lifecycle.claim({
        ticket: ticket.key,
        expectedVersion: ticket.version,
        worker: "agent-1",
        actor: dispatcher,
        leaseMs: LEASE_MS,
        fence: null,
      });
      if (!claim.ok) throw new Error(`set-up: ${claim.message}`);
      const attemptId = claim.attempt.id;
      const started = await lifecycle.startAttempt({
        attemptId,
        launchKey: claim.attempt.launchKey,
        leaseMs: LEASE_MS,
      });
      if (!started.ok) throw new Error(`set-up: ${started.message}`);
      const completed = await lifecycle.completeAttempt({
        attemptId,
        actor: worker,
        evidence: completionEvidence({
          attemptId: input.evidenceAttemptId ?? attemptId,
          ticket: ticket.key,
          sha,
          branch: input.evidenceBranch ?? ticketBranch(ticket.key),
          baseSha: input.baseSha ?? defaultHead(),
          tests: input.tests ?? "passed",
        }),
      });
      if (!completed.ok) throw new Error(`set-up: ${completed.message}`);
      return attemptId;
    },
  };
}

/** Evidence as the worker runner records it (src/domain/completion-evidence.ts, CompletionEvidenceSchema). */
export function completionEvidence(input: {
  attemptId: string;
  ticket: string;
  sha: string;
  branch: string;
  /** The commit the attempt started from (new work must be on top of it). */
  baseSha: string;
  tests: "passed" | "not_configured";
}): Record<string, unknown> {
  return {
    version: 1,
    attemptId: input.attemptId,
    ticket: input.ticket,
    commitSha: input.sha,
    branch: input.branch,
    baseSha: input.baseSha,
    workingTreeClean: true,
    pushed: true,
    remote: { name: "origin", url: "https://github.com/acme/widgets.git", sha: input.sha },
    tests:
      input.tests === "passed"
        ? { status: "passed", command: ["npm", "test"], exitCode: 0, summary: "12 passed", durationMs: 900 }
        : { status: "not_configured" },
    agent: { exitCode: 0, durationMs: 1000 },
    collectedAt: "2026-01-01T00:00:00.000Z",
  };
}

/** Counts of what the stand-in saw since `from` (an index into its request log). */
export function requestsSince(gh: GitHubStandin, from: number) {
  const entries = gh.requests.entries.slice(from);
  return {
    gets: entries.filter((e) => e.method === "GET").length,
    notModified: entries.filter((e) => e.notModified).length,
    mutations: entries.filter((e) => e.mutation).map((e) => `${e.route} ${e.status}`),
    byRoute: entries.reduce<Record<string, number>>((counts, e) => {
      const key = `${e.route ?? "unmatched"} ${e.status}`;
      counts[key] = (counts[key] ?? 0) + 1;
      return counts;
    }, {}),
  };
}
