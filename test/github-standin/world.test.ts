import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Arrange } from "../../src/github-standin/arrange/arrange.js";
import { JWT_MESSAGES, verifyAppJwt } from "../../src/github-standin/http/jwt.js";
import { createApp } from "../../src/github-standin/world/apps.js";
import { compare } from "../../src/github-standin/world/commit-graph.js";
import type { WorldEvent } from "../../src/github-standin/world/events.js";
import { pullsForCommit } from "../../src/github-standin/world/pulls.js";
import { WorldState } from "../../src/github-standin/world/world-state.js";
import { appJwt } from "./support/client.js";

/** The world model on its own: no HTTP, a fixed clock. */

function arrange() {
  const state = new WorldState({ now: () => Date.UTC(2025, 0, 1) });
  const events: WorldEvent[] = [];
  state.subscribe((event) => events.push(event));
  const app = createApp(state, { slug: "mission-control" });
  const world = new Arrange(state, app);
  const repo = world.repository({ owner: "acme", name: "widgets" });
  return { state, world, repo, events };
}

describe("commit graph", () => {
  it("a commit can carry a real git sha (a local push shown on the stand-in), validated and unique", () => {
    const { world, repo } = arrange();
    const sha = "a".repeat(40);
    const commit = world.commit(repo, { branch: "main", message: "from git", sha });
    expect(commit.sha).toBe(sha);
    expect(repo.branches.get("main")).toBe(sha);
    expect(() => world.commit(repo, { branch: "main", sha })).toThrow(/already exists/);
    expect(() => world.commit(repo, { branch: "main", sha: "not-a-sha" })).toThrow(/40-hex/);
  });

  it("compare: identical, ahead, behind, diverged, with merge base and counts", () => {
    const { world, repo } = arrange();
    const root = repo.branches.get("main") ?? "";
    const a1 = world.commit(repo, { branch: "main", message: "a1" });
    world.branch(repo, "topic", a1.sha);
    const t1 = world.commit(repo, { branch: "topic", message: "t1" });
    const t2 = world.commit(repo, { branch: "topic", message: "t2" });
    expect(compare(repo.commits, a1.sha, a1.sha)).toMatchObject({
      status: "identical",
      aheadBy: 0,
      behindBy: 0,
    });
    expect(compare(repo.commits, a1.sha, t2.sha)).toMatchObject({
      status: "ahead",
      aheadBy: 2,
      behindBy: 0,
      mergeBase: a1.sha,
      commits: [t1.sha, t2.sha],
    });
    expect(compare(repo.commits, t2.sha, root)).toMatchObject({
      status: "behind",
      aheadBy: 0,
      behindBy: 3,
      mergeBase: root,
    });
    const a2 = world.commit(repo, { branch: "main", message: "a2" });
    expect(compare(repo.commits, a2.sha, t2.sha)).toMatchObject({
      status: "diverged",
      aheadBy: 2,
      behindBy: 1,
      mergeBase: a1.sha,
    });
    // After merging topic into main, main is ahead of topic by the merge commit and a2.
    const merged = world.pullRequest(repo, { head: "topic", merged: true });
    const mainTip = repo.branches.get("main") ?? "";
    expect(merged.pull.mergeCommitSha).toBe(mainTip);
    expect(compare(repo.commits, t2.sha, mainTip)).toMatchObject({
      status: "ahead",
      aheadBy: 2,
      behindBy: 0,
      mergeBase: t2.sha,
    });
  });

  it("pulls for a commit: merged ones once on the default branch, open ones before", () => {
    const { world, repo } = arrange();
    world.branch(repo, "f");
    const f1 = world.commit(repo, { branch: "f", message: "f1" });
    const pull = world.pullRequest(repo, { head: "f" });
    expect(pullsForCommit(repo, f1.sha).map((p) => p.number)).toEqual([pull.number]);
    world.branch(repo, "g");
    const g1 = world.commit(repo, { branch: "g", message: "g1" });
    expect(pullsForCommit(repo, g1.sha)).toEqual([]);
    world.mergePullRequest(repo, pull.number);
    expect(pullsForCommit(repo, f1.sha).map((p) => p.number)).toEqual([pull.number]);
  });
});

describe("world events", () => {
  it("each change emits exactly the events GitHub would send", () => {
    const { world, repo, events } = arrange();
    const issue = world.issue(repo, { title: "t", labels: ["x"] });
    world.labelIssue(repo, issue.number, ["x", "y"]);
    world.closeIssue(repo, issue.number);
    world.closeIssue(repo, issue.number);
    expect(events.map((e) => ("action" in e ? `${e.kind}.${e.action}` : e.kind))).toEqual([
      "issues.opened",
      "issues.labeled",
      "issues.closed",
    ]);
  });

  it("a check run created completed emits created then completed; completing again emits nothing", () => {
    const { world, repo, events } = arrange();
    world.app({ slug: "ci" });
    const sha = repo.branches.get("main") ?? "";
    const run = world.checkRun(repo, { app: "ci", name: "test", headSha: sha, conclusion: "failure" });
    world.completeCheckRun(repo, run.id, "success");
    expect(events.filter((e) => e.kind === "check_run").map((e) => ("action" in e ? e.action : ""))).toEqual([
      "created",
      "completed",
    ]);
    expect(run).toMatchObject({ status: "completed", conclusion: "success" });
  });

  it("arranging something impossible throws with what was wrong", () => {
    const { world, repo } = arrange();
    expect(() => world.comment(repo, 99, { body: "x" })).toThrow(/Issue not found/);
    expect(() => world.checkRun(repo, { app: "nope", name: "x", headSha: "0" })).toThrow(/no app nope/);
  });
});

describe("app JWTs", () => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  const now = Date.UTC(2025, 0, 1);
  const seconds = Math.floor(now / 1000);

  it("accepts a JWT signed with the app's key, in its validity window", () => {
    expect(verifyAppJwt(appJwt(privateKey, 1, seconds), publicKey, now)).toMatchObject({
      ok: true,
      claims: { iss: 1 },
    });
  });

  it("refuses expired, future-dated, tampered and malformed JWTs with GitHub's messages", () => {
    expect(verifyAppJwt(appJwt(privateKey, 1, seconds - 3600), publicKey, now)).toEqual({
      ok: false,
      message: JWT_MESSAGES.expired,
    });
    expect(verifyAppJwt(appJwt(privateKey, 1, seconds + 3600), publicKey, now)).toEqual({
      ok: false,
      message: JWT_MESSAGES.issuedInFuture,
    });
    const [header, , signature] = appJwt(privateKey, 1, seconds).split(".");
    const forged = Buffer.from(JSON.stringify({ iat: seconds, exp: seconds + 60, iss: 2 })).toString(
      "base64url",
    );
    expect(verifyAppJwt(`${header}.${forged}.${signature}`, publicKey, now)).toEqual({
      ok: false,
      message: JWT_MESSAGES.undecodable,
    });
    expect(verifyAppJwt("not-a-jwt", publicKey, now)).toEqual({
      ok: false,
      message: JWT_MESSAGES.undecodable,
    });
  });
});
