import { setBranchProtected } from "../world/branch-protection.js";
import type { Actor } from "../world/actor.js";
import { type AppInput, appActor, createApp, findApp, installApp } from "../world/apps.js";
import {
  type CheckRunInput,
  checkRunsFor,
  createCheckRun,
  findCheckRun,
  updateCheckRun,
} from "../world/checks.js";
import { commentsOf, createComment, editComment, findComment } from "../world/comments.js";
import {
  createDeployment,
  createDeploymentStatus,
  type DeploymentInput,
  type DeploymentStatusInput,
  findDeployment,
} from "../world/deployments.js";
import { addIssueLabels, findIssue, openIssue, removeIssueLabel, updateIssue } from "../world/issues.js";
import { closePull, findPull, mergePull, openPull, type PullRequest } from "../world/pulls.js";
import {
  addCommit,
  createRepository,
  type RepositoryInput,
  resolveRef,
  setBranch,
} from "../world/repositories.js";
import type { Result } from "../world/results.js";
import { createStatus, type StatusInput } from "../world/statuses.js";
import type {
  AppRecord,
  CheckConclusion,
  CheckRunRecord,
  CommentRecord,
  CommitRecord,
  DeploymentRecord,
  DeploymentStatusRecord,
  InstallationRecord,
  IssueRecord,
  Permission,
  RepositoryRecord,
  StatusRecord,
  UserRecord,
  WorkflowRecord,
  WorkflowRunConclusion,
  WorkflowRunRecord,
  WorkflowRunStatus,
} from "../world/types.js";
import { ensureUser, type UserInput } from "../world/users.js";
import { addWorkflow, findWorkflow, setWorkflowRunStatus, startWorkflowRun } from "../world/workflows.js";
import type { WorldState } from "../world/world-state.js";

/** A repository by record or by `owner/name`. */
export type RepoRef = RepositoryRecord | string;
/** An app by record, id or slug. */
export type AppRef = AppRecord | number | string;

function must<T>(result: Result<T>, what: string): T {
  if (result.ok) return result.value;
  const detail =
    result.reason === "not_found"
      ? `${result.what} not found`
      : result.reason === "invalid"
        ? `${result.field}: ${result.message ?? result.code}`
        : result.message;
  throw new Error(`stand-in arrange: ${what}: ${detail}`);
}

/**
 * The test-facing way to build and change the world: plain method calls, no HTTP. Changes made
 * here are changes "by someone on GitHub" (a person, or another app such as CI), so they emit the
 * same webhooks as on GitHub. Mistakes in arranging throw at once with what was wrong.
 */
export class Arrange {
  constructor(
    readonly state: WorldState,
    /** The app under test (Mission Control); new repositories get it installed unless told not to. */
    readonly mainApp: AppRecord,
  ) {}

  user(login: string, input: Omit<UserInput, "login"> = {}): UserRecord {
    return ensureUser(this.state, { ...input, login });
  }

  repository(
    input: RepositoryInput & {
      readonly collaborators?: Readonly<Record<string, Permission>>;
      readonly installApp?: boolean;
    },
  ): RepositoryRecord {
    const repo = createRepository(this.state, input);
    for (const [login, permission] of Object.entries(input.collaborators ?? {}))
      this.permission(repo, login, permission);
    if (input.installApp !== false)
      installApp(this.state, this.mainApp, { account: input.owner, repositories: [repo] });
    return repo;
  }

  repo(ref: RepoRef): RepositoryRecord {
    if (typeof ref !== "string") return ref;
    const [owner, name] = ref.split("/");
    const repo = this.state.repositoryByName(owner ?? "", name ?? "");
    if (!repo) throw new Error(`stand-in arrange: no repository ${ref}`);
    return repo;
  }

  permission(repo: RepoRef, login: string, permission: Permission): UserRecord {
    const user = this.user(login);
    this.repo(repo).permissions.set(user.id, permission);
    return user;
  }

  /**
   * Adds a commit. With `branch`, its parent defaults to the branch tip, the branch moves to it and
   * a `push` webhook is sent; without, it is a loose commit with the given parents.
   */
  commit(
    repoRef: RepoRef,
    input: {
      readonly branch?: string;
      readonly parents?: readonly string[];
      readonly message?: string;
      readonly files?: Readonly<Record<string, string | null>>;
      readonly author?: string;
      /** A real git commit's sha to show this commit under (default: the stand-in assigns one). */
      readonly sha?: string;
    } = {},
  ): CommitRecord {
    const repo = this.repo(repoRef);
    const tip = input.branch ? repo.branches.get(input.branch) : undefined;
    const parents = input.parents ?? (tip ? [tip] : [repo.branches.get(repo.defaultBranch) ?? ""]);
    const author = this.user(input.author ?? "octocat");
    const commit = addCommit(this.state, repo, {
      parents,
      message: input.message ?? "Change",
      ...(input.files ? { files: input.files } : {}),
      ...(input.sha ? { sha: input.sha } : {}),
      author,
    });
    if (input.branch) {
      const before = setBranch(repo, input.branch, commit.sha);
      repo.pushedAt = this.state.now();
      this.state.emit({
        kind: "push",
        repositoryId: repo.id,
        ref: `refs/heads/${input.branch}`,
        before: before ?? "0".repeat(40),
        after: commit.sha,
        senderId: author.id,
      });
    }
    return commit;
  }

