/**
 * A GitHub Actions OIDC issuer for tests of the attempt API, until the stand-in's issuer and the
 * app's verifier are used: real RS256 signatures (jose), a JWKS served over real HTTP on port 0,
 * and a verifier implementing `ActionsTokenVerifier` (signature, issuer, audience, expiry).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createRemoteJWKSet, errors, exportJWK, generateKeyPair, jwtVerify, SignJWT } from "jose";
import {
  type ActionsClaims,
  ActionsClaimsSchema,
  type ActionsTokenVerifier,
} from "../../../src/app/oidc/claims.js";

export interface TestIssuer {
  readonly issuer: string;
  readonly audience: string;
  readonly verifier: ActionsTokenVerifier;
  /** The same checks for another audience. */
  verifierFor(audience: string): ActionsTokenVerifier;
  /** A token of a run of `repository` (the agent workflow on main, dispatched), with `overrides`. */
  token(
    repository: string,
    overrides?: Partial<ActionsClaims>,
    options?: { expiresAt?: number },
  ): Promise<string>;
  /** A token signed with another key (same kid). */
  forged(repository: string): Promise<string>;
  stop(): Promise<void>;
}

export const AGENT_WORKFLOW = { workflow: "mission-control-agent.yml", ref: "refs/heads/main" };

export async function startTestIssuer(audience: string): Promise<TestIssuer> {
  const keys = await generateKeyPair("RS256");
  const other = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(keys.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  const server: Server = createServer((req, res) => {
    if (req.url === "/.well-known/jwks") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [jwk] }));
    } else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const jwks = createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks`));

  const claimsOf = (repository: string, overrides: Partial<ActionsClaims>) => ({
    repository,
    repository_id: "1",
    repository_owner: repository.split("/")[0] ?? "",
    run_id: "5001",
    run_number: "1",
    run_attempt: "1",
    workflow_ref: `${repository}/.github/workflows/${AGENT_WORKFLOW.workflow}@${AGENT_WORKFLOW.ref}`,
    job_workflow_ref: `${repository}/.github/workflows/${AGENT_WORKFLOW.workflow}@${AGENT_WORKFLOW.ref}`,
    event_name: "workflow_dispatch",
    ref: AGENT_WORKFLOW.ref,
    sha: "0".repeat(40),
    actor: "mission-control[bot]",
    sub: `repo:${repository}:ref:${AGENT_WORKFLOW.ref}`,
    ...overrides,
  });
  const sign = async (
    key: Awaited<ReturnType<typeof generateKeyPair>>["privateKey"],
    repository: string,
    overrides: Partial<ActionsClaims>,
    expiresAt?: number,
  ) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT(claimsOf(repository, overrides))
      .setProtectedHeader({ alg: "RS256", kid: "k1", typ: "JWT" })
      .setIssuer(issuer)
      .setAudience(overrides.aud ?? audience)
      .setIssuedAt(expiresAt === undefined ? now : expiresAt - 600)
      .setExpirationTime(expiresAt ?? now + 600)
      .sign(key);
  };

  const verifierFor = (audience: string): ActionsTokenVerifier => ({
    async verify(token) {
      if (!token)
        return {
          ok: false,
          status: 401,
          reason: "token_missing",
          message: "send Authorization: Bearer <token>",
        };
      try {
        const { payload } = await jwtVerify(token, jwks, { issuer, audience, algorithms: ["RS256"] });
        const parsed = ActionsClaimsSchema.safeParse(payload);
        if (!parsed.success)
          return { ok: false, status: 401, reason: "bad_claims", message: "the token lacks Actions claims" };
        return { ok: true, claims: parsed.data };
      } catch (error) {
        if (error instanceof errors.JWTExpired)
          return { ok: false, status: 401, reason: "expired", message: "the token has expired" };
        if (error instanceof errors.JWTClaimValidationFailed)
          return { ok: false, status: 401, reason: `wrong_${error.claim}`, message: `bad ${error.claim}` };
        return { ok: false, status: 401, reason: "bad_signature", message: "the signature does not verify" };
      }
    },
  });
  const verifier = verifierFor(audience);

  return {
    issuer,
    audience,
    verifier,
    verifierFor,
    token: (repository, overrides = {}, options = {}) =>
      sign(keys.privateKey, repository, overrides, options.expiresAt),
    forged: (repository) => sign(other.privateKey, repository, {}),
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
