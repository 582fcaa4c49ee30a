import { z } from "zod";
import {
  GRANT_ATTEMPTS_MAX,
  GRANT_ATTEMPTS_MIN,
  INBOX_DECISIONS,
  type InboxDecision,
} from "../domain/inbox.js";
import { TICKET_STATES, TRANSITION_REASONS } from "../domain/ticket-states.js";
import { ActorSchema } from "./schemas.js";

/**
 * The structured result of acting on an inbox item: the boundary type of `act`. `acted` is never
 * written without one, and it is checked here before anything is touched.
 */

const ATTEMPTS_RANGE = `attempts must be a whole number from ${GRANT_ATTEMPTS_MIN} to ${GRANT_ATTEMPTS_MAX}`;

/** How many attempts `grant_attempts` adds: 1–10 (a person decides again after that). */
export const GrantCountSchema = z
  .number({ error: ATTEMPTS_RANGE })
  .int(ATTEMPTS_RANGE)
  .min(GRANT_ATTEMPTS_MIN, ATTEMPTS_RANGE)
  .max(GRANT_ATTEMPTS_MAX, ATTEMPTS_RANGE);

const EffectTransitionSchema = z.strictObject({
  from: z.enum(TICKET_STATES),
  to: z.enum(TICKET_STATES),
  reason: z.enum(TRANSITION_REASONS),
});

/** Which ticket change each decision may carry (`null`: none). */
const SHAPES: Record<InboxDecision, { to: readonly string[] | null; hold: readonly (string | null)[] }> = {
  accept: { to: ["done"], hold: [null] },
  accept_for_review: { to: ["in_review"], hold: [null] },
  reject: { to: ["todo"], hold: [null] },
  cancel: { to: ["cancelled"], hold: [null] },
  retry: { to: null, hold: ["release", null] },
  grant_attempts: { to: null, hold: ["release"] },
  hold: { to: null, hold: ["set", null] },
  dismiss: { to: null, hold: [null] },
};

export const InboxResultSchema = z
  .strictObject({
    decision: z.enum(INBOX_DECISIONS, { error: `decision must be one of ${INBOX_DECISIONS.join(", ")}` }),
    /** The ticket transition the decision applies (checked against the table when applied). */
    transition: EffectTransitionSchema.nullable(),
    /** `set`: keep a `todo` ticket out of the queue for a person; `release`: put it back. */
    hold: z.enum(["set", "release"]).nullable(),
    actor: ActorSchema.refine((actor) => actor.kind === "orchestrator" || actor.kind === "human", {
      message: "only the orchestrator or a person acts on inbox items",
    }),
    note: z.string().trim().max(2000).default(""),
    /** `grant_attempts` only: how many attempts to add to the ticket's budget. */
    attempts: GrantCountSchema.nullable().default(null),
  })
  .superRefine((result, ctx) => {
    const shape = SHAPES[result.decision];
    if (shape.to === null && result.transition !== null)
      ctx.addIssue({
        code: "custom",
        path: ["transition"],
        message: `${result.decision} changes no ticket state`,
      });
    if (shape.to !== null && (result.transition === null || !shape.to.includes(result.transition.to)))
      ctx.addIssue({
        code: "custom",
        path: ["transition"],
        message: `${result.decision} needs a transition to ${shape.to.join(" or ")}`,
      });
    if (!shape.hold.includes(result.hold))
      ctx.addIssue({
        code: "custom",
        path: ["hold"],
        message: `${result.decision} cannot ${result.hold} a hold`,
      });
    if (result.decision === "grant_attempts" && result.attempts === null)
      ctx.addIssue({
        code: "custom",
        path: ["attempts"],
        message: "grant_attempts needs the number of attempts to grant",
      });
    if (result.decision !== "grant_attempts" && result.attempts !== null)
      ctx.addIssue({
        code: "custom",
        path: ["attempts"],
        message: `${result.decision} grants no attempts (attempts go with grant_attempts only)`,
      });
  });

export type InboxResultInput = z.input<typeof InboxResultSchema>;
export type InboxResult = z.output<typeof InboxResultSchema>;

/** What is stored with `acted`: the result plus what it actually did to the ticket. */
export const StoredResultSchema = z.object({
  decision: z.enum(INBOX_DECISIONS),
  transition: EffectTransitionSchema.nullable(),
  hold: z.enum(["set", "release"]).nullable(),
  actor: ActorSchema,
  note: z.string(),
  /** `grant_attempts`: the attempts granted (null for every other decision, and in older results). */
  attempts: z.number().nullable().default(null),
  /**
   * The ticket version and event the change produced; null when nothing changed. A grant writes two
   * events (`attempts_granted`, then `hold_released`): `eventId` is the grant's, `grant` says the rest.
   */
  applied: z
    .object({
      ticketVersion: z.number(),
      eventId: z.number(),
      grant: z
        .object({
          /** Attempts the ticket had used when the grant was made. */
          attemptsUsed: z.number(),
          /** The `dispatch.max_attempts` the dispatcher held the ticket with. */
          maxAttempts: z.number(),
          /** The ticket's extra attempts after the grant. */
          extraAttempts: z.number(),
          /** `maxAttempts + extraAttempts`: attempts the ticket may make in all. */
          budget: z.number(),
          holdReleasedEventId: z.number(),
        })
        .optional(),
    })
    .nullable(),
  actedAt: z.string(),
});
export type StoredResult = z.infer<typeof StoredResultSchema>;
