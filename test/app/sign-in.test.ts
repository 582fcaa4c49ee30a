/**
 * Sign in with GitHub on the public listener (issue 19), over real HTTP: the app's web flow against
 * the stand-in's OAuth pages (state, PKCE, code exchange, GET /user), the sealed session cookie, and
 * per-repository visibility checked with the person's own token.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { publicUi } from "../../src/app/auth/public-ui.js";
import { createSealer } from "../../src/app/auth/session.js";
import { signIn } from "../../src/app/auth/sign-in.js";
import { givenTicket } from "../builders/tickets.js";
import { describeOnDriver } from "../helpers/databases.js";
import { type AppHarness, startApp } from "./support/harness.js";

/** A tiny cookie jar over fetch with manual redirects, so each hop of the flow is asserted. */
class Browser {
  readonly cookies = new Map<string, string>();
  async go(url: string, init: RequestInit = {}) {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const res = await fetch(url, {
      ...init,
      redirect: "manual",
      headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) },
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const [name = "", value = ""] = pair.split("=");
      if (/max-age=0/i.test(line) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return {
      res,
      location: res.headers.get("location"),
      setCookie: res.headers.getSetCookie(),
      text: await res.text(),
    };
  }
}

describeOnDriver("sign in with GitHub", (ctx) => {
  let app: AppHarness | undefined;
  afterEach(async () => {
    await app?.stop();
    app = undefined;
  });
  let now = new Date("2026-12-06T12:00:00Z");

  async function signedInApp() {
    now = new Date("2026-12-06T12:00:00Z");
    let started: AppHarness | null = null;
    started = await startApp(ctx.db(), {
      ui: ({ gh, baseUrl }) =>
        publicUi({
          signIn: {
            clientId: gh.oauth.clientId,
            clientSecret: gh.oauth.clientSecret,
            sessionSecret: "s".repeat(48),
          },
          publicUrl: baseUrl,
          apiUrl: gh.url,
          now: () => now,
          checkToken: (token) => {
            if (!started) throw new Error("not started");
            return started.store.apiTokens.check(token);
          },
        }),
    });
    const { world } = started.gh;
    world.repository({ owner: "acme", name: "open", private: true, collaborators: { alice: "read" } });
    world.repository({ owner: "acme", name: "secret", private: true, collaborators: { bob: "write" } });
    const a = await givenTicket(started.lifecycle, { repository: "acme/open", title: "Readable ticket" });
    const b = await givenTicket(started.lifecycle, { repository: "acme/secret", title: "Hidden ticket" });
    return { app: started, a, b };
  }

  /** Walks the flow as `login` up to the callback URL (not followed). */
  async function authorize(browser: Browser, base: string, login: string) {
    const board = await browser.go(`${base}/board`);
    expect(board.res.status).toBe(302);
    expect(board.location).toBe("/login?return_to=%2Fboard");
    const start = await browser.go(`${base}${board.location}`);
    expect(start.res.status).toBe(302);
    const attempt = start.setCookie.find((c) => c.startsWith("mc_signin="));
    expect(attempt).toMatch(/HttpOnly/i);
    expect(attempt).toMatch(/SameSite=Lax/i);
    expect(attempt).not.toMatch(/Secure/i); // served over plain http here
    const authorizeUrl = new URL(start.location ?? "");
    expect(authorizeUrl.pathname).toBe("/login/oauth/authorize");
    expect(authorizeUrl.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorizeUrl.searchParams.get("state")).toMatch(/^[\w-]{32}$/);
    expect(authorizeUrl.searchParams.get("redirect_uri")).toBe(`${base}/login/callback`);
    const page = await browser.go(authorizeUrl.toString());
    expect(page.text).toContain("Authorize");
    const form = new URLSearchParams(authorizeUrl.searchParams);
    form.set("login", login);
    const granted = await browser.go(`${authorizeUrl.origin}/login/oauth/authorize`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: form.toString(),
    });
    expect(granted.res.status).toBe(302);
    return granted.location ?? "";
  }

  it("a person signs in, sees the tickets of a repository they can read and not another's, and signs out", async () => {
    const given = await signedInApp();
    app = given.app;
    const browser = new Browser();
    const callback = await authorize(browser, app.baseUrl, "alice");
    const back = await browser.go(callback);
    expect(back.res.status).toBe(302);
    expect(back.location).toBe("/board");
    const session = back.setCookie.find((c) => c.startsWith("mc_session="));
    expect(session).toMatch(/HttpOnly/i);
    expect(session).toMatch(/SameSite=Lax/i);
    expect(session).toMatch(/Max-Age=28800/i);
    // The cookie is sealed: neither the login nor the GitHub token can be read from it.
    expect(browser.cookies.get("mc_session")).not.toMatch(/alice|ghu_/);

    const board = await browser.go(`${app.baseUrl}/board`);
    expect(board.res.status).toBe(200);
    expect(board.text).toContain("Readable ticket");
    expect(board.text).not.toContain("Hidden ticket");
    const list = JSON.parse((await browser.go(`${app.baseUrl}/api/v1/tickets`)).text);
    expect(list.items.map((t: { key: string }) => t.key)).toEqual([given.a.key]);
    expect((await browser.go(`${app.baseUrl}/api/v1/tickets/${given.b.key}`)).res.status).toBe(404);
    expect((await browser.go(`${app.baseUrl}/board/tickets/${given.b.key}`)).res.status).toBe(404);
    expect((await browser.go(`${app.baseUrl}/board/tickets/${given.a.key}`)).res.status).toBe(200);

    const out = await browser.go(`${app.baseUrl}/logout`);
    expect(out.res.status).toBe(200);
    expect(browser.cookies.has("mc_session")).toBe(false);
    expect((await browser.go(`${app.baseUrl}/api/v1/tickets`)).res.status).toBe(401);
  });

  it("the state check rejects a replayed or forged callback; a forged or expired session is refused", async () => {
    const given = await signedInApp();
    app = given.app;
    const browser = new Browser();
    const callback = await authorize(browser, app.baseUrl, "alice");
    // A forged state (an attacker's callback link) is refused, nothing is signed in, and the
    // attempt is spent: the real callback after it is refused too.
    const forged = new URL(callback);
    forged.searchParams.set("state", "x".repeat(32));
    const refused = await browser.go(forged.toString());
    expect(refused.res.status).toBe(400);
    expect(refused.text).toContain("Sign-in failed");
    expect(browser.cookies.has("mc_session")).toBe(false);
    expect((await browser.go(callback)).res.status).toBe(400);
    expect(browser.cookies.has("mc_session")).toBe(false);

    const other = new Browser();
    const good = await authorize(other, app.baseUrl, "alice");
    const attempt = other.cookies.get("mc_signin") ?? "";
    expect((await other.go(good)).location).toBe("/board");
    expect((await other.go(`${app.baseUrl}/api/v1/tickets`)).res.status).toBe(200);
    // A replayed callback: the attempt was used up by the first one.
    const replay = await other.go(good);
    expect(replay.res.status).toBe(400);
    expect(replay.setCookie.some((c) => c.startsWith("mc_session="))).toBe(false);
    // Even with the old attempt cookie put back, the code is good once (GitHub refuses it again).
    other.cookies.set("mc_signin", attempt);
    const again = await other.go(good);
    expect(again.res.status).toBe(400);
    expect(again.setCookie.some((c) => c.startsWith("mc_session="))).toBe(false);

    const sealed = other.cookies.get("mc_session") ?? "";
    // A forged cookie: one character changed (the last but one: the last may carry unused bits), to
    // another than it was. Comparing with the last character instead left it unchanged 1 time in 64.
    const changed = sealed.at(-2) === "A" ? "B" : "A";
    const tampered = `${sealed.slice(0, -2)}${changed}${sealed.slice(-1)}`;
    expect(tampered).not.toBe(sealed);
    other.cookies.set("mc_session", tampered);
    const bad = await other.go(`${app.baseUrl}/api/v1/tickets`);
    expect(bad.res.status).toBe(401);
    expect(JSON.parse(bad.text).error.code).toBe("session_invalid");
    // Expired: the same good cookie, nine hours later.
    other.cookies.set("mc_session", sealed);
    now = new Date(now.getTime() + 9 * 3600_000);
    expect((await other.go(`${app.baseUrl}/api/v1/tickets`)).res.status).toBe(401);
    expect((await other.go(`${app.baseUrl}/board`)).location).toBe("/login?return_to=%2Fboard");
    expect(given.b.key).toBeTruthy();
  });
});

