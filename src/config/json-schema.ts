/**
 * The JSON Schema of `.github/mission-control.yml`, generated from the one zod schema (never written
 * by hand), so editors complete and check the file. Published as schema/mission-control.schema.json;
 * a test regenerates it and compares, so the file cannot drift from the schema.
 */
import { z } from "zod";
import { ConfigSchema } from "./schema.js";

/** Where the published schema lives in the repository (also the URL path editors are pointed at). */
export const CONFIG_SCHEMA_PATH = "schema/mission-control.schema.json";

/** The schema of what a person writes: defaulted keys are optional ("input" side of the zod schema). */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(ConfigSchema, { io: "input", target: "draft-2020-12" }),
    title: "Mission Control configuration (.github/mission-control.yml)",
  };
}
