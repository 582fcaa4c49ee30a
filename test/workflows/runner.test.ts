/**
 * The local workflow runner fails loudly on what it does not support, and keeps GitHub's rules on
 * calls of reusable workflows (no `secrets: inherit`, no permission a caller did not grant,
 * declared inputs only), so a shipped workflow cannot pass the e2e test by the runner's omission.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GitHubStandin, startGitHubStandin } from "../../src/github-standin/index.js";
import { tempDir } from "../helpers/cli.js";
import { evaluate, evaluateCondition } from "../support/workflow-runner/expressions.js";
import { runWorkflow, UnsupportedConstruct } from "../support/workflow-runner/runner.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
let gh: GitHubStandin;
let dir: { path: string; remove(): Promise<void> };

beforeAll(async () => {
  gh = await startGitHubStandin();
  dir = await tempDir("mctl-runner-");
  gh.world.repository({ owner: "acme", name: "widgets" });
  gh.world.workflow("acme/widgets", { path: ".github/workflows/caller.yml" });
});
afterAll(async () => {
  await gh?.stop();
  await dir?.remove();
});

async function runCaller(text: string) {
  const file = path.join(dir.path, `caller-${Math.random().toString(36).slice(2)}.yml`);
  await writeFile(file, text);
  const run = gh.world.workflowRun("acme/widgets", "caller.yml", { event: "workflow_dispatch" });
  return runWorkflow(
    {
      gh,
      reusable: { repository: "mission-control/mission-control", root: ROOT },
      packages: {},
      workDir: dir.path,
      path: `${path.dirname(process.execPath)}:/usr/bin:/bin`,
    },
    { file, run, repository: "acme/widgets" },
  );
}

const AGENT = "mission-control/mission-control/.github/workflows/agent.yml@main";
const WITH =
  "      app_url: http://x\n      ticket: MC-1\n      attempt: a\n      launch_key: k\n      agent_command: 'true'\n";

describe("the local workflow runner", () => {
  it("refuses secrets: inherit, an ungranted id-token, an undeclared input and an unknown action", async () => {
    const head = "on: workflow_dispatch\npermissions: { id-token: write, contents: read }\njobs:\n  a:\n";
    await expect(
      runCaller(`${head}    uses: ${AGENT}\n    secrets: inherit\n    with:\n${WITH}`),
    ).rejects.toThrow(/inherit/);
    await expect(
      runCaller(
        `on: workflow_dispatch\npermissions: { contents: read }\njobs:\n  a:\n    uses: ${AGENT}\n    with:\n${WITH}`,
      ),
    ).rejects.toThrow(/id-token: write/);
    await expect(runCaller(`${head}    uses: ${AGENT}\n    with:\n${WITH}      nope: 1\n`)).rejects.toThrow(
      /nope/,
    );
    await expect(
      runCaller(`${head}    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/cache@v4\n`),
    ).rejects.toBeInstanceOf(UnsupportedConstruct);
    await expect(
      runCaller(`${head}    runs-on: ubuntu-latest\n    strategy: { matrix: { a: [1] } }\n    steps: []\n`),
    ).rejects.toThrow(/strategy/);
  });

  it("runs steps in order with bash -eo pipefail; a failed step fails the job; if: always() and needs", async () => {
    const jobs = await runCaller(
      [
        "on: workflow_dispatch",
        "jobs:",
        "  first:",
        "    runs-on: ubuntu-latest",
        "    steps:",
        "      - run: echo one",
        "      - run: false | cat",
        "      - run: echo never",
        "  second:",
        "    needs: first",
        "    runs-on: ubuntu-latest",
        "    steps: [{ run: echo skipped }]",
        "  third:",
        "    needs: first",
        "    if: always() && needs.first.result == 'failure'",
        "    runs-on: ubuntu-latest",
        "    permissions: { id-token: write }",
        '    steps: [{ run: test -n "$ACTIONS_ID_TOKEN_REQUEST_TOKEN" }]',
        "",
      ].join("\n"),
    );
    expect(jobs.map((j) => [j.name, j.result])).toEqual([
      ["first", "failure"],
      ["second", "skipped"],
      ["third", "success"],
    ]);
    expect(jobs[0]?.log).not.toContain("never");
  });

  it("evaluates the expressions the workflows use and refuses others", () => {
    const ctx = {
      contexts: { inputs: { a: "", b: "x" }, needs: { p: { result: "success" } } },
      succeeded: true,
    };
    expect(evaluate("inputs.a != ''", ctx)).toBe(false);
    expect(evaluate("inputs.b == 'X'", ctx)).toBe(true);
    expect(evaluateCondition("always() && needs.p.result == 'success'", { ...ctx, succeeded: false })).toBe(
      true,
    );
    expect(evaluateCondition("inputs.b != ''", { ...ctx, succeeded: false })).toBe(false);
    expect(() => evaluate("fromJSON(inputs.a)", ctx)).toThrow(/fromJSON/);
    expect(() => evaluate("matrix.os", ctx)).toThrow(/matrix/);
  });
});
