import { Command } from "commander";
import { configJsonSchema } from "../../config/json-schema.js";
import { DEFAULT_CONFIG_PATH, readConfigFile, readConfigText } from "../../config/load.js";
import { effectiveValues } from "../../config/sources.js";
import type { CliContext } from "../context.js";
import { formatTable, printJson } from "../output.js";

/** `mctl config`: check the configuration as every command reads it, and print its JSON Schema. */
export function configCommand(ctx: CliContext): Command {
  const config = new Command("config").description("check the configuration; print its JSON Schema");

  config
    .command("check")
    .description(
      "validate the configuration the way every command reads it (file + MCTL__ variables) and print each effective value with its source: default, file or environment",
    )
    .option("--json", "print the result as JSON")
    .action(async (options: { json?: boolean }) => {
      // The same read as every command: a broken file or variable is refused here exactly as there.
      const effective = await ctx.config();
      const environment = ctx.environment();
      const file = await readConfigFile({ cwd: environment.cwd, path: environment.configPath });
      const values = effectiveValues(
        effective,
        readConfigText(file.text, file.source),
        environment.configOverrides,
      );
      const variables = environment.configOverrides.map((o) => o.variable);
      if (options.json)
        return printJson({ valid: true, file: file.source, variables, values }, ctx.io.stdout);
      ctx.io.stdout(
        `configuration is valid: ${file.source ?? `no file (${DEFAULT_CONFIG_PATH} does not exist), defaults`}` +
          `${variables.length ? ` + ${variables.join(", ")}` : ""}\n\n`,
      );
      ctx.io.stdout(
        `${formatTable(
          ["key", "value", "source"],
          values.map((v) => [
            v.key,
            JSON.stringify(v.value),
            v.source === "environment" ? `environment (${v.variable})` : v.source,
          ]),
        )}\n`,
      );
    });

  config
    .command("schema")
    .description(
      "print the JSON Schema of the configuration file (generated from the zod schema; published as schema/mission-control.schema.json)",
    )
    .action(() => printJson(configJsonSchema(), ctx.io.stdout));

  return config;
}
