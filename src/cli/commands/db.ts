import { Command } from "commander";
import { migrateDatabase } from "../../db/migrate.js";
import type { CliContext } from "../context.js";
import { printJson } from "../output.js";

export function dbCommand(ctx: CliContext): Command {
  const db = new Command("db").description("manage the database schema");
  db.command("migrate")
    .description("apply the committed migrations (drizzle/) to the configured database")
    .option("--json", "print the result as JSON")
    .action(async (options: { json?: boolean }) => {
      await ctx.withDatabase(
        async ({ handle }) => {
          const report = await migrateDatabase(handle);
          if (options.json) printJson({ database: handle.description, ...report }, ctx.io.stdout);
          else
            ctx.io.stdout(
              `${handle.description}: applied ${report.applied} migration(s); ${report.total} of ${report.total} in place\n`,
            );
        },
        // Migrating the database never depends on the project's configuration file.
        { checkSchema: false, checkConfig: false },
      );
    });
  return db;
}
