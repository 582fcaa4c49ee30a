import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { dbCommand } from "./commands/db.js";
import { devCommand } from "./commands/dev.js";
import { dispatchCommand } from "./commands/dispatch.js";
import { evidenceCommand } from "./commands/evidence.js";
import { inboxCommand } from "./commands/inbox.js";
import { maintenanceCommand } from "./commands/maintenance.js";
import { operateCommand } from "./commands/operate.js";
import { orchestrateCommand } from "./commands/orchestrate.js";
import { signalCommand } from "./commands/signal.js";
import { ticketCommand } from "./commands/ticket.js";
import { webhooksCommand } from "./commands/webhooks.js";
import { workerCommand } from "./commands/worker.js";
import type { CliContext } from "./context.js";
import { CliError } from "./errors.js";

const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
};

/** Builds the `mctl` command tree. Commander's own output goes through the context's streams. */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command("mctl")
    .description("Mission Control: a trustworthy control plane for tickets worked by coding agents")
    .version(version, "-V, --version", "print the version")
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ writeOut: ctx.io.stdout, writeErr: ctx.io.stderr })
    .exitOverride();
  program.addHelpText(
    "after",
    "\nEnvironment:\n  DATABASE_URL      postgres://… to use a PostgreSQL server (otherwise the embedded database)\n" +
      "  MCTL_DATA_DIR     embedded database folder (default ./.mission-control/data; memory:// for a throwaway)\n" +
      "  MCTL_KEY_PREFIX   prefix of new ticket keys (default MC)\n" +
      "  MCTL_REPOSITORY   repository of new tickets when --repo is not given (default local/tickets)\n" +
      "  MCTL_ACTOR        who you are in ticket events (default: your user name)\n" +
      "  MCTL_CONFIG       configuration file (default .github/mission-control.yml)\n" +
      "  MCTL_LOCK_WAIT_MS how long to wait for the embedded database held by another mctl (default 10000)\n",
  );
  const commands = [
    dbCommand(ctx),
    ticketCommand(ctx),
    dispatchCommand(ctx),
    workerCommand(ctx),
    signalCommand(ctx),
    evidenceCommand(ctx),
    inboxCommand(ctx),
    orchestrateCommand(ctx),
    operateCommand(ctx),
    maintenanceCommand(ctx),
    webhooksCommand(ctx),
    devCommand(ctx),
  ];
  for (const command of commands) program.addCommand(command);
  // Every subcommand reports usage errors the same way as the root.
  const inherit = (command: Command) => {
    command.exitOverride().configureOutput({ writeOut: ctx.io.stdout, writeErr: ctx.io.stderr });
    command.showHelpAfterError("(run with --help for usage)");
    command.commands.forEach(inherit);
  };
  program.commands.forEach(inherit);
  return program;
}

/**
 * Runs the CLI and returns the exit code: 0 on success, the CliError's code for refusals, 2 for
 * usage errors. Unexpected errors are reported in one line (with the stack when MCTL_DEBUG is set).
 */
export async function runCli(argv: readonly string[], ctx: CliContext, debug = false): Promise<number> {
  const program = buildProgram(ctx);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // help and version "errors" are successes; commander has already printed its message.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof CliError) {
      ctx.io.stderr(`mctl: ${error.message}\n`);
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    ctx.io.stderr(`mctl: unexpected error: ${message}\n`);
    if (debug && error instanceof Error && error.stack) ctx.io.stderr(`${error.stack}\n`);
    return 1;
  }
}
