/**
 * Who may call the attempt API about an attempt: the policy applied to a verified Actions token
 * (src/app/oidc/claims.ts), after the verifier has said it is authentic. Pure functions, so each
 * refusal is tested on its own and the routes only map them to answers.
 */
import type { AttemptRow, TicketRow } from "../../db/schema.js";
import type { ActionsClaims, TokenRefusal } from "../oidc/claims.js";
import { demandClaims } from "../oidc/demand-claims.js";

/** The repository's agent workflow: its file under `.github/workflows/` and the ref runs must start from. */
export interface AgentWorkflow {
  /** The workflow file name, e.g. `mission-control-agent.yml` (a path under `.github/workflows/` is accepted too). */
  readonly workflow: string;
  /** The default branch, as `refs/heads/main` or `main`. */
  readonly ref: string;
}

/** The `workflow_ref` claim a run of `workflow` in `repository` carries. */
export function expectedWorkflowRef(repository: string, workflow: AgentWorkflow): string {
  const file = workflow.workflow.replace(/^\.github\/workflows\//, "");
  const ref = workflow.ref.startsWith("refs/") ? workflow.ref : `refs/heads/${workflow.ref}`;
  return `${repository}/.github/workflows/${file}@${ref}`;
}

const refuse = (reason: string, message: string): TokenRefusal => ({ status: 403, reason, message });

/**
 * The token is of a run of the ticket's repository's agent workflow on its default branch, started
 * by `workflow_dispatch` (how the launcher starts it); null when it is, else why not (403).
 */
/**
 * The token is of the ticket's own repository; null when it is. Decided from the claims alone, before
 * anything is read for the repository, and the refusal does not name it (it may be private).
 */
export function repositoryRefusal(
  claims: ActionsClaims,
  ticket: Pick<TicketRow, "repository">,
): TokenRefusal | null {
  return demandClaims(claims, { repository: ticket.repository })
    ? refuse("wrong_repository", "the token is not from this attempt's repository")
    : null;
}

export function runPolicyRefusal(
  claims: ActionsClaims,
  ticket: Pick<TicketRow, "key" | "repository">,
  workflow: AgentWorkflow | null,
): TokenRefusal | null {
  const repository = repositoryRefusal(claims, ticket);
  if (repository) return repository;
  if (!workflow)
    return refuse(
      "no_agent_workflow",
      `${ticket.repository} has no agent workflow configured (a github-workflow launcher); no run may report on its attempts`,
    );
  return demandClaims(claims, {
    workflowRef: expectedWorkflowRef(ticket.repository, workflow),
    eventNames: ["workflow_dispatch"],
  });
}

/** After `start`: the token is of the run the attempt is bound to (any try of it); null when it is. */
export function boundRunRefusal(claims: ActionsClaims, attempt: AttemptRow): TokenRefusal | null {
  if (attempt.runId === null || attempt.runRepository === null) return null;
  return demandClaims(claims, { repository: attempt.runRepository, runId: attempt.runId });
}
