import { isoTime } from "../world/clock.js";
import { nodeId } from "../world/ids.js";
import type { CommentRecord, ReactionRecord, RepositoryRecord } from "../world/types.js";
import { presentAppById } from "./apps.js";
import { authorAssociation, presentReactionRollup } from "./issues.js";
import { repoApiUrl, repoHtmlUrl } from "./repositories.js";
import { presentUser } from "./users.js";
import type { JsonObject, View } from "./view.js";

/** "Issue Comment", shared by REST and webhooks. */
export function presentComment(view: View, repo: RepositoryRecord, comment: CommentRecord): JsonObject {
  const api = `${repoApiUrl(view, repo)}/issues/comments/${comment.id}`;
  const author = view.world.requireUser(comment.userId);
  return {
    url: api,
    html_url: `${repoHtmlUrl(view, repo)}/issues/${comment.issueNumber}#issuecomment-${comment.id}`,
    issue_url: `${repoApiUrl(view, repo)}/issues/${comment.issueNumber}`,
    id: comment.id,
    node_id: nodeId("IC", comment.id),
    user: presentUser(view, author),
    created_at: isoTime(comment.createdAt),
    updated_at: isoTime(comment.updatedAt),
    author_association: authorAssociation(repo, author),
    body: comment.body,
    reactions: presentReactionRollup(`${api}/reactions`, comment.reactions),
    performed_via_github_app: presentAppById(view, comment.viaAppId),
  };
}

export function presentReaction(view: View, reaction: ReactionRecord): JsonObject {
  return {
    id: reaction.id,
    node_id: nodeId("REA", reaction.id),
    user: presentUser(view, view.world.requireUser(reaction.userId)),
    content: reaction.content,
    created_at: isoTime(reaction.createdAt),
  };
}
