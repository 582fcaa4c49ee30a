import { execFile } from "node:child_process";
import { rmSync } from "node:fs";
import { cp, mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { inject } from "vitest";

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
 * A bare remote with one commit on `main`, and a real clone of it: a copy of the template the
 * suite's global set-up built with git (test/setup/git-fixture.ts), with the clone's `origin`
 * pointed at the copy's remote. Seven git processes a test added up. Under a config without that
 * set-up, the template is built once in this process.
 */
export async function gitFixture(dir: string): Promise<GitFixture> {
  // Read here, not at import: the global set-up imports this module too.
  const provided = inject("gitFixture");
  template ??= provided ? Promise.resolve(provided) : builtHere();
  const built = await template;
  await cp(built.root, dir, { recursive: true, verbatimSymlinks: true });
  const remote = path.join(dir, "remote.git");
  const repo = path.join(dir, "repo");
  const config = path.join(repo, ".git", "config");
  await writeFile(config, (await readFile(config, "utf8")).replaceAll(built.remote, remote));
  return { remote, repo };
}

export interface GitFixtureTemplate {
  /** The folder to copy: `remote.git` and `repo` (the seed that made the first commit is beside it). */
  readonly root: string;
  /** The remote's path, as the clone's configuration names it. */
  readonly remote: string;
}

let template: Promise<GitFixtureTemplate> | undefined;

async function builtHere(): Promise<GitFixtureTemplate> {
  const parent = await mkdtemp(path.join(os.tmpdir(), "mctl-git-fixture-"));
  process.once("exit", () => rmSync(parent, { recursive: true, force: true }));
  return buildGitFixtureTemplate(parent);
}

/** Builds the template in `parent` with git. */
export async function buildGitFixtureTemplate(parent: string): Promise<GitFixtureTemplate> {
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
