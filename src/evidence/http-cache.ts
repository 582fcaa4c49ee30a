/** A cached GitHub answer: its ETag, body and pagination `link`, replayed on a 304. */
export interface CachedResponse {
  readonly etag: string;
  readonly body: unknown;
  readonly link: string | null;
}

/** Where the verifier keeps ETags per URL (memory for one process, the database to share). */
export interface HttpCache {
  get(url: string): Promise<CachedResponse | undefined>;
  set(url: string, entry: CachedResponse): Promise<void>;
}

/** An in-process cache, bounded: the oldest entries go first. */
export function memoryHttpCache(maxEntries = 5000): HttpCache {
  const entries = new Map<string, CachedResponse>();
  return {
    get: async (url) => entries.get(url),
    set: async (url, entry) => {
      entries.delete(url);
      entries.set(url, entry);
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        entries.delete(oldest);
      }
    },
  };
}

/** The shared cache in the database (written through the lifecycle module). */
export function databaseHttpCache(store: {
  getHttpCache(url: string): Promise<{ etag: string; body: unknown; link: string | null } | undefined>;
  putHttpCache(entry: { url: string; etag: string; body: unknown; link: string | null }): Promise<void>;
}): HttpCache {
  return {
    get: async (url) => {
      const row = await store.getHttpCache(url);
      return row ? { etag: row.etag, body: row.body, link: row.link } : undefined;
    },
    set: (url, entry) => store.putHttpCache({ url, ...entry }),
  };
}
