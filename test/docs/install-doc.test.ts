import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const CALLERS = [
  "examples/control-repository/.github/workflows/mission-control-dispatch.yml",
  "examples/target-repository/.github/workflows/mission-control-agent.yml",
];

/**
 * docs/install.md shows the two caller files in full; test/workflows/installation.e2e.test.ts
 * executes the files under examples/. This keeps them the same text, so the guide names nothing
 * the test does not run.
 */
describe("docs/install.md", () => {
  it("shows each caller file exactly as the end-to-end test executes it", async () => {
    const doc = await readFile(path.join(ROOT, "docs/install.md"), "utf8");
    const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
    for (const file of CALLERS) {
      const text = await readFile(path.join(ROOT, file), "utf8");
      expect(blocks, `${file} is not shown verbatim in docs/install.md`).toContain(text);
      expect(doc).toContain(file.split("/").slice(0, 2).join("/"));
    }
  });
});