  /** Creates (or moves) a branch at a commit, branch or the default branch's tip. */
  branch(repoRef: RepoRef, name: string, from?: string): string {
    const repo = this.repo(repoRef);
    const commit = resolveRef(repo, from ?? repo.defaultBranch);
    if (!commit) throw new Error(`stand-in arrange: no commit for ${from}`);
    setBranch(repo, name, commit.sha);
    return commit.sha;
  }

  /** Turns branch protection of a branch (default: the default branch) on or off. */
  protectBranch(repoRef: RepoRef, on = true, branch?: string): void {
    const repo = this.repo(repoRef);
    setBranchProtected(repo, branch ?? repo.defaultBranch, on);
  }

  /** Writes files on a branch (default: the default branch) as a new commit. */
  files(repoRef: RepoRef, files: Readonly<Record<string, string | null>>, branch?: string): CommitRecord {
    const repo = this.repo(repoRef);
    return this.commit(repo, {
      branch: branch ?? repo.defaultBranch,
      files,
      message: `Update ${Object.keys(files).join(", ")}`,
    });
  }

  app(input: AppInput): AppRecord {
    return createApp(this.state, input);
  }

  installation(
    app: AppRef,
    input: { readonly account: string; readonly repositories?: "all" | readonly RepoRef[] },
  ): InstallationRecord {
    const repositories =
      input.repositories === undefined || input.repositories === "all"
        ? "all"
        : input.repositories.map((r) => this.repo(r));
    return installApp(this.state, this.#app(app), { account: input.account, repositories });
  }

  issue(
    repo: RepoRef,
    input: {
      readonly title: string;
      readonly body?: string;
      readonly labels?: readonly string[];
      readonly author?: string;
    },
  ): IssueRecord {
    return openIssue(this.state, this.repo(repo), input, this.#person(input.author));
  }

  comment(
    repo: RepoRef,
    issueNumber: number,
    input: { readonly body: string; readonly author?: string },
  ): CommentRecord {
    const r = this.repo(repo);
    return createComment(
      this.state,
      r,
      must(findIssue(r, issueNumber), "comment"),
      input.body,
      this.#person(input.author),
    );
  }

  editComment(
    repo: RepoRef,
    commentId: number,
    input: { readonly body: string; readonly author?: string },
  ): CommentRecord {
    const r = this.repo(repo);
    return editComment(
      this.state,
      r,
      must(findComment(r, commentId), "edit comment"),
      input.body,
      this.#person(input.author),
    );
  }

  closeIssue(repo: RepoRef, issueNumber: number, by?: string): IssueRecord {
    const r = this.repo(repo);
    return updateIssue(
      this.state,
      r,
      must(findIssue(r, issueNumber), "close issue"),
      { state: "closed" },
      this.#person(by),
    );
  }

  reopenIssue(repo: RepoRef, issueNumber: number, by?: string): IssueRecord {
    const r = this.repo(repo);
    return updateIssue(
      this.state,
      r,
      must(findIssue(r, issueNumber), "reopen issue"),
      { state: "open" },
      this.#person(by),
    );
  }

  labelIssue(repo: RepoRef, issueNumber: number, labels: readonly string[], by?: string): IssueRecord {
    const r = this.repo(repo);
    const issue = must(findIssue(r, issueNumber), "label issue");
    addIssueLabels(this.state, r, issue, labels, this.#person(by));
    return issue;
  }

  unlabelIssue(repo: RepoRef, issueNumber: number, label: string, by?: string): IssueRecord {
    const r = this.repo(repo);
    const issue = must(findIssue(r, issueNumber), "unlabel issue");
    must(removeIssueLabel(this.state, r, issue, label, this.#person(by)), "unlabel issue");
    return issue;
  }

  /** Opens a pull request from `head`; `merged: true` merges it at once (merge commit on base). */
  pullRequest(
    repo: RepoRef,
    input: {
      readonly head: string;
      readonly base?: string;
      readonly title?: string;
      readonly body?: string;
      readonly author?: string;
      readonly merged?: boolean;
      readonly draft?: boolean;
    },
  ): PullRequest {
    const r = this.repo(repo);
    const actor = this.#person(input.author);
    const pull = must(
      openPull(
        this.state,
        r,
        {
          head: input.head,
          title: input.title ?? `Merge ${input.head}`,
          ...(input.base ? { base: input.base } : {}),
          ...(input.body ? { body: input.body } : {}),
          ...(input.draft ? { draft: true } : {}),
        },
        actor,
      ),
      "pull request",
    );
    return input.merged ? must(mergePull(this.state, r, pull, actor), "merge") : pull;
  }

  mergePullRequest(repo: RepoRef, number: number, by?: string): PullRequest {
    const r = this.repo(repo);
    return must(mergePull(this.state, r, must(findPull(r, number), "merge"), this.#person(by)), "merge");
  }

  closePullRequest(repo: RepoRef, number: number, by?: string): PullRequest {
    const r = this.repo(repo);
    return closePull(this.state, r, must(findPull(r, number), "close pull request"), this.#person(by));
  }

  /** A check run by another app (e.g. CI); it must exist (see `app`). */
  checkRun(repo: RepoRef, input: CheckRunInput & { readonly app: AppRef }): CheckRunRecord {
    const app = this.#app(input.app);
    return must(
      createCheckRun(this.state, this.repo(repo), app.id, input, appActor(this.state, app)),
      "check run",
    );
  }

  completeCheckRun(repo: RepoRef, checkRunId: number, conclusion: CheckConclusion): CheckRunRecord {
    const r = this.repo(repo);
    const run = must(findCheckRun(r, checkRunId), "complete check run");
    const app = this.#app(run.appId);
    return must(
      updateCheckRun(this.state, r, run, { status: "completed", conclusion }, appActor(this.state, app)),
      "complete check run",
    );
  }

  status(repo: RepoRef, input: StatusInput & { readonly creator?: string }): StatusRecord {
    return must(createStatus(this.state, this.repo(repo), input, this.#person(input.creator)), "status");
  }

  deployment(repo: RepoRef, input: DeploymentInput & { readonly creator?: string }): DeploymentRecord {
    return must(
      createDeployment(this.state, this.repo(repo), input, this.#person(input.creator)),
      "deployment",
    );
  }

  deploymentStatus(
    repo: RepoRef,
    deploymentId: number,
    input: DeploymentStatusInput & { readonly creator?: string },
  ): DeploymentStatusRecord {
    const r = this.repo(repo);
    return createDeploymentStatus(
      this.state,
      r,
      must(findDeployment(r, deploymentId), "deployment status"),
      input,
      this.#person(input.creator),
    );
  }

  workflow(repo: RepoRef, input: { readonly path: string; readonly name?: string }): WorkflowRecord {
    return addWorkflow(this.state, this.repo(repo), input);
  }

  workflowRun(
    repo: RepoRef,
    workflow: string | number,
    input: {
      readonly ref?: string;
      readonly event?: string;
      readonly status?: WorkflowRunStatus;
      readonly conclusion?: WorkflowRunConclusion | null;
      readonly actor?: string;
      readonly inputs?: Readonly<Record<string, unknown>>;
    } = {},
  ): WorkflowRunRecord {
    const r = this.repo(repo);
    const found = must(findWorkflow(r, String(workflow)), "workflow run");
    const { actor, ref, ...rest } = input;
    return must(
      startWorkflowRun(this.state, r, found, { ...rest, ref: ref ?? r.defaultBranch }, this.#person(actor)),
      "workflow run",
    );
  }

  updateWorkflowRun(
    repo: RepoRef,
    runId: number,
    status: "in_progress" | "completed",
    conclusion: WorkflowRunConclusion | null = null,
    actor?: string,
  ): WorkflowRunRecord {
    const r = this.repo(repo);
    const run = r.workflowRuns.get(runId);
    if (!run) throw new Error(`stand-in arrange: no workflow run ${runId}`);
    return setWorkflowRunStatus(this.state, r, run, status, conclusion, this.#person(actor));
  }

  // Reading the world back (for assertions on what the code under test did).

  issueOf(repo: RepoRef, number: number): IssueRecord {
    return must(findIssue(this.repo(repo), number), "issue");
  }

  commentsOf(repo: RepoRef, issueNumber: number): CommentRecord[] {
    return commentsOf(this.repo(repo), issueNumber);
  }

  labelsOf(repo: RepoRef, issueNumber: number): string[] {
    const r = this.repo(repo);
    return this.issueOf(r, issueNumber).labelIds.flatMap((id) => r.labels.get(id)?.name ?? []);
  }

  checkRunsOf(repo: RepoRef, sha: string): CheckRunRecord[] {
    return checkRunsFor(this.repo(repo), sha, { latestOnly: false });
  }

  #person(login: string | undefined): Actor {
    return { user: this.user(login ?? "octocat"), viaAppId: null };
  }

  #app(ref: AppRef): AppRecord {
    if (typeof ref === "object") return ref;
    const app = findApp(this.state, ref);
    if (!app) throw new Error(`stand-in arrange: no app ${ref} (add it with app({ slug }))`);
    return app;
  }
}
