/**
 * GitHub Actions OIDC claims for tests of the attempt API: what the stand-in's jobs carry for a
 * dispatched run of the agent workflow on main (tests mint them with `gh.oidc.mint` to vary one
 * claim at a time), and a forgery signed with a key the issuer never published.
 */
import { generateKeyPair, SignJWT } from "jose";
import type { ActionsClaims } from "../../../src/app/oidc/claims.js";

export const AGENT_WORKFLOW = { workflow: "mission-control-agent.yml", ref: "refs/heads/main" };

/** The claims of a job of a `workflow_dispatch` run of the agent workflow on main in `repository`. */
export function agentRunClaims(
  repository: string,
  overrides: Partial<ActionsClaims> = {},
): Record<string, string> {
  const workflowRef = `${repository}/.github/workflows/${AGENT_WORKFLOW.workflow}@${AGENT_WORKFLOW.ref}`;
  return {
    sub: `repo:${repository}:ref:${AGENT_WORKFLOW.ref}`,
    repository,
    repository_id: "1",
    repository_owner: repository.split("/")[0] ?? "",
    run_id: "5001",
    run_number: "1",
    run_attempt: "1",
    workflow_ref: workflowRef,
    job_workflow_ref: workflowRef,
    event_name: "workflow_dispatch",
    ref: AGENT_WORKFLOW.ref,
    sha: "0".repeat(40),
    actor: "octocat",
    ...(overrides as Record<string, string>),
  };
}

/** A token with the issuer's `iss` and current `kid`, signed with another key. */
export async function forgedToken(input: {
  readonly issuer: string;
  readonly kid: string;
  readonly audience: string;
  readonly claims: Record<string, string>;
}): Promise<string> {
  const { privateKey } = await generateKeyPair("RS256");
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(input.claims)
    .setProtectedHeader({ alg: "RS256", kid: input.kid, typ: "JWT" })
    .setIssuer(input.issuer)
    .setAudience(input.audience)
    .setIssuedAt(now)
    .setExpirationTime(now + 300)
    .sign(privateKey);
}
