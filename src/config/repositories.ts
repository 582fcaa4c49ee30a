/**
 * The `repositories:` allow-list read as answers: is a repository allowed, what is its launcher,
 * its own `max_workers`, its policy. Absent `repositories:` means every repository (local mode).
 * GitHub compares owner and repository names without regard to case, and so does this.
 */
import type { Config, LauncherConfig } from "./schema.js";

/** Reason code of anything ignored because its repository is not on the allow-list. */
export const REPOSITORY_NOT_ALLOWED = "repository_not_allowed";

/** What the dispatcher and the app need of one allowed repository, defaults applied. */
export interface RepositorySettings {
  /** `owner/name` as written in the configuration. */
  readonly repository: string;
  readonly launcher: LauncherConfig;
  /** Null: no cap of its own (only the global `dispatch.max_workers`). */
  readonly maxWorkers: number | null;
  readonly excludedCampaigns: readonly string[];
  readonly excludedLabels: readonly string[];
}

type RepositoriesConfig = Pick<Config, "repositories" | "dispatch">;

function entryOf(config: RepositoriesConfig, repository: string) {
  const wanted = repository.toLowerCase();
  const found = Object.entries(config.repositories ?? {}).find(([key]) => key.toLowerCase() === wanted);
  return found ? { repository: found[0], entry: found[1] } : null;
}

/** Whether issues, comments and tickets of `repository` (`owner/name`) are acted on. */
export function repositoryAllowed(config: Pick<Config, "repositories">, repository: string): boolean {
  if (!config.repositories) return true;
  const wanted = repository.toLowerCase();
  return Object.keys(config.repositories).some((key) => key.toLowerCase() === wanted);
}

/**
 * The settings of one repository: its entry over the `dispatch:` defaults. Null when the allow-list
 * exists and does not name it.
 */
export function repositorySettings(
  config: RepositoriesConfig,
  repository: string,
): RepositorySettings | null {
  const d = config.dispatch;
  if (!config.repositories)
    return {
      repository,
      launcher: d.launcher,
      maxWorkers: null,
      excludedCampaigns: d.policy.excluded_campaigns,
      excludedLabels: d.policy.excluded_labels,
    };
  const found = entryOf(config, repository);
  if (!found) return null;
  const { entry } = found;
  return {
    repository: found.repository,
    launcher: entry.launcher ?? d.launcher,
    maxWorkers: entry.max_workers ?? null,
    excludedCampaigns: entry.policy?.excluded_campaigns ?? d.policy.excluded_campaigns,
    excludedLabels: entry.policy?.excluded_labels ?? d.policy.excluded_labels,
  };
}

/** The repositories of the allow-list (of one owner, if given); null when every repository is allowed. */
export function allowedRepositories(config: Pick<Config, "repositories">, owner?: string): string[] | null {
  if (!config.repositories) return null;
  const keys = Object.keys(config.repositories);
  if (owner === undefined) return keys;
  const prefix = `${owner.toLowerCase()}/`;
  return keys.filter((key) => key.toLowerCase().startsWith(prefix));
}

/** `<owner>/<app.control_repository_name>`: where the owner's configuration and dispatch workflow live. */
export function controlRepository(config: Pick<Config, "app">, owner: string): string {
  return `${owner}/${config.app.control_repository_name}`;
}
