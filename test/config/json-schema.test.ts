import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CONFIG_SCHEMA_PATH, configJsonSchema } from "../../src/config/json-schema.js";

const published = path.resolve(import.meta.dirname, "../..", CONFIG_SCHEMA_PATH);

describe("the published JSON Schema of the configuration", () => {
  it("is what the zod schema generates today (regenerate: `mctl config schema > schema/mission-control.schema.json`)", async () => {
    const file = JSON.parse(await readFile(published, "utf8")) as unknown;
    expect(file).toEqual(configJsonSchema());
  });

  it("is documented with the yaml-language-server line editors read", async () => {
    const docs = await readFile(path.resolve(import.meta.dirname, "../../docs/configuration.md"), "utf8");
    expect(docs).toContain(`# yaml-language-server: $schema=`);
    expect(docs).toContain(CONFIG_SCHEMA_PATH);
  });
});
