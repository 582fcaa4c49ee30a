import { HttpError } from "./http-error.js";

export interface Page<T> {
  readonly items: T[];
  /** The `Link` header value, or null when everything fits on one page. */
  readonly link: string | null;
}

/** Reads `per_page` (default 30, at most 100) and `page` (default 1) like GitHub. */
export function pageParams(query: URLSearchParams): { perPage: number; page: number } {
  const perPage = Number.parseInt(query.get("per_page") ?? "30", 10);
  const page = Number.parseInt(query.get("page") ?? "1", 10);
  return {
    perPage: Number.isFinite(perPage) && perPage > 0 ? Math.min(perPage, 100) : 30,
    page: Number.isFinite(page) && page > 0 ? page : 1,
  };
}

/**
 * One page of `all`, with GitHub's `Link` header (`prev`, `next`, `last`, `first`) built from the
 * request URL so every other query parameter is kept.
 */
export function paginate<T>(all: readonly T[], url: URL): Page<T> {
  const { perPage, page } = pageParams(url.searchParams);
  const last = Math.max(1, Math.ceil(all.length / perPage));
  const items = all.slice((page - 1) * perPage, page * perPage);
  const at = (n: number) => {
    const target = new URL(url);
    target.searchParams.set("per_page", String(perPage));
    target.searchParams.set("page", String(n));
    return `<${target.toString()}>`;
  };
  const rels: string[] = [];
  if (page > 1) rels.push(`${at(Math.min(page - 1, last))}; rel="prev"`);
  if (page < last) rels.push(`${at(page + 1)}; rel="next"`, `${at(last)}; rel="last"`);
  if (page > 1) rels.push(`${at(1)}; rel="first"`);
  return { items, link: rels.length > 0 ? rels.join(", ") : null };
}

/**
 * Cursor pagination as `GET /app/hook/deliveries` does it: `cursor` is an opaque position, the
 * next page's cursor travels in the `Link` header.
 */
export function paginateByCursor<T>(all: readonly T[], url: URL): Page<T> {
  const { perPage } = pageParams(url.searchParams);
  const cursor = url.searchParams.get("cursor");
  const start = cursor === null ? 0 : Number.parseInt(Buffer.from(cursor, "base64url").toString("utf8"), 10);
  if (!Number.isInteger(start) || start < 0) throw new HttpError(400, "Invalid cursor");
  const items = all.slice(start, start + perPage);
  if (start + perPage >= all.length) return { items, link: null };
  const next = new URL(url);
  next.searchParams.set("per_page", String(perPage));
  next.searchParams.set("cursor", Buffer.from(String(start + perPage)).toString("base64url"));
  return { items, link: `<${next.toString()}>; rel="next"` };
}
