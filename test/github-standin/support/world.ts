import type { GitHubStandin } from "../../../src/github-standin/index.js";

/**
 * A small, realistic world: acme/widgets with a config file on main, a feature branch that is
 * ahead, a merged pull request, an open one, CI's check runs and statuses, a deployment and the
 * agent workflow. Returns the handles tests refer to.
 */
export function arrangeWidgets(gh: GitHubStandin) {
  const w = gh.world;
  const repo = w.repository({
    owner: "acme",
    name: "widgets",
    files: {
      ".github/mission-control.yml": "enabled: true\nrequired_checks:\n  - ci/test\n",
      "README.md": "# widgets\n",
    },
    collaborators: { alice: "admin", bob: "write", carol: "triage" },
  });
  w.user("dave");
  const second = w.commit(repo, { branch: "main", message: "Second", files: { "src/a.ts": "export {};\n" } });
  w.branch(repo, "feature/done", second.sha);
  const featureCommit = w.commit(repo, {
    branch: "feature/done",
    message: "Feature work",
    files: { "src/b.ts": "export {};\n" },
    author: "alice",
  });
  const merged = w.pullRequest(repo, {
    head: "feature/done",
    title: "Done feature",
    author: "alice",
    merged: true,
  });
  w.branch(repo, "feature/open", "main");
  const openCommit = w.commit(repo, {
    branch: "feature/open",
    message: "Open work",
    files: { "src/c.ts": "export {};\n" },
    author: "bob",
  });
  const open = w.pullRequest(repo, { head: "feature/open", title: "Open feature", author: "bob" });
  const ci = w.app({ slug: "ci-bot", name: "CI" });
  w.installation(ci, { account: "acme", repositories: [repo] });
  const check = w.checkRun(repo, {
    app: ci,
    name: "ci/test",
    headSha: openCommit.sha,
    status: "in_progress",
  });
  w.completeCheckRun(repo, check.id, "success");
  w.status(repo, {
    sha: openCommit.sha,
    state: "success",
    context: "ci/lint",
    targetUrl: "https://ci.example.com/1",
  });
  const deployment = w.deployment(repo, { ref: "main", environment: "staging" });
  w.deploymentStatus(repo, deployment.id, {
    state: "success",
    logUrl: "https://deploy.example.com/1",
    environmentUrl: "https://staging.example.com",
  });
  const workflow = w.workflow(repo, { path: ".github/workflows/agent.yml", name: "Agent" });
  const issue = w.issue(repo, {
    title: "MC-1: do the thing",
    body: "details",
    labels: ["mission-control:state/todo"],
    author: "alice",
  });
  const comment = w.comment(repo, issue.number, { body: "/mc status", author: "alice" });
  return {
    repo,
    second,
    featureCommit,
    openCommit,
    merged,
    open,
    ci,
    check,
    deployment,
    workflow,
    issue,
    comment,
  };
}
