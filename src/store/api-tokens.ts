import { createHash, randomBytes } from "node:crypto";
import { and, asc, eq, isNull } from "drizzle-orm";
import type { Executor } from "../db/database.js";
import { type ApiTokenRow, apiTokens } from "../db/schema.js";
import type { StoreDeps } from "./deps.js";

/** Every token starts with this, so a leaked one is recognisable (and secret scanners can match it). */
export const API_TOKEN_PREFIX = "mct_";

/** An API token as listed: never its hash, never the token. */
export interface ApiTokenInfo {
  readonly id: number;
  readonly name: string;
  /** null: every repository. */
  readonly repositories: readonly string[] | null;
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
}

export type CreateApiTokenResult =
  | { readonly ok: true; readonly token: string; readonly info: ApiTokenInfo }
  | { readonly ok: false; readonly code: "name_taken"; readonly message: string };

export type RevokeApiTokenResult =
  | { readonly ok: true; readonly info: ApiTokenInfo }
  | { readonly ok: false; readonly code: "not_found" | "already_revoked"; readonly message: string };

export type ApiTokenCheck =
  | { readonly ok: true; readonly info: ApiTokenInfo }
  | { readonly ok: false; readonly code: "unknown" | "revoked" | "expired" };

/** SHA-256 of the token: 32 random bytes need no slow hash, and only this is stored. */
export function hashApiToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

const infoOf = (row: ApiTokenRow): ApiTokenInfo => ({
  id: row.id,
  name: row.name,
  repositories: row.repositories ?? null,
  createdAt: row.createdAt,
  expiresAt: row.expiresAt,
  revokedAt: row.revokedAt,
});

/**
 * Makes a token (shown once by the caller) and stores its hash; names are unique. It expires
 * `expiresInMs` after its creation (one clock reading for both), or never (null).
 */
export async function createApiToken(
  deps: StoreDeps,
  input: { name: string; repositories: readonly string[] | null; expiresInMs: number | null },
): Promise<CreateApiTokenResult> {
  const token = `${API_TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
  const now = deps.clock.now();
  const rows = await deps.db
    .insert(apiTokens)
    .values({
      name: input.name,
      tokenHash: hashApiToken(token),
      repositories: input.repositories ? [...input.repositories] : null,
      createdAt: now,
      expiresAt: input.expiresInMs === null ? null : new Date(now.getTime() + input.expiresInMs),
    })
    .onConflictDoNothing({ target: apiTokens.name })
    .returning();
  const row = rows[0];
  if (!row)
    return {
      ok: false,
      code: "name_taken",
      message: `an API token named ${JSON.stringify(input.name)} exists already (revoked ones keep their name); choose another name`,
    };
  return { ok: true, token, info: infoOf(row) };
}

export async function listApiTokens(db: Executor): Promise<ApiTokenInfo[]> {
  const rows = await db.select().from(apiTokens).orderBy(asc(apiTokens.id));
  return rows.map(infoOf);
}

/** Revokes by name, compare-and-set on `revoked_at is null`: effective for the very next request. */
export async function revokeApiToken(
  deps: StoreDeps,
  input: { name: string },
): Promise<RevokeApiTokenResult> {
  const rows = await deps.db
    .update(apiTokens)
    .set({ revokedAt: deps.clock.now() })
    .where(and(eq(apiTokens.name, input.name), isNull(apiTokens.revokedAt)))
    .returning();
  const row = rows[0];
  if (row) return { ok: true, info: infoOf(row) };
  const [existing] = await deps.db.select().from(apiTokens).where(eq(apiTokens.name, input.name));
  return existing
    ? { ok: false, code: "already_revoked", message: `the API token ${input.name} was revoked already` }
    : { ok: false, code: "not_found", message: `there is no API token named ${JSON.stringify(input.name)}` };
}

/** The token's row if it is known, not revoked and not expired (read on every request). */
export async function checkApiToken(deps: StoreDeps, token: string): Promise<ApiTokenCheck> {
  const [row] = await deps.db
    .select()
    .from(apiTokens)
    .where(eq(apiTokens.tokenHash, hashApiToken(token)));
  if (!row) return { ok: false, code: "unknown" };
  if (row.revokedAt) return { ok: false, code: "revoked" };
  if (row.expiresAt && row.expiresAt.getTime() <= deps.clock.now().getTime())
    return { ok: false, code: "expired" };
  return { ok: true, info: infoOf(row) };
}
