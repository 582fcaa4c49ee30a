import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { errorMessage } from "../domain/error-message.js";
import type { CliContext } from "./context.js";
import { CliError, EXIT_USAGE } from "./errors.js";
import { printJson } from "./output.js";

const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
};

/**
 * The top-level commands: name and one-line description here, their definitions and everything
 * they import loaded only when the command line names them (`mctl --version` or `mctl ticket list`
 * must not pay for Probot, the stand-in or the verifier). `test/cli/command-registry.test.ts` holds
 * each description to the one its module declares.
 */
export const COMMANDS: readonly {
  readonly name: string;
  readonly description: string;
  readonly load: () => Promise<(ctx: CliContext) => Command>;
}[] = [
  {
    name: "db",
    description: "manage the database schema",
    load: async () => (await import("./commands/db.js")).dbCommand,
  },
  {
    name: "config",
    description: "check the configuration; print its JSON Schema",
    load: async () => (await import("./commands/config.js")).configCommand,
  },
  {
    name: "ticket",
    description: "create, inspect and cancel tickets",
    load: async () => (await import("./commands/ticket.js")).ticketCommand,
  },
  {
    name: "dispatch",
    description: "claim runnable tickets and launch workers: one cycle, or --loop for local use",
    load: async () => (await import("./commands/dispatch.js")).dispatchCommand,
  },
  {
    name: "worker",
    description: "run coding agents on claimed tickets (the worker runner)",
    load: async () => (await import("./commands/worker.js")).workerCommand,
  },
  {
    name: "signal",
    description: "report from inside an agent: needs-input, heartbeat, fail",
    load: async () => (await import("./commands/signal.js")).signalCommand,
  },
  {
    name: "evidence",
    description: "verify a ticket's completion evidence against GitHub and show verdicts",
    load: async () => (await import("./commands/evidence.js")).evidenceCommand,
  },
  {
    name: "inbox",
    description: "the orchestrator inbox: list, show, take the next item, act on an item",
    load: async () => (await import("./commands/inbox.js")).inboxCommand,
  },
  {
    name: "orchestrate",
    description: "apply the configured orchestrator rules to delivered inbox items (one pass, or --loop)",
    load: async () => (await import("./commands/orchestrate.js")).orchestrateCommand,
  },
  {
    name: "operate",
    description: "check health, raise and resolve alerts (never changes a ticket or a task setting)",
    load: async () => (await import("./commands/operate.js")).operateCommand,
  },
  {
    name: "maintenance",
    description: "pause or resume a task (dispatch, operate, orchestrate) as a maintenance action",
    load: async () => (await import("./commands/maintenance.js")).maintenanceCommand,
  },
  {
    name: "webhooks",
    description: "the GitHub App's webhook deliveries",
    load: async () => (await import("./commands/webhooks.js")).webhooksCommand,
  },
  {
    name: "api-token",
    description: "API tokens for scripts reading /api/v1 (Authorization: Bearer …), scoped to repositories",
    load: async () => (await import("./commands/api-token.js")).apiTokenCommand,
  },
  {
    name: "dev",
    description: "tools for developing and testing Mission Control locally",
    load: async () => (await import("./commands/dev.js")).devCommand,
  },
];

/** The top-level command an argument list names (`mctl help X` names X), if any. */
export function namedCommand(argv: readonly string[]): string | undefined {
  const words = argv.filter((arg) => !arg.startsWith("-"));
  return words[0] === "help" ? words[1] : words[0];
}

/**
 * Builds the `mctl` command tree. Commander's own output goes through the context's streams. With
 * `argv`, only the command it names is loaded; the others are listed by name and description
 * (for help and for "did you mean"). Without, every command is loaded (the whole tree, for tests).
 */
export async function buildProgram(ctx: CliContext, argv?: readonly string[]): Promise<Command> {
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
  const named = argv === undefined ? undefined : namedCommand(argv);
  for (const entry of COMMANDS) {
    if (argv === undefined || entry.name === named) program.addCommand((await entry.load())(ctx));
    else program.command(entry.name).description(entry.description);
  }
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
  const program = await buildProgram(ctx, argv);
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
