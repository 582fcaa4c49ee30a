import type { IncomingMessage, ServerResponse } from "node:http";
import type { z } from "zod";
import type { Store } from "../../store/index.js";
import type { Visibility } from "../auth/visibility.js";
import type { PeriodicTaskStatus } from "../periodic/status.js";
import { issuesOf, sendInvalid } from "./errors.js";
import type { ApiLifecycle } from "./port.js";
import { queryObject } from "./query.js";

/** What a route handler gets: the request, the response, the parsed URL and its path parameters. */
export interface RouteContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  readonly params: Readonly<Record<string, string>>;
  readonly lifecycle: ApiLifecycle;
  readonly mirror: Pick<Store["mirror"], "backlog">;
  /** The app's periodic tasks' status (src/app/periodic/), for the health route; absent: none run. */
  readonly periodic?: (() => readonly PeriodicTaskStatus[]) | undefined;
  readonly logError?: ((error: unknown, message: string) => void) | undefined;
  /** Which repositories the reader may read: another repository's ticket is a 404, lists are filtered. */
  readonly visibility: Visibility;
  /** GitHub's web origin (https://github.com), for links back to issues, runs and check runs. */
  readonly githubWebUrl: string;
}

export interface Route {
  /** A path such as `/api/v1/tickets/:key` (a `:name` segment matches one non-empty segment). */
  readonly path: string;
  readonly handle: (ctx: RouteContext) => Promise<void>;
}

/** The query validated by `schema`, or null after answering 400 naming each bad parameter. */
export function parseQuery<S extends z.ZodType>(ctx: RouteContext, schema: S): z.output<S> | null {
  const parsed = schema.safeParse(queryObject(ctx.url.searchParams));
  if (parsed.success) return parsed.data;
  sendInvalid(ctx.res, issuesOf(parsed.error));
  return null;
}

/** The path parameters when `pattern` matches `pathname`, else null. */
export function matchPath(pattern: string, pathname: string): Record<string, string> | null {
  const want = pattern.split("/");
  const got = pathname.replace(/\/+$/, "").split("/");
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] ?? "";
    const g = got[i] ?? "";
    if (w.startsWith(":")) {
      if (!g) return null;
      try {
        params[w.slice(1)] = decodeURIComponent(g);
      } catch {
        params[w.slice(1)] = g;
      }
    } else if (w !== g) return null;
  }
  return params;
}
