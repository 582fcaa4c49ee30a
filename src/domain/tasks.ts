import { z } from "zod";
import type { ActorKind } from "./actors.js";

/**
 * Tasks that can be paused for maintenance. Their enabled flags are settings in the database,
 * changed only by a maintenance action of a person (never by the operator, never by configuration).
 * A task without a stored setting is enabled. `redeliver` is the app's webhook redelivery sweep.
 */
export const TASKS = ["dispatch", "operate", "orchestrate", "redeliver"] as const;
export type Task = (typeof TASKS)[number];

/**
 * The name of a task setting: a task, or one owner's dispatcher (`dispatch:acme`), paused on its
 * own when one deployment serves several owners. `dispatch` pauses every dispatch cycle.
 */
export type TaskSettingName = Task | `dispatch:${string}`;

/** GitHub's owner names: letters, digits and single hyphens, at most 39 characters. */
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;

export const TaskSettingNameSchema = z.custom<TaskSettingName>(
  (value) =>
    typeof value === "string" &&
    ((TASKS as readonly string[]).includes(value) ||
      (value.startsWith("dispatch:") && OWNER.test(value.slice("dispatch:".length)))),
  { error: `must be one of ${TASKS.join(", ")}, or dispatch:<owner> for one owner's dispatcher` },
);

/** The setting that pauses the dispatcher of one owner (or, for null, every dispatch cycle). */
export function dispatchSettingOf(owner: string | null): TaskSettingName {
  return owner === null ? "dispatch" : `dispatch:${owner.toLowerCase()}`;
}

/** Who may change a task setting: a person (an earlier control plane's operator re-enabled a retired task). */
export const MAINTENANCE_ACTORS: readonly ActorKind[] = ["human"];

export function mayChangeTaskSettings(kind: ActorKind): boolean {
  return MAINTENANCE_ACTORS.includes(kind);
}
