import { presentInstallationLite } from "../presenters/apps.js";
import { presentCheckRunForWebhook } from "../presenters/check-runs.js";
import { presentComment } from "../presenters/comments.js";
import { presentCommit } from "../presenters/commits.js";
import { presentDeployment, presentDeploymentStatus } from "../presenters/deployments.js";
import { presentIssue, presentLabel } from "../presenters/issues.js";
import { presentPull } from "../presenters/pulls.js";
import { presentRepository, repoApiUrl, repoHtmlUrl } from "../presenters/repositories.js";
import { presentOrganization, presentUser } from "../presenters/users.js";
import type { JsonObject, View } from "../presenters/view.js";
import { presentWorkflowJob } from "../presenters/workflow-jobs.js";
import { presentWorkflow, presentWorkflowRun } from "../presenters/workflows.js";
import { isoTime } from "../world/clock.js";
import { compare } from "../world/commit-graph.js";
import type { WorldEvent } from "../world/events.js";
import { isPull } from "../world/pulls.js";
import type { CommitRecord, InstallationRecord, RepositoryRecord } from "../world/types.js";

/** A webhook ready to send: GitHub's event name (`X-GitHub-Event`), its action, and the payload. */
export interface WebhookEvent {
  readonly event: string;
  readonly action: string | null;
  readonly payload: JsonObject;
  readonly repositoryId: number;
}

/**
 * Renders a world event as the webhook GitHub would send to an installation. The payload is built
 * at once, so it shows the world as it was when the event happened.
 */
export function buildWebhook(
  view: View,
  event: WorldEvent,
  installation: InstallationRecord,
): WebhookEvent | null {
  const repo = view.world.repositories.get(event.repositoryId);
  if (!repo) return null;
  const owner = view.world.requireUser(repo.ownerId);
  const common: JsonObject = {
    repository: presentRepository(view, repo),
    sender: presentUser(view, view.world.requireUser(event.senderId)),
    installation: presentInstallationLite(installation),
  };
  // GitHub adds the organization to events in repositories an organization owns.
  if (owner.type === "Organization") common.organization = presentOrganization(view, owner);
  const make = (name: string, action: string | null, body: JsonObject): WebhookEvent => ({
    event: name,
    action,
    payload: action === null ? { ...body, ...common } : { action, ...body, ...common },
    repositoryId: repo.id,
  });
  switch (event.kind) {
    case "issues": {
      const issue = repo.issues.get(event.issueNumber);
      if (!issue) return null;
      const body: JsonObject = { issue: presentIssue(view, repo, issue) };
      const label = event.labelId === undefined ? undefined : repo.labels.get(event.labelId);
      if (label) body.label = presentLabel(view, repo, label);
      if (event.changes) body.changes = event.changes;
      return make("issues", event.action, body);
    }
    case "issue_comment": {
      const issue = repo.issues.get(event.issueNumber);
      const comment = repo.comments.get(event.commentId);
      if (!issue || !comment) return null;
      const body: JsonObject = {
        issue: presentIssue(view, repo, issue),
        comment: presentComment(view, repo, comment),
      };
      if (event.changes) body.changes = event.changes;
      return make("issue_comment", event.action, body);
    }
    case "label": {
      const label = repo.labels.get(event.labelId);
      return label ? make("label", event.action, { label: presentLabel(view, repo, label) }) : null;
    }
    case "check_run": {
      const run = repo.checkRuns.get(event.checkRunId);
      return run
        ? make("check_run", event.action, { check_run: presentCheckRunForWebhook(view, repo, run) })
        : null;
    }
    case "status":
      return statusWebhook(view, repo, event.statusId, make);
    case "deployment": {
      const deployment = repo.deployments.get(event.deploymentId);
      if (!deployment) return null;
      return make("deployment", event.action, {
        deployment: presentDeployment(view, repo, deployment),
        workflow: null,
        workflow_run: null,
      });
    }
    case "deployment_status": {
      const deployment = repo.deployments.get(event.deploymentId);
      const status = deployment?.statuses.find((s) => s.id === event.statusId);
      if (!deployment || !status) return null;
      return make("deployment_status", event.action, {
        deployment_status: presentDeploymentStatus(view, repo, deployment, status),
        deployment: presentDeployment(view, repo, deployment),
      });
    }
    case "pull_request": {
      const pull = repo.issues.get(event.number);
      if (!pull || !isPull(pull)) return null;
      return make("pull_request", event.action, {
        number: pull.number,
        pull_request: presentPull(view, repo, pull),
      });
    }
    case "push":
      return pushWebhook(view, repo, event, make);
    case "workflow_run": {
      const run = repo.workflowRuns.get(event.runId);
      const workflow = run ? repo.workflows.get(run.workflowId) : undefined;
      if (!run || !workflow) return null;
      return make("workflow_run", event.action, {
        workflow: presentWorkflow(view, repo, workflow),
        workflow_run: presentWorkflowRun(view, repo, run),
      });
    }
    case "workflow_job": {
      const job = view.world.workflowJobs.get(event.jobId);
      return job
        ? make("workflow_job", event.action, { workflow_job: presentWorkflowJob(view, repo, job) })
        : null;
    }
  }
}

