/**
 * Global set-up: builds the worker tests' git fixture (a bare remote with one commit and a clone)
 * once per run, for each test to copy (test/worker/support/git-fixture.ts), and removes it at the
 * end. Built in a worker instead, it was left behind: vitest ends its workers without their exit
 * handlers.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { buildGitFixtureTemplate, type GitFixtureTemplate } from "../worker/support/git-fixture.js";

declare module "vitest" {
  export interface ProvidedContext {
    gitFixture: GitFixtureTemplate;
  }
}

export default async function setup(project: TestProject) {
  const parent = await mkdtemp(path.join(os.tmpdir(), "mctl-git-fixture-"));
  project.provide("gitFixture", await buildGitFixtureTemplate(parent));
  return async () => {
    await rm(parent, { recursive: true, force: true });
  };
}
