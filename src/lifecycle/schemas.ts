import { z } from "zod";
import { ACTOR_KINDS } from "../domain/actors.js";
import { PRIORITIES } from "../domain/priorities.js";
import { parseTicketKey } from "../domain/ticket-key.js";
import { TICKET_STATES, TRANSITION_REASONS } from "../domain/ticket-states.js";

/** The boundary types of the lifecycle module: every caller's input is checked against these. */

export const ActorSchema = z.object({
  kind: z.enum(ACTOR_KINDS),
  id: z.string().trim().min(1, "an actor needs an id (a login, a dispatcher name …)").max(200),
});

export const TicketKeySchema = z.string().transform((value, ctx) => {
  const parsed = parseTicketKey(value);
  if (!parsed.ok) {
    ctx.addIssue({ code: "custom", message: parsed.message });
    return z.NEVER;
  }
  return `${parsed.prefix}-${parsed.number}`;
});

export const RepositorySchema = z
  .string()
  .trim()
  .regex(
    /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/,
    "must be a GitHub repository as owner/name",
  );

const Label = z.string().trim().min(1).max(50);

export const NewTicketSchema = z.object({
  repository: RepositorySchema,
  title: z.string().trim().min(1, "a ticket needs a title").max(256),
  body: z.string().max(65_536).default(""),
  labels: z.array(Label).max(100).default([]),
  priority: z.enum(PRIORITIES, { error: `must be one of ${PRIORITIES.join(", ")}` }).default("normal"),
  assignee: z.string().trim().min(1).max(100).nullable().default(null),
  campaign: z.string().trim().min(1).max(100).nullable().default(null),
  blockedBy: z.array(TicketKeySchema).max(100).default([]),
});
export type NewTicket = z.input<typeof NewTicketSchema>;

export const TransitionInputSchema = z.object({
  ticket: TicketKeySchema,
  from: z.enum(TICKET_STATES),
  expectedVersion: z.number().int().positive(),
  to: z.enum(TICKET_STATES),
  reason: z.enum(TRANSITION_REASONS),
  actor: ActorSchema,
  attemptId: z.uuid().optional(),
  detail: z.record(z.string(), z.unknown()).optional(),
});
export type TransitionInput = z.input<typeof TransitionInputSchema>;
