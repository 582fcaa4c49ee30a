import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { errorMessage } from "../domain/error-message.js";
import { apiTokenCommand } from "./commands/api-token.js";
import { configCommand } from "./commands/config.js";
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
import { CliError, EXIT_USAGE } from "./errors.js";
import { printJson } from "./output.js";

const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
};

/** Builds the `mctl` command tree. Commander's own output goes through the context's streams. */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command("mctl")
    .description("Mission Control: a trustworthy control plane for tickets worked by coding agents")
    .version(version, "-V, --version", "print the version")
    .configureOutput(outputOf(ctx))
    // A command's options belong to it, not to its parent: `mctl dispatch history --json` is the
    // history's --json (else `dispatch`'s own --json took it and the history printed text).
    .enablePositionalOptions()
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
    configCommand(ctx),
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
    apiTokenCommand(ctx),
    devCommand(ctx),
  ];
  for (const command of commands) program.addCommand(command);
  // Every subcommand reports usage errors the same way as the root.
  const inherit = (command: Command) => {
    command.exitOverride().configureOutput(outputOf(ctx)).enablePositionalOptions();
    command.commands.forEach(inherit);
  };
  program.commands.forEach(inherit);
  return program;
}

/**
 * Commander's own output through the context's streams, its errors as the one line every refusal
 * is (`mctl: …`, not commander's `error: …` plus a second line of advice).
 */
function outputOf(ctx: CliContext) {
  return {
    writeOut: ctx.io.stdout,
    writeErr: ctx.io.stderr,
    outputError: (text: string, write: (text: string) => void) =>
      write(`mctl: ${commanderMessage(text)} (run with --help for usage)\n`),
  };
}

/** Commander's message without its `error: ` prefix, on one line (suggestions come on a second). */
function commanderMessage(text: string): string {
  return text
    .replace(/^error: /, "")
    .replace(/\s*\n\s*/g, " ")
    .trim();
}

/**
 * Runs the CLI and returns the exit code: 0 on success, the CliError's code for refusals, 2 for
 * usage errors. Unexpected errors are reported in one line (with the stack when MCTL_DEBUG is set).
 * With `--json` on the command line, a failure is JSON too: `{"error":{"code","message"}}` on stdout
 * (a script parses stdout whatever happened), and the same one line on stderr for the person.
 */
export async function runCli(argv: readonly string[], ctx: CliContext, debug = false): Promise<number> {
  const program = buildProgram(ctx);
  const json = wantsJson(argv);
  const fail = (code: string, message: string, exitCode: number, detail?: unknown) => {
    if (json)
      printJson({ error: { code, message, ...(detail === undefined ? {} : { detail }) } }, ctx.io.stdout);
    return exitCode;
  };
  try {
    await program.parseAsync([...argv], { from: "user" });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // help and version "errors" are successes; commander has already printed its message.
      if (error.exitCode === 0) return 0;
      return fail("usage", commanderMessage(error.message), EXIT_USAGE);
    }
    if (error instanceof CliError) {
      ctx.io.stderr(`mctl: ${error.message}\n`);
      return fail(error.code, error.message, error.exitCode, error.detail);
    }
    const message = errorMessage(error);
    ctx.io.stderr(`mctl: unexpected error: ${message}\n`);
    if (debug && error instanceof Error && error.stack) ctx.io.stderr(`${error.stack}\n`);
    return fail("unexpected", message, 1);
  }
}

/** `--json` on the command line (before a `--` that ends the options). */
function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf("--");
  return (end === -1 ? argv : argv.slice(0, end)).includes("--json");
}
