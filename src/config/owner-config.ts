/**
 * The configuration of one installation owner, when one deployment serves several: the file
 * `.github/mission-control.yml` on the default branch of `<owner>/<app.control_repository_name>`,
 * read through an injected reader (the app passes an installation Octokit; tests the GitHub
 * stand-in), validated with the one schema (src/config/schema.ts, parsed like a local file),
 * cached briefly, and — when the file turns bad — the last good configuration kept while the
 * error is returned for the owner to be told. Local mode reads the file named by MCTL_CONFIG
 * instead (src/config/load.ts).
 */
import type { Octokit } from "@octokit/rest";
import { errorMessage } from "../domain/error-message.js";
import { DEFAULT_CONFIG_PATH, parseConfig } from "./load.js";
import type { Config } from "./schema.js";

/** Reads one file of a repository; null when it does not exist. `ref` absent: the default branch. */
export interface ConfigReader {
  read(owner: string, repo: string, path: string, ref?: string): Promise<string | null>;
}

export interface OwnerConfigDeps extends ConfigReader {
  /** The deployment's `app.control_repository_name` (default `mission-control`). */
  readonly controlRepositoryName?: string;
  /** How long a read configuration is used before it is read again (default 60 s). */
  readonly ttlMs?: number;
  readonly clock?: { now(): Date };
}

export type OwnerConfig =
  | {
      readonly ok: true;
      readonly config: Config;
      /** `owner/repo:path`, for messages. */
      readonly source: string;
      /** Set when the file is broken (or unreadable) now and `config` is the last good one. */
      readonly error: string | null;
    }
  | { readonly ok: false; readonly source: string; readonly error: string };

const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;

/** Reads and validates the owner's configuration once, without a cache. */
export async function readOwnerConfig(owner: string, deps: OwnerConfigDeps): Promise<OwnerConfig> {
  const repo = deps.controlRepositoryName ?? "mission-control";
  const source = `${owner}/${repo}:${DEFAULT_CONFIG_PATH}`;
  if (!OWNER.test(owner))
    return { ok: false, source, error: `${JSON.stringify(owner)} is not a GitHub owner name` };
  let text: string | null;
  try {
    text = await deps.read(owner, repo, DEFAULT_CONFIG_PATH);
  } catch (error) {
    return { ok: false, source, error: `${source}: cannot be read: ${errorMessage(error)}` };
  }
  if (text === null)
    return {
      ok: false,
      source,
      error: `${source} does not exist: create ${DEFAULT_CONFIG_PATH} on the default branch of ${owner}/${repo}`,
    };
  try {
    return { ok: true, config: parseConfig(text, source), source, error: null };
  } catch (error) {
    return { ok: false, source, error: errorMessage(error) };
  }
}

/** The cached reader of owners' configurations (one per deployment). */
export interface OwnerConfigs {
  /** The owner's configuration: cached for `ttlMs`; a broken file keeps the last good one, with the error. */
  load(owner: string): Promise<OwnerConfig>;
}

export function ownerConfigs(deps: OwnerConfigDeps): OwnerConfigs {
  const ttlMs = deps.ttlMs ?? 60_000;
  const clock = deps.clock ?? { now: () => new Date() };
  const cache = new Map<string, { result: OwnerConfig; readAt: number; lastGood: Config | null }>();
  return {
    async load(owner) {
      const key = owner.toLowerCase();
      const now = clock.now().getTime();
      const cached = cache.get(key);
      if (cached && now - cached.readAt < ttlMs) return cached.result;
      const fresh = await readOwnerConfig(owner, deps);
      const lastGood = fresh.ok ? fresh.config : (cached?.lastGood ?? null);
      const result: OwnerConfig =
        !fresh.ok && lastGood
          ? { ok: true, config: lastGood, source: fresh.source, error: fresh.error }
          : fresh;
      cache.set(key, { result, readAt: now, lastGood });
      return result;
    },
  };
}

/** A reader over an installation Octokit per owner: the file's content on the default branch, null on 404. */
export function octokitConfigReader(
  octokitFor: (owner: string, repo: string) => Promise<Octokit>,
): ConfigReader {
  return {
    async read(owner, repo, path, ref) {
      const octokit = await octokitFor(owner, repo);
      try {
        const { data } = await octokit.rest.repos.getContent({ owner, repo, path, ...(ref ? { ref } : {}) });
        if (Array.isArray(data) || data.type !== "file" || !("content" in data))
          throw new Error(`${path} is not a file`);
        return Buffer.from(data.content, "base64").toString("utf8");
      } catch (error) {
        if ((error as { status?: number }).status === 404) return null;
        throw error;
      }
    },
  };
}
