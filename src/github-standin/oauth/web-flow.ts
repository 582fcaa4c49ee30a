/**
 * GitHub's OAuth web flow for a GitHub App, as the stand-in serves it (GitHub: "Generating a user
 * access token for a GitHub App"): `GET /login/oauth/authorize` (a page where a person of the world
 * signs in by login and authorizes), `POST /login/oauth/access_token` (the code, with the client
 * secret and the PKCE verifier, for a `ghu_` user-to-server token), and what such a token may call
 * here: `GET /user` and `GET /repos/{owner}/{repo}` (404 unless the person can read the repository).
 */
import { createHash, randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { View } from "../presenters/view.js";
import { presentRepository } from "../presenters/repositories.js";
import { presentUser } from "../presenters/users.js";
import { permissionOf } from "../world/repositories.js";
import type { AppRecord, UserRecord } from "../world/types.js";

const CODE_TTL_MS = 10 * 60_000;
const TOKEN_TTL_MS = 8 * 3600_000;

interface CodeRecord {
  readonly userId: number;
  readonly redirectUri: string;
  readonly challenge: string | null;
  readonly expiresAt: number;
}

export class OAuthWebFlow {
  /** The app's OAuth client secret (GitHub shows it once on the app's settings page). */
  readonly clientSecret = randomBytes(20).toString("hex");
  readonly #codes = new Map<string, CodeRecord>();
  readonly #tokens = new Map<string, { readonly userId: number; readonly expiresAt: number }>();

  constructor(
    private readonly app: AppRecord,
    private readonly now: () => number,
  ) {}

  get clientId(): string {
    return this.app.clientId;
  }

  /** A user-to-server token for `login`, past the web flow (for tests of what such a token reads). */
  userToken(view: View, login: string): string {
    const user = view.world.userByLogin(login);
    if (!user) throw new Error(`stand-in: no user ${login}`);
    return this.#issueToken(user.id);
  }

  /** Answers the flow's routes and a user token's calls; false for anything else. */
  async handle(view: View, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname.replace(/\/+$/, "");
    if (path === "/login/oauth/authorize" && req.method === "GET") return this.#authorizePage(url, res);
    if (path === "/login/oauth/authorize" && req.method === "POST")
      return this.#authorize(view, await readForm(req), res);
    if (path === "/login/oauth/access_token" && req.method === "POST")
      return this.#accessToken(req, await readForm(req), res);
    const token = /^(?:bearer|token)\s+(ghu_\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
    if (!token || req.method !== "GET") return false;
    const user = this.#userOf(view, token);
    if (!user) return json(res, 401, { message: "Bad credentials", documentation_url: DOCS });
    if (path === "/user") return json(res, 200, presentUser(view, user));
    const repo = /^\/repos\/([^/]+)\/([^/]+)$/.exec(path);
    if (!repo) return json(res, 404, { message: "Not Found", documentation_url: DOCS });
    const record = view.world.repositoryByName(
      decodeURIComponent(repo[1] ?? ""),
      decodeURIComponent(repo[2] ?? ""),
    );
    if (!record || (record.private && permissionOf(record, user) === "none"))
      return json(res, 404, { message: "Not Found", documentation_url: DOCS });
    json(res, 200, presentRepository(view, record));
    return true;
  }

  #authorizePage(url: URL, res: ServerResponse): boolean {
    const q = url.searchParams;
    if (q.get("client_id") !== this.app.clientId) {
      html(res, 404, "<h1>Not Found</h1><p>No application with this client_id.</p>");
      return true;
    }
    const hidden = ["client_id", "redirect_uri", "state", "code_challenge", "code_challenge_method"]
      .map((name) => `<input type="hidden" name="${name}" value="${escapeHtml(q.get(name) ?? "")}">`)
      .join("");
    html(
      res,
      200,
      `<h1>Authorize ${escapeHtml(this.app.name)}</h1><form method="post" action="/login/oauth/authorize">${hidden}` +
        `<label>Sign in as <input name="login" id="login" autocomplete="off"></label> <button id="authorize" type="submit">Authorize</button></form>`,
    );
    return true;
  }

  #authorize(view: View, form: URLSearchParams, res: ServerResponse): boolean {
    const user = view.world.userByLogin(form.get("login") ?? "");
    const redirectUri = form.get("redirect_uri") ?? "";
    if (form.get("client_id") !== this.app.clientId || !user || !/^https?:\/\//.test(redirectUri)) {
      html(res, 400, "<h1>Bad request</h1><p>Unknown application, user or redirect_uri.</p>");
      return true;
    }
    const method = form.get("code_challenge_method");
    const challenge = form.get("code_challenge") || null;
    if (challenge && method !== "S256") {
      html(res, 400, "<h1>Bad request</h1><p>code_challenge_method must be S256.</p>");
      return true;
    }
    const code = randomBytes(10).toString("hex");
    this.#codes.set(code, { userId: user.id, redirectUri, challenge, expiresAt: this.now() + CODE_TTL_MS });
    const target = new URL(redirectUri);
    target.searchParams.set("code", code);
    const state = form.get("state");
    if (state) target.searchParams.set("state", state);
    res.writeHead(302, { location: target.toString() }).end();
    return true;
  }

  #accessToken(req: IncomingMessage, form: URLSearchParams, res: ServerResponse): boolean {
    const asJson = (req.headers.accept ?? "").includes("json");
    const answer = (body: Record<string, string | number>): true => {
      if (asJson) return json(res, 200, body);
      const text = new URLSearchParams(
        Object.entries(body).map(([k, v]): [string, string] => [k, String(v)]),
      ).toString();
      res.writeHead(200, { "content-type": "application/x-www-form-urlencoded; charset=utf-8" }).end(text);
      return true;
    };
    const fail = (error: string, description: string) =>
      answer({ error, error_description: description, error_uri: DOCS });
    if (form.get("client_id") !== this.app.clientId || form.get("client_secret") !== this.clientSecret)
      return fail("incorrect_client_credentials", "The client_id and/or client_secret passed are incorrect.");
    const code = form.get("code") ?? "";
    const record = this.#codes.get(code);
    // A code is good once: a replayed exchange is refused as GitHub refuses it.
    this.#codes.delete(code);
    if (!record || record.expiresAt <= this.now())
      return fail("bad_verification_code", "The code passed is incorrect or expired.");
    const redirectUri = form.get("redirect_uri");
    if (redirectUri && redirectUri !== record.redirectUri)
      return fail("redirect_uri_mismatch", "The redirect_uri MUST match the registered callback URL.");
    if (record.challenge) {
      const verifier = form.get("code_verifier") ?? "";
      const computed = createHash("sha256").update(verifier).digest("base64url");
      if (computed !== record.challenge)
        return fail("bad_verification_code", "The code_verifier does not match the code_challenge.");
    }
    answer({
      access_token: this.#issueToken(record.userId),
      token_type: "bearer",
      scope: "",
      expires_in: TOKEN_TTL_MS / 1000,
    });
    return true;
  }

  #issueToken(userId: number): string {
    const token = `ghu_${randomBytes(18).toString("base64url")}`;
    this.#tokens.set(token, { userId, expiresAt: this.now() + TOKEN_TTL_MS });
    return token;
  }

  #userOf(view: View, token: string): UserRecord | undefined {
    const record = this.#tokens.get(token);
    if (!record || record.expiresAt <= this.now()) return undefined;
    return view.world.requireUser(record.userId);
  }
}

const DOCS = "https://docs.github.com/apps/creating-github-apps/authenticating-with-a-github-app";

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) break;
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if ((req.headers["content-type"] ?? "").includes("json")) {
    try {
      const parsed = JSON.parse(text) as Record<string, unknown>;
      return new URLSearchParams(Object.entries(parsed).map(([k, v]): [string, string] => [k, String(v)]));
    } catch {
      return new URLSearchParams();
    }
  }
  return new URLSearchParams(text);
}

/** Answers with JSON; true, for the handler's "answered". */
function json(res: ServerResponse, status: number, body: unknown): true {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" }).end(text);
  return true;
}

function html(res: ServerResponse, status: number, body: string): void {
  res
    .writeHead(status, { "content-type": "text/html; charset=utf-8" })
    .end(`<!doctype html><html><head><title>GitHub stand-in</title></head><body>${body}</body></html>`);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
