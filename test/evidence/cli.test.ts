import { afterAll, beforeAll, expect, it } from "vitest";
import { runMctl } from "../helpers/cli.js";
import { describeOnSharedDatabase } from "../worker/support/databases.js";
import { scenario, startWorld } from "./support.js";

describeOnSharedDatabase("mctl evidence (a real process against the GitHub stand-in)", (db) => {
  let world: Awaited<ReturnType<typeof startWorld>>;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => {
    await world.stop();
  });

  it("verify reports pending (exit 4) then pass (exit 0); show prints the verdict history", async () => {
    const { gh } = world;
    // Arrange a verifying ticket in the CLI's database, then let go of it.
    const { s, sha, key } = await db.withDatabase(async (handle) => {
      const s = scenario(gh, handle, { required_checks: [{ name: "build" }] });
      const sha = s.commit();
      const { key } = await s.verifyingTicket(sha);
      return { s, sha, key };
    });
    const env = {
      ...db.env(),
      GITHUB_TOKEN: gh.installationToken(s.repository),
      GITHUB_API_URL: gh.url,
    };

    const pending = await runMctl(["evidence", "verify", key], env);
    expect(pending.code).toBe(4);
    expect(pending.stdout).toContain(`${key} ${sha.slice(0, 7)}: pending: 5 pass, 1 pending (check:build)`);
    expect(pending.stdout).toMatch(/check "build"\s+pending\s+check_missing/);
    expect(pending.stdout).toMatch(/check run \d+ created/);
    expect(pending.stdout).toContain("github: 4 requests, 0 not modified (304), 0 retried");
    expect(pending.stderr).toBe("mctl: verdict pending: check:build (check_missing)\n");

    gh.world.checkRun(s.repository, { app: "ci", name: "build", headSha: sha, conclusion: "success" });
    const passed = await runMctl(["evidence", "verify", key, "--json"], env);
    expect(passed).toMatchObject({ code: 0, stderr: "" });
    expect(JSON.parse(passed.stdout)).toMatchObject({
      ticket: key,
      sha,
      verdict: { status: "pass" },
      stored: { ticketOutcome: "decision_requested" },
      publication: { ok: true, created: false },
    });

    const table = await runMctl(["evidence", "show", key], env);
    expect(table.stdout).toContain(`${key} (verifying) ${sha.slice(0, 7)}: pass`);
    expect(table.stdout).toMatch(/decision request \d+: open/);
    const unknown = await runMctl(["evidence", "verify", "MC-9"], env);
    expect(unknown).toMatchObject({ code: 1, stderr: "mctl: not_found: no ticket MC-9\n" });
    expect(table.stdout).toMatch(
      /history:\nID\s+EVALUATED\s+SHA\s+STATUS\s+TICKET\s+CHECKS\s+CHECK RUN\n\d+.*pending\s+none.*\n\d+.*pass\s+decision_requested/,
    );
  });

  it("refuses without GITHUB_TOKEN (exit 2), before opening the database", async () => {
    const noToken = await runMctl(["evidence", "verify", "MC-1"], {
      ...db.env(),
      GITHUB_TOKEN: "",
    });
    expect(noToken).toMatchObject({
      code: 2,
      stderr: "mctl: GITHUB_TOKEN is not set: the verifier reads GitHub with it\n",
    });
  });
});
