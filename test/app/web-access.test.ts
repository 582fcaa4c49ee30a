/**
 * Who reads the board and the JSON API (issue 19): the public listener's safe default, the loopback
 * UI listener, and API tokens scoped to repositories, over real HTTP on the app's own server.
 */

import { execFile } from "node:child_process";
import { request } from "node:http";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { credentialAccess } from "../../src/app/auth/authenticate.js";
import { readSurfaceHandler } from "../../src/app/auth/read-surfaces.js";
import { startUiListener, type UiListener } from "../../src/app/auth/ui-listener.js";
import { planUi, signInSettingsFrom } from "../../src/app/auth/ui-plan.js";
import { givenTicket } from "../builders/tickets.js";
import { describeOnDriver } from "../helpers/databases.js";
import { type AppHarness, startApp } from "./support/harness.js";

/** Every read route of /api/v1, and one that does not exist (no credential learns which exist). */
const API_ROUTES = [
  "/api/v1/tickets",
  "/api/v1/tickets/MC-1",
  "/api/v1/inbox",
  "/api/v1/alerts",
  "/api/v1/dispatch/cycles",
  "/api/v1/no-such-route",
];

async function getJson(url: string, token?: string) {
  const res = await fetch(url, {
    redirect: "manual",
    ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
  });
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: bodies are checked by shape
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, body, headers: res.headers };
}

