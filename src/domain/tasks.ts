import type { ActorKind } from "./actors.js";

/**
 * Tasks that can be paused for maintenance. Their enabled flags are settings in the database,
 * changed only by a maintenance action of a person (never by the operator, never by configuration).
 * A task without a stored setting is enabled.
 */
export const TASKS = ["dispatch", "operate", "orchestrate"] as const;
export type Task = (typeof TASKS)[number];

/** Who may change a task setting: a person (an earlier control plane's operator re-enabled a retired task). */
export const MAINTENANCE_ACTORS: readonly ActorKind[] = ["human"];

export function mayChangeTaskSettings(kind: ActorKind): boolean {
  return MAINTENANCE_ACTORS.includes(kind);
}
