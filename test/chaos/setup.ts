/**
 * What a chaos run stands on: a git remote (bare, with the push hook the CI bot reads) and the clone
 * the dispatchers and workers run in; GitHub (the stand-in) with the repository, its evidence
 * policy, a person with write access, the CI app and a seeded fault plan; and the configuration
 * file every process reads (short leases, intervals and back-offs, so things move).
 */
import { execFile } from "node:child_process";
import { mkdir, realpath, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { type GitHubStandin, startGitHubStandin } from "../../src/github-standin/index.js";
import { CI_APP, CI_CHECK, installPushHook } from "./ci-bot.js";
import { PERSON } from "./person.js";

const run = promisify(execFile);

/** Git without anyone's own configuration, with a fixed identity (the agents commit with it too). */
export const GIT_ENV: Readonly<Record<string, string>> = {
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_AUTHOR_NAME: "Chaos Agent",
  GIT_AUTHOR_EMAIL: "agent@chaos.test",
  GIT_COMMITTER_NAME: "Chaos Agent",
  GIT_COMMITTER_EMAIL: "agent@chaos.test",
};

async function git(cwd: string, ...args: string[]): Promise<void> {
  await run("git", args, { cwd, env: { ...process.env, ...GIT_ENV } });
}

export interface RunDirs {
  readonly root: string;
  readonly remote: string;
  /** The clone the dispatchers (and so the workers) run in; its real path, as /proc shows it. */
  readonly clone: string;
  readonly logs: string;
  readonly journal: string;
  readonly pushLog: string;
  readonly config: string;
}

/** A bare remote with one commit on `main`, its push hook, and a clone of it. */
export async function prepareGit(root: string): Promise<RunDirs> {
  const remote = path.join(root, "remote.git");
  const seed = path.join(root, "seed");
  const logs = path.join(root, "logs");
  await mkdir(logs, { recursive: true });
  await git(root, "init", "--quiet", "--bare", "--initial-branch=main", remote);
  await git(root, "clone", "--quiet", remote, seed);
  await writeFile(path.join(seed, "README.md"), "# widgets\n");
  await git(seed, "add", "README.md");
  await git(seed, "commit", "--quiet", "-m", "initial commit");
  await git(seed, "push", "--quiet", "origin", "HEAD:refs/heads/main");
  await git(root, "clone", "--quiet", remote, path.join(root, "clone"));
  const pushLog = path.join(root, "pushes.log");
  await writeFile(pushLog, "");
  await installPushHook(remote, pushLog);
  return {
    root,
    remote,
    clone: await realpath(path.join(root, "clone")),
    logs,
    journal: path.join(root, "journal.ndjson"),
    pushLog,
    config: path.join(root, "mission-control.yml"),
  };
}

export interface Timings {
  readonly maxWorkers: number;
  readonly attemptLeaseSeconds: number;
  readonly maxAttempts: number;
}

/** The configuration every process reads (MCTL_CONFIG). */
export function configYaml(agent: readonly string[], timings: Timings): string {
  return [
    "dispatch:",
    `  max_workers: ${timings.maxWorkers}`,
    `  attempt_lease_seconds: ${timings.attemptLeaseSeconds}`,
    "  lease_seconds: 3",
    "  backoff: { base_seconds: 1, cap_seconds: 4 }",
    `  max_attempts: ${timings.maxAttempts}`,
    `  batch_size: ${timings.maxWorkers}`,
    "worker:",
    `  agent_command: ${JSON.stringify(agent)}`,
    "  heartbeat_seconds: 2",
    "  stop_grace_seconds: 1",
    "orchestrator:",
    "  delivery_lease_seconds: 3",
    "app:",
    "  delivery_lease_seconds: 5",
    "  dispatch_trigger_seconds: 3600",
    "  mirror: { retry_base_seconds: 1, retry_cap_seconds: 4, lease_seconds: 5, poll_seconds: 1, batch_size: 50 }",
    "",
  ].join("\n");
}

export const REPOSITORY = "acme/widgets";
export const WEBHOOK_SECRET = "chaos-webhook-secret";

export interface FaultRates {
  /** Fraction of GitHub API requests answered 502 or 503. */
  readonly serverErrors: number;
  /** Fraction answered with a secondary rate limit (403 + retry-after). */
  readonly secondaryRateLimits: number;
}

/**
 * The stand-in for the run: the repository (evidence policy: the CI app's `ci` check must pass),
 * `alice` with write access, the CI app, the dispatch workflow the app may trigger, and faults on
 * every route drawn from the run's seed.
 */
export async function startGitHub(
  appPort: number,
  faultSeed: number,
  faults: FaultRates,
): Promise<GitHubStandin> {
  const gh = await startGitHubStandin({
    faultSeed,
    webhook: { url: `http://127.0.0.1:${appPort}/api/github/webhooks`, secret: WEBHOOK_SECRET },
  });
  const [owner = "", name = ""] = REPOSITORY.split("/");
  gh.world.repository({
    owner,
    name,
    collaborators: { [PERSON]: "write" },
    files: {
      ".github/mission-control.yml": `evidence:\n  required_checks:\n    - name: ${CI_CHECK}\n      app: ${CI_APP}\n`,
    },
  });
  gh.world.workflow(REPOSITORY, { path: ".github/workflows/mission-control-dispatch.yml" });
  gh.world.app({ slug: CI_APP, name: "CI" });
  const half = faults.serverErrors / 2;
  if (half > 0) {
    gh.faults.add({ fault: { kind: "status", status: 502 }, probability: half });
    gh.faults.add({ fault: { kind: "status", status: 503 }, probability: half });
  }
  if (faults.secondaryRateLimits > 0)
    gh.faults.add({
      fault: { kind: "secondary-rate-limit", status: 403, retryAfterSeconds: 1 },
      probability: faults.secondaryRateLimits,
    });
  return gh;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === "string") throw new Error("no free port");
  return address.port;
}
