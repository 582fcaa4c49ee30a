import { generateKeyPair, SignJWT, UnsecuredJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ActionsClaims,
  type ActionsTokenVerifierOptions,
  bearerToken,
  createActionsTokenVerifier,
  demandClaims,
} from "../../src/app/oidc/index.js";
import { type GitHubStandin, type StartedJob, startGitHubStandin } from "../../src/github-standin/index.js";

/**
 * The app's verifier against the stand-in's issuer over real HTTP, with real RS256 signatures:
 * what it accepts, each refusal and its reason, key rotation without a restart. Time is the
 * stand-in's clock and the verifier's `now`, never the wall clock.
 */

const AUDIENCE = "https://mission-control.example.com";
let gh: GitHubStandin;
let now = Date.UTC(2026, 0, 1, 12);
let job: StartedJob;

beforeAll(async () => {
  gh = await startGitHubStandin({ clock: { now: () => now } });
  gh.world.repository({ owner: "acme", name: "widgets", files: { "README.md": "# widgets\n" } });
  gh.world.workflow("acme/widgets", { path: ".github/workflows/agent.yml", name: "Agent" });
  job = gh.actions.startJob(gh.world.workflowRun("acme/widgets", "agent.yml"), { idToken: true });
});

afterAll(async () => {
  await gh?.stop();
});

function verifier(options: Partial<ActionsTokenVerifierOptions> = {}) {
  return createActionsTokenVerifier({
    issuer: gh.oidc.issuer,
    audience: AUDIENCE,
    now: () => new Date(now),
    ...options,
  });
}

async function jobToken(audience = AUDIENCE, of: StartedJob = job): Promise<string> {
  const response = await fetch(
    `${of.env.ACTIONS_ID_TOKEN_REQUEST_URL}&audience=${encodeURIComponent(audience)}`,
    {
      headers: { authorization: `Bearer ${of.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN}` },
    },
  );
  expect(response.status).toBe(200);
  return ((await response.json()) as { value: string }).value;
}

async function claimsOfGoodToken(): Promise<ActionsClaims> {
  const result = await verifier().verify(await jobToken());
  if (!result.ok) throw new Error(`expected a good token: ${result.reason}`);
  return result.claims;
}

