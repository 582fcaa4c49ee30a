import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseConfig } from "../../src/config/load.js";
import { DEFAULT_CONFIG } from "../../src/config/schema.js";

/** The README is the front door: its configuration examples must be what the code accepts. */
const README = readFileSync(path.resolve(import.meta.dirname, "../../README.md"), "utf8");

function yamlBlocks(markdown: string): { text: string; marker: string | null }[] {
  const blocks: { text: string; marker: string | null }[] = [];
  const fence = /(?:<!-- ([\w-]+) -->\n)?```yaml\n([\s\S]*?)```/g;
  for (const match of markdown.matchAll(fence))
    blocks.push({ text: match[2] ?? "", marker: match[1] ?? null });
  return blocks;
}

describe("README configuration", () => {
  const blocks = yamlBlocks(README);

  it("every YAML example is a valid configuration", () => {
    expect(blocks.length).toBeGreaterThan(1);
    for (const block of blocks) expect(() => parseConfig(block.text, "README.md")).not.toThrow();
  });

  it("the configuration reference states exactly the defaults of the schema", () => {
    const reference = blocks.find((block) => block.marker === "config-reference");
    expect(reference, "a ```yaml block after <!-- config-reference -->").toBeDefined();
    expect(parse(reference?.text ?? "", { version: "1.2" })).toEqual(DEFAULT_CONFIG);
  });
});
