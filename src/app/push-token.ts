/**
 * The report job's push credential: an installation access token of the app, restricted to the
 * ticket's one repository with `contents: write` and `pull_requests: write`
 * (`POST /app/installations/{id}/access_tokens`, GitHub's maximum lifetime: one hour). It is handed
 * to the caller and never logged or stored.
 */
import type { Probot } from "probot";
import type { PushToken } from "./api/attempts.js";

export function installationPushTokens(probot: Probot): (repository: string) => Promise<PushToken> {
  return async (repository) => {
    const [owner = "", repo = ""] = repository.split("/");
    const appOctokit = await probot.auth();
    const { data: installation } = await appOctokit.rest.apps.getRepoInstallation({ owner, repo });
    const { data } = await appOctokit.rest.apps.createInstallationAccessToken({
      installation_id: installation.id,
      repositories: [repo],
      // `metadata: read` is implied by GitHub; named so a stricter server grants it too.
      permissions: { contents: "write", pull_requests: "write", metadata: "read" },
    });
    return { token: data.token, expiresAt: data.expires_at };
  };
}
