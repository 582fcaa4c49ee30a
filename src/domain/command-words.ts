/**
 * The words a person gives Mission Control, checked by the same zod schemas wherever they are
 * typed: in a `/mc` comment (src/app/commands/parse.ts) and on the `mctl` command line. One
 * grammar: a priority, a count of attempts to grant, an attempt's number and a reason mean the
 * same and are refused with the same words in both places. Messages name no option or key: each
 * caller says which one (`attempts=` in a comment, `--attempts` on the command line).
 */
import { z } from "zod";
import { GRANT_ATTEMPTS_MAX, GRANT_ATTEMPTS_MIN } from "./inbox.js";
import { PRIORITIES } from "./priorities.js";

/** A priority name in any case (`HIGH` is `high`): people type it, nobody means the case. */
export const PriorityWord = z
  .string()
  .transform((word) => word.toLowerCase())
  .pipe(z.enum(PRIORITIES, { error: `must be one of ${PRIORITIES.join(", ")}` }));

const GRANT_RANGE = `must be a whole number from ${GRANT_ATTEMPTS_MIN} to ${GRANT_ATTEMPTS_MAX}`;

/** Attempts granted to a ticket held after max_attempts, as typed (`3`). */
export const GrantAttemptsWord = z
  .string()
  .regex(/^\d{1,3}$/, GRANT_RANGE)
  .transform(Number)
  .pipe(z.number().int().min(GRANT_ATTEMPTS_MIN, GRANT_RANGE).max(GRANT_ATTEMPTS_MAX, GRANT_RANGE));

/**
 * An attempt's number within its ticket (1 for the first), as the board, the issue and
 * `mctl ticket show` print it.
 */
export const AttemptNumberWord = z
  .string()
  .regex(/^\d{1,6}$/, "must be an attempt number (1, 2, …) or an attempt id")
  .transform(Number)
  .pipe(z.number().int().min(1, "must be an attempt number from 1"));

export const REASON_MAX = 2000;

/**
 * Why a person cancels (or rejects): free text, optional in both the comment and the CLI, and
 * recorded in the ticket event's detail (`note`) when given.
 */
export const ReasonText = z
  .string()
  .trim()
  .min(1, "must not be blank")
  .max(REASON_MAX, `must be at most ${REASON_MAX} characters`);
