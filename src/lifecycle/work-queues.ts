import type { Actor } from "../domain/actors.js";
import type { AlertCondition, AlertStatus, Finding, RaisedAlertCondition } from "../domain/alerts.js";
import type { InboxAudience, InboxKind } from "../domain/inbox.js";
import type { TaskSettingName } from "../domain/tasks.js";
import type { InboxItemRow } from "../db/schema.js";
import {
  findAlert,
  linkAlertIssue,
  listAlerts,
  raiseAlert,
  recordOperatorPass,
  resolveAlerts,
} from "./alerts.js";
import type { LifecycleDeps } from "./deps.js";
import { actOnItem } from "./inbox-act.js";
import { handOverItem } from "./inbox-handover.js";
import {
  type NewInboxItem,
  deliverItems,
  enqueueItem,
  factsOf,
  findItem,
  itemsOfTicket,
  listItems,
} from "./inbox.js";
import {
  type MaintenanceInput,
  readSetting,
  readSettings,
  setTaskEnabled,
  taskSettingHistory,
} from "./task-settings.js";

/** The inbox, alert and task-setting parts of `createLifecycle` (kept here so index.ts stays small). */

export function inboxApi(deps: LifecycleDeps) {
  const { db } = deps;
  return {
    enqueue: (input: NewInboxItem) => enqueueItem(deps, input),
    deliver: (input: {
      audience: InboxAudience;
      holder: string;
      leaseMs: number;
      limit: number;
      kinds?: readonly InboxKind[];
    }) => deliverItems(deps, input),
    act: (input: { itemId: number; result: unknown; delivery?: number | undefined }) =>
      actOnItem(deps, input),
    handOver: (input: { itemId: number; delivery: number; why: string; holdTicket: boolean; actor: Actor }) =>
      handOverItem(deps, input),
    find: (id: number) => findItem(db, id),
    list: (filter: Parameters<typeof listItems>[1]) => listItems(db, filter),
    ofTicket: (ticketId: number) => itemsOfTicket(db, ticketId),
    factsOf: (item: InboxItemRow) => factsOf(db, item),
  };
}

export function alertsApi(deps: LifecycleDeps) {
  const { db } = deps;
  return {
    /** The operator's write port: alerts and the inbox items it files, nothing else. */
    recordPass: (input: { findings: readonly Finding[]; checked: readonly AlertCondition[] }) =>
      recordOperatorPass(deps, input),
    linkIssue: (input: { alertId: number; issueNumber: number }) => linkAlertIssue(deps, input),
    /** Resolves open alerts of a raised condition (e.g. `launch_config_error` once a launch succeeds there). */
    resolve: (input: { condition: RaisedAlertCondition; subjects: readonly string[] }) =>
      resolveAlerts(deps, input),
    /** Raises the alert of a condition raised where it happens (e.g. `outage`, by a loop that saw one). */
    raise: (finding: Finding & { condition: RaisedAlertCondition }) => raiseAlert(deps, finding),
    list: (filter: { status?: AlertStatus | undefined; limit: number }) => listAlerts(db, filter),
    find: (fingerprint: string) => findAlert(db, fingerprint),
  };
}

export function tasksApi(deps: LifecycleDeps) {
  const { db } = deps;
  return {
    /** A maintenance action: pause (enabled false) or resume a task. Refused for anyone but a person. */
    setEnabled: (input: MaintenanceInput) => setTaskEnabled(deps, input),
    setting: (task: TaskSettingName) => readSetting(db, task),
    settings: () => readSettings(db),
    history: (limit: number) => taskSettingHistory(db, limit),
  };
}
