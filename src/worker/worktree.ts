import { appendFile, mkdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { SimpleGit } from "simple-git";
import { errorMessage, firstLine } from "../domain/error-message.js";
import { ticketBranch } from "../domain/ticket-key.js";
import { gitAt, gitPath, realPath, remoteBranchSha } from "./git.js";

/** The ticket's isolated worktree: where its agent runs, on the ticket's own branch. */
export interface TicketWorktree {
  readonly path: string;
  readonly branch: string;
  /** HEAD when the attempt began: the branch head the agent starts from. */
  readonly baseSha: string;
  /** True when an earlier attempt's worktree was reused (with whatever it left behind). */
  readonly reused: boolean;
  /** The repository's shared git directory (all its worktrees have the same one). */
  readonly commonDir: string;
  readonly repoRoot: string;
}

export class WorktreeError extends Error {
  override readonly name = "WorktreeError";
}

/** The branch of a ticket's worktree (src/domain/ticket-key.ts). */
export { ticketBranch };

/**
 * Creates (or, on a later attempt, reuses) the worktree `<root>/<ticket>` on branch
 * `mission-control/<ticket>`. A new branch starts from the remote branch when an earlier attempt
 * pushed one (possibly from another machine), otherwise from the repository's HEAD.
 */
export async function prepareWorktree(options: {
  repo: string;
  root: string;
  ticket: string;
  remote: string;
}): Promise<TicketWorktree> {
  const repoGit = gitAt(options.repo);
  const repoRoot = await realPath(await repoGit.raw(["rev-parse", "--show-toplevel"])).catch(
    (error: unknown) => {
      throw new WorktreeError(`${options.repo} is not a git repository: ${message(error)}`, { cause: error });
    },
  );
  const git = gitAt(repoRoot);
  const commonDir = await gitPath(repoRoot, await git.raw(["rev-parse", "--git-common-dir"]));
  const branch = ticketBranch(options.ticket);
  const root = path.resolve(repoRoot, options.root);
  const target = path.join(root, options.ticket);
  await mkdir(root, { recursive: true });
  await excludeFromRepository(commonDir, repoRoot, root);
  await git.raw(["worktree", "prune"]);

  const registered = await findRegisteredWorktree(git, target);
  let reused = false;
  if (registered) {
    if (registered.branch !== `refs/heads/${branch}`) {
      throw new WorktreeError(
        `the worktree ${target} is on ${registered.branch ?? "a detached HEAD"}, not ${branch}; remove it (git worktree remove) and retry`,
      );
    }
    reused = true;
  } else {
    if (await exists(target)) {
      throw new WorktreeError(
        `${target} exists but is not a worktree of ${repoRoot}; move it away so the ticket gets an isolated worktree`,
      );
    }
    const remoteSha = await remoteBranchSha(git, options.remote, branch);
    if (remoteSha) {
      await git.raw([
        "fetch",
        "--quiet",
        options.remote,
        `+refs/heads/${branch}:refs/remotes/${options.remote}/${branch}`,
      ]);
    }
    if (await hasRef(git, `refs/heads/${branch}`)) {
      await git.raw(["worktree", "add", "--quiet", target, branch]);
    } else {
      const start = remoteSha ? `refs/remotes/${options.remote}/${branch}` : "HEAD";
      await git.raw(["worktree", "add", "--quiet", "--no-track", "-b", branch, target, start]);
    }
    // `git push` with no arguments then goes to the ticket branch on the configured remote.
    await git.raw(["config", `branch.${branch}.remote`, options.remote]);
    await git.raw(["config", `branch.${branch}.merge`, `refs/heads/${branch}`]);
  }
  const worktreePath = await realPath(target);
  const baseSha = await gitAt(worktreePath).raw(["rev-parse", "HEAD"]);
  return { path: worktreePath, branch, baseSha, reused, commonDir, repoRoot };
}

export type WorkdirCheck = { readonly ok: true } | { readonly ok: false; readonly message: string };

/**
 * The guard before an agent starts: `cwd`, resolved, must be exactly the ticket's worktree — a
 * linked worktree of the same repository, at its top level, on the ticket's branch.
 */
export async function verifyWorkdir(cwd: string, worktree: TicketWorktree): Promise<WorkdirCheck> {
  const refuse = (why: string): WorkdirCheck => ({
    ok: false,
    message: `refusing to start the agent in ${cwd}: ${why}`,
  });
  let resolved: string;
  try {
    resolved = await realPath(cwd);
  } catch (error) {
    return refuse(`it cannot be resolved (${message(error)})`);
  }
  if (resolved !== worktree.path)
    return refuse(`it resolves to ${resolved}, not the ticket worktree ${worktree.path}`);
  const git = gitAt(resolved);
  try {
    const top = await gitPath(resolved, await git.raw(["rev-parse", "--show-toplevel"]));
    if (top !== resolved) return refuse(`it is inside ${top}, not the top of the worktree`);
    const common = await gitPath(resolved, await git.raw(["rev-parse", "--git-common-dir"]));
    if (common !== worktree.commonDir) return refuse(`it belongs to another repository (${common})`);
    const own = await gitPath(resolved, await git.raw(["rev-parse", "--git-dir"]));
    if (own === worktree.commonDir)
      return refuse("it is the repository's main checkout, not an isolated worktree");
    const head = await git.raw(["symbolic-ref", "-q", "HEAD"]).catch(() => "");
    if (head !== `refs/heads/${worktree.branch}`)
      return refuse(`HEAD is ${head || "detached"}, not ${worktree.branch}`);
  } catch (error) {
    return refuse(`git cannot read it (${message(error)})`);
  }
  return { ok: true };
}

async function findRegisteredWorktree(
  git: SimpleGit,
  target: string,
): Promise<{ path: string; branch: string | null } | undefined> {
  const wanted = await realPath(target).catch(() => path.resolve(target));
  const out = await git.raw(["worktree", "list", "--porcelain"]);
  for (const block of out.split(/\n\s*\n/)) {
    const lines = block.split("\n");
    const dir = lines.find((l) => l.startsWith("worktree "))?.slice("worktree ".length);
    if (!dir) continue;
    const real = await realPath(dir).catch(() => dir);
    if (real !== wanted) continue;
    const branch = lines.find((l) => l.startsWith("branch "))?.slice("branch ".length) ?? null;
    return { path: real, branch };
  }
  return undefined;
}

/** Keeps the worktree root out of the main checkout's `git status` (and out of a careless `git add -A`). */
async function excludeFromRepository(commonDir: string, repoRoot: string, root: string): Promise<void> {
  const relative = path.relative(repoRoot, root);
  if (!relative || relative.startsWith("..") || path.isAbsolute(relative)) return;
  const pattern = `/${relative.split(path.sep).join("/")}/`;
  const file = path.join(commonDir, "info", "exclude");
  const current = await readFile(file, "utf8").catch(() => "");
  if (current.split("\n").includes(pattern)) return;
  await mkdir(path.dirname(file), { recursive: true });
  await appendFile(file, `${current && !current.endsWith("\n") ? "\n" : ""}${pattern}\n`);
}

async function hasRef(git: SimpleGit, ref: string): Promise<boolean> {
  // simple-git resolves a failed command that printed nothing: an empty answer means "no such ref".
  const sha = await git.raw(["rev-parse", "--verify", "--quiet", ref]).catch(() => "");
  return sha.length > 0;
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

function message(error: unknown): string {
  return firstLine(errorMessage(error));
}
