import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { View } from "../presenters/view.js";
import { appActor, installationCovers, installationFor, permits } from "../world/apps.js";
import { authenticate, type Credential, identityOf } from "./auth.js";
import { readJsonBody } from "./body.js";
import { etagFor, matchesIfNoneMatch } from "./etag.js";
import type { FaultPlan } from "./faults.js";
import { HttpError, notFoundError } from "./http-error.js";
import { JWT_MESSAGES } from "./jwt.js";
import { type RateLimiter, rateLimitHeaders } from "./rate-limit.js";
import type { RequestLog } from "./request-log.js";
import { baseHeaders, send } from "./respond.js";
import type { RequestContext, Route, RouteResponse } from "./route.js";
import { routeKey } from "./route.js";
import type { Router } from "./router.js";

export interface PipelineDeps {
  readonly view: () => View;
  readonly router: Router;
  readonly rateLimiter: RateLimiter;
  readonly faults: FaultPlan;
  readonly log: RequestLog;
}

const RATE_LIMIT_DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api";

/**
 * The request pipeline, in GitHub's order: route → injected faults → credentials → repository
 * and permission → primary rate limit → handler → conditional request (ETag/304) → log.
 */
export function createRequestHandler(
  deps: PipelineDeps,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  let counter = 0;
  const prefix = randomBytes(2).toString("hex").toUpperCase();
  return async (req, res) => {
    counter += 1;
    const requestId = `${prefix}:${counter.toString(16).toUpperCase().padStart(8, "0")}`;
    const view = deps.view();
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", view.urls.api);
    const matched = deps.router.match(method, url.pathname);
    const route = matched !== null && typeof matched === "object" ? matched.route : null;
    const faults: string[] = [];
    const log = (status: number, notModified = false) =>
      deps.log.record({
        requestId,
        method,
        route: route ? routeKey(route) : null,
        operationId: route?.operationId ?? null,
        path: url.pathname,
        status,
        mutation: route?.mutation ?? false,
        notModified,
        faults,
        timestamp: view.world.now(),
      });
    const headers = baseHeaders(requestId);

    // Read the whole body first, so an early answer never leaves unread bytes on a kept-alive socket.
    const bodyPromise = readJsonBody(req);
    bodyPromise.catch(() => undefined);

    if (route) {
      const decision = deps.faults.decide(method, route.template);
      faults.push(...decision.labels);
      if (decision.delayMs > 0) await sleep(decision.delayMs);
      const fault = decision.terminal;
      if (fault?.kind === "drop") {
        log(0);
        req.socket.destroy();
        return;
      }
      if (fault) {
        const identity = identityOf(authenticate(view.world, req.headers.authorization));
        const limits = rateLimitHeaders(deps.rateLimiter.peek(identity));
        const error =
          fault.kind === "secondary-rate-limit"
            ? new HttpError(
                fault.status,
                `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${requestId}.`,
                {
                  documentationUrl:
                    "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
                },
              )
            : new HttpError(fault.status, fault.message ?? defaultMessage(fault.status));
        const extra =
          fault.kind === "secondary-rate-limit" ? { "retry-after": String(fault.retryAfterSeconds) } : {};
        send(res, error.status, { ...headers, ...limits, ...extra }, JSON.stringify(error.body()));
        log(error.status);
        return;
      }
    }

    const credential = authenticate(view.world, req.headers.authorization);
    const identity = identityOf(credential);
    let counted = false;
    let response: RouteResponse;
    try {
      if (!route) throw notFoundError();
      const body = await bodyPromise;
      const base: RequestContext = {
        params: matched !== null && typeof matched === "object" ? matched.params : {},
        query: url.searchParams,
        body,
        view,
        url,
      };
      const prepared = prepare(route, credential, base);
      if (deps.rateLimiter.exhausted(identity)) {
        throw new HttpError(403, primaryLimitMessage(credential), { documentationUrl: RATE_LIMIT_DOCS });
      }
      counted = true;
      response = await prepared();
    } catch (error) {
      if (!(error instanceof HttpError)) {
        // A bug in the stand-in: answer like GitHub's 500 and say why on stderr for whoever runs it.
        process.stderr.write(
          `github-standin: ${method} ${url.pathname} failed: ${(error as Error)?.stack ?? String(error)}\n`,
        );
        response = { status: 500, body: new HttpError(500, "Server Error").body() };
      } else {
        response = {
          status: error.status,
          body: error.body(),
          ...(error.details.headers ? { headers: error.details.headers } : {}),
        };
        // Bad credentials and rate-limit refusals do not use up the budget.
        if (error.status === 401) counted = false;
      }
    }

    const text = response.body === undefined ? undefined : JSON.stringify(response.body);
    const out: Record<string, string> = { ...headers, ...(response.headers ?? {}) };
    if (route?.scope === "repository" && route.permission)
      out["x-accepted-github-permissions"] = `${route.permission[0]}=${route.permission[1]}`;
    let notModified = false;
    if (method === "GET" && response.status === 200 && text !== undefined) {
      const etag = etagFor(text, identity);
      out.etag = etag;
      out["cache-control"] = "private, max-age=60, s-maxage=60";
      notModified = matchesIfNoneMatch(req.headers["if-none-match"], etag);
    }
    // 304s are free (GitHub does not count conditional requests that match).
    const limits =
      counted && !notModified ? deps.rateLimiter.consume(identity) : deps.rateLimiter.peek(identity);
    Object.assign(out, rateLimitHeaders(limits));
    if (notModified) {
      delete out.link;
      send(res, 304, out);
      log(304, true);
      return;
    }
    send(res, response.status, out, response.status === 204 ? undefined : text);
    log(response.status);
  };
}

