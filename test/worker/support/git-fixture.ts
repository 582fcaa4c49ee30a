import { execFile } from "node:child_process";
import { rmSync } from "node:fs";
import { cp, mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Git without the developer's own configuration, with a fixed identity. */
export const GIT_ENV: Record<string, string> = {
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_AUTHOR_NAME: "Test Agent",
  GIT_AUTHOR_EMAIL: "agent@example.test",
  GIT_COMMITTER_NAME: "Test Agent",
  GIT_COMMITTER_EMAIL: "agent@example.test",
};

export async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run("git", args, { cwd, env: { ...process.env, ...GIT_ENV } });
  return stdout.trim();
}

export interface GitFixture {
  /** The bare repository standing in for GitHub. */
  readonly remote: string;
  /** A clone on `main`: what `mctl worker run --repo` is pointed at. */
  readonly repo: string;
}

/**
 * A bare remote with one commit on `main`, and a real clone of it. Built with git once per process
 * and copied for each test: seven git processes a test add up, and the copy is the same
 * repositories (the clone's `origin` is pointed at the copy's remote).
 */
export async function gitFixture(dir: string): Promise<GitFixture> {
  template ??= buildTemplate();
  const built = await template;
  await cp(built.root, dir, { recursive: true, verbatimSymlinks: true });
  const remote = path.join(dir, "remote.git");
  const repo = path.join(dir, "repo");
  const config = path.join(repo, ".git", "config");
  await writeFile(config, (await readFile(config, "utf8")).replaceAll(built.remote, remote));
  return { remote, repo };
}

let template: Promise<{ root: string; remote: string }> | undefined;

async function buildTemplate(): Promise<{ root: string; remote: string }> {
  const parent = await mkdtemp(path.join(os.tmpdir(), "mctl-git-fixture-"));
  process.once("exit", () => rmSync(parent, { recursive: true, force: true }));
  // What is copied: the remote and the clone (the seed that made the first commit stays here).
  const root = path.join(parent, "fixture");
  const remote = path.join(root, "remote.git");
  const seed = path.join(parent, "seed");
  await git(parent, "init", "--quiet", "--bare", "--initial-branch=main", remote);
  await git(parent, "clone", "--quiet", remote, seed);
  await writeFile(path.join(seed, "README.md"), "# widgets\n");
  await git(seed, "add", "README.md");
  await git(seed, "commit", "--quiet", "-m", "initial commit");
  await git(seed, "push", "--quiet", "origin", "HEAD:refs/heads/main");
  await git(parent, "clone", "--quiet", remote, path.join(root, "repo"));
  return { root, remote };
}

/** Where the remote's `refs/heads/<branch>` points, or null. */
export async function remoteHead(remote: string, branch: string): Promise<string | null> {
  const out = await git(remote, "rev-parse", "--verify", "--quiet", `refs/heads/${branch}`).catch(() => "");
  return out || null;
}
