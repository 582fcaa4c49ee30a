import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
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

/** A bare remote with one commit on `main`, and a real clone of it. */
export async function gitFixture(dir: string): Promise<GitFixture> {
  const remote = path.join(dir, "remote.git");
  const seed = path.join(dir, "seed");
  const repo = path.join(dir, "repo");
  await git(dir, "init", "--quiet", "--bare", "--initial-branch=main", remote);
  await git(dir, "clone", "--quiet", remote, seed);
  await writeFile(path.join(seed, "README.md"), "# widgets\n");
  await git(seed, "add", "README.md");
  await git(seed, "commit", "--quiet", "-m", "initial commit");
  await git(seed, "push", "--quiet", "origin", "HEAD:refs/heads/main");
  await git(dir, "clone", "--quiet", remote, repo);
  return { remote, repo };
}

/** Where the remote's `refs/heads/<branch>` points, or null. */
export async function remoteHead(remote: string, branch: string): Promise<string | null> {
  const out = await git(remote, "rev-parse", "--verify", "--quiet", `refs/heads/${branch}`).catch(() => "");
  return out || null;
}
