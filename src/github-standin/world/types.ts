/**
 * Records held by the stand-in's world. They are plain data: the presenters turn them into
 * GitHub's JSON shapes, the world functions create and change them. Times are epoch milliseconds.
 */

/** Repository roles, strongest first; `none` means no access. */
export const PERMISSIONS = ["admin", "maintain", "write", "triage", "read", "none"] as const;
export type Permission = (typeof PERMISSIONS)[number];

export type AccountType = "User" | "Bot" | "Organization";

export interface UserRecord {
  readonly id: number;
  readonly login: string;
  readonly type: AccountType;
  readonly name: string | null;
  readonly email: string | null;
  readonly siteAdmin: boolean;
}

export interface GitIdentity {
  readonly name: string;
  readonly email: string;
  readonly date: number;
}

export interface CommitRecord {
  /** Assigned once when the commit is created (content + creation order, so never reused). */
  readonly sha: string;
  /** git's id of the root tree: derived from the files, so equal snapshots have equal trees. */
  readonly treeSha: string;
  readonly message: string;
  readonly parents: readonly string[];
  readonly author: GitIdentity;
  readonly committer: GitIdentity;
  /** GitHub account of the author, when the e-mail belongs to one. */
  readonly authorLogin: string | null;
  /** Full snapshot of the files at this commit (path → UTF-8 content). */
  readonly files: ReadonlyMap<string, string>;
  /** git's blob id of each file (path → sha1 of `blob <len>\0<content>`). */
  readonly blobShas: ReadonlyMap<string, string>;
  /** git's tree id of each folder (path without slashes, `""` for the root → tree id). */
  readonly treeShas: ReadonlyMap<string, string>;
  /** Creation order, used to list commits oldest first. */
  readonly seq: number;
}

export interface LabelRecord {
  readonly id: number;
  name: string;
  color: string;
  description: string | null;
  readonly isDefault: boolean;
}

export const REACTION_CONTENTS = [
  "+1",
  "-1",
  "laugh",
  "confused",
  "heart",
  "hooray",
  "rocket",
  "eyes",
] as const;
export type ReactionContent = (typeof REACTION_CONTENTS)[number];

export interface ReactionRecord {
  readonly id: number;
  readonly userId: number;
  readonly content: ReactionContent;
  readonly createdAt: number;
}

export interface CommentRecord {
  readonly id: number;
  readonly issueNumber: number;
  readonly userId: number;
  body: string;
  readonly createdAt: number;
  updatedAt: number;
  /** The app that wrote the comment through an installation token, if any. */
  readonly viaAppId: number | null;
  readonly reactions: ReactionRecord[];
}

export interface PullRequestInfo {
  readonly headRef: string;
  headSha: string;
  readonly baseRef: string;
  /** Base branch head when the pull request was opened: its commits are head's ancestors minus this one's. */
  readonly baseShaAtOpen: string;
  draft: boolean;
  merged: boolean;
  mergedAt: number | null;
  mergedById: number | null;
  mergeCommitSha: string | null;
}

export interface IssueRecord {
  readonly id: number;
  readonly number: number;
  title: string;
  body: string | null;
  state: "open" | "closed";
  stateReason: "completed" | "not_planned" | "reopened" | null;
  readonly userId: number;
  /** Label ids, in the order they were added. */
  labelIds: number[];
  assigneeIds: number[];
  locked: boolean;
  readonly createdAt: number;
  updatedAt: number;
  closedAt: number | null;
  closedById: number | null;
  readonly viaAppId: number | null;
  /** Present when the issue is a pull request (they share numbers, as on GitHub). */
  readonly pull: PullRequestInfo | null;
}

export type CheckStatus = "queued" | "in_progress" | "completed";
export const CHECK_CONCLUSIONS = [
  "success",
  "failure",
  "neutral",
  "cancelled",
  "skipped",
  "timed_out",
  "action_required",
] as const;
export type CheckConclusion = (typeof CHECK_CONCLUSIONS)[number];

export interface CheckOutput {
  title: string | null;
  summary: string | null;
  text: string | null;
}

export interface CheckSuiteRecord {
  readonly id: number;
  readonly appId: number;
  readonly headSha: string;
  readonly headBranch: string | null;
  readonly createdAt: number;
}

export interface CheckRunRecord {
  readonly id: number;
  readonly appId: number;
  readonly checkSuiteId: number;
  readonly headSha: string;
  name: string;
  status: CheckStatus;
  conclusion: CheckConclusion | null;
  startedAt: number | null;
  completedAt: number | null;
  externalId: string | null;
  detailsUrl: string | null;
  output: CheckOutput;
}

export type CommitState = "error" | "failure" | "pending" | "success";

export interface StatusRecord {
  readonly id: number;
  readonly sha: string;
  readonly state: CommitState;
  readonly context: string;
  readonly description: string | null;
  readonly targetUrl: string | null;
  readonly creatorId: number;
  readonly createdAt: number;
}

export const DEPLOYMENT_STATES = [
  "error",
  "failure",
  "inactive",
  "in_progress",
  "queued",
  "pending",
  "success",
] as const;
export type DeploymentState = (typeof DEPLOYMENT_STATES)[number];

