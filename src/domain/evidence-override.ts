/**
 * Whether a person's acceptance of a ticket stands on its evidence: pure, so `/mc approve` and
 * `mctl inbox act --decision accept` decide it alike. Accepting without a passing verdict needs an
 * explicit override with a reason, and the override names the criteria it overrides.
 */
import { z } from "zod";

/** A criterion as a stored verdict keeps it (only the fields read here). */
const StoredCriterion = z.looseObject({
  id: z.string().optional(),
  title: z.string().optional(),
  status: z.string(),
  reason: z.string().optional(),
  message: z.string().optional(),
});

/** The latest verdict of the ticket's current attempt, as stored (null: none yet). */
export interface VerdictFacts {
  readonly status: string;
  readonly criteria: readonly unknown[];
}

/** A criterion that is not met: failing or still pending. */
export interface UnmetCriterion {
  readonly criterion: string;
  readonly status: string;
  readonly reason: string;
  readonly message: string;
}

export type EvidenceGate =
  | { readonly kind: "passing" }
  | { readonly kind: "refused"; readonly unmet: readonly UnmetCriterion[]; readonly message: string }
  | {
      readonly kind: "overridden";
      readonly unmet: readonly UnmetCriterion[];
      /** The event's detail: the override's reason, the verdict it overrode and the unmet criteria. */
      readonly detail: { override: string; verdict: string; unmet: UnmetCriterion[] };
      readonly message: string;
    };

/** The criteria of `verdict` that are not `pass`. */
export function unmetCriteria(verdict: VerdictFacts | null): UnmetCriterion[] {
  if (!verdict) return [];
  return verdict.criteria.flatMap((raw) => {
    const parsed = StoredCriterion.safeParse(raw);
    if (!parsed.success || parsed.data.status === "pass") return [];
    const c = parsed.data;
    return [
      {
        criterion: c.id ?? c.title ?? "unknown",
        status: c.status,
        reason: c.reason ?? "",
        message: c.message ?? "",
      },
    ];
  });
}

/** `a (fail: checks_failed), b (pending: …)`: the unmet criteria in a line. */
export function describeUnmet(verdict: VerdictFacts | null, unmet: readonly UnmetCriterion[]): string {
  if (!verdict) return "no evidence verdict yet";
  if (!unmet.length) return `the verdict is ${verdict.status}`;
  return unmet.map((u) => `${u.criterion} (${u.status}${u.reason ? `: ${u.reason}` : ""})`).join(", ");
}

/**
 * Decides an acceptance: a `pass` verdict passes; anything else (fail, pending, none) is refused
 * unless `override` gives a reason, which turns it into a recorded override.
 */
export function gateAcceptance(
  ticket: string,
  verdict: VerdictFacts | null,
  override: string | undefined,
): EvidenceGate {
  if (verdict?.status === "pass") return { kind: "passing" };
  const unmet = unmetCriteria(verdict);
  const status = verdict?.status ?? "missing";
  const what = describeUnmet(verdict, unmet);
  if (override === undefined)
    return {
      kind: "refused",
      unmet,
      message: `${ticket}'s latest evidence verdict is ${status}, not pass; not met: ${what}`,
    };
  return {
    kind: "overridden",
    unmet,
    detail: { override, verdict: status, unmet: [...unmet] },
    message: `evidence overridden (verdict ${status}; not met: ${what}): ${override}`,
  };
}
