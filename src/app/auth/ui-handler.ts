import type { IncomingMessage, ServerResponse } from "node:http";
import { sendError } from "../api/errors.js";
import type { Authenticate } from "./authenticate.js";
import type { Visibility } from "./visibility.js";

/** A read surface (the JSON API, the board) that shows what the reader's visibility allows. */
export type ReadHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  visibility: Visibility,
) => Promise<boolean>;

export interface UiHandlerDeps {
  readonly api: ReadHandler;
  readonly board: ReadHandler;
  readonly authenticate: Authenticate;
  /** Where a browser without a session is sent to sign in (absent: the board answers 401). */
  readonly signInPath?: string | undefined;
}

/** Whether `path` is one the read surfaces answer (`/board…`, `/api/v1…`, `/api/health`). */
export function isUiPath(path: string): boolean {
  return (
    path === "/board" ||
    path.startsWith("/board/") ||
    path === "/api/v1" ||
    path.startsWith("/api/v1/") ||
    path === "/api/health"
  );
}

/**
 * `/board` and `/api/v1` behind authentication: the request's credentials are checked before any
 * route is matched, so without them every path (even one that does not exist) is 401, and the
 * reader then sees only what its visibility allows. Routes served before this handler (the OIDC
 * POSTs, the webhook, `/api/health`) are not affected. Returns false for every other path.
 */
export function uiHandler(deps: UiHandlerDeps) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (!isUiPath(path)) return false;
    const board = path === "/board" || path.startsWith("/board/");
    const auth = await deps.authenticate(req);
    if (!auth.ok) {
      if (board && deps.signInPath && req.method === "GET") {
        const back = new URL(req.url ?? "/board", "http://localhost");
        res.writeHead(302, {
          location: `${deps.signInPath}?return_to=${encodeURIComponent(back.pathname + back.search)}`,
          "cache-control": "no-store",
        });
        res.end();
        return true;
      }
      sendError(res, 401, auth.code, auth.message, {
        headers: { "www-authenticate": 'Bearer realm="mission-control"' },
      });
      return true;
    }
    return board ? deps.board(req, res, auth.visibility) : deps.api(req, res, auth.visibility);
  };
}
