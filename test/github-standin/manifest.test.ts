import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GitHubStandin, startGitHubStandin } from "../../src/github-standin/index.js";
import { appJwt, call } from "./support/client.js";
import { OpenApiContract } from "./support/openapi-contract.js";

/**
 * The manifest flow (src/github-standin/manifest/): the form post GitHub's "new app" page takes,
 * and `POST /app-manifests/{code}/conversions` checked against GitHub's OpenAPI description.
 */
const contract = new OpenApiContract();
let gh: GitHubStandin;
beforeAll(async () => {
  gh = await startGitHubStandin();
});
afterAll(async () => gh.stop());

async function codeFor(manifest: unknown, path = "/settings/apps/new"): Promise<Response> {
  return fetch(`${gh.url}${path}`, {
    method: "POST",
    body: new URLSearchParams({ manifest: JSON.stringify(manifest), state: "s1" }),
    redirect: "manual",
  });
}

const manifest = {
  name: "Mission Control",
  url: "https://github.com/",
  hook_attributes: { url: "https://mc.example.com/" },
  redirect_url: "https://mc.example.com/probot/setup",
  default_permissions: { issues: "write", metadata: "read" },
  default_events: ["issues"],
};

describe("the stand-in's app manifest flow", () => {
  it("the form redirects with a one-time code; the conversion answers GitHub's documented body; the app authenticates", async () => {
    const posted = await codeFor(manifest, "/organizations/acme/settings/apps/new");
    expect(posted.status).toBe(302);
    const location = new URL(posted.headers.get("location") ?? "");
    expect(`${location.origin}${location.pathname}`).toBe(manifest.redirect_url);
    expect(location.searchParams.get("state")).toBe("s1");
    const code = location.searchParams.get("code") ?? "";

    const converted = await call(gh.url, "POST", `/app-manifests/${code}/conversions`);
    expect(converted.status).toBe(201);
    expect(contract.check("apps/create-from-manifest", 201, converted.body)).toEqual([]);
    const app = converted.body as {
      id: number;
      pem: string;
      webhook_secret: string;
      owner: { login: string };
    };
    expect(app.owner.login).toBe("acme");
    expect(gh.manifests.registrations.at(-1)).toMatchObject({
      webhookUrl: "https://mc.example.com/",
      webhookSecret: app.webhook_secret,
    });
    // The registered app is real: its JWT (signed with the returned pem) authenticates, also under /api/v3.
    const me = await call(gh.url, "GET", "/api/v3/app", { token: appJwt(app.pem, app.id) });
    expect(me).toMatchObject({
      status: 200,
      body: { id: app.id, permissions: manifest.default_permissions },
    });

    const again = await call(gh.url, "POST", `/app-manifests/${code}/conversions`);
    expect(again.status).toBe(404);
    expect(contract.check("apps/create-from-manifest", 404, again.body)).toEqual([]);
  });

  it("refuses a manifest GitHub would refuse, saying what is wrong", async () => {
    const bad = await codeFor({ ...manifest, url: "not a url", redirect_url: undefined });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { message: string }).message).toMatch(/url/);
  });
});