type Make = (name: string, action: string | null, body: JsonObject) => WebhookEvent;

function statusWebhook(
  view: View,
  repo: RepositoryRecord,
  statusId: number,
  make: Make,
): WebhookEvent | null {
  const status = repo.statuses.find((s) => s.id === statusId);
  const commit = status ? repo.commits.get(status.sha) : undefined;
  if (!status || !commit) return null;
  const presented = presentCommit(view, repo, commit);
  // The status event's commit verification has no `verified_at` (its schema forbids extra keys).
  const { verified_at: _omitted, ...verification } = (presented.commit as { verification: JsonObject })
    .verification;
  const branches = [...repo.branches]
    .filter(([, tip]) => tip === status.sha)
    .slice(0, 10)
    .map(([name, tip]) => ({
      name,
      commit: { sha: tip, url: `${repoApiUrl(view, repo)}/commits/${tip}` },
      protected: false,
    }));
  return make("status", null, {
    id: status.id,
    sha: status.sha,
    name: view.world.fullName(repo),
    target_url: status.targetUrl,
    context: status.context,
    description: status.description,
    state: status.state,
    commit: {
      sha: presented.sha ?? commit.sha,
      node_id: presented.node_id ?? "",
      commit: { ...(presented.commit as JsonObject), verification },
      url: presented.url ?? "",
      html_url: presented.html_url ?? "",
      comments_url: presented.comments_url ?? "",
      author: presented.author ?? null,
      committer: presented.committer ?? null,
      parents: presented.parents ?? [],
    },
    branches,
    created_at: isoTime(status.createdAt),
    updated_at: isoTime(status.createdAt),
  });
}

function pushCommit(view: View, repo: RepositoryRecord, commit: CommitRecord): JsonObject {
  const parent = commit.parents[0] ? repo.commits.get(commit.parents[0]) : undefined;
  const before = parent?.files ?? new Map<string, string>();
  const paths = new Set([...before.keys(), ...commit.files.keys()]);
  const added: string[] = [];
  const removed: string[] = [];
  const modified: string[] = [];
  for (const path of [...paths].sort()) {
    const old = before.get(path);
    const now = commit.files.get(path);
    if (old === undefined) added.push(path);
    else if (now === undefined) removed.push(path);
    else if (old !== now) modified.push(path);
  }
  const identity = (who: CommitRecord["author"]) => ({
    name: who.name,
    email: who.email,
    date: isoTime(who.date),
  });
  return {
    id: commit.sha,
    tree_id: commit.treeSha,
    distinct: true,
    message: commit.message,
    timestamp: isoTime(commit.committer.date),
    url: `${repoHtmlUrl(view, repo)}/commit/${commit.sha}`,
    author: identity(commit.author),
    committer: identity(commit.committer),
    added,
    removed,
    modified,
  };
}

function pushWebhook(
  view: View,
  repo: RepositoryRecord,
  event: Extract<WorldEvent, { kind: "push" }>,
  make: Make,
): WebhookEvent | null {
  const after = repo.commits.get(event.after);
  if (!after) return null;
  const pushed = compare(repo.commits, event.before, event.after).commits.flatMap((sha) => {
    const commit = repo.commits.get(sha);
    return commit ? [pushCommit(view, repo, commit)] : [];
  });
  const pusher = view.world.requireUser(event.senderId);
  return make("push", null, {
    ref: event.ref,
    before: event.before,
    after: event.after,
    created: false,
    deleted: false,
    forced: false,
    base_ref: null,
    compare: `${repoHtmlUrl(view, repo)}/compare/${event.before.slice(0, 12)}...${event.after.slice(0, 12)}`,
    commits: pushed.slice(-20),
    head_commit: pushCommit(view, repo, after),
    pusher: { name: pusher.login, email: pusher.email ?? `${pusher.login}@users.noreply.github.com` },
  });
}
