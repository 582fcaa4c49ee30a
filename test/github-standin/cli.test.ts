import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devCommand } from "../../src/cli/commands/dev.js";
import { createCliContext } from "../../src/cli/context.js";
import { runCli } from "../../src/cli/program.js";
import { until } from "../helpers/until.js";
import { appJwt, call } from "./support/client.js";

/** `mctl dev github-standin`, run in-process with captured output and a controllable shutdown. */

let dir: string;

function context() {
  const out: string[] = [];
  const err: string[] = [];
  // The real composition root; the stand-in reads no environment, so reading it is a test failure.
  const ctx = createCliContext(
    { stdout: (text) => void out.push(text), stderr: (text) => void err.push(text) },
    () => {
      throw new Error("mctl dev github-standin must not read the environment");
    },
  );
  return { ctx, out, err };
}

/** Polls captured output until `pattern` appears (the command prints once it is listening). */
async function waitFor(out: string[], pattern: RegExp): Promise<RegExpMatchArray> {
  await until(() => pattern.test(out.join("")), { what: `output matching ${pattern}`, everyMs: 10 });
  const match = out.join("").match(pattern);
  if (!match) throw new Error(`output never matched ${pattern}`);
  return match;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "standin-cli-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("mctl dev github-standin", () => {
  it("--help describes the options", async () => {
    const { ctx, out } = context();
    expect(await runCli(["dev", "github-standin", "--help"], ctx)).toBe(0);
    const help = out.join("");
    for (const option of ["--port", "--webhook-url", "--webhook-secret", "--seed-file", "--private-key"])
      expect(help).toContain(option);
  });

  it("prints a URL that answers like GitHub, serves the seeded world, and stops on shutdown", async () => {
    const seedFile = path.join(dir, "world.json");
    const keyFile = path.join(dir, "app.pem");
    await writeFile(
      seedFile,
      JSON.stringify({
        repositories: [
          {
            owner: "acme",
            name: "widgets",
            files: { ".github/mission-control.yml": "enabled: true\n" },
            collaborators: { alice: "admin" },
          },
        ],
      }),
    );
    const { ctx, out } = context();
    let shutdown: () => void = () => undefined;
    const stopped = new Promise<void>((resolve) => {
      shutdown = resolve;
    });
    const running = devCommand(ctx, { waitForShutdown: () => stopped }).parseAsync(
      ["github-standin", "--port", "0", "--seed-file", seedFile, "--write-private-key", keyFile],
      { from: "user" },
    );
    const [, url] = await waitFor(out, /listening on (http:\/\/127\.0\.0\.1:\d+)/);
    const appId = Number((await waitFor(out, /app id (\d+)/))[1]);
    const base = url ?? "";

    expect((await call(base, "GET", "/app")).status).toBe(401);
    const jwt = appJwt(await readFile(keyFile, "utf8"), appId);
    expect((await call(base, "GET", "/app", { token: jwt })).status).toBe(200);
    const [installation] = (await call(base, "GET", "/app/installations", { token: jwt })).body as {
      id: number;
    }[];
    const { token } = (
      await call(base, "POST", `/app/installations/${installation?.id}/access_tokens`, { token: jwt })
    ).body as { token: string };
    const config = await call(base, "GET", "/repos/acme/widgets/contents/.github%2Fmission-control.yml", {
      token,
    });
    expect(config.status).toBe(200);

    shutdown();
    await running;
    expect(out.join("")).toMatch(/GitHub stand-in stopped \(\d+ requests, 0 deliveries\)/);
    await expect(call(base, "GET", "/app")).rejects.toThrow();
  });

  it("refuses a seed file that is not a valid world, saying where", async () => {
    const seedFile = path.join(dir, "bad.json");
    await writeFile(seedFile, JSON.stringify({ repositories: [{ owner: "acme" }] }));
    const { ctx, err } = context();
    expect(await runCli(["dev", "github-standin", "--seed-file", seedFile], ctx)).toBe(2);
    expect(err.join("")).toMatch(/repositories\.0\.name/);
  });
});
