import { eq } from "drizzle-orm";
import type { Executor } from "../db/database.js";
import { type EvidenceHttpCacheRow, evidenceHttpCache } from "../db/schema.js";
import type { StoreDeps } from "./deps.js";

/** Stores the last ETag and body of a GitHub URL (the verifier's conditional-request cache). */
export async function putHttpCache(
  deps: StoreDeps,
  entry: { url: string; etag: string; body: unknown; link: string | null },
): Promise<void> {
  const now = deps.clock.now();
  await deps.db
    .insert(evidenceHttpCache)
    .values({ url: entry.url, etag: entry.etag, body: entry.body, link: entry.link, updatedAt: now })
    .onConflictDoUpdate({
      target: evidenceHttpCache.url,
      set: { etag: entry.etag, body: entry.body, link: entry.link, updatedAt: now },
    });
}

export async function getHttpCache(db: Executor, url: string): Promise<EvidenceHttpCacheRow | undefined> {
  const [row] = await db.select().from(evidenceHttpCache).where(eq(evidenceHttpCache.url, url));
  return row;
}
