import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const read = (file: string) => readFileSync(path.join(ROOT, file), "utf8");

/** Relative Markdown link targets (no scheme, no pure anchor), without their #fragment. */
function relativeLinks(markdown: string): string[] {
  return [...markdown.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1] ?? "")
    .filter((target) => !/^[a-z]+:/i.test(target) && !target.startsWith("#"))
    .map((target) => target.split("#")[0] ?? "");
}

describe("the design document in a clone", () => {
  it("the README links docs/design.md, and every relative link of the README and docs/design.md exists", () => {
    const readme = read("README.md");
    expect(readme).toContain("](docs/design.md)");
    expect(readme).not.toContain("../shared/");
    for (const target of relativeLinks(readme))
      expect(existsSync(path.join(ROOT, target)), target).toBe(true);
    for (const target of relativeLinks(read("docs/design.md")))
      expect(existsSync(path.join(ROOT, "docs", target)), target).toBe(true);
  });

  it("names every layer folder that exists under src/, and says what is planned but not built", () => {
    const design = read("docs/design.md");
    const folders = ["domain", "lifecycle", "db", "dispatch", "worker", "evidence", "orchestrator"];
    for (const folder of [...folders, "operator", "app", "cli", "demo", "github-standin", "config"]) {
      expect(existsSync(path.join(ROOT, "src", folder)), folder).toBe(true);
      expect(design, folder).toContain(`\`src/${folder}/\``);
    }
    expect(design).toContain("casTicket");
    expect(design).toContain("## Planned (not built yet)");
    expect(design).toMatch(/## The web surface[\s\S]*sign-in[\s\S]*API token/);
    // What is built is described as built, not planned.
    expect(design).toMatch(/## The control plane[\s\S]*POST \/api\/v1\/dispatch[\s\S]*worker\.sandbox/);
  });
});
