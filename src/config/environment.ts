import os from "node:os";
import { z } from "zod";
import { variableIssueInWords } from "./issue-words.js";
import { DEFAULT_KEY_PREFIX, isValidKeyPrefix } from "../domain/ticket-key.js";
import { type DatabaseTarget, resolveDatabaseTarget } from "../db/target.js";
import { type ConfigOverride, readConfigOverrides } from "./overrides.js";

/** Settings read from the environment, once, at the composition root. */
export interface Environment {
  readonly database: DatabaseTarget;
  readonly keyPrefix: string;
  /** Repository new tickets belong to when none is given. */
  readonly defaultRepository: string;
  /** Who a person at the CLI is, for events (`--actor` overrides). */
  readonly actorId: string;
  /** MCTL_CONFIG: the configuration file; unset means .github/mission-control.yml if it exists. */
  readonly configPath: string | undefined;
  readonly cwd: string;
  /** MCTL_LOCK_WAIT_MS: how long to queue for the embedded database another mctl process holds. */
  readonly lockWaitMs: number;
  /** `MCTL__SECTION__KEY=value` settings that override the configuration file. */
  readonly configOverrides: readonly ConfigOverride[];
}

export const DEFAULT_LOCK_WAIT_MS = 10_000;

export const DEFAULT_REPOSITORY = "local/tickets";

const Schema = z.object({
  MCTL_KEY_PREFIX: z
    .string()
    .trim()
    .refine(isValidKeyPrefix, "must be 1–10 capital letters or digits, starting with a letter (e.g. MC)")
    .default(DEFAULT_KEY_PREFIX),
  MCTL_REPOSITORY: z.string().trim().min(1).default(DEFAULT_REPOSITORY),
  MCTL_ACTOR: z.string().trim().min(1).optional(),
  MCTL_CONFIG: z.string().trim().min(1).optional(),
  MCTL_LOCK_WAIT_MS: z.coerce.number().int().min(0).max(600_000).default(DEFAULT_LOCK_WAIT_MS),
});

/** Reads and validates the environment; a bad value throws an Error naming the variable. */
export function readEnvironment(env: Record<string, string | undefined>, cwd: string): Environment {
  const parsed = Schema.safeParse(
    {
      MCTL_KEY_PREFIX: env.MCTL_KEY_PREFIX || undefined,
      MCTL_REPOSITORY: env.MCTL_REPOSITORY || undefined,
      MCTL_ACTOR: env.MCTL_ACTOR || undefined,
      MCTL_CONFIG: env.MCTL_CONFIG || undefined,
      MCTL_LOCK_WAIT_MS: env.MCTL_LOCK_WAIT_MS || undefined,
    },
    { reportInput: true },
  );
  if (!parsed.success) {
    throw new Error(variableIssueInWords(parsed.error, Schema), { cause: parsed.error });
  }
  return {
    database: resolveDatabaseTarget(env, cwd),
    keyPrefix: parsed.data.MCTL_KEY_PREFIX,
    defaultRepository: parsed.data.MCTL_REPOSITORY,
    actorId: parsed.data.MCTL_ACTOR ?? safeUsername(),
    configPath: parsed.data.MCTL_CONFIG,
    cwd,
    lockWaitMs: parsed.data.MCTL_LOCK_WAIT_MS,
    configOverrides: readConfigOverrides(env),
  };
}

function safeUsername(): string {
  try {
    return os.userInfo().username || "cli";
  } catch {
    return "cli";
  }
}