describe("the sign-in cookies over HTTPS", () => {
  it("are Secure when the app's public URL is https, and the return path never leaves the app", async () => {
    const sealer = createSealer("z".repeat(40));
    const flow = signIn({
      clientId: "Iv1.client",
      clientSecret: "secret",
      publicUrl: "https://mc.example.com",
      apiUrl: "https://api.github.com",
      sealer,
      readAccess: async () => false,
    });
    const server = createServer((req, res) => void flow.routes(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      for (const returnTo of [
        "https://evil.example/board",
        "//evil.example/board",
        "/board\r\nSet-Cookie: x=1",
        "/board?state=todo",
      ]) {
        const res = await fetch(`http://127.0.0.1:${port}/login?return_to=${encodeURIComponent(returnTo)}`, {
          redirect: "manual",
        });
        expect(res.status).toBe(302);
        const location = new URL(res.headers.get("location") ?? "");
        expect(location.origin).toBe("https://github.com");
        expect(location.searchParams.get("redirect_uri")).toBe("https://mc.example.com/login/callback");
        const [cookie = ""] = res.headers.getSetCookie();
        expect(cookie).toMatch(/^mc_signin=.*; HttpOnly; Secure; SameSite=Lax/i);
        const sealed = /^mc_signin=([^;]+)/.exec(cookie)?.[1] ?? "";
        const attempt = await sealer.open("sign-in", sealed);
        expect(attempt?.returnTo).toBe(returnTo === "/board?state=todo" ? returnTo : "/board");
        // Sealed for sign-in only: not accepted as a session.
        expect(await sealer.open("session", sealed)).toBeNull();
      }
      const out = await fetch(`http://127.0.0.1:${port}/logout`);
      expect(out.headers.getSetCookie()[0]).toMatch(
        /^mc_session=; Max-Age=0; Path=\/; HttpOnly; Secure; SameSite=Lax/i,
      );
    } finally {
      server.close();
    }
  });
});