function defaultMessage(status: number): string {
  if (status === 404) return "Not Found";
  if (status === 502) return "Server Error";
  if (status === 503) return "Service Unavailable";
  return status >= 500 ? "Server Error" : "Request failed";
}

function primaryLimitMessage(credential: Credential): string {
  if (credential.kind === "installation") {
    return `API rate limit exceeded for installation ID ${credential.installation.id}. If you reach out to GitHub Support for help, please include the request ID.`;
  }
  return "API rate limit exceeded. (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)";
}

/**
 * Checks the credential against the route, resolves the repository and permission, and returns
 * the call to make. Refusals throw GitHub's answers: 401 for missing or wrong credentials, 404 for
 * repositories the credential cannot see, 403 for missing permissions.
 */
function prepare(
  route: Route,
  credential: Credential,
  base: RequestContext,
): () => RouteResponse | Promise<RouteResponse> {
  const world = base.view.world;
  if (credential.kind === "invalid") throw new HttpError(401, credential.message);
  if (route.scope === "app") {
    if (credential.kind !== "app") throw new HttpError(401, JWT_MESSAGES.undecodable);
    const app = credential.app;
    return () => route.handle({ ...base, app });
  }
  if (credential.kind === "anonymous") throw new HttpError(401, "Requires authentication");
  const repo = world.repositoryByName(base.params.owner ?? "", base.params.repo ?? "");
  if (route.credential === "app-jwt") {
    if (credential.kind !== "app") throw new HttpError(401, JWT_MESSAGES.undecodable);
    const installation = repo ? installationFor(world, credential.app.id, repo) : undefined;
    if (!repo || !installation) throw notFoundError();
    const actor = appActor(world, credential.app);
    return () => route.handle({ ...base, repo, installation, actor });
  }
  if (credential.kind !== "installation") throw new HttpError(401, "Bad credentials");
  const { installation, token, app } = credential;
  const visible =
    repo !== undefined &&
    installationCovers(installation, repo) &&
    (token.repositoryIds === null || token.repositoryIds.has(repo.id));
  if (!repo || !visible) throw notFoundError();
  if (route.permission && !permits(token.permissions, route.permission[0], route.permission[1])) {
    throw new HttpError(403, "Resource not accessible by integration", {
      documentationUrl: "https://docs.github.com/rest",
    });
  }
  const actor = appActor(world, app);
  return () => route.handle({ ...base, repo, installation, actor });
}
