import type { IncomingMessage } from "node:http";
import type { ApiTokenCheck } from "../../store/index.js";
import { bearerToken } from "../oidc/bearer-token.js";
import { EVERYTHING, tokenVisibility, type Visibility } from "./visibility.js";

/** Who the request is from, or why it is refused (always a 401: no credential names a resource). */
export type Authentication =
  | { readonly ok: true; readonly visibility: Visibility }
  | {
      readonly ok: false;
      readonly code: "credentials_required" | "invalid_token" | "session_invalid";
      readonly message: string;
    };

export type Authenticate = (req: IncomingMessage) => Promise<Authentication>;

/** The loopback UI listener: no credential asked, everything visible. */
export const openAccess: Authenticate = async () => ({ ok: true, visibility: EVERYTHING });

export interface CredentialDeps {
  /** An API token's row, if it is known, unrevoked and unexpired (read on every request). */
  readonly checkToken: (token: string) => Promise<ApiTokenCheck>;
  /** The signed-in person of the request's session cookie, if sign-in is configured. */
  readonly session?: ((req: IncomingMessage) => Promise<Authentication | null>) | undefined;
}

/**
 * The public UI: an `Authorization: Bearer` API token, else a sign-in session, else 401. A bad
 * token is refused outright (no fall-back to the cookie), so a script learns its token is dead.
 */
export function credentialAccess(deps: CredentialDeps): Authenticate {
  return async (req) => {
    const token = bearerToken(req);
    if (token !== undefined) {
      const check = await deps.checkToken(token);
      if (check.ok)
        return { ok: true, visibility: tokenVisibility(check.info.name, check.info.repositories) };
      return {
        ok: false,
        code: "invalid_token",
        message: `the API token is ${check.code === "unknown" ? "not known" : check.code}; make one with mctl api-token create`,
      };
    }
    const session = deps.session ? await deps.session(req) : null;
    if (session) return session;
    return {
      ok: false,
      code: "credentials_required",
      message: deps.session
        ? "sign in with GitHub (/login) or send an API token (Authorization: Bearer …)"
        : "send an API token (Authorization: Bearer …); make one with mctl api-token create",
    };
  };
}
