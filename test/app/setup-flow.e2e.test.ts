/**
 * Probot's setup flow, run as a new user runs it (README "Installing on GitHub", the easy way): the
 * built app (`node dist/app/main.js`, what `npm start` runs) without credentials, pointed at the
 * GitHub stand-in with Probot's own settings (GHE_HOST, GHE_PROTOCOL). The test is the browser:
 * it opens the app, posts the manifest form to the "GitHub" the page names, follows the redirect
 * back with the code; Probot exchanges it (`POST /api/v3/app-manifests/{code}/conversions`) and
 * writes `.env`. Then the app restarts with that `.env` and takes a webhook signed with the new
 * secret at the URL it registered.
 *
 * Not real here: GitHub's confirmation page between the form post and the redirect (the stand-in
 * redirects at once) and the smee.io channel (NO_SMEE_SETUP=true; with smee the webhook URL is the
 * channel's, which forwards to the app's webhook path).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { copyFile, readFile } from "node:fs/promises";
import { createServer } from "node:http";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type GitHubStandin, startGitHubStandin } from "../../src/github-standin/index.js";
import { captureChildOutput, tempDir } from "../helpers/cli.js";
import { until } from "../helpers/until.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const MAIN = path.join(ROOT, "dist/app/main.js");

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** `.env` as Probot writes it: KEY=value lines, newlines escaped, PRIVATE_KEY quoted. */
function parseDotenv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const at = line.indexOf("=");
    if (at <= 0) continue;
    env[line.slice(0, at)] = line
      .slice(at + 1)
      .replace(/^"|"$/g, "")
      .replace(/\\n/g, "\n");
  }
  return env;
}

