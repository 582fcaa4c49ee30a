/**
 * A GitHub Actions OIDC token as the app trusts it: the claims GitHub signs for one job of one
 * workflow run (https://docs.github.com/en/actions/reference/openid-connect-reference). The
 * verifier (./verifier.ts) checks the signature against the issuer's JWKS, the issuer, the audience
 * and the expiry, and returns these; what a route demands of them (which repository, which
 * workflow, which event) is the route's policy.
 */
import { z } from "zod";

export const ActionsClaimsSchema = z.object({
  iss: z.string(),
  aud: z.union([z.string(), z.array(z.string())]),
  sub: z.string(),
  exp: z.number(),
  iat: z.number(),
  /** `owner/name` of the repository the workflow runs in. */
  repository: z.string(),
  repository_id: z.string(),
  repository_owner: z.string(),
  repository_owner_id: z.string().optional(),
  /** The run (one id for all jobs of a run, and all its re-runs) and which try of it. */
  run_id: z.string(),
  run_number: z.string().optional(),
  run_attempt: z.string(),
  /** `owner/name/.github/workflows/file.yml@refs/heads/main`: the workflow the run started. */
  workflow_ref: z.string(),
  /** The workflow file this job's steps come from (the called one, for a reusable workflow). */
  job_workflow_ref: z.string(),
  event_name: z.string(),
  ref: z.string(),
  sha: z.string(),
  actor: z.string(),
});

export type ActionsClaims = z.infer<typeof ActionsClaimsSchema>;

/**
 * Why a token is not accepted: `401` it is not a valid token of the issuer for us, `403` it is, but
 * not for this, `503` it cannot be checked now (the issuer's keys are unreachable: try again).
 */
export interface TokenRefusal {
  readonly status: 401 | 403 | 503;
  /** A stable code, e.g. `token_missing`, `bad_signature`, `wrong_audience`, `expired`, `wrong_repository`. */
  readonly reason: string;
  /** One sentence a person can act on; never contains the token. */
  readonly message: string;
}

export type VerifiedToken =
  | { readonly ok: true; readonly claims: ActionsClaims }
  | ({ readonly ok: false } & TokenRefusal);

/** Checks a bearer token's authenticity (signature, issuer, audience, time). */
export interface ActionsTokenVerifier {
  verify(token: string | undefined): Promise<VerifiedToken>;
}
