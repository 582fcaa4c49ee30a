/** Links back to GitHub (issue 19): the ticket's issue, check run and runs; the check run's details_url. */
import { Octokit } from "@octokit/rest";
import { afterEach, describe, expect, it } from "vitest";
import { githubWebUrl, ticketLinks } from "../../src/app/board/github-links.js";
import { publishCheckRun } from "../../src/evidence/check-run.js";
import type { Verdict } from "../../src/evidence/types.js";
import { type GitHubStandin, startGitHubStandin } from "../../src/github-standin/index.js";
import { givenTicket } from "../builders/tickets.js";
import { describeOnDriver } from "../helpers/databases.js";
import { type AppHarness, startApp } from "./support/harness.js";

describe("links back to GitHub", () => {
  it("GitHub's web origin from its API URL: github.com, Enterprise Server, a stand-in", () => {
    expect(githubWebUrl(undefined)).toBe("https://github.com");
    expect(githubWebUrl("https://api.github.com/")).toBe("https://github.com");
    expect(githubWebUrl("https://ghe.example.com/api/v3")).toBe("https://ghe.example.com");
    expect(githubWebUrl("http://127.0.0.1:4000")).toBe("http://127.0.0.1:4000");
  });

  it("a ticket's issue, current evidence check run and each bound workflow run", () => {
    const links = ticketLinks(
      "https://github.com",
      { repository: "acme/widgets", issueNumber: 7 },
      [
        { id: "a-1", runRepository: null, runId: null },
        { id: "a-2", runRepository: "acme/widgets", runId: "991" },
      ],
      [
        { repository: "acme/widgets", checkRunId: 5 },
        { repository: "acme/widgets", checkRunId: 6 },
      ],
    );
    expect(links).toEqual({
      issue: "https://github.com/acme/widgets/issues/7",
      check_run: "https://github.com/acme/widgets/runs/6",
      workflow_runs: [{ attempt_id: "a-2", url: "https://github.com/acme/widgets/actions/runs/991" }],
    });
    expect(ticketLinks("https://github.com", { repository: "acme/w", issueNumber: null }, [], [])).toEqual({
      issue: null,
      check_run: null,
      workflow_runs: [],
    });
  });

  describe("the evidence check run's details_url", () => {
    let gh: GitHubStandin | undefined;
    afterEach(async () => gh?.stop());

    it("is the board's ticket page when given, GitHub's default otherwise", async () => {
      gh = await startGitHubStandin();
      const repo = gh.world.repository({ owner: "acme", name: "widgets", files: { "README.md": "#\n" } });
      const sha = repo.branches.get(repo.defaultBranch) ?? "";
      const octokit = new Octokit({ baseUrl: gh.url, auth: gh.installationToken("acme/widgets") });
      const verdict: Verdict = { status: "pending", criteria: [], summary: "pending", fingerprint: "f" };
      const where = { owner: "acme", repo: "widgets" };
      const published = await publishCheckRun(octokit, where, {
        sha,
        existingId: null,
        verdict,
        ticket: "MC-1",
        attemptId: "a-1",
        detailsUrl: "https://mc.example.com/board/tickets/MC-1",
      });
      expect(published.ok).toBe(true);
      const [run] = gh.world.checkRunsOf("acme/widgets", sha);
      expect(run?.detailsUrl).toBe("https://mc.example.com/board/tickets/MC-1");
    });
  });
});

describeOnDriver("links in the API and on the board", (ctx) => {
  let app: AppHarness | undefined;
  afterEach(async () => app?.stop());

  it("the ticket's JSON carries its links; the ticket page links its issue", async () => {
    app = await startApp(ctx.db());
    const ticket = await givenTicket(app.lifecycle, { repository: "acme/widgets" });
    expect((await app.lifecycle.issues.linkIssue({ ticketId: ticket.id, issueNumber: 12 })).ok).toBe(true);
    const body = (await (await fetch(`${app.baseUrl}/api/v1/tickets/${ticket.key}`)).json()) as {
      links: unknown;
    };
    expect(body.links).toEqual({
      issue: "https://github.com/acme/widgets/issues/12",
      check_run: null,
      workflow_runs: [],
    });
    const page = await (await fetch(`${app.baseUrl}/board/tickets/${ticket.key}`)).text();
    expect(page).toContain(
      '<a href="https://github.com/acme/widgets/issues/12" rel="noopener noreferrer">issue</a>',
    );
  });
});
