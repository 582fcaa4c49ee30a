import { isoTime } from "../world/clock.js";
import { nodeId } from "../world/ids.js";
import type { RepositoryRecord, StatusRecord } from "../world/types.js";
import { repoApiUrl } from "./repositories.js";
import { presentUser } from "./users.js";
import type { JsonObject, View } from "./view.js";

/** "Simple Commit Status" (inside the combined status). */
export function presentSimpleStatus(view: View, repo: RepositoryRecord, status: StatusRecord): JsonObject {
  return {
    url: `${repoApiUrl(view, repo)}/statuses/${status.sha}`,
    avatar_url: presentUser(view, view.world.requireUser(status.creatorId)).avatar_url ?? null,
    id: status.id,
    node_id: nodeId("SC", status.id),
    state: status.state,
    description: status.description,
    target_url: status.targetUrl,
    context: status.context,
    created_at: isoTime(status.createdAt),
    updated_at: isoTime(status.createdAt),
  };
}

/** "Status" as `POST /statuses/{sha}` returns it (with its creator). */
export function presentStatus(view: View, repo: RepositoryRecord, status: StatusRecord): JsonObject {
  return {
    ...presentSimpleStatus(view, repo, status),
    creator: presentUser(view, view.world.requireUser(status.creatorId)),
  };
}
