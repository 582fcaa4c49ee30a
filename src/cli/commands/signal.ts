import { Command, Option } from "commander";
import { z } from "zod";
import { attemptPolicyFrom } from "../../config/durations.js";
import { SignalChannelError, sendSignal } from "../../worker/signal-channel.js";
import { applySignal, type Signal, type SignalResult, SignalSchema } from "../../worker/signals.js";
import type { CliContext } from "../context.js";
import { CliError, EXIT_DATABASE, EXIT_USAGE } from "../errors.js";
import { printJson } from "../output.js";

/** Options every signal takes; the attempt and the runner's channel come from the agent's environment. */
interface CommonOptions {
  attempt?: string;
  signalUrl?: string;
  signalToken?: string;
  json?: boolean;
}

export function signalCommand(ctx: CliContext): Command {
  const signal = new Command("signal")
    .description("report from inside an agent: needs-input, heartbeat, fail")
    .addHelpText(
      "after",
      "\nInside `mctl worker run` the signal goes to the runner (MCTL_SIGNAL_URL), which records it and\n" +
        "stops the agent after needs-input or fail. Elsewhere it is recorded in the database directly.\n" +
        "A signal for an attempt that is not its ticket's current, running attempt is refused (exit 1).\n",
    );

  withCommon(signal.command("needs-input"))
    .description("ask a person a question: the ticket waits in needs_input and this attempt ends")
    .requiredOption("--question <text>", "the question, shown on the ticket's issue")
    .action(async (options: CommonOptions & { question: string }) => {
      await send(ctx, options, {
        kind: "needs_input",
        attemptId: options.attempt,
        question: options.question,
      });
    });

  withCommon(signal.command("heartbeat"))
    .description("extend the attempt's lease (the runner already does this while the agent runs)")
    .action(async (options: CommonOptions) => {
      await send(ctx, options, { kind: "heartbeat", attemptId: options.attempt });
    });

  withCommon(signal.command("fail"))
    .description("give up: the attempt fails with this reason and the ticket goes back to the queue")
    .requiredOption("--reason <text>", "why the attempt cannot be completed")
    .action(async (options: CommonOptions & { reason: string }) => {
      await send(ctx, options, { kind: "fail", attemptId: options.attempt, reason: options.reason });
    });

  return signal;
}

function withCommon(command: Command): Command {
  return command
    .addOption(new Option("--attempt <id>", "the attempt (default: $MCTL_ATTEMPT)").env("MCTL_ATTEMPT"))
    .addOption(new Option("--signal-url <url>").env("MCTL_SIGNAL_URL").hideHelp())
    .addOption(new Option("--signal-token <token>").env("MCTL_SIGNAL_TOKEN").hideHelp())
    .option("--json", "print the result as JSON");
}

const ChannelSchema = z.object({
  signalUrl: z.url({ protocol: /^http$/, error: "MCTL_SIGNAL_URL must be an http:// URL" }),
  signalToken: z.string().min(1, "MCTL_SIGNAL_TOKEN is required with MCTL_SIGNAL_URL"),
});

async function send(ctx: CliContext, options: CommonOptions, raw: Record<string, unknown>): Promise<void> {
  if (raw.attemptId === undefined) {
    throw new CliError(
      "which attempt? Pass --attempt or run inside `mctl worker run` (MCTL_ATTEMPT)",
      EXIT_USAGE,
    );
  }
  const parsed = SignalSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path[0] === "attemptId" ? "--attempt" : `--${String(issue?.path[0] ?? "signal")}`;
    throw new CliError(`${field}: ${issue?.message ?? "invalid"}`, EXIT_USAGE, { cause: parsed.error });
  }
  const result = options.signalUrl ? await viaRunner(options, parsed.data) : await direct(ctx, parsed.data);
  if (!result.ok) {
    throw new CliError(`${result.code}: ${result.message}`, result.code === "invalid_input" ? EXIT_USAGE : 1);
  }
  if (options.json) printJson(result, ctx.io.stdout);
  else ctx.io.stdout(`${result.message}\n`);
}

async function viaRunner(options: CommonOptions, signal: Signal): Promise<SignalResult> {
  const channel = ChannelSchema.safeParse(options);
  if (!channel.success) {
    throw new CliError(channel.error.issues[0]?.message ?? "bad signal channel", EXIT_USAGE, {
      cause: channel.error,
    });
  }
  try {
    return await sendSignal({
      url: channel.data.signalUrl,
      token: channel.data.signalToken,
      signal,
      timeoutMs: 120_000,
    });
  } catch (error) {
    if (error instanceof SignalChannelError)
      throw new CliError(error.message, EXIT_DATABASE, { cause: error });
    throw error;
  }
}

async function direct(ctx: CliContext, signal: Signal): Promise<SignalResult> {
  const config = await ctx.config();
  return ctx.withDatabase(({ lifecycle }) =>
    applySignal(lifecycle, signal, attemptPolicyFrom(config.dispatch)),
  );
}