export interface DeploymentStatusRecord {
  readonly id: number;
  readonly deploymentId: number;
  readonly state: DeploymentState;
  readonly description: string;
  readonly environment: string;
  readonly targetUrl: string;
  readonly logUrl: string;
  readonly environmentUrl: string;
  readonly creatorId: number;
  readonly createdAt: number;
  readonly viaAppId: number | null;
}

export interface DeploymentRecord {
  readonly id: number;
  readonly sha: string;
  readonly ref: string;
  readonly task: string;
  readonly environment: string;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly description: string | null;
  readonly creatorId: number;
  readonly createdAt: number;
  updatedAt: number;
  readonly transientEnvironment: boolean;
  readonly productionEnvironment: boolean;
  readonly viaAppId: number | null;
  readonly statuses: DeploymentStatusRecord[];
}

export interface WorkflowRecord {
  readonly id: number;
  readonly name: string;
  /** e.g. `.github/workflows/agent.yml`; the file name also identifies it in the API. */
  readonly path: string;
  readonly createdAt: number;
}

export type WorkflowRunStatus = "queued" | "in_progress" | "completed" | "waiting" | "requested" | "pending";
export type WorkflowRunConclusion =
  | "success"
  | "failure"
  | "neutral"
  | "cancelled"
  | "skipped"
  | "timed_out"
  | "action_required"
  | "stale";

export interface WorkflowRunRecord {
  readonly id: number;
  readonly workflowId: number;
  readonly runNumber: number;
  readonly event: string;
  readonly headBranch: string;
  readonly headSha: string;
  readonly actorId: number;
  readonly inputs: Readonly<Record<string, unknown>>;
  status: WorkflowRunStatus;
  conclusion: WorkflowRunConclusion | null;
  readonly createdAt: number;
  updatedAt: number;
  runStartedAt: number;
  readonly checkSuiteId: number;
}

export type WorkflowJobStatus = "queued" | "in_progress" | "completed";

/** One job of a workflow run (GitHub's "Job"); `requestToken` is its `ACTIONS_ID_TOKEN_REQUEST_TOKEN`. */
export interface WorkflowJobRecord {
  readonly id: number;
  readonly runId: number;
  readonly repositoryId: number;
  readonly name: string;
  /** `owner/name/path@ref` of the workflow file the job's steps come from (a reusable workflow's, when called). */
  readonly jobWorkflowRef: string;
  /** Null when the job lacks `permissions: id-token: write`. */
  readonly requestToken: string | null;
  status: WorkflowJobStatus;
  conclusion: WorkflowRunConclusion | null;
  readonly createdAt: number;
  startedAt: number;
  completedAt: number | null;
}

export interface RepositoryRecord {
  readonly id: number;
  readonly ownerId: number;
  readonly name: string;
  readonly private: boolean;
  defaultBranch: string;
  readonly description: string | null;
  readonly createdAt: number;
  pushedAt: number;
  updatedAt: number;
  readonly branches: Map<string, string>;
  readonly commits: Map<string, CommitRecord>;
  /** Explicit roles by user id; the owner account is implicitly admin. */
  readonly permissions: Map<number, Permission>;
  readonly labels: Map<number, LabelRecord>;
  /** Issues and pull requests by number. */
  readonly issues: Map<number, IssueRecord>;
  readonly comments: Map<number, CommentRecord>;
  readonly checkSuites: Map<number, CheckSuiteRecord>;
  readonly checkRuns: Map<number, CheckRunRecord>;
  readonly statuses: StatusRecord[];
  readonly deployments: Map<number, DeploymentRecord>;
  readonly workflows: Map<number, WorkflowRecord>;
  readonly workflowRuns: Map<number, WorkflowRunRecord>;
  nextIssueNumber: number;
}

/** Repository-scoped permissions as GitHub Apps declare them. */
export type AppPermissionLevel = "read" | "write" | "admin";
export type AppPermissions = Readonly<Record<string, AppPermissionLevel>>;

export interface AppRecord {
  readonly id: number;
  readonly slug: string;
  readonly name: string;
  readonly clientId: string;
  readonly ownerId: number;
  readonly description: string | null;
  readonly createdAt: number;
  readonly permissions: AppPermissions;
  readonly events: readonly string[];
  /** PEM public key used to verify the app's JWTs; null for apps that only act in the world. */
  readonly publicKey: string | null;
}

export interface InstallationRecord {
  readonly id: number;
  readonly appId: number;
  readonly accountId: number;
  /** `all` or the ids of the selected repositories. */
  readonly repositories: "all" | ReadonlySet<number>;
  readonly permissions: AppPermissions;
  readonly events: readonly string[];
  readonly createdAt: number;
}

export interface InstallationTokenRecord {
  readonly token: string;
  readonly installationId: number;
  readonly expiresAt: number;
  readonly permissions: AppPermissions;
  /** Restriction chosen at creation, or null for every repository of the installation. */
  readonly repositoryIds: ReadonlySet<number> | null;
}
