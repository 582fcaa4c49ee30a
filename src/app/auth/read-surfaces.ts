import type { Lifecycle } from "../../lifecycle/index.js";
import type { Store } from "../../store/index.js";
import { apiHandler } from "../api/index.js";
import { boardHandler } from "../board/index.js";
import type { PeriodicTaskStatus } from "../periodic/status.js";
import { type Authenticate, openAccess } from "./authenticate.js";
import { type ReadHandler, uiHandler } from "./ui-handler.js";

export interface ReadSurfaceDeps {
  readonly lifecycle: Lifecycle;
  readonly mirror: Pick<Store["mirror"], "backlog">;
  readonly logError: (error: unknown, message: string) => void;
  /** The periodic tasks' status that the detailed `/api/health` shows (src/app/periodic/). */
  readonly periodic?: (() => readonly PeriodicTaskStatus[]) | undefined;
  /** GitHub's web origin for links back (default https://github.com). */
  readonly githubWebUrl?: string | undefined;
}

/** The read-only JSON API (docs/api.md) and board (docs/board.md), each showing what a reader may see. */
export function readSurfaces(deps: ReadSurfaceDeps): {
  readonly api: ReadHandler;
  readonly board: ReadHandler;
} {
  return {
    api: apiHandler({
      lifecycle: deps.lifecycle,
      mirror: deps.mirror,
      logError: deps.logError,
      githubWebUrl: deps.githubWebUrl,
      ...(deps.periodic ? { periodic: deps.periodic } : {}),
    }),
    board: boardHandler({
      lifecycle: deps.lifecycle,
      logError: deps.logError,
      githubWebUrl: deps.githubWebUrl,
    }),
  };
}

/**
 * The board and API as one handler: `authenticate` decides who reads (`openAccess` on the loopback
 * UI listener, API tokens and sign-in on a public one).
 */
export function readSurfaceHandler(
  deps: ReadSurfaceDeps & { readonly authenticate?: Authenticate; readonly signInPath?: string | undefined },
) {
  return uiHandler({
    ...readSurfaces(deps),
    authenticate: deps.authenticate ?? openAccess,
    signInPath: deps.signInPath,
  });
}
