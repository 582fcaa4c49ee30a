import { ancestors } from "./commit-graph.js";
import { hashSnapshot } from "./git-objects.js";
import { invalid, notFound, ok, type Result } from "./results.js";
import type { CommitRecord, GitIdentity, Permission, RepositoryRecord, UserRecord } from "./types.js";
import { ensureUser } from "./users.js";
import type { WorldState } from "./world-state.js";

export interface RepositoryInput {
  readonly owner: string;
  readonly name: string;
  readonly defaultBranch?: string;
  readonly private?: boolean;
  readonly description?: string | null;
  /** Files of the initial commit on the default branch. */
  readonly files?: Readonly<Record<string, string>>;
  readonly ownerType?: "User" | "Organization";
}

/** Creates a repository with one initial commit on its default branch. */
export function createRepository(world: WorldState, input: RepositoryInput): RepositoryRecord {
  if (world.repositoryByName(input.owner, input.name)) {
    throw new Error(`stand-in world: repository ${input.owner}/${input.name} already exists`);
  }
  const owner = ensureUser(world, { login: input.owner, type: input.ownerType ?? "Organization" });
  const now = world.now();
  const repo: RepositoryRecord = {
    id: world.ids.id(),
    ownerId: owner.id,
    name: input.name,
    private: input.private ?? true,
    defaultBranch: input.defaultBranch ?? "main",
    description: input.description ?? null,
    createdAt: now,
    pushedAt: now,
    updatedAt: now,
    branches: new Map(),
    commits: new Map(),
    permissions: new Map(),
    labels: new Map(),
    issues: new Map(),
    comments: new Map(),
    checkSuites: new Map(),
    checkRuns: new Map(),
    statuses: [],
    deployments: new Map(),
    workflows: new Map(),
    workflowRuns: new Map(),
    nextIssueNumber: 1,
  };
  world.repositories.set(repo.id, repo);
  const initial = addCommit(world, repo, {
    parents: [],
    message: "Initial commit",
    files: input.files ?? {},
  });
  repo.branches.set(repo.defaultBranch, initial.sha);
  return repo;
}

export interface CommitInput {
  readonly parents: readonly string[];
  readonly message: string;
  /** Changes on top of the first parent's files: content to write, or null to delete. */
  readonly files?: Readonly<Record<string, string | null>>;
  readonly author?: UserRecord;
  /**
   * The commit's sha, when it mirrors a real git commit (a local clone's push shown on the stand-in,
   * so that evidence naming git's sha finds it here). Default: one assigned by the stand-in.
   */
  readonly sha?: string;
}

/** Adds a commit object (no branch moves). Parents must exist in the repository. */
export function addCommit(world: WorldState, repo: RepositoryRecord, input: CommitInput): CommitRecord {
  for (const parent of input.parents) {
    if (!repo.commits.has(parent)) throw new Error(`stand-in world: unknown parent commit ${parent}`);
  }
  if (input.sha !== undefined) {
    if (!/^[0-9a-f]{40}$/.test(input.sha))
      throw new Error(`stand-in world: ${input.sha} is not a 40-hex sha`);
    if (repo.commits.has(input.sha)) throw new Error(`stand-in world: commit ${input.sha} already exists`);
  }
  const firstParent = input.parents[0];
  const files = new Map(firstParent ? repo.commits.get(firstParent)?.files : undefined);
  for (const [path, content] of Object.entries(input.files ?? {})) {
    if (content === null) files.delete(path);
    else files.set(path, content);
  }
  const now = world.now();
  const login = input.author?.login ?? "octocat";
  const identity: GitIdentity = {
    name: input.author?.name ?? login,
    email: `${login}@users.noreply.github.com`,
    date: now,
  };
  const snapshot = hashSnapshot(files);
  const commit: CommitRecord = {
    sha: input.sha ?? world.ids.uniqueSha("commit", snapshot.root, input.message, ...input.parents),
    treeSha: snapshot.root,
    message: input.message,
    parents: [...input.parents],
    author: identity,
    committer: identity,
    authorLogin: input.author?.login ?? null,
    files,
    blobShas: snapshot.blobs,
    treeShas: snapshot.trees,
    seq: world.ids.seq(),
  };
  repo.commits.set(commit.sha, commit);
  return commit;
}

/** Points a branch at a commit (creating the branch if needed); returns the previous head or null. */
export function setBranch(repo: RepositoryRecord, branch: string, sha: string): string | null {
  if (!repo.commits.has(sha)) throw new Error(`stand-in world: unknown commit ${sha}`);
  const before = repo.branches.get(branch) ?? null;
  repo.branches.set(branch, sha);
  return before;
}

/**
 * Resolves a ref like GitHub does for `commits/{ref}`: a branch name, `refs/heads/x`, a full sha,
 * or an unambiguous sha prefix of at least 7 characters.
 */
export function resolveRef(repo: RepositoryRecord, ref: string): CommitRecord | undefined {
  const branch = repo.branches.get(ref.replace(/^refs\/heads\//, "")) ?? repo.branches.get(ref);
  if (branch) return repo.commits.get(branch);
  const exact = repo.commits.get(ref.toLowerCase());
  if (exact) return exact;
  if (/^[0-9a-f]{7,39}$/i.test(ref)) {
    const matches = [...repo.commits.values()].filter((commit) => commit.sha.startsWith(ref.toLowerCase()));
    if (matches.length === 1) return matches[0];
  }
  return undefined;
}

/** Reads a file at a ref (the default branch when ref is undefined). */
export function readFile(
  repo: RepositoryRecord,
  path: string,
  ref: string | undefined,
): Result<{ commit: CommitRecord; path: string; content: string }> {
  const commit = resolveRef(repo, ref ?? repo.defaultBranch);
  if (!commit) return invalid("Commit", "ref", "invalid", `No commit found for the ref ${ref}`);
  const clean = path.replace(/^\/+|\/+$/g, "");
  const content = commit.files.get(clean);
  if (content === undefined) return notFound("file");
  return ok({ commit, path: clean, content });
}

/** Files and folders directly inside `dir` at a commit, for directory listings. */
export function listDirectory(
  commit: CommitRecord,
  dir: string,
): { name: string; path: string; type: "file" | "dir" }[] {
  const prefix = dir === "" ? "" : `${dir.replace(/\/+$/, "")}/`;
  const entries = new Map<string, "file" | "dir">();
  for (const path of commit.files.keys()) {
    if (!path.startsWith(prefix)) continue;
    const rest = path.slice(prefix.length);
    const [first, ...more] = rest.split("/");
    if (first) entries.set(first, more.length > 0 ? "dir" : "file");
  }
  return [...entries]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, type]) => ({ name, path: `${prefix}${name}`, type }));
}

/** The user's role on the repository: the owner is admin, collaborators have their role, others none. */
export function permissionOf(repo: RepositoryRecord, user: UserRecord): Permission {
  if (user.id === repo.ownerId) return "admin";
  return repo.permissions.get(user.id) ?? "none";
}

/** Whether `sha` is reachable from the tip of `branch`. */
export function isOnBranch(repo: RepositoryRecord, sha: string, branch: string): boolean {
  const tip = repo.branches.get(branch);
  return tip !== undefined && ancestors(repo.commits, tip).has(sha);
}

/** Branch names whose tip is exactly `sha` (GitHub's `branches` in status events). */
export function branchesAt(repo: RepositoryRecord, sha: string): string[] {
  return [...repo.branches].filter(([, tip]) => tip === sha).map(([name]) => name);
}
