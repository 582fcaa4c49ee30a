import { z } from "zod";
import { RepositoryNameSchema } from "../../config/schema.js";
import { PRIORITIES } from "../../domain/priorities.js";
import { type ApiIssue, issuesOf } from "../api/errors.js";
import { queryObject, TicketListQuery } from "../api/query.js";

/**
 * The board's filter (`?state=&repository=&priority=&assignee=&campaign=`), validated with the JSON
 * API's own rules for those parameters. An empty field means "no filter" (the filter form sends
 * empty fields); any other parameter is refused, as in the API.
 */
export const BoardQuery = TicketListQuery.pick({ state: true, assignee: true, campaign: true }).extend({
  repository: RepositoryNameSchema.optional(),
  priority: z.enum(PRIORITIES, { error: `must be one of ${PRIORITIES.join(", ")}` }).optional(),
});
export type BoardQuery = z.output<typeof BoardQuery>;
export const BOARD_FILTERS = ["state", "repository", "priority", "assignee", "campaign"] as const;

/** The ticket page takes no query parameters. */
export const TicketPageQuery = z.strictObject({});

export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly issues: ApiIssue[] };

/** `params` validated by `schema`; an empty value of one of `optional` counts as absent. */
export function parseQuery<S extends z.ZodType>(
  schema: S,
  params: URLSearchParams,
  optional: readonly string[] = [],
): Parsed<z.output<S>> {
  const present = Object.fromEntries(
    Object.entries(queryObject(params)).filter(([key, value]) => value !== "" || !optional.includes(key)),
  );
  const parsed = schema.safeParse(present);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, issues: issuesOf(parsed.error) };
}
