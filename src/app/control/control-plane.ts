/**
 * The app as the control plane (DESIGN.md, "Deployment"): what `POST /api/v1/dispatch` and the
 * attempt API need, built from the deployment's own configuration (`app.*`: the public URL, the
 * OIDC issuer, the control repository's name, the dispatch workflow) and each owner's configuration,
 * read from `<owner>/<app.control_repository_name>`'s default branch (src/config/owner-config.ts).
 * An owner's dispatch runs only with that owner's configuration, claims only that owner's tickets
 * and launches each ticket only in its own repository, through that repository's installation.
 */
import type { Octokit } from "@octokit/rest";
import { octokitConfigReader, ownerConfigs } from "../../config/owner-config.js";
import { controlRepository, repositoryAllowed, repositorySettings } from "../../config/repositories.js";
import type { Config } from "../../config/schema.js";
import { composeDispatcher, refusingLauncher } from "../../dispatch/compose.js";
import { runDispatchCycle } from "../../dispatch/cycle.js";
import type { CycleRecord } from "../../dispatch/decisions.js";
import { errorMessage } from "../../domain/error-message.js";
import type { Lifecycle } from "../../lifecycle/index.js";
import type { AgentWorkflow } from "../api/attempts-policy.js";
import type { ActionsTokenVerifier, TokenRefusal } from "../oidc/index.js";
import type { DispatchOrigin } from "./dispatch-endpoint.js";

/** A request the control plane cannot serve now, with the HTTP status and a reason code to answer. */
export class ControlPlaneError extends Error {
  override readonly name = "ControlPlaneError";
  constructor(
    readonly status: 409 | 503,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ControlPlaneDeps {
  /** The deployment's configuration (its `app:` section; owners configure the rest). */
  readonly config: Config;
  readonly lifecycle: Lifecycle;
  readonly tokens: ActionsTokenVerifier;
  readonly octokitFor: (repository: string) => Promise<Octokit>;
  /** How long an owner's configuration is used before it is read again (default 60 s). */
  readonly ownerConfigTtlMs?: number;
  readonly log: (level: "info" | "warn" | "error", detail: Record<string, unknown>, message: string) => void;
}

export interface ControlPlane {
  /** The deployment's own configuration (`app.*`). */
  readonly config: Config;
  readonly tokens: ActionsTokenVerifier;
  originFor(owner: string): Promise<DispatchOrigin | TokenRefusal>;
  runCycle(owner: string, holder: string): Promise<CycleRecord>;
  /**
   * Whether `repository` is on its owner's allow-list (`repositories:` in the owner's configuration;
   * an owner without a usable configuration allows nothing). Costs at most one read per owner per TTL.
   */
  repositoryAllowed(repository: string): Promise<boolean>;
  /** The repository's agent workflow from its owner's configuration, or null (no github-workflow launcher). */
  agentWorkflowFor(repository: string): Promise<AgentWorkflow | null>;
}

export function controlPlane(deps: ControlPlaneDeps): ControlPlane {
  const owners = ownerConfigs({
    ...octokitConfigReader((owner, repo) => deps.octokitFor(`${owner}/${repo}`)),
    controlRepositoryName: deps.config.app.control_repository_name,
    ttlMs: deps.ownerConfigTtlMs ?? 60_000,
    clock: deps.lifecycle.clock,
  });

  const configOf = async (owner: string): Promise<Config> => {
    const loaded = await owners.load(owner);
    if (!loaded.ok)
      throw new ControlPlaneError(
        409,
        "configuration_unavailable",
        `cannot use ${loaded.source}: ${loaded.error}; the owner's dispatch runs only with its own configuration`,
      );
    if (loaded.error)
      deps.log(
        "warn",
        { owner, source: loaded.source },
        `using the last good configuration: ${loaded.error}`,
      );
    return loaded.config;
  };

  return {
    config: deps.config,
    tokens: deps.tokens,
    async originFor(owner) {
      const repository = controlRepository(deps.config, owner);
      let defaultBranch: string;
      try {
        const octokit = await deps.octokitFor(repository);
        const [o = "", r = ""] = repository.split("/");
        defaultBranch = (await octokit.rest.repos.get({ owner: o, repo: r })).data.default_branch;
      } catch (error) {
        deps.log("warn", { owner, repository, error: errorMessage(error) }, "control repository not usable");
        return {
          status: 403,
          reason: "control_repository_unavailable",
          message: `the app cannot read ${repository}: install it there (the control repository holds the configuration and the dispatch workflow)`,
        };
      }
      const workflow = deps.config.app.dispatch_workflow.replace(/^\.github\/workflows\//, "");
      return {
        repository,
        workflowRef: `${repository}/.github/workflows/${workflow}@refs/heads/${defaultBranch}`,
      };
    },
    async runCycle(owner, holder) {
      const config = await configOf(owner);
      const dispatcher = composeDispatcher({
        config,
        lifecycle: deps.lifecycle,
        holder,
        octokitFor: deps.octokitFor,
        commandLauncher: () =>
          refusingLauncher(
            "command",
            "the command launcher starts workers on the dispatcher's machine: the app launches only github-workflow repositories (use mctl dispatch for local workers)",
          ),
      });
      return runDispatchCycle(dispatcher, { scope: { owner } });
    },
    async repositoryAllowed(repository) {
      const owner = repository.split("/")[0] ?? "";
      try {
        return repositoryAllowed(await configOf(owner), repository);
      } catch (error) {
        deps.log(
          "warn",
          { repository, error: errorMessage(error) },
          "no usable owner configuration: nothing is allowed",
        );
        return false;
      }
    },
    async agentWorkflowFor(repository) {
      const owner = repository.split("/")[0] ?? "";
      // A configuration that cannot be read is an error the caller answers with 503 (the run retries),
      // not "no agent workflow" (which would refuse it for good).
      const config = await configOf(owner);
      const launcher = repositorySettings(config, repository)?.launcher;
      return launcher?.kind === "github-workflow" ? { workflow: launcher.workflow, ref: launcher.ref } : null;
    },
  };
}
