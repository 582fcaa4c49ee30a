import type { IncomingMessage, ServerResponse } from "node:http";
import type { View } from "../presenters/view.js";
import { jobByRequestToken } from "../world/jobs.js";
import { jobClaims } from "./claims.js";
import type { OidcIssuer } from "./issuer.js";

/** Where the issuer lives on the stand-in: `<url>/_oidc` (GitHub's is `https://token.actions.githubusercontent.com`). */
export const OIDC_ISSUER_PATH = "/_oidc";
/** Where a job's runner asks for tokens (`ACTIONS_ID_TOKEN_REQUEST_URL` points here). */
export const ID_TOKEN_PATH = /^\/_actions\/jobs\/(\d+)\/idtoken\/?$/;

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(text)),
    "cache-control": "no-store",
  });
  res.end(text);
}

/**
 * Serves the OIDC issuer (discovery and JWKS) and the job token endpoint. Returns false when the
 * path is not one of these, so the REST pipeline handles it. These paths take no GitHub credential:
 * the token endpoint's bearer is the job's request token.
 */
export async function handleOidcRequest(
  view: View,
  issuer: OidcIssuer,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const url = new URL(req.url ?? "/", view.urls.api);
  const path = url.pathname;
  if (path === `${OIDC_ISSUER_PATH}/.well-known/openid-configuration`) {
    reply(res, 200, issuer.discovery());
    return true;
  }
  if (path === `${OIDC_ISSUER_PATH}/.well-known/jwks`) {
    reply(res, 200, issuer.jwks());
    return true;
  }
  const matched = ID_TOKEN_PATH.exec(path);
  if (!matched) return false;
  req.resume();
  if (req.method !== "GET") {
    reply(res, 405, { message: "Method Not Allowed" });
    return true;
  }
  const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? "")?.[1];
  const job = bearer ? jobByRequestToken(view.world, bearer) : null;
  if (!job || String(job.id) !== matched[1]) {
    reply(res, 401, { message: "The request token is not valid for a running job." });
    return true;
  }
  const repo = view.world.requireRepository(job.repositoryId);
  const run = repo.workflowRuns.get(job.runId);
  if (!run) {
    reply(res, 401, { message: "The job's run no longer exists." });
    return true;
  }
  const owner = view.world.requireUser(repo.ownerId);
  // GitHub's default audience is the URL of the repository owner.
  const audience = url.searchParams.get("audience") || `${view.urls.html}/${owner.login}`;
  const value = await issuer.sign(jobClaims(view.world, repo, run, job), audience);
  reply(res, 200, { count: 1, value });
  return true;
}