describe("Probot's setup flow from npm start, against the stand-in", () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let gh: GitHubStandin;
  const children: ChildProcess[] = [];
  let output = "";

  beforeEach(async () => {
    dir = await tempDir("mctl-setup-");
    // What a checkout has: the manifest and the package (Probot reads both from the working folder).
    await copyFile(path.join(ROOT, "app.yml"), path.join(dir.path, "app.yml"));
    await copyFile(path.join(ROOT, "package.json"), path.join(dir.path, "package.json"));
    gh = await startGitHubStandin();
  });

  afterEach(async () => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
    await Promise.all(
      children.map((child) =>
        child.exitCode === null ? new Promise((resolve) => child.once("exit", resolve)) : null,
      ),
    );
    children.length = 0;
    await gh?.stop();
    await dir.remove();
  });

  let uiPort = 0;
  function startApp(port: number, extra: Record<string, string> = {}): ChildProcess {
    const base = { ...process.env };
    for (const name of Object.keys(base))
      if (/^(DATABASE_URL|MCTL_|GHE_|APP_ID|PRIVATE_KEY|WEBHOOK_|NODE_ENV|GH_ORG|PROJECT_DOMAIN)/.test(name))
        delete base[name];
    const child = spawn(process.execPath, [MAIN], {
      cwd: dir.path,
      env: {
        ...base,
        PORT: String(port),
        HOST: "127.0.0.1",
        LOG_LEVEL: "info",
        MCTL_DATA_DIR: path.join(dir.path, "data"),
        NO_SMEE_SETUP: "true",
        // The board and API listen on 127.0.0.1 at this port (the default 3001 may be taken).
        MCTL__APP__UI_PORT: String(uiPort),
        GHE_HOST: new URL(gh.url).host,
        GHE_PROTOCOL: "http",
        ...extra,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    captureChildOutput(child, "app-setup");
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    children.push(child);
    return child;
  }

  async function answers(url: string): Promise<boolean> {
    try {
      await fetch(url, { redirect: "manual" });
      return true;
    } catch {
      return false;
    }
  }

  it("registers an app whose webhook URL is the app's own, writes .env, and the restarted app takes webhooks there", async () => {
    const port = await freePort();
    uiPort = await freePort();
    const app = `http://127.0.0.1:${port}`;
    // Without sign-in the detailed health (periodic tasks) is on the loopback UI listener; the
    // public one says only up or down.
    const ui = `http://127.0.0.1:${uiPort}`;
    const setup = startApp(port);
    await until(() => answers(`${app}/probot`), { what: `the app in setup mode on ${app}\n${output}` });

    // 1. The setup page: a form that posts the manifest to "GitHub" (the stand-in, via GHE_HOST).
    const page = await (await fetch(`${app}/probot`)).text();
    const action = /<form action="([^"]+)"/.exec(page)?.[1];
    const manifestJson = /name="manifest" id="manifest" value='([^']*)'/.exec(page)?.[1];
    expect(action).toBe(`${gh.url}/settings/apps/new`);
    const manifest = JSON.parse(manifestJson ?? "null") as {
      hook_attributes: { url: string };
      redirect_url: string;
      default_events: string[];
    };
    // The app's own address, not a placeholder from app.yml.
    expect(manifest.hook_attributes.url).toBe(`${app}/`);
    expect(manifest.redirect_url).toBe(`${app}/probot/setup`);
    expect(manifest.default_events).toContain("issue_comment");

    // 2. The browser posts the form; "GitHub" redirects back to the app with a code.
    const posted = await fetch(action ?? "", {
      method: "POST",
      body: new URLSearchParams({ manifest: manifestJson ?? "" }),
      redirect: "manual",
    });
    expect(posted.status).toBe(302);
    const back = posted.headers.get("location") ?? "";
    expect(back.startsWith(`${app}/probot/setup?code=`)).toBe(true);

    // 3. The app exchanges the code and writes .env; the browser is sent on to install the app.
    const done = await fetch(back, { redirect: "manual" });
    expect(done.status).toBe(302);
    const [registered] = gh.manifests.registrations;
    if (!registered) throw new Error("no app was registered");
    expect(done.headers.get("location")).toBe(`${gh.url}/apps/${registered.app.slug}/installations/new`);
    expect(registered.webhookUrl).toBe(`${app}/`);
    expect(registered.app.events).toEqual(manifest.default_events);
    expect(gh.requests.count({ route: "POST /app-manifests/{code}/conversions", status: 201 })).toBe(1);
    const env = parseDotenv(await readFile(path.join(dir.path, ".env"), "utf8"));
    expect(env).toMatchObject({
      APP_ID: String(registered.app.id),
      WEBHOOK_SECRET: registered.webhookSecret,
      PRIVATE_KEY: registered.privateKey,
    });
    // A code works once.
    const again = await fetch(
      `${gh.url}/api/v3/app-manifests/${new URL(back).searchParams.get("code")}/conversions`,
      {
        method: "POST",
      },
    );
    expect(again.status).toBe(404);

    // 4. Restarted (Probot reads .env), the app takes a delivery at the URL it registered.
    setup.kill("SIGTERM");
    await new Promise((resolve) => setup.once("exit", resolve));
    startApp(port, { MCTL_GITHUB_API_URL: gh.url });
    await until(() => answers(`${app}/api/health`), { what: `the restarted app\n${output}` });
    // The periodic work runs in the started app (src/app/main.ts), each task shown on /api/health.
    let tasks: { name: string; last_outcome: string | null }[] = [];
    await until(
      async () => {
        const health = (await (await fetch(`${ui}/api/health`)).json()) as { periodic: typeof tasks };
        tasks = health.periodic;
        return tasks.length === 4 && tasks.every((t) => t.last_outcome !== null);
      },
      { what: "every periodic task's first pass" },
    );
    expect(tasks.map((t) => t.name)).toEqual(["orchestrate", "operate", "redeliver", "self-check"]);
    const body = JSON.stringify({ zen: "Keep it logically awesome.", hook_id: 1 });
    const signature = `sha256=${createHmac("sha256", env.WEBHOOK_SECRET ?? "")
      .update(body)
      .digest("hex")}`;
    const delivery = await fetch(registered.webhookUrl ?? "", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "ping",
        "x-github-delivery": "setup-flow-ping",
        "x-hub-signature-256": signature,
      },
      body,
    });
    expect(delivery.status, output).toBe(200);
    const forged = await fetch(registered.webhookUrl ?? "", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "ping",
        "x-github-delivery": "setup-flow-forged",
        "x-hub-signature-256": `sha256=${"0".repeat(64)}`,
      },
      body,
    });
    expect(forged.status).toBe(400);
  });
});
