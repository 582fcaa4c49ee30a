import { createHash } from "node:crypto";

/**
 * A weak ETag over the representation and the caller: GitHub's ETags vary with `Authorization`,
 * so one credential's ETag never revalidates another's response.
 */
export function etagFor(body: string, identity: string): string {
  return `W/"${createHash("sha256").update(identity).update("\0").update(body).digest("hex").slice(0, 40)}"`;
}

/** Whether an `If-None-Match` header names the ETag (weak comparison; `*` matches anything). */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const strip = (tag: string) => tag.trim().replace(/^W\//, "");
  return header.split(",").some((candidate) => candidate.trim() === "*" || strip(candidate) === strip(etag));
}
