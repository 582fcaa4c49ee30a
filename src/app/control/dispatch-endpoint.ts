/**
 * `POST /api/v1/dispatch`: the control repository's scheduled workflow asks the app to run one
 * dispatch cycle for its owner. The only credential is the job's GitHub Actions OIDC token: the
 * workflow holds no database URL and no App key (DESIGN.md, "Deployment").
 *
 * The token must be the issuer's (signature, audience = the app's public URL, not expired: the
 * verifier) and come from the owner's control repository, from the dispatch workflow on its default
 * branch, started by `schedule` or `workflow_dispatch` (this module's policy). Anything else is 401
 * or 403 with a reason code, and no cycle runs.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { CycleRecord } from "../../dispatch/decisions.js";
import { sendError, sendJson } from "../api/errors.js";
import {
  type ActionsClaims,
  type ActionsTokenVerifier,
  bearerToken,
  demandClaims,
  type TokenRefusal,
} from "../oidc/index.js";
import { ControlPlaneError } from "./control-plane.js";

/** Events that may start a dispatch: the schedule, or a person (or the app) running it by hand. */
export const DISPATCH_EVENTS = ["schedule", "workflow_dispatch"] as const;

/** Where an owner's dispatch must come from: the control repository and its dispatch workflow. */
export interface DispatchOrigin {
  /** `owner/<app.control_repository_name>`. */
  readonly repository: string;
  /** `owner/mission-control/.github/workflows/mission-control-dispatch.yml@refs/heads/main`. */
  readonly workflowRef: string;
}

export interface DispatchEndpointDeps {
  readonly verifier: ActionsTokenVerifier;
  /**
   * The origin an owner's dispatch token must have, or a refusal when the owner has no usable
   * control repository (the app is not installed there, or it cannot be read).
   */
  readonly originFor: (owner: string) => Promise<DispatchOrigin | TokenRefusal>;
  /** `<owner>/<app.control_repository_name>`, known without asking GitHub. */
  readonly controlRepositoryOf: (owner: string) => string;
  /** Runs one dispatch cycle scoped to `owner`, as `holder`. */
  readonly runCycle: (owner: string, holder: string) => Promise<CycleRecord>;
  /** The refusal (never the token) and the cycle's outcome go to the app's log. */
  readonly log: (level: "info" | "warn" | "error", detail: Record<string, unknown>, message: string) => void;
}

export const DISPATCH_PATH = "/api/v1/dispatch";

/** Answers `POST /api/v1/dispatch`; returns false for every other path. */
export function dispatchEndpoint(deps: DispatchEndpointDeps | null) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname.replace(/\/+$/, "");
    if (path !== DISPATCH_PATH) return false;
    if (req.method !== "POST") {
      sendError(
        res,
        405,
        "method_not_allowed",
        `${req.method} is not allowed: POST runs one dispatch cycle`,
        {
          headers: { allow: "POST" },
        },
      );
      return true;
    }
    req.resume(); // the body is not used: everything the app trusts is in the token
    if (!deps) {
      sendError(
        res,
        503,
        "not_configured",
        "this app does not serve dispatch: set app.public_url in its configuration (the OIDC audience)",
      );
      return true;
    }
    const decision = await authorize(deps, bearerToken(req));
    if (!decision.ok) {
      deps.log(
        "warn",
        { reason: decision.reason, status: decision.status },
        `dispatch refused: ${decision.message}`,
      );
      sendError(res, decision.status, decision.reason, decision.message);
      return true;
    }
    const { claims } = decision;
    const holder = `actions:${claims.repository}/runs/${claims.run_id}/${claims.run_attempt}`;
    try {
      const record = await deps.runCycle(claims.repository_owner, holder);
      deps.log(
        "info",
        {
          owner: claims.repository_owner,
          run: claims.run_id,
          outcome: record.outcome,
          counts: record.counts,
        },
        "dispatch cycle run for the control repository",
      );
      sendJson(res, 200, record);
    } catch (error) {
      if (error instanceof ControlPlaneError) {
        deps.log("warn", { owner: claims.repository_owner, reason: error.code }, error.message);
        sendError(res, error.status, error.code, error.message);
      } else {
        deps.log("error", { err: error, owner: claims.repository_owner }, "dispatch cycle failed");
        sendError(res, 500, "internal", "the dispatch cycle failed; see the app's log");
      }
    }
    return true;
  };
}

type Authorization =
  | { readonly ok: true; readonly claims: ActionsClaims }
  | ({ readonly ok: false } & TokenRefusal);

async function authorize(deps: DispatchEndpointDeps, token: string | undefined): Promise<Authorization> {
  const verified = await deps.verifier.verify(token);
  if (!verified.ok) return verified;
  const { claims } = verified;
  // What the claims alone decide comes first: a token of any other repository or event costs no
  // GitHub request (any workflow anywhere can ask for a token with this audience).
  const early = demandClaims(claims, {
    repository: deps.controlRepositoryOf(claims.repository_owner),
    eventNames: DISPATCH_EVENTS,
  });
  if (early) return { ok: false, ...early };
  const origin = await deps.originFor(claims.repository_owner);
  if ("status" in origin) return { ok: false, ...origin };
  const refusal = demandClaims(claims, {
    repository: origin.repository,
    workflowRef: origin.workflowRef,
    eventNames: DISPATCH_EVENTS,
  });
  return refusal ? { ok: false, ...refusal } : { ok: true, claims };
}
