/**
 * The stand-in's git remotes: one bare repository per stand-in repository that a test asks for,
 * served over git's smart HTTP protocol (./http.ts). What a push lands is mirrored into the world
 * (its commits, the branch move, the `push` webhook), and, as on GitHub, a CI app starts its check
 * runs only for pushes made with an app's installation token (a push with a workflow's
 * `GITHUB_TOKEN` starts no workflow; the stand-in's jobs do not hand one out, so any other
 * credential stands for it here).
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Arrange } from "../arrange/arrange.js";
import type { CheckConclusion, RepositoryRecord } from "../world/types.js";

/** A check run a CI app concludes on every commit pushed with an installation token. */
export interface CiOnPush {
  readonly app: string;
  readonly name: string;
  readonly conclusion: CheckConclusion;
}

const IDENTITY = {
  GIT_AUTHOR_NAME: "octocat",
  GIT_AUTHOR_EMAIL: "octocat@example.com",
  GIT_COMMITTER_NAME: "octocat",
  GIT_COMMITTER_EMAIL: "octocat@example.com",
};

export function git(cwd: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("git", [...args], { cwd, env: { HOME: cwd, ...IDENTITY } }, (error, stdout, stderr) =>
      error
        ? reject(new Error(`git ${args[0]}: ${String(stderr).trim()}`, { cause: error }))
        : resolve(String(stdout)),
    );
  });
}

export class GitRemotes {
  readonly #repos = new Map<string, string>();
  #root: string | null = null;
  #ci: CiOnPush[] = [];

  constructor(
    readonly world: Arrange,
    private readonly baseUrl: () => string,
  ) {}

  /** `<stand-in>/_git/<owner>/<name>.git`: clone and push here (smart HTTP). */
  url(repo: string): string {
    return `${this.baseUrl()}/_git/${repo}.git`;
  }

  /**
   * Makes the repository's git remote: a first commit on its default branch with `files`, which the
   * world then shows as that branch's tip (same sha). Returns that commit's sha.
   */
  async create(
    repo: string,
    files: Readonly<Record<string, string>> = { "README.md": `# ${repo}\n` },
  ): Promise<string> {
    const record = this.world.repo(repo);
    const root = await this.#rootDir();
    const bare = path.join(root, `${repo}.git`);
    await mkdir(bare, { recursive: true });
    await git(bare, ["init", "-q", "--bare", "-b", record.defaultBranch]);
    await git(bare, ["config", "http.receivepack", "true"]);
    const seed = await mkdtemp(path.join(root, "seed-"));
    await git(seed, ["init", "-q", "-b", record.defaultBranch]);
    for (const [name, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(seed, name)), { recursive: true });
      await writeFile(path.join(seed, name), text);
    }
    await git(seed, ["add", "."]);
    await git(seed, ["commit", "-q", "-m", "Initial commit"]);
    await git(seed, ["push", "-q", bare, `HEAD:refs/heads/${record.defaultBranch}`]);
    const sha = (await git(seed, ["rev-parse", "HEAD"])).trim();
    await rm(seed, { recursive: true, force: true });
    this.#repos.set(repo.toLowerCase(), bare);
    this.world.commit(repo, { branch: record.defaultBranch, sha, message: "Initial commit", files });
    return sha;
  }

  /** From now on, every commit pushed with an installation token gets this completed check run. */
  ciOnPush(ci: CiOnPush): void {
    this.#ci.push(ci);
  }

  /** The bare repository of `owner/name`, if the test made one. */
  bareOf(owner: string, name: string): string | undefined {
    return this.#repos.get(`${owner}/${name}`.toLowerCase());
  }

  get root(): string | null {
    return this.#root;
  }

  async refs(bare: string): Promise<Map<string, string>> {
    const out = await git(bare, ["for-each-ref", "--format=%(refname) %(objectname)", "refs/heads"]);
    const refs = new Map<string, string>();
    for (const line of out.split("\n")) {
      const [ref, sha] = line.trim().split(" ");
      if (ref && sha) refs.set(ref, sha);
    }
    return refs;
  }

  /** Mirrors what a push changed into the world; CI runs on the new tips of an app's push. */
  async landed(
    repo: RepositoryRecord,
    bare: string,
    before: ReadonlyMap<string, string>,
    byApp: boolean,
  ): Promise<void> {
    const name = this.world.state.fullName(repo);
    for (const [ref, sha] of await this.refs(bare)) {
      if (before.get(ref) === sha) continue;
      const branch = ref.slice("refs/heads/".length);
      // Oldest first, each with its parents, so the world's commit graph is git's.
      const lines = (await git(bare, ["rev-list", "--reverse", "--parents", "--topo-order", sha]))
        .trim()
        .split("\n");
      for (const line of lines) {
        const [commit = "", ...parents] = line.split(" ");
        if (commit === sha || repo.commits.has(commit)) continue;
        const message = (await git(bare, ["log", "-1", "--format=%s", commit])).trim();
        this.world.commit(name, { sha: commit, parents, message });
      }
      if (repo.commits.has(sha)) this.world.branch(name, branch, sha);
      else {
        const parents = (await git(bare, ["rev-list", "--parents", "-1", sha])).trim().split(" ").slice(1);
        const message = (await git(bare, ["log", "-1", "--format=%s", sha])).trim();
        this.world.commit(name, { branch, sha, parents, message });
      }
      if (byApp)
        for (const ci of this.#ci)
          this.world.checkRun(name, {
            app: ci.app,
            name: ci.name,
            headSha: sha,
            status: "completed",
            conclusion: ci.conclusion,
          });
    }
  }

  async remove(): Promise<void> {
    if (this.#root) await rm(this.#root, { recursive: true, force: true });
  }

  async #rootDir(): Promise<string> {
    this.#root ??= await mkdtemp(path.join(tmpdir(), "standin-git-"));
    return this.#root;
  }
}