describe("createActionsTokenVerifier", () => {
  it("accepts the job's token and returns its claims", async () => {
    const result = await verifier().verify(await jobToken());
    expect(result).toMatchObject({
      ok: true,
      claims: {
        iss: gh.oidc.issuer,
        aud: AUDIENCE,
        repository: "acme/widgets",
        run_id: job.env.GITHUB_RUN_ID,
        workflow_ref: "acme/widgets/.github/workflows/agent.yml@refs/heads/main",
      },
    });
  });

  it("reads the discovery document and the keys once for many tokens", async () => {
    const fetched: string[] = [];
    const counting: typeof fetch = (input, init) => {
      fetched.push(new URL(input instanceof Request ? input.url : String(input)).pathname);
      return fetch(input, init);
    };
    const v = verifier({ fetch: counting });
    for (let i = 0; i < 3; i += 1) expect((await v.verify(await jobToken())).ok).toBe(true);
    expect(fetched).toEqual(["/_oidc/.well-known/openid-configuration", "/_oidc/.well-known/jwks"]);
  });

  it.each([
    ["no token", undefined],
    ["an empty token", ""],
  ])("refuses %s as token_missing", async (_, token) => {
    expect(await verifier().verify(token)).toMatchObject({ ok: false, status: 401, reason: "token_missing" });
  });

  it.each([
    ["not a JWT", "hello"],
    ["three garbage parts", "a.b.c"],
  ])("refuses %s as token_malformed", async (_, token) => {
    expect(await verifier().verify(token)).toMatchObject({
      ok: false,
      status: 401,
      reason: "token_malformed",
    });
  });

  it("refuses the same claims signed by another key, under another kid or the issuer's own kid", async () => {
    const claims = await claimsOfGoodToken();
    const { privateKey } = await generateKeyPair("RS256");
    for (const kid of ["someone-elses-key", gh.oidc.currentKid]) {
      const forged = await new SignJWT({ ...claims })
        .setProtectedHeader({ alg: "RS256", typ: "JWT", kid })
        .sign(privateKey);
      expect(await verifier().verify(forged), kid).toMatchObject({
        ok: false,
        status: 401,
        reason: "bad_signature",
      });
    }
  });

  it("refuses unsigned (alg none) and symmetric (HS256) tokens as bad_signature", async () => {
    const claims = await claimsOfGoodToken();
    const unsigned = new UnsecuredJWT({ ...claims }).encode();
    const symmetric = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: "HS256", kid: gh.oidc.currentKid })
      .sign(new TextEncoder().encode("a shared secret that anyone could guess"));
    for (const token of [unsigned, symmetric])
      expect(await verifier().verify(token)).toMatchObject({
        ok: false,
        status: 401,
        reason: "bad_signature",
      });
  });

  it("refuses a genuine signature over another issuer's name as wrong_issuer", async () => {
    const { iss: _iss, aud: _aud, exp: _exp, iat: _iat, ...claims } = await claimsOfGoodToken();
    const token = await gh.oidc.mint({ claims, audience: AUDIENCE, issuer: "https://token.example.com" });
    expect(await verifier().verify(token)).toMatchObject({ ok: false, status: 401, reason: "wrong_issuer" });
  });

  it("refuses a token for another audience as wrong_audience", async () => {
    const result = await verifier().verify(await jobToken("https://another-app.example.com"));
    expect(result).toMatchObject({ ok: false, status: 401, reason: "wrong_audience" });
  });

  it("accepts within the clock tolerance, refuses an expired token and one not valid yet", async () => {
    const token = await jobToken();
    const at = (ms: number) => verifier({ now: () => new Date(now + ms) }).verify(token);
    expect((await at(300_000 + 29_000)).ok).toBe(true);
    expect(await at(300_000 + 31_000)).toMatchObject({ ok: false, status: 401, reason: "expired" });
    expect((await at(-29_000)).ok).toBe(true);
    expect(await at(-31_000)).toMatchObject({ ok: false, status: 401, reason: "not_yet_valid" });
  });

  it("refuses a token that has expired on the stand-in's clock", async () => {
    const token = await jobToken();
    const v = verifier();
    expect((await v.verify(token)).ok).toBe(true);
    now += 6 * 60_000;
    expect(await v.verify(token)).toMatchObject({ ok: false, reason: "expired" });
    expect((await v.verify(await jobToken())).ok).toBe(true);
  });

  it("refuses a genuine token without the Actions claims as claims_invalid, naming the fields", async () => {
    const token = await gh.oidc.mint({
      claims: { sub: "repo:acme/widgets:ref:refs/heads/main" },
      audience: AUDIENCE,
    });
    const result = await verifier().verify(token);
    expect(result).toMatchObject({ ok: false, status: 401, reason: "claims_invalid" });
    expect(result.ok ? "" : result.message).toMatch(/repository/);
  });

  it("says issuer_unreachable when the issuer cannot be read or names another issuer, and recovers", async () => {
    const token = await jobToken();
    const closed = createActionsTokenVerifier({ issuer: "http://127.0.0.1:1/_oidc", audience: AUDIENCE });
    expect(await closed.verify(token)).toMatchObject({
      ok: false,
      status: 503,
      reason: "issuer_unreachable",
    });
    // The same server under another name: its discovery document names 127.0.0.1, not localhost.
    const renamed = gh.oidc.issuer.replace("127.0.0.1", "localhost");
    const mismatch = await verifier({ issuer: renamed }).verify(token);
    expect(mismatch).toMatchObject({ ok: false, reason: "issuer_unreachable" });
    expect(mismatch.ok ? "" : mismatch.message).toMatch(/names issuer/);
    // A failed discovery is not cached: the next token tries again.
    let down = true;
    const flaky: typeof fetch = (input, init) =>
      down ? Promise.reject(new TypeError("fetch failed")) : fetch(input, init);
    const v = verifier({ fetch: flaky });
    expect(await v.verify(token)).toMatchObject({ ok: false, reason: "issuer_unreachable" });
    down = false;
    expect((await v.verify(token)).ok).toBe(true);
  });

  it("says issuer_unreachable (503) when the keys cannot be read, though discovery could", async () => {
    const noKeys: typeof fetch = (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      return url.endsWith("/jwks")
        ? Promise.resolve(new Response("Service Unavailable", { status: 503 }))
        : fetch(input, init);
    };
    expect(await verifier({ fetch: noKeys }).verify(await jobToken())).toMatchObject({
      ok: false,
      status: 503,
      reason: "issuer_unreachable",
    });
  });

  it("says issuer_unreachable (503) while the stand-in's JWKS fails, and accepts once it answers", async () => {
    const token = await jobToken();
    const v = verifier();
    gh.faults.add({
      method: "GET",
      route: "/_oidc/.well-known/jwks",
      fault: { kind: "status", status: 502 },
      times: 1,
    });
    expect(await v.verify(token)).toMatchObject({ ok: false, status: 503, reason: "issuer_unreachable" });
    expect((await v.verify(token)).ok).toBe(true);
  });

  it("picks up a rotated key with the same verifier, and still accepts tokens of the previous key", async () => {
    // No cooldown between JWKS fetches: the default (30 s of wall-clock time) would make this depend on timing.
    const v = verifier({ jwksCooldownMs: 0 });
    const old = await jobToken();
    expect((await v.verify(old)).ok).toBe(true);
    await gh.oidc.rotateKey();
    const fresh = await jobToken();
    expect((await v.verify(fresh)).ok).toBe(true);
    expect((await v.verify(old)).ok).toBe(true);
  });
});

