/**
 * The stand-in's git remotes over smart HTTP: anyone clones; a push needs an installation token with
 * contents: write on that repository; what lands shows in the world (commits, branch, push webhook);
 * the CI app checks pushes made with an app's token.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GitHubStandin, startGitHubStandin } from "../../src/github-standin/index.js";
import { DEFAULT_APP_PERMISSIONS } from "../../src/github-standin/world/apps.js";

const exec = promisify(execFile);
let gh: GitHubStandin;
let dir: string;
let base = "";

const git = async (cwd: string, args: string[], token?: string) => {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: dir,
    GIT_TERMINAL_PROMPT: "0",
    GIT_AUTHOR_NAME: "a",
    GIT_AUTHOR_EMAIL: "a@example.com",
    GIT_COMMITTER_NAME: "a",
    GIT_COMMITTER_EMAIL: "a@example.com",
  };
  if (token) {
    env.GIT_CONFIG_COUNT = "1";
    env.GIT_CONFIG_KEY_0 = "http.extraheader";
    env.GIT_CONFIG_VALUE_0 = `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`;
  }
  return (await exec("git", args, { cwd, env })).stdout.trim();
};

beforeAll(async () => {
  gh = await startGitHubStandin({
    app: { permissions: { ...DEFAULT_APP_PERMISSIONS, contents: "write" } },
  });
  dir = await mkdtemp(path.join(tmpdir(), "standin-git-test-"));
  gh.world.repository({ owner: "acme", name: "widgets" });
  gh.world.repository({ owner: "acme", name: "other" });
  gh.world.app({ slug: "ci", name: "CI" });
  gh.git.ciOnPush({ app: "ci", name: "build", conclusion: "success" });
  base = await gh.git.create("acme/widgets");
});
afterAll(async () => {
  await gh?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("git remotes of the stand-in", () => {
  it("clone anonymously; the world's default branch is the remote's", async () => {
    await git(dir, ["clone", "-q", gh.git.url("acme/widgets"), "w"]);
    expect(await git(path.join(dir, "w"), ["rev-parse", "HEAD"])).toBe(base);
    expect(gh.world.repo("acme/widgets").branches.get("main")).toBe(base);
  });

  it("refuses a push without a token, with a read-only token and with a forged one", async () => {
    const work = path.join(dir, "w");
    await writeFile(path.join(work, "a.txt"), "a\n");
    await git(work, ["add", "."]);
    await git(work, ["commit", "-q", "-m", "change a"]);
    const readOnly = gh.installationToken("acme/widgets", { contents: "read" });
    for (const token of [undefined, readOnly, "ghs_forged"])
      await expect(git(work, ["push", "-q", "origin", "HEAD:refs/heads/topic"], token)).rejects.toThrow();
    expect(gh.world.repo("acme/widgets").branches.has("topic")).toBe(false);
  });

  it("a push with an app token lands in the world with its commits, and the CI app checks it", async () => {
    const work = path.join(dir, "w");
    await writeFile(path.join(work, "b.txt"), "b\n");
    await git(work, ["add", "."]);
    await git(work, ["commit", "-q", "-m", "change b"]);
    const tip = await git(work, ["rev-parse", "HEAD"]);
    const token = gh.installationToken("acme/widgets", { contents: "write" });
    await git(work, ["push", "-q", "origin", "HEAD:refs/heads/topic"], token);
    const repo = gh.world.repo("acme/widgets");
    expect(repo.branches.get("topic")).toBe(tip);
    expect(repo.commits.get(tip)?.parents).toHaveLength(1);
    expect(gh.world.checkRunsOf("acme/widgets", tip).map((r) => [r.name, r.conclusion])).toEqual([
      ["build", "success"],
    ]);
  });
});
