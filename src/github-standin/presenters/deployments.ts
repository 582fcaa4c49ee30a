import { isoTime } from "../world/clock.js";
import { nodeId } from "../world/ids.js";
import type { DeploymentRecord, DeploymentStatusRecord, RepositoryRecord } from "../world/types.js";
import { presentAppById } from "./apps.js";
import { repoApiUrl } from "./repositories.js";
import { presentUser } from "./users.js";
import type { Json, JsonObject, View } from "./view.js";

export function presentDeployment(
  view: View,
  repo: RepositoryRecord,
  deployment: DeploymentRecord,
): JsonObject {
  const api = `${repoApiUrl(view, repo)}/deployments/${deployment.id}`;
  return {
    url: api,
    id: deployment.id,
    node_id: nodeId("DE", deployment.id),
    sha: deployment.sha,
    ref: deployment.ref,
    task: deployment.task,
    payload: deployment.payload as { [key: string]: Json },
    original_environment: deployment.environment,
    environment: deployment.environment,
    description: deployment.description,
    creator: presentUser(view, view.world.requireUser(deployment.creatorId)),
    created_at: isoTime(deployment.createdAt),
    updated_at: isoTime(deployment.updatedAt),
    statuses_url: `${api}/statuses`,
    repository_url: repoApiUrl(view, repo),
    transient_environment: deployment.transientEnvironment,
    production_environment: deployment.productionEnvironment,
    performed_via_github_app: presentAppById(view, deployment.viaAppId),
  };
}

export function presentDeploymentStatus(
  view: View,
  repo: RepositoryRecord,
  deployment: DeploymentRecord,
  status: DeploymentStatusRecord,
): JsonObject {
  const deploymentUrl = `${repoApiUrl(view, repo)}/deployments/${deployment.id}`;
  const presented: JsonObject = {
    url: `${deploymentUrl}/statuses/${status.id}`,
    id: status.id,
    node_id: nodeId("DES", status.id),
    state: status.state,
    creator: presentUser(view, view.world.requireUser(status.creatorId)),
    description: status.description,
    environment: status.environment,
    target_url: status.targetUrl,
    created_at: isoTime(status.createdAt),
    updated_at: isoTime(status.createdAt),
    deployment_url: deploymentUrl,
    repository_url: repoApiUrl(view, repo),
    performed_via_github_app: presentAppById(view, status.viaAppId),
  };
  // Optional URLs are left out when none was given (an empty string is not a URI).
  if (status.logUrl !== "") presented.log_url = status.logUrl;
  if (status.environmentUrl !== "") presented.environment_url = status.environmentUrl;
  return presented;
}