describeOnDriver("web access", (ctx) => {
  let app: AppHarness | undefined;
  let listener: UiListener | undefined;
  afterEach(async () => {
    await listener?.close();
    await app?.stop();
    listener = undefined;
    app = undefined;
  });

  it("safe default: the public listener serves no board and no /api/v1 read, and /api/health says only up or down", async () => {
    app = await startApp(ctx.db(), { ui: { kind: "none" } });
    await givenTicket(app.lifecycle, { repository: "acme/secret", title: "Private plans" });
    for (const path of [...API_ROUTES, "/board", "/board/tickets/MC-1"]) {
      const answer = await getJson(`${app.baseUrl}${path}`);
      expect(answer.status, path).toBe(404);
      expect(JSON.stringify(answer.body)).not.toContain("Private plans");
    }
    const health = await getJson(`${app.baseUrl}/api/health`);
    expect(health).toMatchObject({ status: 200, body: { status: "ok" } });
    expect(Object.keys(health.body)).toEqual(["status"]);
    // The OIDC POST routes stay on the public listener (503 here: no control plane configured).
    const dispatch = await fetch(`${app.baseUrl}/api/v1/dispatch`, { method: "POST" });
    expect(dispatch.status).toBe(503);
  });

  it("the loopback UI listener serves the board and the API to whoever reaches 127.0.0.1", async () => {
    app = await startApp(ctx.db(), { ui: { kind: "none" } });
    const ticket = await givenTicket(app.lifecycle, { repository: "acme/widgets", title: "Local ticket" });
    listener = await startUiListener(
      0,
      readSurfaceHandler({ lifecycle: app.lifecycle, mirror: app.store.mirror, logError: () => {} }),
      () => {},
    );
    expect(listener.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const list = await getJson(`${listener.url}/api/v1/tickets`);
    expect(list.status).toBe(200);
    expect(list.body.items.map((t: { key: string }) => t.key)).toEqual([ticket.key]);
    const health = await getJson(`${listener.url}/api/health`);
    expect(health.body).toMatchObject({ status: "ok", database: "ok", mirror_backlog: expect.any(Number) });
    const board = await fetch(`${listener.url}/board`);
    expect(board.status).toBe(200);
    expect(await board.text()).toContain("Local ticket");
    expect((await fetch(`${listener.url}/api/github/webhooks`, { method: "POST" })).status).toBe(404);
    // DNS rebinding: a page whose own name now resolves to 127.0.0.1 sends its name as the Host.
    const port = new URL(listener.url).port;
    const rebound = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        { host: "127.0.0.1", port, path: "/api/v1/tickets", headers: { host: `evil.example:${port}` } },
        (res) => {
          let body = "";
          res.on("data", (chunk: Buffer) => {
            body += chunk.toString();
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on("error", reject);
      req.end();
    });
    expect(rebound.status).toBe(421);
    expect(rebound.body).not.toContain(ticket.key);
    expect((await fetch(`http://localhost:${port}/api/health`)).status).toBe(200);
  });

  describe("API tokens on a guarded public listener", () => {
    /** The app with the board and API on its own server, behind API tokens (read from its store). */
    async function guardedApp(): Promise<AppHarness> {
      let started: AppHarness | null = null;
      const checkToken = (token: string) => {
        if (!started) throw new Error("the app is not started yet");
        return started.store.apiTokens.check(token);
      };
      started = await startApp(ctx.db(), {
        ui: { kind: "guarded", authenticate: credentialAccess({ checkToken }) },
      });
      return started;
    }

    it("every /api/v1 read and the board without credentials is 401, with a bad token too", async () => {
      app = await guardedApp();
      await givenTicket(app.lifecycle, { repository: "acme/widgets" });
      for (const path of [...API_ROUTES, "/api/v1", "/board", "/board/tickets/MC-1"]) {
        for (const token of [undefined, "mct_not-a-token"]) {
          const answer = await getJson(`${app.baseUrl}${path}`, token);
          expect(answer.status, `${path} ${token ?? "(none)"}`).toBe(401);
          expect(answer.headers.get("www-authenticate")).toMatch(/^Bearer/);
          expect(answer.body.error.code).toBe(token ? "invalid_token" : "credentials_required");
        }
      }
      // Health stays open (load balancers), and says only up or down.
      expect((await getJson(`${app.baseUrl}/api/health`)).body).toEqual({ status: "ok" });
    });

    it("a token scoped to repository A reads A's tickets; B's are 404 and left out of every list", async () => {
      app = await guardedApp();
      const a = await givenTicket(app.lifecycle, { repository: "acme/a", title: "A's ticket" });
      const b = await givenTicket(app.lifecycle, { repository: "acme/b", title: "B's ticket" });
      await app.lifecycle.inbox.enqueue({
        kind: "needs_decision",
        ticketId: b.id,
        payload: {},
        idempotencyKey: "b",
      });
      await app.lifecycle.inbox.enqueue({
        kind: "needs_decision",
        ticketId: a.id,
        payload: {},
        idempotencyKey: "a",
      });
      const created = await app.store.apiTokens.create({
        name: "ci",
        repositories: ["Acme/A"],
        expiresInMs: null,
      });
      if (!created.ok) throw new Error(created.message);
      const { token } = created;

      const list = await getJson(`${app.baseUrl}/api/v1/tickets`, token);
      expect(list.status).toBe(200);
      expect(list.body.items.map((t: { key: string }) => t.key)).toEqual([a.key]);
      expect((await getJson(`${app.baseUrl}/api/v1/tickets/${a.key}`, token)).status).toBe(200);
      const other = await getJson(`${app.baseUrl}/api/v1/tickets/${b.key}`, token);
      expect(other.status).toBe(404);
      expect(other.body.error.message).toBe(`no ticket ${b.key}`);
      const inbox = await getJson(`${app.baseUrl}/api/v1/inbox`, token);
      expect(inbox.body.items.map((i: { ticketKey: string }) => i.ticketKey)).toEqual([a.key]);
      // Alerts and cycles name no single repository: a scoped token sees none.
      expect((await getJson(`${app.baseUrl}/api/v1/alerts`, token)).body.items).toEqual([]);
      const board = await fetch(`${app.baseUrl}/board`, { headers: { authorization: `Bearer ${token}` } });
      const html = await board.text();
      expect(html).toContain("A&#39;s ticket");
      expect(html).not.toContain("B&#39;s ticket");
      expect(
        (
          await fetch(`${app.baseUrl}/board/tickets/${b.key}`, {
            headers: { authorization: `Bearer ${token}` },
          })
        ).status,
      ).toBe(404);
    });

    it("a revoked token is 401 at once; an expired one is 401; an unscoped one reads everything", async () => {
      app = await guardedApp();
      await givenTicket(app.lifecycle, { repository: "acme/a" });
      await givenTicket(app.lifecycle, { repository: "acme/b" });
      const all = await app.store.apiTokens.create({ name: "all", repositories: null, expiresInMs: null });
      const old = await app.store.apiTokens.create({
        name: "old",
        repositories: null,
        expiresInMs: -1000,
      });
      if (!all.ok || !old.ok) throw new Error("set-up");
      expect((await getJson(`${app.baseUrl}/api/v1/tickets`, all.token)).body.items).toHaveLength(2);
      expect((await getJson(`${app.baseUrl}/api/v1/alerts`, all.token)).status).toBe(200);
      const expired = await getJson(`${app.baseUrl}/api/v1/tickets`, old.token);
      expect(expired).toMatchObject({ status: 401, body: { error: { code: "invalid_token" } } });
      expect(expired.body.error.message).toContain("expired");

      expect(await app.store.apiTokens.revoke({ name: "all" })).toMatchObject({ ok: true });
      const revoked = await getJson(`${app.baseUrl}/api/v1/tickets`, all.token);
      expect(revoked.status).toBe(401);
      expect(revoked.body.error.message).toContain("revoked");
      expect(await app.store.apiTokens.revoke({ name: "all" })).toMatchObject({
        ok: false,
        code: "already_revoked",
      });
    });
  });
});

describe("where the board and API are served (planUi)", () => {
  const signIn = { clientId: "Iv1.abc", clientSecret: "s3cret", sessionSecret: "x".repeat(32) };

  it("without app.public_ui: the loopback listener at app.ui_port", () => {
    expect(planUi({ public_ui: false, ui_port: 3001 }, null)).toEqual({
      ok: true,
      plan: { kind: "loopback", port: 3001 },
    });
  });

  it("a public UI without sign-in, or without public_url, is refused with what to set", () => {
    const refused = planUi({ public_ui: true, ui_port: 3001, public_url: "https://mc.example.com" }, null);
    expect(refused.ok).toBe(false);
    if (!refused.ok)
      expect(refused.message).toMatch(/GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET .* MCTL_SESSION_SECRET/);
    const noUrl = planUi({ public_ui: true, ui_port: 3001 }, signIn);
    expect(noUrl).toMatchObject({ ok: false, message: expect.stringContaining("app.public_url") });
    expect(planUi({ public_ui: true, ui_port: 0, public_url: "https://mc.example.com/" }, signIn)).toEqual({
      ok: true,
      plan: { kind: "public", signIn, publicUrl: "https://mc.example.com" },
    });
  });

  it("npm start (the built app) refuses a public UI without sign-in, saying what to set", async () => {
    const main = path.resolve(import.meta.dirname, "../../dist/app/main.js");
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "",
      MCTL_DATA_DIR: "memory://",
      MCTL__APP__PUBLIC_UI: "true",
      MCTL__APP__PUBLIC_URL: "https://mc.example.com",
    };
    const run = promisify(execFile)(process.execPath, [main], { env, timeout: 60_000 });
    const failed = await run.then(
      () => null,
      (error: { code?: number; stderr?: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain(
      "mission-control: app.public_ui is true but sign-in is not configured: set GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET",
    );
  });

  it("sign-in settings: none, all three, or an error naming what is missing or too short", () => {
    expect(signInSettingsFrom({})).toEqual({ ok: true, settings: null });
    expect(signInSettingsFrom({ GITHUB_CLIENT_ID: "Iv1.abc" })).toMatchObject({
      ok: false,
      message: expect.stringContaining("missing: GITHUB_CLIENT_SECRET, MCTL_SESSION_SECRET"),
    });
    expect(
      signInSettingsFrom({ GITHUB_CLIENT_ID: "a", GITHUB_CLIENT_SECRET: "b", MCTL_SESSION_SECRET: "short" }),
    ).toMatchObject({ ok: false, message: expect.stringContaining("at least 32 characters") });
  });
});
