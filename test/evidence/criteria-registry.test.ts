import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { renderCheckRun } from "../../src/evidence/check-run.js";
import { CRITERIA } from "../../src/evidence/criteria/index.js";
import type { EvidenceCriterion } from "../../src/evidence/criterion.js";
import { verdictOf } from "../../src/evidence/verdict.js";
import { EVIDENCE_EVENTS } from "../../src/evidence/webhook-targets.js";

/**
 * The registry (src/evidence/criteria/index.ts) is the one list of criteria: a criterion file it
 * does not list would never be judged, and one without triggers would never be re-evaluated.
 */

const FOLDER = path.resolve(import.meta.dirname, "../../src/evidence/criteria");
const criterionFiles = () =>
  readdirSync(FOLDER)
    .filter((file) => file.endsWith(".ts") && file !== "index.ts")
    .map((file) => file.replace(/\.ts$/, ""))
    .sort();

/** The problems of a registry against the files of the folder; none when they agree. */
function registryProblems(files: readonly string[], registry: readonly EvidenceCriterion[]): string[] {
  const names = registry.map((c) => c.name);
  return [
    ...files
      .filter((file) => !names.includes(file))
      .map((file) => `criteria/${file}.ts is not in the registry`),
    ...names
      .filter((name) => !files.includes(name))
      .map((name) => `"${name}" has no file criteria/${name}.ts`),
    ...names.filter((name, i) => names.indexOf(name) !== i).map((name) => `"${name}" is listed twice`),
    ...registry
      .filter((c) => c.triggers.length === 0 && !c.notRetriggered?.trim())
      .map((c) => `"${c.name}" has no triggers and does not say why it is never re-triggered`),
  ];
}

describe("evidence criteria registry", () => {
  it("lists every criterion file of src/evidence/criteria/, each once, each with triggers or a reason for none", () => {
    expect(registryProblems(criterionFiles(), CRITERIA)).toEqual([]);
  });

  it("the registry entry is the very object its file exports", async () => {
    for (const file of criterionFiles()) {
      const module = (await import(path.join(FOLDER, `${file}.ts`))) as { criterion?: EvidenceCriterion };
      expect(module.criterion, `criteria/${file}.ts exports \`criterion\``).toBeDefined();
      expect(CRITERIA).toContain(module.criterion);
    }
  });

  it("self-test: an unlisted file, an entry without a file and one without triggers are each reported", () => {
    const [first, ...rest] = CRITERIA;
    if (!first) throw new Error("empty registry");
    const silent = { ...first, name: "silent", triggers: [], notRetriggered: " " } as EvidenceCriterion;
    expect(registryProblems([...criterionFiles(), "orphan"], [...rest, silent])).toEqual([
      `criteria/${first.name}.ts is not in the registry`,
      "criteria/orphan.ts is not in the registry",
      '"silent" has no file criteria/silent.ts',
      '"silent" has no triggers and does not say why it is never re-triggered',
    ]);
  });

  it("the re-evaluating webhook events are exactly those the criteria name as triggers", () => {
    const named = new Set(CRITERIA.flatMap((c) => c.triggers));
    expect(new Set(EVIDENCE_EVENTS)).toEqual(named);
    expect([...EVIDENCE_EVENTS]).toEqual([
      "check_run",
      "check_suite",
      "status",
      "deployment_status",
      "push",
      "pull_request",
    ]);
  });

  it("the check run says what re-evaluates a pending verdict, from the registry's triggers", () => {
    const pending = verdictOf([
      {
        id: "commit",
        title: "commit exists",
        status: "pending",
        reason: "github_unavailable",
        message: "502",
        url: null,
      },
    ]);
    const { summary } = renderCheckRun(pending, { ticket: "MC-1", attemptId: "x", sha: "a".repeat(40) });
    expect(summary).toContain(
      "Re-evaluated when checks, statuses, deployments, pushes or pull requests change.",
    );
  });
});
