import type { Octokit } from "@octokit/rest";
import { errorMessage } from "../../domain/error-message.js";
import type { Launcher, LaunchRequest, LaunchResult } from "./launcher.js";

export interface WorkflowTarget {
  readonly owner: string;
  readonly repo: string;
  /** Workflow file name or id, e.g. mission-control-agent.yml. */
  readonly workflow: string;
  readonly ref: string;
}

/**
 * Starts the agent workflow with `workflow_dispatch` (inputs: ticket, attempt, launch_key). GitHub
 * gives no run id back, so a repeated dispatch cannot be recognised here; the worker's
 * launching → running compare-and-set on the launch key makes a duplicate run exit at once.
 */
export function githubWorkflowLauncher(octokit: Octokit, target: WorkflowTarget): Launcher {
  return {
    kind: "github-workflow",
    async launch(request: LaunchRequest): Promise<LaunchResult> {
      try {
        await octokit.rest.actions.createWorkflowDispatch({
          owner: target.owner,
          repo: target.repo,
          workflow_id: target.workflow,
          ref: target.ref,
          inputs: { ticket: request.ticket, attempt: request.attempt, launch_key: request.launchKey },
        });
        return {
          ok: true,
          duplicate: false,
          detail: `dispatched ${target.workflow} on ${target.owner}/${target.repo}`,
        };
      } catch (error) {
        const status = (error as { status?: number }).status;
        const message = errorMessage(error);
        const failed = status ? `GitHub answered ${status}: ${message}` : message;
        const where = `${target.owner}/${target.repo}`;
        if (status === 404)
          return {
            ok: false,
            error: failed,
            fix: `add .github/workflows/${target.workflow} to ${where} on ${target.ref} (or set the repository's launcher.workflow to its agent workflow), and let the token dispatch workflows there (actions: write)`,
          };
        if (status === 422)
          return {
            ok: false,
            error: failed,
            fix: `give ${target.workflow} in ${where} a workflow_dispatch trigger with the inputs ticket, attempt and launch_key, and check that the ref ${target.ref} exists`,
          };
        return { ok: false, error: failed };
      }
    },
  };
}
