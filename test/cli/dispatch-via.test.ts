/**
 * `mctl dispatch --via URL`: the client half of `POST /api/v1/dispatch`, over real HTTP against a
 * server that answers as the app would (the whole path, with the real app and real OIDC tokens, is
 * test/app/control-plane.e2e.test.ts). Here: what the client does with each kind of answer.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { appAudience, dispatchVia } from "../../src/cli/dispatch-via.js";
import { CliError } from "../../src/cli/errors.js";
import { runMctl } from "../helpers/cli.js";

const RECORD = {
  holder: "actions:acme/mission-control/runs/7/1",
  fencingToken: 3,
  scope: "acme",
  outcome: "completed",
  dryRun: false,
  startedAt: "2026-12-06T10:00:00.000Z",
  finishedAt: "2026-12-06T10:00:00.250Z",
  counts: { claimed: 1 },
  decisions: [{ code: "claimed", ticket: "MC-1", attempt: "a", worker: "w", launchKey: "MC-1/1" }],
  timings: { lease: 1 },
};

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A server that answers the n-th request with `answers[n]` and records what it saw. */
async function app(answers: { status: number; body: unknown }[]) {
  const seen: IncomingMessage[] = [];
  server = createServer((req, res) => {
    seen.push(req);
    const answer = answers[Math.min(seen.length - 1, answers.length - 1)] ?? { status: 500, body: {} };
    res.writeHead(answer.status, { "content-type": "application/json" }).end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

describe("mctl dispatch --via", () => {
  it("posts the job's token for the app's URL as audience and returns the app's cycle record", async () => {
    const { url, seen } = await app([{ status: 200, body: RECORD }]);
    const audiences: string[] = [];
    const record = await dispatchVia(`${url}/`, {
      idToken: async (audience) => {
        audiences.push(audience);
        return "the.jwt.token";
      },
    });
    expect(audiences).toEqual([url]);
    expect(seen.map((req) => [req.method, req.url, req.headers.authorization])).toEqual([
      ["POST", "/api/v1/dispatch", "Bearer the.jwt.token"],
    ]);
    expect(record).toMatchObject({ outcome: "completed", scope: "acme", counts: { claimed: 1 } });
    expect(record.finishedAt.getTime() - record.startedAt.getTime()).toBe(250);
  });

  it("a refusal is one error with the app's reason code, not retried", async () => {
    const { url, seen } = await app([
      { status: 403, body: { error: { code: "wrong_workflow", message: "dispatch runs only from …" } } },
    ]);
    const error = await dispatchVia(url, { idToken: async () => "t" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({ code: "wrong_workflow", exitCode: 1 });
    expect((error as Error).message).toBe(
      `dispatch via ${url} failed: the app answered 403 (wrong_workflow: dispatch runs only from …)`,
    );
    expect(seen).toHaveLength(1);
  });

  it("a 503 is tried again after a pause, then the record is taken", async () => {
    const { url, seen } = await app([
      { status: 503, body: { error: { code: "issuer_unreachable", message: "…" } } },
      { status: 200, body: RECORD },
    ]);
    const pauses: number[] = [];
    const record = await dispatchVia(url, {
      idToken: async () => "t",
      sleep: async (ms) => {
        pauses.push(ms);
      },
    });
    expect(record.outcome).toBe("completed");
    expect(seen).toHaveLength(2);
    expect(pauses).toEqual([2000]);
  });

  it("an app that cannot be reached: three tries, then app_unreachable", async () => {
    const { url } = await app([]);
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    server = undefined;
    const pauses: number[] = [];
    const error = await dispatchVia(url, {
      idToken: async () => "t",
      sleep: async (ms) => {
        pauses.push(ms);
      },
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "app_unreachable" });
    expect(pauses).toEqual([2000, 4000]);
  });

  it("the audience is the app's base URL; anything else is a usage error", () => {
    expect(appAudience("https://mc.example.com/")).toBe("https://mc.example.com");
    expect(appAudience("https://mc.example.com/base/")).toBe("https://mc.example.com/base");
    expect(() => appAudience("not a url")).toThrow(/--via must be the app's URL/);
    expect(() => appAudience("ftp://mc.example.com")).toThrow(/http\(s\)/);
  });

  it("as a process: outside a job with id-token: write it says how to fix it (exit 1); --loop is refused (exit 2)", async () => {
    const outside = await runMctl(["dispatch", "--via", "http://127.0.0.1:9"]);
    expect(outside.code).toBe(1);
    expect(outside.stderr).toMatch(/id-token: write/);
    const looping = await runMctl(["dispatch", "--via", "http://127.0.0.1:9", "--loop"]);
    expect(looping.code).toBe(2);
    expect(looping.stderr).toMatch(/--via runs one cycle in the app/);
    const json = await runMctl(["dispatch", "--via", "http://127.0.0.1:9", "--json"]);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: "id_token" } });
  });
});
