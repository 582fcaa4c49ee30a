import { z } from "zod";
import { parseBody } from "../http/body.js";
import type { RepoRouteContext, Route } from "../http/route.js";
import { presentComment, presentReaction } from "../presenters/comments.js";
import { commentsOf, createComment, editComment, findComment, react } from "../world/comments.js";
import { REACTION_CONTENTS } from "../world/types.js";
import { intParam, json, pagedList, repoRoute, unwrap } from "./define.js";
import { issueParam } from "./issue-routes.js";

const commentBody = z.object({ body: z.string().min(1).max(65536) });
const reactionBody = z.object({ content: z.enum(REACTION_CONTENTS) });

const commentParam = (ctx: RepoRouteContext) => unwrap(findComment(ctx.repo, intParam(ctx, "comment_id")));

export function commentRoutes(): Route[] {
  return [
    repoRoute({
      method: "GET",
      template: "/repos/{owner}/{repo}/issues/{issue_number}/comments",
      operationId: "issues/list-comments",
      permission: ["issues", "read"],
      handle: (ctx) => {
        const issue = issueParam(ctx);
        const since = ctx.query.get("since");
        const after = since ? Date.parse(since) : Number.NEGATIVE_INFINITY;
        const comments = commentsOf(ctx.repo, issue.number).filter((comment) => comment.updatedAt >= after);
        return pagedList(ctx, comments, (comment) => presentComment(ctx.view, ctx.repo, comment));
      },
    }),
    repoRoute({
      method: "POST",
      template: "/repos/{owner}/{repo}/issues/{issue_number}/comments",
      operationId: "issues/create-comment",
      permission: ["issues", "write"],
      handle: (ctx) => {
        const issue = issueParam(ctx);
        const { body } = parseBody(commentBody, ctx.body, "IssueComment");
        const comment = createComment(ctx.view.world, ctx.repo, issue, body, ctx.actor);
        return json(presentComment(ctx.view, ctx.repo, comment), 201, {
          location: `${ctx.view.urls.api}/repos/${ctx.view.world.fullName(ctx.repo)}/issues/comments/${comment.id}`,
        });
      },
    }),
    repoRoute({
      method: "GET",
      template: "/repos/{owner}/{repo}/issues/comments/{comment_id}",
      operationId: "issues/get-comment",
      permission: ["issues", "read"],
      handle: (ctx) => json(presentComment(ctx.view, ctx.repo, commentParam(ctx))),
    }),
    repoRoute({
      method: "PATCH",
      template: "/repos/{owner}/{repo}/issues/comments/{comment_id}",
      operationId: "issues/update-comment",
      permission: ["issues", "write"],
      handle: (ctx) => {
        const comment = commentParam(ctx);
        const { body } = parseBody(commentBody, ctx.body, "IssueComment");
        return json(
          presentComment(ctx.view, ctx.repo, editComment(ctx.view.world, ctx.repo, comment, body, ctx.actor)),
        );
      },
    }),
    repoRoute({
      method: "GET",
      template: "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions",
      operationId: "reactions/list-for-issue-comment",
      permission: ["issues", "read"],
      handle: (ctx) => {
        const content = ctx.query.get("content");
        const reactions = commentParam(ctx).reactions.filter(
          (r) => content === null || r.content === content,
        );
        return pagedList(ctx, reactions, (reaction) => presentReaction(ctx.view, reaction));
      },
    }),
    repoRoute({
      method: "POST",
      template: "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions",
      operationId: "reactions/create-for-issue-comment",
      permission: ["issues", "write"],
      handle: (ctx) => {
        const comment = commentParam(ctx);
        const { content } = parseBody(reactionBody, ctx.body, "Reaction");
        const { reaction, created } = react(ctx.view.world, comment, content, ctx.actor);
        // GitHub answers 200 when the same user already reacted with the same content.
        return json(presentReaction(ctx.view, reaction), created ? 201 : 200);
      },
    }),
  ];
}
