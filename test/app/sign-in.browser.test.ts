import { afterAll, beforeAll, expect, it } from "vitest";
import { publicUi } from "../../src/app/auth/public-ui.js";
import type { DatabaseHandle } from "../../src/db/database.js";
import type { TicketRow } from "../../src/db/schema.js";
import { givenTicket } from "../builders/tickets.js";
import { describeWithBrowser } from "../helpers/browser.js";
import { openTestPglite } from "../helpers/databases.js";
import { type AppHarness, startApp } from "./support/harness.js";

/**
 * Sign in with GitHub in Debian's Chromium (issue 19): the board sends the browser to the
 * stand-in's OAuth page, the person authorizes, and the board shows only what they can read.
 */
describeWithBrowser("sign in with GitHub in a browser", (browser) => {
  let handle: DatabaseHandle;
  let app: AppHarness;
  let readable: TicketRow;
  let hidden: TicketRow;
  beforeAll(async () => {
    handle = await openTestPglite();
    let started: AppHarness | null = null;
    started = await startApp(handle.db, {
      ui: ({ gh, baseUrl }) =>
        publicUi({
          signIn: {
            clientId: gh.oauth.clientId,
            clientSecret: gh.oauth.clientSecret,
            sessionSecret: "k".repeat(48),
          },
          publicUrl: baseUrl,
          apiUrl: gh.url,
          checkToken: (token) => {
            if (!started) throw new Error("not started");
            return started.store.apiTokens.check(token);
          },
        }),
    });
    app = started;
    app.gh.world.repository({ owner: "acme", name: "open", private: true, collaborators: { alice: "read" } });
    app.gh.world.repository({
      owner: "acme",
      name: "secret",
      private: true,
      collaborators: { bob: "write" },
    });
    readable = await givenTicket(app.lifecycle, { repository: "acme/open", title: "Readable ticket" });
    hidden = await givenTicket(app.lifecycle, { repository: "acme/secret", title: "Hidden ticket" });
  });
  afterAll(async () => {
    await app?.stop();
    await handle?.close();
  });

  it("signs in through GitHub's page, sees only a readable repository's tickets, refuses a replayed callback and a forged cookie, signs out", async () => {
    const page = await browser.newPage();
    const callbacks: string[] = [];
    page.on("request", (r) => void (r.url().includes("/login/callback") && callbacks.push(r.url())));
    await page.goto(`${app.baseUrl}/board`);
    // Not signed in: the stand-in's authorize page.
    expect(new URL(page.url()).pathname).toBe("/login/oauth/authorize");
    await page.locator("#login").fill("alice");
    await page.locator("#authorize").click();
    await page.waitForURL(`${app.baseUrl}/board`);
    const body = await page.locator("body").textContent();
    expect(body).toContain("Readable ticket");
    expect(body).not.toContain("Hidden ticket");
    const [session] = (await page.context().cookies(app.baseUrl)).filter((c) => c.name === "mc_session");
    expect(session).toMatchObject({ httpOnly: true, sameSite: "Lax", secure: false });
    expect((await page.goto(`${app.baseUrl}/board/tickets/${hidden.key}`))?.status()).toBe(404);
    expect((await page.goto(`${app.baseUrl}/board/tickets/${readable.key}`))?.status()).toBe(200);

    // The callback replayed (its state's attempt is spent): refused.
    expect(callbacks).toHaveLength(1);
    const replay = await page.goto(callbacks[0] ?? "");
    expect(replay?.status()).toBe(400);
    expect(await page.locator("h1").textContent()).toBe("Sign-in failed");

    // A forged session cookie: the API says 401 and the board asks to sign in again.
    const context = page.context();
    await context.addCookies([
      { ...(session ?? { name: "mc_session", value: "" }), value: `${session?.value}x` },
    ]);
    expect((await page.goto(`${app.baseUrl}/api/v1/tickets`))?.status()).toBe(401);
    await context.addCookies([session ?? { name: "mc_session", value: "", url: app.baseUrl }]);
    expect((await page.goto(`${app.baseUrl}/api/v1/tickets`))?.status()).toBe(200);

    await page.goto(`${app.baseUrl}/board`);
    expect(await page.locator(".signed-in").textContent()).toContain("Signed in as alice");
    await page.getByRole("link", { name: "Sign out" }).click();
    expect(await page.locator("h1").textContent()).toBe("Signed out");
    expect((await context.cookies(app.baseUrl)).filter((c) => c.name === "mc_session")).toEqual([]);
    await page.goto(`${app.baseUrl}/board`);
    expect(new URL(page.url()).pathname).toBe("/login/oauth/authorize");
    await page.close();
  });
});
