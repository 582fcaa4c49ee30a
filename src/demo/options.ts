/** The demo's command line (commander), validated with zod. */
import { Command, CommanderError } from "commander";
import { z } from "zod";

export const DemoOptionsSchema = z.object({
  once: z.boolean().default(false),
  timeout: z.coerce
    .number({ error: "must be a number of seconds" })
    .int("must be a whole number of seconds")
    .min(10, "must be at least 10 seconds")
    .max(3600, "must be at most 3600 seconds"),
  port: z.coerce
    .number({ error: "must be a port number" })
    .int("must be a whole number")
    .min(0, "must be 0 (any free port) or 1–65535")
    .max(65_535, "must be 0 (any free port) or 1–65535"),
  linger: z.coerce
    .number({ error: "must be a number of seconds" })
    .int("must be a whole number of seconds")
    .min(0, "cannot be negative")
    .max(3600, "must be at most 3600 seconds"),
  json: z.boolean().default(false),
  keep: z.boolean().default(false),
});
export type DemoOptions = z.infer<typeof DemoOptionsSchema>;

/** Bad command line: the message names the option; exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

export type Parsed =
  | { readonly kind: "run"; readonly options: DemoOptions }
  /** `--help` or `--version`: already printed. */
  | { readonly kind: "exit"; readonly code: number };

/** Parses `argv` (without node and the script). */
export function parseDemoArgs(
  argv: readonly string[],
  io: { stdout(text: string): void; stderr(text: string): void },
): Parsed {
  const program = new Command("npm run demo --")
    .description(
      "Mission Control end to end on the embedded database, with no GitHub account: the app, a local " +
        "GitHub stand-in, the dispatcher, the orchestrator, a sample agent making real commits, and CI.",
    )
    .option(
      "--once",
      "exit when every demo ticket reached its expected end state (0), or after --timeout (1)",
    )
    .option(
      "--timeout <seconds>",
      "with --once: give up this long after the first ticket is created (set-up not counted)",
      "120",
    )
    .option("--port <n>", "port of the app (board, JSON API, webhooks); 0 picks a free one", "3000")
    .option(
      "--linger <seconds>",
      "with --once: keep serving this long after the summary (Ctrl-C ends it)",
      "0",
    )
    .option("--json", "print the log as JSON lines")
    .option("--keep", "keep the temporary folder (database, repositories, worktrees, logs) for inspection")
    .helpOption("-h, --help", "show this help")
    .addHelpText(
      "after",
      "\nWithout --once it runs until Ctrl-C (SIGINT) or SIGTERM, then stops every loop, server and\n" +
        "agent process, closes the database and removes its temporary folder (unless --keep).\n" +
        "Exit codes: 0 done (--once: every ticket as expected), 1 a ticket did not get there or the demo\n" +
        "failed (e.g. the port is taken), 2 bad command line.\n",
    )
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: () => {} })
    .allowExcessArguments(false);
  try {
    program.parse([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version")
        return { kind: "exit", code: 0 };
      throw new UsageError(error.message.replace(/^error: /, ""));
    }
    throw error;
  }
  const parsed = DemoOptionsSchema.safeParse(program.opts());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const option = issue?.path.length ? `--${String(issue.path[0])}` : "options";
    throw new UsageError(`${option}: ${issue?.message ?? "invalid"}`, { cause: parsed.error });
  }
  if (!parsed.data.once && parsed.data.linger > 0) throw new UsageError("--linger needs --once");
  return { kind: "run", options: parsed.data };
}