describe("demandClaims", () => {
  const claims: ActionsClaims = {
    iss: "https://token.actions.githubusercontent.com",
    aud: AUDIENCE,
    sub: "repo:acme/mission-control:ref:refs/heads/main",
    exp: 2,
    iat: 1,
    repository: "acme/mission-control",
    repository_id: "10",
    repository_owner: "acme",
    run_id: "42",
    run_attempt: "1",
    workflow_ref: "acme/mission-control/.github/workflows/dispatch.yml@refs/heads/main",
    job_workflow_ref: "acme/mission-control/.github/workflows/dispatch.yml@refs/heads/main",
    event_name: "schedule",
    ref: "refs/heads/main",
    sha: "a".repeat(40),
    actor: "alice",
  };
  const dispatch = "acme/mission-control/.github/workflows/dispatch.yml@refs/heads/main";

  it.each([
    ["nothing demanded", {}, null],
    [
      "everything met (repository case-insensitive)",
      {
        repository: "ACME/Mission-Control",
        workflowRef: dispatch,
        jobWorkflowRef: dispatch,
        eventNames: ["schedule", "workflow_dispatch"],
        runId: "42",
      },
      null,
    ],
    ["another repository", { repository: "acme/widgets" }, "wrong_repository"],
    ["another workflow", { workflowRef: `${dispatch.replace("dispatch", "agent")}` }, "wrong_workflow"],
    [
      "the workflow on another branch",
      { workflowRef: dispatch.replace("heads/main", "heads/evil") },
      "wrong_workflow",
    ],
    [
      "another job workflow",
      { jobWorkflowRef: "acme/x/.github/workflows/y.yml@refs/heads/main" },
      "wrong_workflow",
    ],
    ["another event", { eventNames: ["workflow_dispatch"] }, "wrong_event"],
    ["another run", { runId: "43" }, "wrong_run"],
  ] as const)("%s", (_, demands, reason) => {
    const refusal = demandClaims(claims, demands);
    if (reason === null) expect(refusal).toBeNull();
    else expect(refusal).toMatchObject({ status: 403, reason, message: expect.any(String) });
  });
});

describe("bearerToken", () => {
  it.each([
    ["Bearer abc.def.ghi", "abc.def.ghi"],
    ["bearer abc", "abc"],
    ["Bearer   abc  ", "abc"],
    ["Basic dXNlcjpwYXNz", undefined],
    ["Bearer ", undefined],
    ["Bearer a b", undefined],
    [undefined, undefined],
  ])("%j → %j", (header, expected) => {
    expect(bearerToken({ headers: header === undefined ? {} : { authorization: header } })).toBe(expected);
  });
});
