/**
 * The app's logger: pino JSON lines that never carry a credential. Two layers, because a secret can
 * reach a log line by paths nobody lists (an Octokit error nested in an AggregateError, a header
 * copied into a message):
 * 1. `redact` paths for the places credentials are known to sit (request headers, error requests,
 *    option objects);
 * 2. a last pass over every serialized line (`hooks.streamWrite`) that masks whatever still looks
 *    like a private key, a GitHub token, a JWT, an Authorization value or a URL password.
 * Probot, its HTTP logger and every Octokit it creates log through the logger given to it, so
 * handing this one to Probot (`run(app, { log })`, `new Probot({ log })`) covers them all.
 */
import pino, { type DestinationStream, type Logger } from "pino";
import { z } from "zod";
import { REDACTED, redactSecrets } from "../domain/redact.js";

export { REDACTED };

/** Where credentials sit in objects the app and its libraries log. */
export const REDACT_PATHS: readonly string[] = [
  "req.headers.authorization",
  "req.headers.cookie",
  "headers.authorization",
  "*.headers.authorization",
  "request.headers.authorization",
  "*.request.headers.authorization",
  "err.request.headers.authorization",
  // A request's body may carry a client secret or a code (the OAuth code exchange).
  "err.request.body",
  "*.request.body",
  "err.response.headers.authorization",
  "privateKey",
  "*.privateKey",
  "token",
  "*.token",
  "secret",
  "*.secret",
  "password",
  "*.password",
];

/** Masks every credential-looking substring of `text` (a serialized log line): the one masker. */
export const scrubSecrets: (text: string) => string = redactSecrets;

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const LevelSchema = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(LOG_LEVELS, { error: `LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}` }));

/** LOG_LEVEL, validated: unset means `info`. */
export function logLevelFrom(value: string | undefined): LogLevel {
  if (value === undefined || value.trim() === "") return "info";
  const parsed = LevelSchema.safeParse(value);
  if (!parsed.success) throw new Error(parsed.error.issues[0]?.message ?? "invalid LOG_LEVEL");
  return parsed.data;
}

/**
 * The app's root logger. `destination` defaults to stdout; tests pass an in-memory one. Probot
 * names its children (`http`, `event`, `github`), so this one is named `probot` like Probot's own.
 */
export function createAppLogger(options: { level?: LogLevel; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      name: "probot",
      level: options.level ?? "info",
      redact: { paths: [...REDACT_PATHS], censor: REDACTED },
      hooks: { streamWrite: scrubSecrets },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
