import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GitHubStandin, startGitHubStandin } from "../../src/github-standin/index.js";

/**
 * The stand-in's GitHub Actions OIDC issuer over real HTTP: discovery and JWKS, jobs that may or may
 * not request tokens, the claims GitHub signs, request tokens that die with their job, key rotation.
 * Signatures are checked with jose against the JWKS the stand-in serves.
 */

let gh: GitHubStandin;
let now = Date.UTC(2026, 0, 1, 12);

beforeAll(async () => {
  gh = await startGitHubStandin({ clock: { now: () => now } });
  gh.world.repository({ owner: "acme", name: "widgets", files: { "README.md": "# widgets\n" } });
  gh.world.workflow("acme/widgets", { path: ".github/workflows/agent.yml", name: "Agent" });
  gh.world.branch("acme/widgets", "topic");
});

afterAll(async () => {
  await gh?.stop();
});

async function getJson(url: string, init?: RequestInit): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, init);
  return { status: response.status, body: await response.json() };
}

async function requestToken(env: Readonly<Record<string, string>>, audience?: string) {
  const url = `${env.ACTIONS_ID_TOKEN_REQUEST_URL}${audience ? `&audience=${encodeURIComponent(audience)}` : ""}`;
  return getJson(url, { headers: { authorization: `Bearer ${env.ACTIONS_ID_TOKEN_REQUEST_TOKEN}` } });
}

async function verified(token: string, audience: string) {
  const jwks = (await getJson(`${gh.oidc.issuer}/.well-known/jwks`)).body as Parameters<
    typeof createLocalJWKSet
  >[0];
  return jwtVerify(token, createLocalJWKSet(jwks), {
    issuer: gh.oidc.issuer,
    audience,
    algorithms: ["RS256"],
    currentDate: new Date(now),
  });
}

describe("issuer", () => {
  it("serves a discovery document naming itself and its JWKS, and the JWKS has the current RS256 key", async () => {
    expect(gh.oidc.issuer).toBe(`${gh.url}/_oidc`);
    const discovery = await getJson(`${gh.oidc.issuer}/.well-known/openid-configuration`);
    expect(discovery).toMatchObject({
      status: 200,
      body: {
        issuer: gh.oidc.issuer,
        jwks_uri: `${gh.oidc.issuer}/.well-known/jwks`,
        id_token_signing_alg_values_supported: ["RS256"],
      },
    });
    const jwks = await getJson(`${gh.oidc.issuer}/.well-known/jwks`);
    const keys = (jwks.body as { keys: { kid: string; kty: string; alg: string; d?: string }[] }).keys;
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kid: gh.oidc.currentKid, kty: "RSA", alg: "RS256", use: "sig" });
    expect(keys[0]?.d).toBeUndefined();
  });
});

