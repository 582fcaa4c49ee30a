/**
 * A dispatcher built from configuration: settings, worker-count sources and each repository's
 * launcher (`repositories.<r>.launcher`, else `dispatch.launcher`). `mctl dispatch` (one token, local
 * or self-hosted) and the app's `POST /api/v1/dispatch` (each repository's installation) both build
 * theirs here; they differ only in how they reach GitHub and whether they may start local workers.
 */
import type { Octokit } from "@octokit/rest";
import { repositorySettings } from "../config/repositories.js";
import type { Config, LauncherConfig } from "../config/schema.js";
import type { Lifecycle } from "../lifecycle/index.js";
import { type DispatchDeps, dispatchSettingsFrom } from "./cycle.js";
import { githubWorkflowLauncher } from "./launchers/github-workflow-launcher.js";
import type { Launcher } from "./launchers/launcher.js";
import type { DispatchLifecycle } from "./port.js";
import { lifecycleWorkerSource, workflowRunsWorkerSource } from "./worker-sources.js";

export interface DispatcherParts {
  readonly config: Config;
  readonly lifecycle: DispatchLifecycle & Pick<Lifecycle, "countLiveAttemptsByRepository">;
  readonly holder: string;
  /** A GitHub client that may act on `repository` (its installation's in the app; the token's in mctl). */
  readonly octokitFor: (repository: string) => Promise<Octokit>;
  /** The launcher of a repository whose launcher kind is `command` (the app has none to offer). */
  readonly commandLauncher: (launch: Extract<LauncherConfig, { kind: "command" }>) => Launcher;
}

/** A launcher that refuses every launch with `error` (recorded as the cycle's `launch_failed`). */
export function refusingLauncher(kind: string, error: string): Launcher {
  return { kind, launch: async () => ({ ok: false, error }) };
}

export function composeDispatcher(parts: DispatcherParts): DispatchDeps {
  const { config } = parts;
  const launcherOf = (repository: string) => repositorySettings(config, repository)?.launcher ?? null;
  const launchers = new Map<string, Launcher>();
  const split = (repository: string) => {
    const [owner = "", repo = ""] = repository.split("/");
    return { owner, repo };
  };
  return {
    lifecycle: parts.lifecycle,
    sources: [lifecycleWorkerSource(parts.lifecycle)],
    repositorySources: (repository) => {
      const launch = launcherOf(repository);
      if (launch?.kind !== "github-workflow") return [];
      const runs = async () =>
        workflowRunsWorkerSource(await parts.octokitFor(repository), {
          ...split(repository),
          workflow: launch.workflow,
        });
      return [
        {
          name: "github-workflow-runs",
          repository,
          count: async (scope) => (await runs()).count(scope),
        },
      ];
    },
    launcherFor: (repository) => {
      const known = launchers.get(repository);
      if (known) return known;
      const launch = launcherOf(repository);
      const launcher: Launcher =
        launch === null
          ? refusingLauncher("none", `${repository} is not in the repositories: allow-list`)
          : launch.kind === "github-workflow"
            ? {
                kind: "github-workflow",
                launch: async (request) =>
                  githubWorkflowLauncher(await parts.octokitFor(repository), {
                    ...split(repository),
                    workflow: launch.workflow,
                    ref: launch.ref,
                  }).launch(request),
              }
            : parts.commandLauncher(launch);
      launchers.set(repository, launcher);
      return launcher;
    },
    settings: dispatchSettingsFrom(config.dispatch, config.repositories),
    holder: parts.holder,
  };
}
