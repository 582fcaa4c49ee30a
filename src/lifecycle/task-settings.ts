import { desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { type TaskSettingName, TaskSettingNameSchema, mayChangeTaskSettings } from "../domain/tasks.js";
import { TASKS } from "../domain/tasks.js";
import type { Executor } from "../db/database.js";
import { retryTransaction } from "../db/retry.js";
import {
  type TaskSettingEventRow,
  type TaskSettingRow,
  taskSettingEvents,
  taskSettings,
} from "../db/schema.js";
import type { LifecycleDeps } from "./deps.js";
import type { InvalidInput } from "./results.js";
import { ActorSchema } from "./schemas.js";
import { validate } from "./validation.js";

/**
 * Task settings: the enabled flag of each pausable task. Only a maintenance action by a person
 * changes one, and every change is an event written in the same transaction. Configuration never
 * sets them, and the operator has no path here (test/operator/architecture.test.ts).
 */

const MaintenanceSchema = z.object({
  task: TaskSettingNameSchema,
  enabled: z.boolean(),
  actor: ActorSchema,
  reason: z.string().trim().min(1, "a maintenance action needs a reason").max(500),
});
export type MaintenanceInput = z.input<typeof MaintenanceSchema>;

export interface NotAllowed {
  readonly ok: false;
  readonly code: "not_allowed";
  readonly message: string;
}

export type MaintenanceResult =
  | {
      readonly ok: true;
      /** False when the task already was in that state: nothing written, no event. */
      readonly changed: boolean;
      readonly setting: TaskSettingView;
      readonly event: TaskSettingEventRow | null;
    }
  | InvalidInput
  | NotAllowed;

/** A task's setting as read (no row: enabled, never changed). */
export interface TaskSettingView {
  readonly task: TaskSettingName;
  readonly enabled: boolean;
  readonly changedBy: string | null;
  readonly reason: string | null;
  readonly changedAt: Date | null;
  readonly version: number;
}

export async function setTaskEnabled(
  deps: LifecycleDeps,
  input: MaintenanceInput,
): Promise<MaintenanceResult> {
  const valid = validate(MaintenanceSchema, input, "maintenance action");
  if (!valid.ok) return valid;
  const { task, enabled, actor, reason } = valid.value;
  if (!mayChangeTaskSettings(actor.kind))
    return {
      ok: false,
      code: "not_allowed",
      message: `${actor.kind} ${actor.id} may not change task settings: only a maintenance action by a person does`,
    };
  return retryTransaction(() =>
    deps.db.transaction(async (tx): Promise<MaintenanceResult> => {
      const now = deps.clock.now();
      const before = await readSetting(tx, task, true);
      if (before.enabled === enabled) return { ok: true, changed: false, setting: before, event: null };
      // The upsert re-checks the flag: a concurrent first insert of the same change makes it a no-op.
      const [row] = await tx
        .insert(taskSettings)
        .values({ task, enabled, changedBy: actor.id, reason, changedAt: now, version: 1 })
        .onConflictDoUpdate({
          target: taskSettings.task,
          set: {
            enabled,
            changedBy: actor.id,
            reason,
            changedAt: now,
            version: sql`${taskSettings.version} + 1`,
          },
          setWhere: sql`${taskSettings.enabled} <> ${enabled}`,
        })
        .returning();
      if (!row) return { ok: true, changed: false, setting: await readSetting(tx, task), event: null };
      const [event] = await tx
        .insert(taskSettingEvents)
        .values({
          task,
          enabled,
          previous: !enabled,
          actorKind: actor.kind,
          actorId: actor.id,
          reason,
          createdAt: now,
        })
        .returning();
      if (!event) throw new Error("task setting event insert returned no row");
      return { ok: true, changed: true, setting: viewOf(task, row), event };
    }),
  );
}

function viewOf(task: TaskSettingName, row: TaskSettingRow | undefined): TaskSettingView {
  return row
    ? {
        task,
        enabled: row.enabled,
        changedBy: row.changedBy,
        reason: row.reason,
        changedAt: row.changedAt,
        version: row.version,
      }
    : { task, enabled: true, changedBy: null, reason: null, changedAt: null, version: 0 };
}

export async function readSetting(
  db: Executor,
  task: TaskSettingName,
  lock = false,
): Promise<TaskSettingView> {
  const query = db.select().from(taskSettings).where(eq(taskSettings.task, task));
  const [row] = lock ? await query.for("update") : await query;
  return viewOf(task, row);
}

export async function readSettings(db: Executor): Promise<TaskSettingView[]> {
  const rows = await db.select().from(taskSettings);
  return TASKS.map((task) =>
    viewOf(
      task,
      rows.find((r) => r.task === task),
    ),
  );
}

export async function taskSettingHistory(db: Executor, limit: number): Promise<TaskSettingEventRow[]> {
  return db.select().from(taskSettingEvents).orderBy(desc(taskSettingEvents.id)).limit(limit);
}
