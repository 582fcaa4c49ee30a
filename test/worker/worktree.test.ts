/** Worktrees and git facts on real repositories (a bare remote and real clones). */
import { mkdir, readFile, realpath, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { collectGitFacts, redactCredentials } from "../../src/worker/git-facts.js";
import {
  prepareWorktree,
  type TicketWorktree,
  verifyWorkdir,
  WorktreeError,
} from "../../src/worker/worktree.js";
import { tempDir } from "../helpers/cli.js";
import { GIT_ENV, type GitFixture, git, gitFixture } from "./support/git-fixture.js";

describe("ticket worktrees", () => {
  // simple-git inherits this process's environment: keep the developer's git configuration out.
  beforeAll(() => {
    for (const [name, value] of Object.entries(GIT_ENV)) vi.stubEnv(name, value);
  });
  afterAll(() => {
    vi.unstubAllEnvs();
  });
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let fixture: GitFixture;
  const prepare = (ticket = "MC-3") =>
    prepareWorktree({ repo: fixture.repo, root: ".mission-control/worktrees", ticket, remote: "origin" });
  beforeEach(async () => {
    dir = await tempDir("mctl-worktree-");
    fixture = await gitFixture(dir.path);
  });
  afterEach(async () => dir.remove());

  it("creates an isolated worktree on the ticket branch, hidden from the main checkout, and reuses it later", async () => {
    const first = await prepare();
    const repo = await realpath(fixture.repo);
    expect(first).toMatchObject({
      path: path.join(repo, ".mission-control/worktrees/MC-3"),
      branch: "mission-control/MC-3",
      baseSha: await git(fixture.repo, "rev-parse", "main"),
      reused: false,
    });
    expect(await git(first.path, "symbolic-ref", "HEAD")).toBe("refs/heads/mission-control/MC-3");
    expect(await git(fixture.repo, "status", "--porcelain")).toBe("");
    expect(await readFile(path.join(repo, ".git/info/exclude"), "utf8")).toContain(
      "/.mission-control/worktrees/",
    );

    await writeFile(path.join(first.path, "left-behind.txt"), "work in progress");
    const again = await prepare();
    expect(again).toMatchObject({ path: first.path, reused: true });
    expect(await readFile(path.join(again.path, "left-behind.txt"), "utf8")).toBe("work in progress");
    expect(
      (await readFile(path.join(repo, ".git/info/exclude"), "utf8")).split("/.mission-control/worktrees/"),
    ).toHaveLength(2);
  });

  it("starts from the remote ticket branch when an earlier attempt pushed one elsewhere", async () => {
    const other = path.join(dir.path, "other");
    await git(dir.path, "clone", "--quiet", fixture.remote, other);
    await git(other, "checkout", "--quiet", "-b", "mission-control/MC-3");
    await writeFile(path.join(other, "earlier.txt"), "from another machine");
    await git(other, "add", "earlier.txt");
    await git(other, "commit", "--quiet", "-m", "earlier attempt");
    await git(other, "push", "--quiet", "origin", "HEAD:refs/heads/mission-control/MC-3");
    const worktree = await prepare();
    expect(worktree.baseSha).toBe(await git(other, "rev-parse", "HEAD"));
    expect(await readFile(path.join(worktree.path, "earlier.txt"), "utf8")).toBe("from another machine");
  });

  it("refuses a directory in the worktree's place that is not a worktree of this repository", async () => {
    const squatter = path.join(fixture.repo, ".mission-control/worktrees/MC-3");
    await mkdir(squatter, { recursive: true });
    await expect(prepare()).rejects.toThrow(WorktreeError);
    await expect(prepare()).rejects.toThrow(/exists but is not a worktree of/);
  });

  describe("the guard before the agent starts", () => {
    let worktree: TicketWorktree;
    beforeEach(async () => {
      worktree = await prepare();
    });

    it("accepts the worktree itself, also through a symbolic link's real path", async () => {
      expect(await verifyWorkdir(worktree.path, worktree)).toEqual({ ok: true });
      const link = path.join(dir.path, "link-to-worktree");
      await symlink(worktree.path, link);
      expect(await verifyWorkdir(link, worktree)).toEqual({ ok: true });
    });

    it("refuses a subdirectory, the main checkout, another clone, another branch and a missing directory", async () => {
      await mkdir(path.join(worktree.path, "sub"));
      const clone = path.join(dir.path, "clone");
      await git(dir.path, "clone", "--quiet", fixture.remote, clone);
      const refusals: [string, TicketWorktree, RegExp][] = [
        [path.join(worktree.path, "sub"), worktree, /not the ticket worktree/],
        [fixture.repo, worktree, /not the ticket worktree/],
        // The same path and branch, but in a clone: not a worktree of this repository.
        [
          clone,
          { ...worktree, path: await realpath(clone), branch: "main" },
          /belongs to another repository/,
        ],
        [fixture.repo, { ...worktree, path: await realpath(fixture.repo), branch: "main" }, /main checkout/],
        [
          worktree.path,
          { ...worktree, branch: "mission-control/MC-4" },
          /HEAD is refs\/heads\/mission-control\/MC-3, not mission-control\/MC-4/,
        ],
        [path.join(dir.path, "nowhere"), worktree, /cannot be resolved/],
      ];
      for (const [cwd, expected, why] of refusals) {
        const check = await verifyWorkdir(cwd, expected);
        expect(check.ok, cwd).toBe(false);
        if (!check.ok) expect(check.message).toMatch(why);
      }
    });
  });

  it("git facts: untracked files make the tree dirty; ls-remote tells whether HEAD is pushed", async () => {
    const worktree = await prepare();
    const read = () =>
      collectGitFacts({
        worktree: worktree.path,
        branch: worktree.branch,
        baseSha: worktree.baseSha,
        remote: "origin",
      });
    await writeFile(path.join(worktree.path, " spaced name.txt"), "x");
    expect(await read()).toMatchObject({ clean: false, dirtyPaths: [" spaced name.txt"], remoteSha: null });
    await git(worktree.path, "add", ".");
    await git(worktree.path, "commit", "--quiet", "-m", "work");
    const head = await git(worktree.path, "rev-parse", "HEAD");
    expect(await read()).toMatchObject({
      clean: true,
      headSha: head,
      branch: worktree.branch,
      remoteSha: null,
    });
    await git(worktree.path, "push", "--quiet");
    expect(await read()).toMatchObject({
      clean: true,
      remoteSha: head,
      remote: { name: "origin", url: fixture.remote },
    });
  });

  it("stores remote URLs without credentials", () => {
    expect(redactCredentials("https://x-access-token:ghs_secret@github.com/acme/widgets.git")).toBe(
      "https://github.com/acme/widgets.git",
    );
    expect(redactCredentials("/srv/git/widgets.git")).toBe("/srv/git/widgets.git");
  });
});
