import { HttpError, notFoundError } from "../http/http-error.js";
import { presentCommit } from "../presenters/commits.js";
import type { Route } from "../http/route.js";
import { presentDirectoryEntry, presentFile } from "../presenters/contents.js";
import { presentFullRepository } from "../presenters/repositories.js";
import { presentUser } from "../presenters/users.js";
import { listDirectory, permissionOf, readFile, resolveRef } from "../world/repositories.js";
import { isBranchProtected } from "../world/branch-protection.js";
import type { Permission } from "../world/types.js";
import { json, param, repoRoute } from "./define.js";

/** GitHub's legacy `permission` field folds maintain into write and triage into read. */
const LEGACY: Record<Permission, string> = {
  admin: "admin",
  maintain: "write",
  write: "write",
  triage: "read",
  read: "read",
  none: "none",
};

export function repositoryRoutes(): Route[] {
  return [
    repoRoute({
      method: "GET",
      template: "/repos/{owner}/{repo}",
      operationId: "repos/get",
      permission: ["metadata", "read"],
      handle: (ctx) => json(presentFullRepository(ctx.view, ctx.repo, null)),
    }),
    repoRoute({
      method: "GET",
      template: "/repos/{owner}/{repo}/branches/{branch}",
      operationId: "repos/get-branch",
      permission: ["metadata", "read"],
      handle: (ctx) => {
        const name = param(ctx, "branch");
        const sha = ctx.repo.branches.get(name);
        const commit = sha ? resolveRef(ctx.repo, sha) : undefined;
        if (!commit) throw new HttpError(404, "Branch not found");
        const full = `${ctx.view.world.requireUser(ctx.repo.ownerId).login}/${ctx.repo.name}`;
        const self = `${ctx.view.urls.api}/repos/${full}/branches/${name}`;
        const on = isBranchProtected(ctx.repo, name);
        return json({
          name,
          commit: presentCommit(ctx.view, ctx.repo, commit),
          _links: { html: `${ctx.view.urls.html}/${full}/tree/${name}`, self },
          protected: on,
          protection: {
            enabled: on,
            required_status_checks: { enforcement_level: "off", contexts: [], checks: [] },
          },
          protection_url: `${self}/protection`,
        });
      },
    }),
    repoRoute({
      method: "GET",
      template: "/repos/{owner}/{repo}/contents/{path}",
      operationId: "repos/get-content",
      permission: ["contents", "read"],
      handle: (ctx) => {
        const ref = ctx.query.get("ref") ?? undefined;
        const path = param(ctx, "path").replace(/^\/+|\/+$/g, "");
        const file = readFile(ctx.repo, path, ref);
        if (file.ok)
          return json(
            presentFile(ctx.view, ctx.repo, file.value.commit, file.value.path, file.value.content),
          );
        if (file.reason === "not_found") {
          // Not a file: maybe a directory.
          const commit = resolveRef(ctx.repo, ref ?? ctx.repo.defaultBranch);
          const entries = commit ? listDirectory(commit, path) : [];
          if (commit && entries.length > 0)
            return json(entries.map((entry) => presentDirectoryEntry(ctx.view, ctx.repo, commit, entry)));
          throw notFoundError();
        }
        // An unknown ref is a 404 on this route ("No commit found for the ref …").
        throw notFoundError();
      },
    }),
    repoRoute({
      method: "GET",
      template: "/repos/{owner}/{repo}/collaborators/{username}/permission",
      operationId: "repos/get-collaborator-permission-level",
      permission: ["metadata", "read"],
      handle: (ctx) => {
        const user = ctx.view.world.userByLogin(param(ctx, "username"));
        if (!user) throw notFoundError();
        const role = permissionOf(ctx.repo, user);
        return json({
          permission: LEGACY[role],
          role_name: role,
          user: { ...presentUser(ctx.view, user), role_name: role },
        });
      },
    }),
  ];
}
