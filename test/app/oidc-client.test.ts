import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requestActionsIdToken } from "../../src/actions/id-token.js";
import { createActionsTokenVerifier } from "../../src/app/oidc/index.js";
import { type GitHubStandin, startGitHubStandin } from "../../src/github-standin/index.js";

/** The job's side: asking the (stand-in) Actions runtime for an OIDC token, as actions/toolkit does. */

const AUDIENCE = "https://mission-control.example.com/api";
let gh: GitHubStandin;

beforeAll(async () => {
  gh = await startGitHubStandin();
  gh.world.repository({ owner: "acme", name: "widgets", files: { "README.md": "# widgets\n" } });
  gh.world.workflow("acme/widgets", { path: ".github/workflows/agent.yml" });
});

afterAll(async () => {
  await gh?.stop();
});

describe("requestActionsIdToken", () => {
  it("gets a token for the audience that the app's verifier accepts", async () => {
    const job = gh.actions.startJob(gh.world.workflowRun("acme/widgets", "agent.yml"), { idToken: true });
    const token = await requestActionsIdToken({ audience: AUDIENCE, env: job.env });
    const verified = await createActionsTokenVerifier({ issuer: gh.oidc.issuer, audience: AUDIENCE }).verify(
      token,
    );
    expect(verified).toMatchObject({ ok: true, claims: { aud: AUDIENCE, run_id: job.env.GITHUB_RUN_ID } });
  });

  it("says how to fix a job without id-token: write", async () => {
    const job = gh.actions.startJob(gh.world.workflowRun("acme/widgets", "agent.yml"), {});
    await expect(requestActionsIdToken({ audience: AUDIENCE, env: job.env })).rejects.toThrow(
      "this job cannot request an OIDC token: give it `permissions: id-token: write`",
    );
  });

  it("reports the service's status and message, never the request token", async () => {
    const job = gh.actions.startJob(gh.world.workflowRun("acme/widgets", "agent.yml"), { idToken: true });
    gh.actions.endJob(job);
    const failure = await requestActionsIdToken({ audience: AUDIENCE, env: job.env }).catch((e: Error) => e);
    expect(failure).toBeInstanceOf(Error);
    const message = (failure as Error).message;
    expect(message).toMatch(/HTTP 401: The request token is not valid for a running job/);
    expect(message).not.toContain(job.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN);
  });

  it("says when the token service cannot be reached", async () => {
    const env = {
      ACTIONS_ID_TOKEN_REQUEST_URL: "http://127.0.0.1:1/idtoken?api-version=2.0",
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: "secret-request-token",
    };
    const failure = await requestActionsIdToken({ audience: AUDIENCE, env }).catch((e: Error) => e);
    expect((failure as Error).message).toMatch(
      /could not reach the OIDC token service at http:\/\/127\.0\.0\.1:1/,
    );
    expect((failure as Error).message).not.toContain("secret-request-token");
  });
});
