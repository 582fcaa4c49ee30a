import { Command } from "commander";
import { z } from "zod";
import { RepositoryNameSchema } from "../../config/schema.js";
import type { CliContext } from "../context.js";
import { formatTable, printJson } from "../output.js";
import { failureToCliError, parseOptions } from "../parse.js";

const DAY_MS = 24 * 3600 * 1000;
const UNIT_MS: Record<string, number> = { h: 3600 * 1000, d: DAY_MS, w: 7 * DAY_MS };

/** `--expires-in`: a whole number of hours, days or weeks (`12h`, `30d`, `4w`), at most 2 years. */
const ExpiresIn = z
  .string()
  .trim()
  .regex(/^[1-9][0-9]{0,4}[hdw]$/, "must be a whole number of hours, days or weeks, e.g. 12h, 30d or 4w")
  .transform((text) => Number(text.slice(0, -1)) * (UNIT_MS[text.slice(-1)] ?? DAY_MS))
  .refine((ms) => ms <= 730 * DAY_MS, "must be at most 2 years (730d)");

const TokenName = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9._-]{1,100}$/, "must be 1–100 letters, digits, dots, dashes or underscores");

const CreateOptions = z.object({
  name: TokenName,
  repo: z.array(RepositoryNameSchema).optional(),
  expiresIn: ExpiresIn.optional(),
  json: z.boolean().optional(),
});

/**
 * `mctl api-token create|list|revoke`: tokens for scripts reading `/api/v1` with
 * `Authorization: Bearer <token>`. Only a token's SHA-256 is stored; the token is printed once.
 */
export function apiTokenCommand(ctx: CliContext): Command {
  const command = new Command("api-token").description(
    "API tokens for scripts reading /api/v1 (Authorization: Bearer …), scoped to repositories",
  );
  command
    .command("create")
    .description("make a token and print it once (only its hash is kept)")
    .requiredOption("--name <name>", "a unique name (to list and revoke it)")
    .option(
      "--repo <owner/name>",
      "a repository the token may read (repeat; default: every repository)",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option("--expires-in <duration>", "e.g. 12h, 30d, 4w (default: never)")
    .option("--json", "print the token and its details as JSON")
    .action(async (raw: Record<string, unknown>) => {
      const options = parseOptions(CreateOptions, raw);
      await ctx.withDatabase(async ({ store }) => {
        const result = await store.apiTokens.create({
          name: options.name,
          repositories: options.repo?.length ? [...new Set(options.repo)] : null,
          expiresInMs: options.expiresIn ?? null,
        });
        if (!result.ok) throw failureToCliError(result);
        if (options.json) return printJson({ token: result.token, ...result.info }, ctx.io.stdout);
        ctx.io.stdout(
          `${result.token}\n` +
            `created API token ${result.info.name} for ${scopeOf(result.info.repositories)}` +
            `${result.info.expiresAt ? `, expires ${result.info.expiresAt.toISOString()}` : ", never expires"}.\n` +
            "Copy it now: it is not stored and cannot be shown again.\n",
        );
      });
    });
  command
    .command("list")
    .description("every token: name, repositories, expiry, revocation (never the token)")
    .option("--json", "print JSON")
    .action(async (raw: Record<string, unknown>) => {
      const options = parseOptions(z.object({ json: z.boolean().optional() }), raw);
      await ctx.withDatabase(async ({ lifecycle, store }) => {
        const tokens = await store.apiTokens.list();
        if (options.json) return printJson(tokens, ctx.io.stdout);
        const now = lifecycle.clock.now().getTime();
        ctx.io.stdout(
          `${formatTable(
            ["name", "repositories", "state", "created", "expires"],
            tokens.map((t) => [
              t.name,
              scopeOf(t.repositories),
              t.revokedAt ? "revoked" : t.expiresAt && t.expiresAt.getTime() <= now ? "expired" : "active",
              t.createdAt.toISOString(),
              t.expiresAt ? t.expiresAt.toISOString() : "never",
            ]),
          )}\n`,
        );
      });
    });
  command
    .command("revoke")
    .description("revoke a token by name: refused from the next request on")
    .argument("<name>", "the token's name")
    .option("--json", "print the revoked token's details as JSON")
    .action(async (name: string, raw: Record<string, unknown>) => {
      const options = parseOptions(z.object({ name: TokenName, json: z.boolean().optional() }), {
        ...raw,
        name,
      });
      await ctx.withDatabase(async ({ store }) => {
        const result = await store.apiTokens.revoke({ name: options.name });
        if (!result.ok) throw failureToCliError(result);
        if (options.json) return printJson(result.info, ctx.io.stdout);
        ctx.io.stdout(`revoked API token ${result.info.name}\n`);
      });
    });
  return command;
}

function scopeOf(repositories: readonly string[] | null): string {
  return repositories ? repositories.join(", ") : "every repository";
}
