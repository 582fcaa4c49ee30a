import type { CommitRecord } from "./types.js";

/** Commits by sha; the graph functions below only need parents and creation order. */
export type CommitGraph = ReadonlyMap<string, Pick<CommitRecord, "sha" | "parents" | "seq">>;

/** Every commit reachable from `sha` through parents, including `sha` itself. */
export function ancestors(graph: CommitGraph, sha: string): Set<string> {
  const seen = new Set<string>();
  const stack = [sha];
  while (stack.length > 0) {
    const current = stack.pop() as string;
    if (seen.has(current)) continue;
    const commit = graph.get(current);
    if (!commit) continue;
    seen.add(current);
    stack.push(...commit.parents);
  }
  return seen;
}

/** Whether `sha` is `tip` or one of its ancestors. */
export function isReachable(graph: CommitGraph, sha: string, tip: string): boolean {
  return ancestors(graph, tip).has(sha);
}

export type ComparisonStatus = "identical" | "ahead" | "behind" | "diverged";

export interface Comparison {
  readonly status: ComparisonStatus;
  readonly aheadBy: number;
  readonly behindBy: number;
  /** Commits in head but not in base, oldest first. */
  readonly commits: readonly string[];
  readonly mergeBase: string | null;
}

/**
 * `git`'s view of base...head: commits only in head (ahead), only in base (behind), and the best
 * common ancestor (a common ancestor that no other common ancestor descends from; newest wins).
 */
export function compare(graph: CommitGraph, base: string, head: string): Comparison {
  const baseSet = ancestors(graph, base);
  const headSet = ancestors(graph, head);
  const onlyHead = [...headSet].filter((sha) => !baseSet.has(sha));
  const onlyBase = [...baseSet].filter((sha) => !headSet.has(sha));
  const common = [...headSet].filter((sha) => baseSet.has(sha));
  const dominated = new Set<string>();
  for (const sha of common) {
    for (const ancestor of ancestors(graph, sha)) if (ancestor !== sha) dominated.add(ancestor);
  }
  const bySeq = (a: string, b: string) => (graph.get(a)?.seq ?? 0) - (graph.get(b)?.seq ?? 0);
  const best = common.filter((sha) => !dominated.has(sha)).sort(bySeq);
  const status: ComparisonStatus =
    onlyHead.length === 0 && onlyBase.length === 0
      ? "identical"
      : onlyBase.length === 0
        ? "ahead"
        : onlyHead.length === 0
          ? "behind"
          : "diverged";
  return {
    status,
    aheadBy: onlyHead.length,
    behindBy: onlyBase.length,
    commits: onlyHead.sort(bySeq),
    mergeBase: best.at(-1) ?? null,
  };
}
