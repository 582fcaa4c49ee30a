import type { Actor } from "./actor.js";
import { resolveRef } from "./repositories.js";
import { invalid, notFound, ok, type Result } from "./results.js";
import type { DeploymentRecord, DeploymentState, DeploymentStatusRecord, RepositoryRecord } from "./types.js";
import type { WorldState } from "./world-state.js";

export interface DeploymentInput {
  /** A branch, tag or sha; the deployment records the sha it resolves to. */
  readonly ref: string;
  readonly task?: string;
  readonly environment?: string;
  readonly payload?: Readonly<Record<string, unknown>>;
  readonly description?: string | null;
  readonly transientEnvironment?: boolean;
  readonly productionEnvironment?: boolean;
}

/** Creates a deployment of a ref and emits `deployment.created`. */
export function createDeployment(
  world: WorldState,
  repo: RepositoryRecord,
  input: DeploymentInput,
  actor: Actor,
): Result<DeploymentRecord> {
  const commit = resolveRef(repo, input.ref);
  if (!commit) return invalid("Deployment", "ref", "invalid", `No ref found for: ${input.ref}`);
  const environment = input.environment ?? "production";
  const now = world.now();
  const deployment: DeploymentRecord = {
    id: world.ids.id(),
    sha: commit.sha,
    ref: input.ref,
    task: input.task ?? "deploy",
    environment,
    payload: input.payload ?? {},
    description: input.description ?? null,
    creatorId: actor.user.id,
    createdAt: now,
    updatedAt: now,
    transientEnvironment: input.transientEnvironment ?? false,
    productionEnvironment: input.productionEnvironment ?? environment === "production",
    viaAppId: actor.viaAppId,
    statuses: [],
  };
  repo.deployments.set(deployment.id, deployment);
  world.emit({
    kind: "deployment",
    action: "created",
    repositoryId: repo.id,
    deploymentId: deployment.id,
    senderId: actor.user.id,
  });
  return ok(deployment);
}

export function findDeployment(repo: RepositoryRecord, id: number): Result<DeploymentRecord> {
  const deployment = repo.deployments.get(id);
  return deployment ? ok(deployment) : notFound("Deployment");
}

/** Deployments newest first, filtered like `GET /deployments` (sha, ref, task, environment). */
export function listDeployments(
  repo: RepositoryRecord,
  filter: {
    readonly sha?: string;
    readonly ref?: string;
    readonly task?: string;
    readonly environment?: string;
  },
): DeploymentRecord[] {
  return [...repo.deployments.values()]
    .filter((d) => filter.sha === undefined || d.sha === filter.sha)
    .filter((d) => filter.ref === undefined || d.ref === filter.ref)
    .filter((d) => filter.task === undefined || d.task === filter.task)
    .filter((d) => filter.environment === undefined || d.environment === filter.environment)
    .sort((a, b) => b.id - a.id);
}

export interface DeploymentStatusInput {
  readonly state: DeploymentState;
  readonly description?: string;
  readonly environment?: string;
  readonly targetUrl?: string;
  readonly logUrl?: string;
  readonly environmentUrl?: string;
}

/** Appends a status to a deployment and emits `deployment_status.created`. */
export function createDeploymentStatus(
  world: WorldState,
  repo: RepositoryRecord,
  deployment: DeploymentRecord,
  input: DeploymentStatusInput,
  actor: Actor,
): DeploymentStatusRecord {
  const logUrl = input.logUrl ?? input.targetUrl ?? "";
  const status: DeploymentStatusRecord = {
    id: world.ids.id(),
    deploymentId: deployment.id,
    state: input.state,
    description: input.description ?? "",
    environment: input.environment ?? deployment.environment,
    targetUrl: logUrl,
    logUrl,
    environmentUrl: input.environmentUrl ?? "",
    creatorId: actor.user.id,
    createdAt: world.now(),
    viaAppId: actor.viaAppId,
  };
  deployment.statuses.push(status);
  deployment.updatedAt = status.createdAt;
  world.emit({
    kind: "deployment_status",
    action: "created",
    repositoryId: repo.id,
    deploymentId: deployment.id,
    statusId: status.id,
    senderId: actor.user.id,
  });
  return status;
}
