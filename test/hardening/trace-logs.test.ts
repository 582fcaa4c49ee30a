/**
 * No token or private key in any log line (issue 10, docs/hardening.md): a full app flow at
 * `trace` — the installation token exchange (JWT), webhooks, commands, the mirror, evidence
 * verification, and a 401 (on a JWT request), a 403 (on an installation-token request) and 5xx
 * answers from the stand-in —
 * logged through the app's own logger (src/app/log.ts) into memory, then every line is scanned
 * with the suite's secret scanner and for the exact secrets of this run.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { scenario } from "../evidence/support.js";
import { scanText } from "../setup/secret-scan.js";
import { describeOnDatabase, type HardenedApp, SECRET, startHardenedApp } from "./support/app.js";

async function fullFlow(app: HardenedApp, db: Parameters<typeof scenario>[1]) {
  const repo = "acme/widgets";
  app.gh.world.app({ slug: "ci", name: "CI" });
  app.gh.world.repository({ owner: "acme", name: "widgets", collaborators: { bob: "write", rita: "read" } });
  // 1. An issue becomes a ticket (token exchange: the app's JWT, then an installation token).
  const issue = app.gh.world.issue(repo, { title: "Flaky login", body: "It fails.", author: "rita" });
  app.gh.world.labelIssue(repo, issue.number, ["mission-control"], "bob");
  await app.settle();
  // 2. A command, run by the command worker: its installation lookup gets a 401 (the app's JWT), its
  // retry a 403 on the permission check (installation token), its next retry works; then one more.
  app.gh.faults.add({
    method: "GET",
    route: "/repos/{owner}/{repo}/installation",
    fault: { kind: "status", status: 401, message: "Bad credentials" },
    times: 1,
  });
  app.gh.faults.add({
    method: "GET",
    route: "/repos/{owner}/{repo}/collaborators/{username}/permission",
    fault: { kind: "status", status: 403, message: "Resource not accessible by integration" },
    times: 1,
  });
  app.gh.world.comment(repo, issue.number, { author: "bob", body: "/mc priority low" });
  await app.settle();
  app.gh.world.comment(repo, issue.number, { author: "bob", body: "/mc priority high" });
  await app.settle();
  // 3. The mirror (the installation id is known since the command worker looked it up): a 502 on its
  // issue update.
  app.gh.faults.add({
    method: "PATCH",
    route: "/repos/{owner}/{repo}/issues/{issue_number}",
    fault: { kind: "status", status: 502 },
    times: 1,
  });
  for (let pass = 0; pass < 3; pass++) {
    await app.mirror();
    // Past the mirror's back-off (1–5 ms in tests).
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  // 4. Evidence: a verifying ticket, a status webhook, the verifier (with a 500 on the first read).
  const s = scenario(app.gh, db, "evidence:\n  require_tests: true\n");
  const sha = s.commit();
  await s.verifyingTicket(sha);
  app.gh.faults.add({
    method: "GET",
    route: "/repos/{owner}/{repo}/commits/{ref}",
    fault: { kind: "status", status: 500 },
    times: 1,
  });
  app.gh.world.status(s.repository, { sha, state: "success", context: "ci/lint", creator: "bob" });
  await app.settle();
}

describeOnDatabase("the app's logs at trace level", (db) => {
  let app: HardenedApp;
  beforeAll(async () => {
    app = await startHardenedApp(db(), { level: "trace" });
    await fullFlow(app, db());
  });
  afterAll(async () => app?.stop());

  it("the flow really happened: token exchanges, the 401, 403, 502 and 500, their errors logged", () => {
    const failed = app.gh.requests.entries.filter((e) => e.status >= 400).map((e) => e.status);
    expect(failed).toEqual(expect.arrayContaining([401, 403, 502, 500]));
    expect(
      app.gh.requests.count({ route: "POST /app/installations/{installation_id}/access_tokens" }),
    ).toBeGreaterThanOrEqual(2);
    const records = app.log.records();
    expect(records.length).toBeGreaterThan(30);
    expect(records.some((r) => r.level === 10 || r.level === 20)).toBe(true);
    // The 403 reached the error log with the request it failed on, headers included.
    const failure = app.log.lines.find(
      (line) => line.includes("Resource not accessible by integration") && line.includes('"authorization"'),
    );
    expect(failure).toBeDefined();
    const commandFailures = app.log.lines.filter((line) => line.includes("command failed"));
    expect(commandFailures.length).toBeGreaterThanOrEqual(2);
    expect(commandFailures.join("\n")).toContain("Bad credentials");
    const mirrorFailures = app.log.lines.filter((line) => line.includes("mirror batch failed"));
    expect(mirrorFailures.length).toBeGreaterThanOrEqual(1);
    expect(mirrorFailures.join("\n")).toContain("Server Error");
  });

  it("no line carries a private key, a token, a JWT, an Authorization value or the webhook secret", () => {
    const text = app.log.lines.join("");
    expect(scanText(text)).toEqual([]);
    // And the exact secrets of this run, whatever their shape.
    const tokens = [...app.gh.world.state.tokens.keys()];
    expect(tokens.length).toBeGreaterThanOrEqual(2);
    for (const token of tokens) expect(text).not.toContain(token);
    const keyLines = app.privateKey
      .split("\n")
      .filter((line) => line.length > 20 && !line.startsWith("-----"));
    for (const line of keyLines) expect(text).not.toContain(line);
    expect(text).not.toContain(SECRET);
    // Authorization headers are there, and masked.
    const authorizations = text.match(/"authorization":"[^"]*"/g) ?? [];
    expect(authorizations.length).toBeGreaterThan(0);
    for (const header of authorizations) expect(header).toMatch(/\[REDACTED\]/);
  });
});
