import { readFile, writeFile } from "node:fs/promises";
import { Command } from "commander";
import { z } from "zod";
import type { CliContext } from "../context.js";
import { CliError, EXIT_USAGE } from "../errors.js";
import { parseOptions } from "../parse.js";

/** Resolves when the process is asked to stop (SIGINT or SIGTERM). */
export function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve(signal);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

export interface DevCommandDeps {
  /** How long the stand-in runs: by default until SIGINT/SIGTERM; tests pass their own. */
  readonly waitForShutdown?: () => Promise<unknown>;
}

const standinOptions = z.object({
  port: z.coerce.number().int().min(0).max(65535),
  webhookUrl: z.url({ protocol: /^https?$/ }).optional(),
  webhookSecret: z.string().min(1).optional(),
  seedFile: z.string().min(1).optional(),
  appId: z.coerce.number().int().positive().optional(),
  privateKey: z.string().min(1).optional(),
  writePrivateKey: z.string().min(1).optional(),
});

async function readSeed(path: string) {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new CliError(
      `--seed-file ${path}: cannot read it as JSON (${(error as Error).message})`,
      EXIT_USAGE,
      { cause: error },
    );
  }
  const { parseSeed } = await import("../../github-standin/index.js");
  const parsed = parseSeed(json);
  if (!parsed.ok)
    throw new CliError(`--seed-file ${path} is not a valid world:\n${parsed.message}`, EXIT_USAGE);
  return parsed.seed;
}

/** Tools for developing and testing Mission Control itself (local stand-ins, fixtures). */
export function devCommand(ctx: CliContext, deps: DevCommandDeps = {}): Command {
  const dev = new Command("dev").description("tools for developing and testing Mission Control locally");
  dev
    .command("github-standin")
    .description("run the local GitHub stand-in (REST API + webhooks) on 127.0.0.1 until interrupted")
    .option("--port <n>", "port to listen on (0 picks a free one)", "0")
    .option("--webhook-url <url>", "deliver the app's webhooks to this URL")
    .option("--webhook-secret <secret>", "sign webhooks with this secret (X-Hub-Signature-256)")
    .option("--seed-file <path>", "JSON file describing users, repositories, files, labels, issues")
    .option("--app-id <id>", "the app's id (default: chosen by the stand-in)")
    .option("--private-key <path>", "the app's private key (PEM); JWTs must be signed with it")
    .option(
      "--write-private-key <path>",
      "write the generated private key here (when --private-key is not given)",
    )
    .action(async (raw: Record<string, unknown>) => {
      const options = parseOptions(standinOptions, raw);
      if (options.webhookSecret && !options.webhookUrl)
        throw new CliError("--webhook-secret needs --webhook-url", EXIT_USAGE);
      const seed = options.seedFile ? await readSeed(options.seedFile) : null;
      const privateKey = options.privateKey ? await readFile(options.privateKey, "utf8") : undefined;
      // The stand-in is loaded only by the command that runs it (an mctl start-up stays small).
      const { applySeed, startGitHubStandin } = await import("../../github-standin/index.js");
      const gh = await startGitHubStandin({
        port: options.port,
        app: { ...(options.appId ? { id: options.appId } : {}), ...(privateKey ? { privateKey } : {}) },
        ...(options.webhookUrl
          ? {
              webhook: {
                url: options.webhookUrl,
                ...(options.webhookSecret ? { secret: options.webhookSecret } : {}),
              },
            }
          : {}),
      });
      try {
        if (seed) applySeed(gh.world, seed);
        if (options.writePrivateKey && !privateKey && gh.app.privateKey) {
          await writeFile(options.writePrivateKey, gh.app.privateKey, { mode: 0o600 });
        }
        ctx.io.stdout(`GitHub stand-in listening on ${gh.url}\n`);
        ctx.io.stdout(
          `app id ${gh.app.id} (${gh.app.slug})${options.webhookUrl ? `, webhooks to ${options.webhookUrl}` : ", no webhook URL"}\n`,
        );
        ctx.io.stdout("press Ctrl-C to stop\n");
        await (deps.waitForShutdown ?? untilSignal)();
      } finally {
        await gh.stop();
        ctx.io.stdout(
          `GitHub stand-in stopped (${gh.requests.entries.length} requests, ${gh.webhooks.deliveries.length} deliveries)\n`,
        );
      }
    });
  return dev;
}