describe("jobs and their tokens", () => {
  it("a job with id-token: write gets the request variables; one without does not", () => {
    const run = gh.world.workflowRun("acme/widgets", "agent.yml");
    const withToken = gh.actions.startJob(run, { name: "prepare", idToken: true });
    const without = gh.actions.startJob(run, { name: "agent" });
    expect(withToken.env).toMatchObject({
      GITHUB_REPOSITORY: "acme/widgets",
      GITHUB_RUN_ID: String(run.id),
      GITHUB_RUN_ATTEMPT: "1",
      GITHUB_API_URL: gh.url,
      ACTIONS_ID_TOKEN_REQUEST_URL: `${gh.url}/_actions/jobs/${withToken.id}/idtoken?api-version=2.0`,
    });
    expect(withToken.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN).toMatch(/^[0-9a-f]{48}$/);
    expect(without.env.GITHUB_RUN_ID).toBe(String(run.id));
    expect(without.env).not.toHaveProperty("ACTIONS_ID_TOKEN_REQUEST_URL");
    expect(without.env).not.toHaveProperty("ACTIONS_ID_TOKEN_REQUEST_TOKEN");
    expect(run.status).toBe("in_progress");
  });

  it("signs the claims of the run and job, with the requested audience and a 5-minute life", async () => {
    const run = gh.world.workflowRun("acme/widgets", "agent.yml", { actor: "alice" });
    const job = gh.actions.startJob(run, { idToken: true });
    const answer = await requestToken(job.env, "https://mc.example.com");
    expect(answer.status).toBe(200);
    const token = (answer.body as { value: string }).value;
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: "RS256", kid: gh.oidc.currentKid });
    const { payload } = await verified(token, "https://mc.example.com");
    const repo = gh.world.repo("acme/widgets");
    const iat = Math.floor(now / 1000);
    expect(payload).toMatchObject({
      iss: gh.oidc.issuer,
      aud: "https://mc.example.com",
      sub: "repo:acme/widgets:ref:refs/heads/main",
      iat,
      nbf: iat,
      exp: iat + 300,
      repository: "acme/widgets",
      repository_id: String(repo.id),
      repository_owner: "acme",
      repository_owner_id: String(repo.ownerId),
      run_id: String(run.id),
      run_number: String(run.runNumber),
      run_attempt: "1",
      workflow_ref: "acme/widgets/.github/workflows/agent.yml@refs/heads/main",
      job_workflow_ref: "acme/widgets/.github/workflows/agent.yml@refs/heads/main",
      event_name: "workflow_dispatch",
      ref: "refs/heads/main",
      sha: run.headSha,
      actor: "alice",
    });
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("defaults the audience to the owner's URL, and names a reusable workflow as job_workflow_ref", async () => {
    const run = gh.world.workflowRun("acme/widgets", "agent.yml");
    const reusable = "acme/mission-control/.github/workflows/agent.yml@refs/heads/main";
    const job = gh.actions.startJob(run, { idToken: true, jobWorkflowRef: reusable });
    const token = ((await requestToken(job.env)).body as { value: string }).value;
    const { payload } = await verified(token, `${gh.url}/acme`);
    expect(payload.job_workflow_ref).toBe(reusable);
    expect(payload.workflow_ref).toBe("acme/widgets/.github/workflows/agent.yml@refs/heads/main");
  });

  it("a pull_request run's subject names the event; another branch's run names its ref", async () => {
    const pr = gh.world.workflowRun("acme/widgets", "agent.yml", { event: "pull_request", ref: "topic" });
    const onTopic = gh.world.workflowRun("acme/widgets", "agent.yml", { event: "push", ref: "topic" });
    const claimsOf = async (run: typeof pr) => {
      const job = gh.actions.startJob(run, { idToken: true });
      const token = ((await requestToken(job.env, "aud")).body as { value: string }).value;
      return (await verified(token, "aud")).payload;
    };
    expect(await claimsOf(pr)).toMatchObject({
      sub: "repo:acme/widgets:pull_request",
      event_name: "pull_request",
      workflow_ref: "acme/widgets/.github/workflows/agent.yml@refs/heads/topic",
    });
    expect(await claimsOf(onTopic)).toMatchObject({
      sub: "repo:acme/widgets:ref:refs/heads/topic",
      ref: "refs/heads/topic",
      event_name: "push",
    });
  });

  it("refuses a wrong bearer, another job's token, and a token of a job that has ended (401)", async () => {
    const run = gh.world.workflowRun("acme/widgets", "agent.yml");
    const job = gh.actions.startJob(run, { idToken: true });
    const other = gh.actions.startJob(run, { idToken: true });
    const wrong = await requestToken({ ...job.env, ACTIONS_ID_TOKEN_REQUEST_TOKEN: "not-the-token" });
    expect(wrong.status).toBe(401);
    const crossed = await requestToken({
      ...job.env,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: other.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN ?? "",
    });
    expect(crossed.status).toBe(401);
    expect((await requestToken(job.env)).status).toBe(200);
    gh.actions.endJob(job);
    const ended = await requestToken(job.env);
    expect(ended.status).toBe(401);
    expect((ended.body as { message: string }).message).toMatch(/not valid for a running job/);
    gh.actions.completeRun(run, "success");
    expect((await requestToken(other.env)).status).toBe(401);
    expect(gh.actions.jobsOf(run).map((j) => [j.status, j.conclusion])).toEqual([
      ["completed", "success"],
      ["completed", "success"],
    ]);
    expect(run).toMatchObject({ status: "completed", conclusion: "success" });
  });

  it("tokens carry the world's clock: iat and exp move when the test moves time", async () => {
    const run = gh.world.workflowRun("acme/widgets", "agent.yml");
    const job = gh.actions.startJob(run, { idToken: true });
    now += 3_600_000;
    const token = ((await requestToken(job.env, "aud")).body as { value: string }).value;
    const { payload } = await verified(token, "aud");
    expect(payload.iat).toBe(Math.floor(now / 1000));
    expect(payload.exp).toBe(Math.floor(now / 1000) + 300);
  });
});

describe("faults and the request log", () => {
  it("logs issuer and token requests by route, and injects faults on them like on any route", async () => {
    const before = gh.requests.count({ route: "GET /_oidc/.well-known/jwks" });
    gh.faults.add({
      method: "GET",
      route: "/_oidc/.well-known/jwks",
      fault: { kind: "status", status: 503 },
      times: 1,
    });
    expect((await getJson(`${gh.oidc.issuer}/.well-known/jwks`)).status).toBe(503);
    expect((await getJson(`${gh.oidc.issuer}/.well-known/jwks`)).status).toBe(200);
    expect(gh.requests.count({ route: "GET /_oidc/.well-known/jwks" })).toBe(before + 2);
    expect(gh.requests.filter({ route: "GET /_oidc/.well-known/jwks" }).at(-2)).toMatchObject({
      status: 503,
      faults: ["status:503"],
    });
    const job = gh.actions.startJob(gh.world.workflowRun("acme/widgets", "agent.yml"), { idToken: true });
    await requestToken(job.env, "aud");
    expect(gh.requests.entries.at(-1)).toMatchObject({
      route: "GET /_actions/jobs/{job_id}/idtoken",
      path: `/_actions/jobs/${job.id}/idtoken`,
      status: 200,
    });
  });
});

describe("key rotation", () => {
  it("a new key is listed first and signs new tokens; the previous stays until dropped", async () => {
    const before = gh.oidc.currentKid;
    const after = await gh.oidc.rotateKey();
    expect(after).not.toBe(before);
    expect(gh.oidc.currentKid).toBe(after);
    const kids = async () =>
      ((await getJson(`${gh.oidc.issuer}/.well-known/jwks`)).body as { keys: { kid: string }[] }).keys.map(
        (k) => k.kid,
      );
    expect(await kids()).toEqual([after, before]);
    const run = gh.world.workflowRun("acme/widgets", "agent.yml");
    const job = gh.actions.startJob(run, { idToken: true });
    const token = ((await requestToken(job.env, "aud")).body as { value: string }).value;
    expect(decodeProtectedHeader(token).kid).toBe(after);
    await verified(token, "aud");
    const third = await gh.oidc.rotateKey({ dropPrevious: true });
    expect(await kids()).toEqual([third]);
  });
});
