/**
 * The demo's CI, the bridge from git to the GitHub stand-in. Told of each push to `origin` by its
 * `post-receive` hook (push-receiver.ts), for each new ticket-branch head it shows the commit on the
 * stand-in under git's own sha (a `push` webhook) before the push returns, then runs the
 * repository's build (`node build.mjs`) on the commit's files as the `build` check run of the
 * `demo-ci` app, and when it passes merges the branch's pull request (as the person) and deploys
 * the commit to `staging`. Every step is a change on the stand-in, which sends
 * the app the same webhooks GitHub would (check_run, pull_request, push, deployment_status).
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { GitHubStandin } from "../github-standin/index.js";
import { runTestCommand } from "../worker/test-command.js";
import type { RefUpdate } from "./push-receiver.js";
import { filesAt, git } from "./workspace.js";

export interface DemoCiOptions {
  readonly gh: GitHubStandin;
  readonly repository: string;
  /** The bare repository the agents push to. */
  readonly origin: string;
  /** Where build checkouts are made (each removed after its build). */
  readonly checkouts: string;
  readonly app: string;
  readonly checkName: string;
  readonly environment: string;
  /** The person who merges a passing branch. */
  readonly merger: string;
  /** The build command, run in the checkout. */
  readonly build: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly log: (message: string, detail: Record<string, unknown>) => void;
}

const TICKET_BRANCHES = "mission-control/";

interface GitCommit {
  readonly sha: string;
  readonly parents: readonly string[];
  readonly subject: string;
  readonly files: Readonly<Record<string, string>>;
}

export interface DemoCi {
  /** The pushes origin's `post-receive` hook reports (the push waits until this resolves). */
  received(updates: readonly RefUpdate[]): Promise<void>;
  /** Stops running builds and waits for the CI runs. */
  stop(): Promise<void>;
}

export function demoCi(options: DemoCiOptions): DemoCi {
  const { gh, repository } = options;
  const seen = new Set<string>();
  const runs = new Set<Promise<void>>();
  const stopping = new AbortController();

  /** The commit on the stand-in, on its branch, under git's sha (its parent: git's, if shown there). */
  function show(branch: string, commit: GitCommit): void {
    const repo = gh.world.repo(repository);
    if (repo.commits.has(commit.sha)) return;
    const gitParent = commit.parents[0];
    const parent =
      (gitParent && repo.commits.has(gitParent) ? gitParent : undefined) ??
      repo.branches.get(branch) ??
      repo.branches.get(repo.defaultBranch);
    const files: Record<string, string | null> = { ...commit.files };
    for (const file of parent ? (repo.commits.get(parent)?.files.keys() ?? []) : [])
      if (!(file in files)) files[file] = null;
    gh.world.commit(repository, {
      branch,
      sha: commit.sha,
      files,
      message: commit.subject,
      author: "mission-control-agent",
      ...(parent ? { parents: [parent] } : {}),
    });
  }

  /** Runs the build in a fresh folder holding the commit's files (what a CI checkout would hold). */
  async function build(commit: GitCommit): Promise<{ passed: boolean; summary: string }> {
    const dir = path.join(options.checkouts, commit.sha.slice(0, 12));
    try {
      for (const [file, content] of Object.entries(commit.files)) {
        await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
        await writeFile(path.join(dir, file), content);
      }
      const run = await runTestCommand({
        command: options.build,
        cwd: dir,
        env: options.env,
        timeoutMs: 60_000,
        graceMs: 1_000,
        signal: stopping.signal,
        onOutput: () => {},
      });
      return { passed: run.status === "passed", summary: run.status === "not_configured" ? "" : run.summary };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async function readCommit(sha: string): Promise<GitCommit> {
    const [parents = "", subject = ""] = (
      await git(options.origin, "log", "-1", "--format=%P%n%s", sha)
    ).split("\n");
    return {
      sha,
      parents: parents.split(" ").filter(Boolean),
      subject,
      files: await filesAt(options.origin, sha),
    };
  }

  /** The CI run of a shown commit: the `build` check run, then (if it passes) merge and deploy. */
  async function checks(branch: string, commit: GitCommit): Promise<void> {
    const { sha } = commit;
    const run = gh.world.checkRun(repository, {
      app: options.app,
      name: options.checkName,
      headSha: sha,
      status: "in_progress",
    });
    const result = await build(commit);
    if (stopping.signal.aborted) return;
    gh.world.completeCheckRun(repository, run.id, result.passed ? "success" : "failure");
    options.log("ci build finished", { branch, sha, passed: result.passed, summary: result.summary });
    if (!result.passed) return;
    const pull = gh.world.pullRequest(repository, {
      head: branch,
      title: commit.subject,
      author: "mission-control-agent",
    });
    gh.world.mergePullRequest(repository, pull.number, options.merger);
    const deployment = gh.world.deployment(repository, {
      ref: sha,
      environment: options.environment,
      creator: options.merger,
    });
    gh.world.deploymentStatus(repository, deployment.id, { state: "in_progress", creator: options.merger });
    gh.world.deploymentStatus(repository, deployment.id, {
      state: "success",
      environment: options.environment,
      creator: options.merger,
    });
  }

  return {
    async received(updates) {
      if (stopping.signal.aborted) throw new Error("the demo is stopping");
      for (const update of updates) {
        const branch = update.ref.replace(/^refs\/heads\//, "");
        if (!update.ref.startsWith("refs/heads/") || !branch.startsWith(TICKET_BRANCHES)) continue;
        if (/^0+$/.test(update.new) || seen.has(update.new)) continue;
        seen.add(update.new);
        // On "GitHub" before the push returns; the CI run goes on after it.
        const commit = await readCommit(update.new);
        show(branch, commit);
        const running: Promise<void> = checks(branch, commit)
          .catch((error: unknown) =>
            options.log("ci run failed", { branch, sha: update.new, error: String(error) }),
          )
          .finally(() => runs.delete(running));
        runs.add(running);
      }
    },
    async stop() {
      stopping.abort();
      await Promise.all([...runs]);
    },
  };
}
