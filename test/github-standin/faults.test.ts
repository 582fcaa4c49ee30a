import { afterEach, describe, expect, it } from "vitest";
import { FaultPlan } from "../../src/github-standin/http/faults.js";
import { type GitHubStandin, startGitHubStandin } from "../../src/github-standin/index.js";
import { call } from "./support/client.js";

/** Fault plans: by count or seeded probability, reproducible; and what each fault does on the wire. */

const ISSUE = "/repos/{owner}/{repo}/issues/{issue_number}";
let gh: GitHubStandin | undefined;

afterEach(async () => {
  await gh?.stop();
  gh = undefined;
});

const standinStopped = () => {
  gh = undefined;
};

async function standin(seed: number) {
  gh = await startGitHubStandin({ faultSeed: seed });
  gh.world.repository({ owner: "acme", name: "widgets" });
  gh.world.issue("acme/widgets", { title: "One" });
  return { gh, token: gh.installationToken("acme/widgets") };
}

/** Statuses of `n` GETs of issue 1 under a 30% 503 rule. */
async function run(seed: number, n: number): Promise<number[]> {
  const { gh, token } = await standin(seed);
  gh.faults.add({ method: "GET", route: ISSUE, fault: { kind: "status", status: 503 }, probability: 0.3 });
  const statuses: number[] = [];
  for (let i = 0; i < n; i += 1)
    statuses.push((await call(gh.url, "GET", "/repos/acme/widgets/issues/1", { token })).status);
  await gh.stop();
  standinStopped();
  return statuses;
}

describe("fault plan", () => {
  it("the same seed fails the same requests; another seed differs", async () => {
    const first = await run(42, 40);
    const again = await run(42, 40);
    const other = await run(43, 40);
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
    expect(first.filter((s) => s === 503).length).toBeGreaterThan(0);
    expect(first.filter((s) => s === 200).length).toBeGreaterThan(0);
  });

  it("decisions of one rule do not depend on requests to other routes", () => {
    const decide = (noise: boolean) => {
      const plan = new FaultPlan(9);
      plan.add({ route: "/a", fault: { kind: "status", status: 500 }, probability: 0.5 });
      plan.add({ route: "/b", fault: { kind: "status", status: 500 }, probability: 0.5 });
      const out: boolean[] = [];
      for (let i = 0; i < 30; i += 1) {
        if (noise) plan.decide("GET", "/b");
        out.push(plan.decide("GET", "/a").terminal !== null);
      }
      return out;
    };
    expect(decide(true)).toEqual(decide(false));
  });

  it("`times` fires on the next N matching requests only, and only on its route and method", async () => {
    const { gh, token } = await standin(1);
    gh.faults.add({ method: "GET", route: ISSUE, fault: { kind: "status", status: 500 }, times: 2 });
    const get = () => call(gh.url, "GET", "/repos/acme/widgets/issues/1", { token });
    expect(
      (await call(gh.url, "PATCH", "/repos/acme/widgets/issues/1", { token, body: { body: "x" } })).status,
    ).toBe(200);
    expect((await call(gh.url, "GET", "/repos/acme/widgets", { token })).status).toBe(200);
    const statuses = [(await get()).status, (await get()).status, (await get()).status];
    expect(statuses).toEqual([500, 500, 200]);
    expect(gh.faults.pending).toBe(0);
  });

  it("a 5xx fault answers GitHub's error shape", async () => {
    const { gh, token } = await standin(1);
    gh.faults.add({ route: ISSUE, fault: { kind: "status", status: 502 }, times: 1 });
    const response = await call(gh.url, "GET", "/repos/acme/widgets/issues/1", { token });
    expect(response.status).toBe(502);
    expect(response.body).toMatchObject({ message: "Server Error", documentation_url: expect.any(String) });
    expect(response.headers.get("x-github-request-id")).toBeTruthy();
  });

  it("a secondary rate limit answers 403/429 with retry-after and does not use up the budget", async () => {
    const { gh, token } = await standin(1);
    gh.faults.add({
      route: ISSUE,
      fault: { kind: "secondary-rate-limit", status: 429, retryAfterSeconds: 7 },
      times: 1,
    });
    const limited = await call(gh.url, "GET", "/repos/acme/widgets/issues/1", { token });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("7");
    expect((limited.body as { message: string }).message).toMatch(/secondary rate limit/);
    const after = await call(gh.url, "GET", "/repos/acme/widgets/issues/1", { token });
    expect(Number(after.headers.get("x-ratelimit-used"))).toBe(1);
  });

  it("a dropped connection destroys the socket, and the log says so", async () => {
    const { gh, token } = await standin(1);
    gh.faults.add({ route: ISSUE, fault: { kind: "drop" }, times: 1 });
    await expect(call(gh.url, "GET", "/repos/acme/widgets/issues/1", { token })).rejects.toThrow();
    expect(gh.requests.filter({ route: `GET ${ISSUE}` }).map((r) => [r.status, r.faults])).toEqual([
      [0, ["drop"]],
    ]);
    expect((await call(gh.url, "GET", "/repos/acme/widgets/issues/1", { token })).status).toBe(200);
  });

  it("latency delays and then answers normally (recorded, not timed)", async () => {
    const { gh, token } = await standin(1);
    gh.faults.add({ route: ISSUE, fault: { kind: "latency", ms: 50 }, times: 1 });
    gh.faults.add({ route: ISSUE, fault: { kind: "status", status: 404 }, times: 1 });
    const response = await call(gh.url, "GET", "/repos/acme/widgets/issues/1", { token });
    expect(response.status).toBe(404);
    expect(gh.requests.entries.at(-1)?.faults).toEqual(["latency:50", "status:404"]);
  });

  it("rejects an invalid rule with zod's explanation", () => {
    const plan = new FaultPlan(1);
    expect(() => plan.add({ fault: { kind: "status", status: 200 } })).toThrow(/status/);
    expect(() => plan.add({ fault: { kind: "drop" }, times: 1, probability: 0.5 })).toThrow(/either/);
  });
});

describe("request log", () => {
  it("records route template, path, status, mutation and 304 flags, and counts by route", async () => {
    const { gh, token } = await standin(1);
    const first = await call(gh.url, "GET", "/repos/acme/widgets/issues/1", { token });
    await call(gh.url, "GET", "/repos/acme/widgets/issues/1", {
      token,
      headers: { "if-none-match": first.headers.get("etag") ?? "" },
    });
    await call(gh.url, "POST", "/repos/acme/widgets/issues/1/comments", { token, body: { body: "hi" } });
    await call(gh.url, "GET", "/nowhere", { token });
    expect(
      gh.requests.entries.map((r) => [r.method, r.route, r.path, r.status, r.mutation, r.notModified]),
    ).toEqual([
      ["GET", `GET ${ISSUE}`, "/repos/acme/widgets/issues/1", 200, false, false],
      ["GET", `GET ${ISSUE}`, "/repos/acme/widgets/issues/1", 304, false, true],
      [
        "POST",
        "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
        "/repos/acme/widgets/issues/1/comments",
        201,
        true,
        false,
      ],
      ["GET", null, "/nowhere", 404, false, false],
    ]);
    expect(gh.requests.countByRoute()).toEqual({
      [`GET ${ISSUE}`]: 2,
      "POST /repos/{owner}/{repo}/issues/{issue_number}/comments": 1,
      unmatched: 1,
    });
    expect(gh.requests.count({ mutation: true })).toBe(1);
    expect(gh.requests.entries.every((r) => typeof r.timestamp === "number" && r.requestId !== "")).toBe(
      true,
    );
  });
});
