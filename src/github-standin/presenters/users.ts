import { nodeId } from "../world/ids.js";
import type { UserRecord } from "../world/types.js";
import type { JsonObject, View } from "./view.js";

/** GitHub's "Simple User" (also the webhook `user` definition). */
export function presentUser(view: View, user: UserRecord): JsonObject {
  const api = `${view.urls.api}/users/${encodeURIComponent(user.login)}`;
  return {
    login: user.login,
    id: user.id,
    node_id: nodeId(user.type === "Organization" ? "O" : user.type === "Bot" ? "BOT" : "U", user.id),
    avatar_url: `${view.urls.html}/avatars/u/${user.id}?v=4`,
    gravatar_id: "",
    url: api,
    // Bots live at /apps/<slug> (their login's brackets are not URL-safe).
    html_url:
      user.type === "Bot"
        ? `${view.urls.html}/apps/${user.login.replace(/\[bot\]$/, "")}`
        : `${view.urls.html}/${user.login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: user.type,
    site_admin: user.siteAdmin,
  };
}

export function presentUserById(view: View, id: number | null): JsonObject | null {
  return id === null ? null : presentUser(view, view.world.requireUser(id));
}

/** The `organization` of webhook payloads for repositories an organization owns. */
export function presentOrganization(view: View, org: UserRecord): JsonObject {
  const api = `${view.urls.api}/orgs/${encodeURIComponent(org.login)}`;
  return {
    login: org.login,
    id: org.id,
    node_id: nodeId("O", org.id),
    url: api,
    repos_url: `${api}/repos`,
    events_url: `${api}/events`,
    hooks_url: `${api}/hooks`,
    issues_url: `${api}/issues`,
    members_url: `${api}/members{/member}`,
    public_members_url: `${api}/public_members{/member}`,
    avatar_url: `${view.urls.html}/avatars/u/${org.id}?v=4`,
    description: null,
  };
}
