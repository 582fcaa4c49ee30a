import { createHash, randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { getWebFlowAuthorizationUrl } from "@octokit/oauth-methods";
import { parseCookie as parseCookies, stringifySetCookie } from "cookie";
import { z } from "zod";
import { githubClient } from "../../github/client.js";
import type { Authentication } from "./authenticate.js";
import { AttemptSchema, type Sealer, SessionSchema } from "./session.js";
import { userVisibility } from "./visibility.js";

export const SESSION_COOKIE = "mc_session";
export const ATTEMPT_COOKIE = "mc_signin";
export const SIGN_IN_PATH = "/login";
const CALLBACK_PATH = "/login/callback";
const SIGN_OUT_PATH = "/logout";

export interface SignInDeps {
  /** The GitHub App's OAuth client (GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET). */
  readonly clientId: string;
  readonly clientSecret: string;
  /** The app's public base URL (`app.public_url`): the callback is `<publicUrl>/login/callback`. */
  readonly publicUrl: string;
  /** GitHub's REST API (https://api.github.com, or the stand-in); the web flow's pages are derived from it. */
  readonly apiUrl: string;
  readonly sealer: Sealer;
  /** Whether a user token reads a repository (src/app/auth/user-repositories.ts, cached). */
  readonly readAccess: (token: string, repository: string) => Promise<boolean>;
  /** How long a session lasts (default 8 hours, GitHub's user-token lifetime). */
  readonly sessionSeconds?: number;
  readonly log?: (message: string, detail: Record<string, unknown>) => void;
}

const TokenAnswer = z.union([
  z.object({ access_token: z.string().min(1) }),
  z.object({ error: z.string(), error_description: z.string().optional() }),
]);

/**
 * Sign in with GitHub (the App's OAuth web flow, with `state` against CSRF and PKCE S256): `/login`
 * sends the browser to GitHub, `/login/callback` checks the state against the sealed attempt
 * cookie (good once: it is cleared on the first callback), exchanges the code with its verifier,
 * reads who signed in and sets a sealed, expiring, HttpOnly, SameSite=Lax session cookie (Secure
 * over HTTPS); `/logout` clears it. `session(req)` reads the cookie for the board and API.
 */
export function signIn(deps: SignInDeps) {
  const secure = deps.publicUrl.startsWith("https://");
  const redirectUrl = `${deps.publicUrl}${CALLBACK_PATH}`;
  // Every request of the flow goes through the project's GitHub client (retry and rate limits).
  const client = (token?: string) =>
    githubClient({
      baseUrl: deps.apiUrl,
      userAgent: "mission-control-sign-in",
      ...(token ? { token } : {}),
      warn: (message, detail) => deps.log?.(message, { reason: "rate_limited", ...detail }),
    });
  const unauthenticated = client();
  const sessionSeconds = deps.sessionSeconds ?? 8 * 3600;
  const cookie = (name: string, value: string, maxAge: number) =>
    stringifySetCookie({ name, value, httpOnly: true, secure, sameSite: "lax", path: "/", maxAge });

  async function start(url: URL, res: ServerResponse): Promise<void> {
    const api = await unauthenticated;
    const state = randomBytes(24).toString("base64url");
    const verifier = randomBytes(48).toString("base64url");
    const returnTo = safeReturn(url.searchParams.get("return_to"));
    const attempt = await deps.sealer.seal("sign-in", { state, verifier, returnTo }, 600);
    const { url: authorize } = getWebFlowAuthorizationUrl({
      clientType: "github-app",
      clientId: deps.clientId,
      redirectUrl,
      state,
      request: api.request,
    });
    const target = new URL(authorize);
    target.searchParams.set("code_challenge", createHash("sha256").update(verifier).digest("base64url"));
    target.searchParams.set("code_challenge_method", "S256");
    res.writeHead(302, {
      location: target.toString(),
      "set-cookie": cookie(ATTEMPT_COOKIE, attempt, 600),
      ...NO_STORE,
    });
    res.end();
  }

  async function callback(req: IncomingMessage, url: URL, res: ServerResponse): Promise<void> {
    const cookies = parseCookies(req.headers.cookie ?? "");
    const clear = cookie(ATTEMPT_COOKIE, "", 0);
    const sealed = cookies[ATTEMPT_COOKIE];
    const attempt = AttemptSchema.safeParse(sealed ? await deps.sealer.open("sign-in", sealed) : null);
    const state = url.searchParams.get("state");
    if (!attempt.success || !state || state !== attempt.data.state) {
      deps.log?.("sign-in refused: state", { reason: attempt.success ? "state_mismatch" : "no_attempt" });
      return page(
        res,
        400,
        "Sign-in failed",
        "This sign-in link was used already, expired or was not started here. Start again.",
        clear,
      );
    }
    const code = url.searchParams.get("code");
    if (!code) return page(res, 400, "Sign-in failed", "GitHub did not authorize the sign-in.", clear);
    // The exchange carries the client secret in its body: a failure is reported by status only (an
    // Octokit RequestError would carry the body into the log), and the person starts again. It is
    // sent once (`retries: 0`): the code is good for one exchange, so a retry could only be refused.
    const api = await unauthenticated;
    let data: unknown;
    try {
      ({ data } = await api.request("POST /login/oauth/access_token", {
        baseUrl: new URL(
          getWebFlowAuthorizationUrl({
            clientType: "github-app",
            clientId: deps.clientId,
            request: api.request,
          }).url,
        ).origin,
        headers: { accept: "application/json" },
        client_id: deps.clientId,
        client_secret: deps.clientSecret,
        code,
        redirect_uri: redirectUrl,
        code_verifier: attempt.data.verifier,
        request: { signal: AbortSignal.timeout(10_000), retries: 0 },
      }));
    } catch (error) {
      deps.log?.("sign-in failed: code exchange", {
        reason: "github_unavailable",
        status: (error as { status?: number }).status ?? null,
      });
      return page(res, 502, "Sign-in failed", "GitHub did not answer the sign-in. Start again.", clear);
    }
    const answer = TokenAnswer.safeParse(data);
    if (!answer.success || "error" in answer.data) {
      deps.log?.("sign-in refused: code exchange", {
        reason: answer.success && "error" in answer.data ? answer.data.error : "malformed_answer",
      });
      return page(res, 400, "Sign-in failed", "GitHub refused the sign-in code. Start again.", clear);
    }
    const token = answer.data.access_token;
    const user = await (await client(token)).rest.users.getAuthenticated();
    const session = await deps.sealer.seal("session", { login: user.data.login, token }, sessionSeconds);
    res.writeHead(302, {
      location: attempt.data.returnTo,
      "set-cookie": [clear, cookie(SESSION_COOKIE, session, sessionSeconds)],
      ...NO_STORE,
    });
    res.end();
  }

  return {
    signInPath: SIGN_IN_PATH,
    /** The sign-in pages as a handler; false for every other path. */
    async routes(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
      const url = new URL(req.url ?? "/", "http://localhost");
      const path = url.pathname.replace(/\/+$/, "");
      if (path !== SIGN_IN_PATH && path !== CALLBACK_PATH && path !== SIGN_OUT_PATH) return false;
      if (req.method !== "GET") {
        res.writeHead(405, { allow: "GET" }).end();
        return true;
      }
      if (path === SIGN_IN_PATH) await start(url, res);
      else if (path === CALLBACK_PATH) await callback(req, url, res);
      else page(res, 200, "Signed out", "You are signed out.", cookie(SESSION_COOKIE, "", 0));
      return true;
    },
    /** The request's session: null without a cookie, a refusal for a forged or expired one. */
    async session(req: IncomingMessage): Promise<Authentication | null> {
      const value = parseCookies(req.headers.cookie ?? "")[SESSION_COOKIE];
      if (!value) return null;
      const session = SessionSchema.safeParse(await deps.sealer.open("session", value));
      if (!session.success)
        return {
          ok: false,
          code: "session_invalid",
          message: "the session is invalid or expired; sign in again (/login)",
        };
      const { login, token } = session.data;
      return {
        ok: true,
        visibility: userVisibility(login, (repository) => deps.readAccess(token, repository)),
      };
    },
  };
}

const NO_STORE = { "cache-control": "no-store" };

/** Only a path of the board or the API, never another origin (no open redirect). */
function safeReturn(value: string | null): string {
  // Control characters (a decoded CR/LF) would break the Location header after the code is spent.
  if (
    value &&
    /^\/(board|api\/v1)(\/|\?|$)/.test(value) &&
    !value.startsWith("//") &&
    ![...value].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)
  )
    return value;
  return "/board";
}

function page(res: ServerResponse, status: number, heading: string, text: string, setCookie: string): void {
  const body = `<!doctype html><html><head><meta charset="utf-8"><title>${heading}</title></head><body><h1>${heading}</h1><p>${text}</p><p><a href="${SIGN_IN_PATH}">Sign in with GitHub</a></p></body></html>`;
  res.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "content-security-policy": "default-src 'none'",
    "set-cookie": setCookie,
    ...NO_STORE,
  });
  res.end(body);
}
