import type { View } from "../presenters/view.js";
import type { Actor } from "../world/actor.js";
import type { AppPermissionLevel, AppRecord, InstallationRecord, RepositoryRecord } from "../world/types.js";

export type HttpMethod = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";

/** What a handler answers; the server adds GitHub's headers, ETag, pagination links and logging. */
export interface RouteResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** The parts of the request every handler may read. */
export interface RequestContext {
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** Parsed JSON body (undefined when there was none). */
  readonly body: unknown;
  readonly view: View;
  /** Path and query as requested, for pagination links. */
  readonly url: URL;
}

/** Routes that act as the app itself (authenticated with its JWT). */
export interface AppRouteContext extends RequestContext {
  readonly app: AppRecord;
}

/** Routes on a repository, authenticated with an installation token that covers it. */
export interface RepoRouteContext extends RequestContext {
  readonly repo: RepositoryRecord;
  readonly installation: InstallationRecord;
  /** The app's bot user: whatever the handler changes is done by it. */
  readonly actor: Actor;
}

interface RouteBase {
  readonly method: HttpMethod;
  /** GitHub's path template, e.g. `/repos/{owner}/{repo}/issues/{issue_number}`. */
  readonly template: string;
  /** The operation in GitHub's OpenAPI description (e.g. `issues/get`); contract tests use it. */
  readonly operationId: string;
  /** Whether the route changes the world (request log, benchmarks). */
  readonly mutation: boolean;
}

export interface AppRoute extends RouteBase {
  readonly scope: "app";
  handle(ctx: AppRouteContext): RouteResponse | Promise<RouteResponse>;
}

/** A repository route; `app-jwt` routes (like `GET /repos/{o}/{r}/installation`) take the JWT instead. */
export interface RepoRoute extends RouteBase {
  readonly scope: "repository";
  readonly credential: "installation" | "app-jwt";
  /** The installation permission the route needs, e.g. `["issues", "write"]`. */
  readonly permission: readonly [name: string, level: AppPermissionLevel] | null;
  handle(ctx: RepoRouteContext): RouteResponse | Promise<RouteResponse>;
}

export type Route = AppRoute | RepoRoute;

/** `${method} ${template}`, the key the request log and fault plan use. */
export const routeKey = (route: Pick<RouteBase, "method" | "template">) =>
  `${route.method} ${route.template}`;
