import { z } from "zod";
import { ALERT_STATUSES } from "../../domain/alerts.js";
import { INBOX_KINDS, INBOX_STATES } from "../../domain/inbox.js";
import { PRIORITIES, type Priority } from "../../domain/priorities.js";
import { TICKET_STATES } from "../../domain/ticket-states.js";

/** The query strings of the JSON API, validated with zod. Unknown parameters are refused (typos show). */

export const MAX_LIMIT = 200;
export const DEFAULT_LIMIT = 50;

const Limit = z.coerce
  .number({ error: "must be a whole number" })
  .int("must be a whole number")
  .min(1, `must be between 1 and ${MAX_LIMIT}`)
  .max(MAX_LIMIT, `must be between 1 and ${MAX_LIMIT}`)
  .default(DEFAULT_LIMIT);

const Text = z.string().trim().min(1, "must not be empty").max(200);

/** Where the previous page ended, in pick order: priority, created_at (epoch microseconds), id. */
export interface TicketCursor {
  readonly priority: Priority;
  readonly createdMicros: string;
  readonly id: number;
}

const CursorFields = z.object({
  p: z.enum(PRIORITIES),
  t: z.string().regex(/^-?\d{1,20}$/),
  i: z.number().int().positive(),
});

export function encodeCursor(cursor: TicketCursor): string {
  const json = JSON.stringify({ p: cursor.priority, t: cursor.createdMicros, i: cursor.id });
  return Buffer.from(json, "utf8").toString("base64url");
}

/** The opaque cursor back to its fields, or null when it is not one this API handed out. */
export function decodeCursor(value: string): TicketCursor | null {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(value)) return null;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(value, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  const parsed = CursorFields.safeParse(json);
  return parsed.success ? { priority: parsed.data.p, createdMicros: parsed.data.t, id: parsed.data.i } : null;
}

const Cursor = z.string().transform((value, ctx) => {
  const cursor = decodeCursor(value);
  if (!cursor) {
    ctx.addIssue({ code: "custom", message: "is not a cursor returned by this API (use next_cursor as is)" });
    return z.NEVER;
  }
  return cursor;
});

export const TicketListQuery = z.strictObject({
  state: z.enum(TICKET_STATES, { error: `must be one of ${TICKET_STATES.join(", ")}` }).optional(),
  assignee: Text.optional(),
  campaign: Text.optional(),
  limit: Limit,
  cursor: Cursor.optional(),
});
export type TicketListQuery = z.output<typeof TicketListQuery>;

export const InboxQuery = z.strictObject({
  state: z.enum(INBOX_STATES, { error: `must be one of ${INBOX_STATES.join(", ")}` }).optional(),
  kind: z.enum(INBOX_KINDS, { error: `must be one of ${INBOX_KINDS.join(", ")}` }).optional(),
  limit: Limit,
});

export const AlertsQuery = z.strictObject({
  status: z.enum(ALERT_STATUSES, { error: `must be one of ${ALERT_STATUSES.join(", ")}` }).optional(),
  limit: Limit,
});

export const LimitQuery = z.strictObject({ limit: Limit });

/** Query parameters as a plain object (a repeated parameter keeps its last value). */
export function queryObject(params: URLSearchParams): Record<string, string> {
  return Object.fromEntries(params.entries());
}
