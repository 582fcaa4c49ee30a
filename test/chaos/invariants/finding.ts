/**
 * What an invariant reports. Every violation is one of three kinds:
 * - lost: something that should have happened never did (a ticket stuck, an item never acted on,
 *   a change that never reached its issue, a webhook never handled);
 * - duplicated: something happened twice (two live attempts, a second launch, a second act, a
 *   second issue or comment);
 * - unexpected: something happened that must not (a stale attempt's completion accepted, done
 *   without proof on GitHub, a transition the table does not allow, a version gap).
 */
export const CATEGORIES = ["lost", "duplicated", "unexpected"] as const;
export type Category = (typeof CATEGORIES)[number];

export const INVARIANTS = {
  terminal_or_explainable: "every ticket reached a terminal or an explainable state",
  single_live_attempt: "no ticket had two running attempts at once",
  launched_once: "no attempt was launched twice",
  no_stale_completion: "no completion was accepted from a stale attempt, nor without proof on GitHub",
  inbox_acted_once: "every inbox item was acted on exactly once",
  issue_mirrored: "every ticket change reached its issue",
  history_consistent: "every change is an allowed transition, versions without gaps",
  webhooks_handled: "every webhook GitHub sent was handled by the app",
} as const;
export type InvariantName = keyof typeof INVARIANTS;

export interface Finding {
  readonly invariant: InvariantName;
  readonly category: Category;
  /** What it is about: a ticket key, an attempt id, an inbox item, a webhook GUID. */
  readonly subject: string;
  readonly message: string;
}

/** Findings of one invariant, plus what it explained instead of counting as a violation. */
export interface InvariantOutcome {
  readonly findings: Finding[];
  /** Named, enumerated reasons something was not finished (e.g. `backing_off`), with their counts. */
  readonly explained: Record<string, number>;
}

export function outcome(): InvariantOutcome {
  return { findings: [], explained: {} };
}

export function explain(into: InvariantOutcome, reason: string): void {
  into.explained[reason] = (into.explained[reason] ?? 0) + 1;
}

/** Groups rows by a key (insertion order kept). */
export function groupBy<T, K>(rows: readonly T[], key: (row: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = groups.get(k);
    if (list) list.push(row);
    else groups.set(k, [row]);
  }
  return groups;
}
