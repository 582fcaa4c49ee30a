import { isoTime } from "../world/clock.js";
import { nodeId } from "../world/ids.js";
import type { AppRecord, InstallationRecord } from "../world/types.js";
import { presentUser } from "./users.js";
import type { JsonObject, View } from "./view.js";

/** "GitHub app" (`integration`), as `GET /app` and `performed_via_github_app` show it. */
export function presentApp(view: View, app: AppRecord): JsonObject {
  return {
    id: app.id,
    slug: app.slug,
    node_id: nodeId("A", app.id),
    owner: presentUser(view, view.world.requireUser(app.ownerId)),
    name: app.name,
    description: app.description,
    external_url: `${view.urls.html}/apps/${app.slug}`,
    html_url: `${view.urls.html}/apps/${app.slug}`,
    created_at: isoTime(app.createdAt),
    updated_at: isoTime(app.createdAt),
    permissions: { ...app.permissions },
    events: [...app.events],
  };
}

export function presentAppById(view: View, id: number | null): JsonObject | null {
  const app = id === null ? undefined : view.world.apps.get(id);
  return app ? presentApp(view, app) : null;
}

/** "Installation", as `GET /repos/{o}/{r}/installation` and `GET /app/installations/{id}` return it. */
export function presentInstallation(view: View, installation: InstallationRecord): JsonObject {
  const app = view.world.apps.get(installation.appId);
  const account = view.world.requireUser(installation.accountId);
  return {
    id: installation.id,
    // `GET /app/installations` describes the account as Simple User *and* Enterprise (allOf), so
    // the account carries the enterprise fields too; they are harmless for the other operations.
    account: {
      ...presentUser(view, account),
      name: account.name ?? account.login,
      slug: account.login.toLowerCase(),
      created_at: isoTime(installation.createdAt),
      updated_at: isoTime(installation.createdAt),
    },
    repository_selection: installation.repositories === "all" ? "all" : "selected",
    access_tokens_url: `${view.urls.api}/app/installations/${installation.id}/access_tokens`,
    repositories_url: `${view.urls.api}/installation/repositories`,
    html_url: `${view.urls.html}/organizations/${account.login}/settings/installations/${installation.id}`,
    app_id: installation.appId,
    app_slug: app?.slug ?? "",
    target_id: account.id,
    target_type: account.type === "Organization" ? "Organization" : "User",
    permissions: { ...installation.permissions },
    events: [...installation.events],
    created_at: isoTime(installation.createdAt),
    updated_at: isoTime(installation.createdAt),
    single_file_name: null,
    has_multiple_single_files: false,
    single_file_paths: [],
    suspended_by: null,
    suspended_at: null,
  };
}

/** The `installation` field of webhook payloads. */
export function presentInstallationLite(installation: InstallationRecord): JsonObject {
  return { id: installation.id, node_id: nodeId("MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u", installation.id) };
}
