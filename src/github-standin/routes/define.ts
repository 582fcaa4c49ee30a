import { HttpError, notFoundError, validationFailed } from "../http/http-error.js";
import { paginate } from "../http/pagination.js";
import type { AppRoute, RepoRoute, RequestContext, RouteResponse } from "../http/route.js";
import type { Result } from "../world/results.js";

type Defaults = "mutation";

/** Declares an app-level route (JWT). `mutation` defaults to "not a GET". */
export function appRoute(
  route: Omit<AppRoute, "scope" | Defaults> & Partial<Pick<AppRoute, Defaults>>,
): AppRoute {
  return { scope: "app", mutation: route.method !== "GET", ...route };
}

/** Declares a repository route (installation token unless said otherwise). */
export function repoRoute(
  route: Omit<RepoRoute, "scope" | "credential" | Defaults> &
    Partial<Pick<RepoRoute, Defaults | "credential">>,
): RepoRoute {
  return { scope: "repository", credential: "installation", mutation: route.method !== "GET", ...route };
}

export const json = (
  body: unknown,
  status = 200,
  headers?: Readonly<Record<string, string>>,
): RouteResponse => (headers ? { status, body, headers } : { status, body });

/** Maps a world refusal to GitHub's answer: 404, 422 Validation Failed, or 409. */
export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  switch (result.reason) {
    case "not_found":
      throw notFoundError();
    case "invalid": {
      const item = { resource: result.resource, field: result.field, code: result.code };
      throw validationFailed([result.message === undefined ? item : { ...item, message: result.message }]);
    }
    case "conflict":
      throw new HttpError(409, result.message);
  }
}

/** A positive integer path parameter; anything else is a 404, as on GitHub. */
export function intParam(ctx: RequestContext, name: string): number {
  const raw = ctx.params[name] ?? "";
  if (!/^\d+$/.test(raw)) throw notFoundError();
  return Number(raw);
}

export function param(ctx: RequestContext, name: string): string {
  const value = ctx.params[name];
  if (value === undefined) throw new Error(`route is missing the {${name}} parameter`);
  return value;
}

/** A plain JSON array, paginated with `per_page`/`page` and a `Link` header. */
export function pagedList<T>(
  ctx: RequestContext,
  all: readonly T[],
  render: (item: T) => unknown,
): RouteResponse {
  const page = paginate(all, ctx.url);
  return json(page.items.map(render), 200, page.link ? { link: page.link } : undefined);
}

/** A wrapped list (`{ total_count, <key>: [...] }`), paginated the same way. */
export function pagedWrapped<T>(
  ctx: RequestContext,
  key: string,
  all: readonly T[],
  render: (item: T) => unknown,
): RouteResponse {
  const page = paginate(all, ctx.url);
  return json(
    { total_count: all.length, [key]: page.items.map(render) },
    200,
    page.link ? { link: page.link } : undefined,
  );
}
