import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { FaultPlan } from "../http/faults.js";
import type { RequestLog } from "../http/request-log.js";
import type { View } from "../presenters/view.js";
import { jobByRequestToken } from "../world/jobs.js";
import { jobClaims } from "./claims.js";
import type { OidcIssuer } from "./issuer.js";

/** Where the issuer lives on the stand-in: `<url>/_oidc` (GitHub's is `https://token.actions.githubusercontent.com`). */
export const OIDC_ISSUER_PATH = "/_oidc";

/** The issuer's and the token service's routes, as the request log and the fault plan name them. */
export const OIDC_ROUTES = {
  discovery: `${OIDC_ISSUER_PATH}/.well-known/openid-configuration`,
  jwks: `${OIDC_ISSUER_PATH}/.well-known/jwks`,
  idToken: "/_actions/jobs/{job_id}/idtoken",
} as const;

const ID_TOKEN_PATH = /^\/_actions\/jobs\/(\d+)\/idtoken\/?$/;

export interface OidcHttpDeps {
  readonly view: () => View;
  readonly issuer: OidcIssuer;
  readonly faults: FaultPlan;
  readonly log: RequestLog;
}

interface Answer {
  readonly status: number;
  readonly body: unknown;
}

function reply(res: ServerResponse, answer: Answer): void {
  const text = JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(text)),
    "cache-control": "no-store",
  });
  res.end(text);
}

/**
 * Serves the OIDC issuer (discovery and JWKS) and the job token endpoint, with the fault plan and
 * the request log like every other route (`gh.faults.add({ route: "/_oidc/.well-known/jwks", … })`).
 * Returns false when the path is none of these, so the REST pipeline handles it. These paths take
 * no GitHub credential: the token endpoint's bearer is the job's request token.
 */
export async function handleOidcRequest(
  deps: OidcHttpDeps,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const view = deps.view();
  const url = new URL(req.url ?? "/", view.urls.api);
  const path = url.pathname;
  const jobId = ID_TOKEN_PATH.exec(path)?.[1];
  const template =
    path === OIDC_ROUTES.discovery || path === OIDC_ROUTES.jwks
      ? path
      : jobId !== undefined
        ? OIDC_ROUTES.idToken
        : null;
  if (template === null) return false;
  req.resume();
  const method = (req.method ?? "GET").toUpperCase();
  const decision = deps.faults.decide(method, template);
  const log = (status: number) =>
    deps.log.record({
      requestId: randomBytes(4).toString("hex").toUpperCase(),
      method,
      route: `${method} ${template}`,
      operationId: null,
      path,
      status,
      mutation: false,
      notModified: false,
      faults: decision.labels,
      timestamp: view.world.now(),
    });
  if (decision.delayMs > 0) await sleep(decision.delayMs);
  const fault = decision.terminal;
  if (fault?.kind === "drop") {
    log(0);
    req.socket.destroy();
    return true;
  }
  const answer: Answer = fault
    ? {
        status: fault.status,
        body: { message: (fault.kind === "status" ? fault.message : undefined) ?? "Service Unavailable" },
      }
    : await answerFor(view, deps.issuer, req, url, method, template, jobId);
  reply(res, answer);
  log(answer.status);
  return true;
}

async function answerFor(
  view: View,
  issuer: OidcIssuer,
  req: IncomingMessage,
  url: URL,
  method: string,
  template: string,
  jobId: string | undefined,
): Promise<Answer> {
  if (method !== "GET") return { status: 405, body: { message: "Method Not Allowed" } };
  if (template === OIDC_ROUTES.discovery) return { status: 200, body: issuer.discovery() };
  if (template === OIDC_ROUTES.jwks) return { status: 200, body: issuer.jwks() };
  const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? "")?.[1];
  const job = bearer ? jobByRequestToken(view.world, bearer) : null;
  if (!job || String(job.id) !== jobId)
    return { status: 401, body: { message: "The request token is not valid for a running job." } };
  const repo = view.world.requireRepository(job.repositoryId);
  const run = repo.workflowRuns.get(job.runId);
  if (!run) return { status: 401, body: { message: "The job's run no longer exists." } };
  const owner = view.world.requireUser(repo.ownerId);
  // GitHub's default audience is the URL of the repository owner.
  const audience = url.searchParams.get("audience") || `${view.urls.html}/${owner.login}`;
  return {
    status: 200,
    body: { count: 1, value: await issuer.sign(jobClaims(view.world, repo, run, job), audience) },
  };
}
