import { errorMessage } from "../domain/error-message.js";
import type { TicketScope } from "../lifecycle/index.js";
/**
 * Counting live workers, failing closed. An earlier control plane returned 0 when its count
 * failed, and so launched as many workers as it had tickets. Here any source error means "no free
 * slot": a scope-wide source failing makes the count `max_workers` (the cycle claims nothing), a
 * repository's own source failing makes that repository count as full (it gets no claims), and
 * the cycle records `worker_count_unavailable` either way.
 */
export interface WorkerCountSource {
  readonly name: string;
  /** The one repository this source counts (its agent workflow's runs); absent: the whole scope. */
  readonly repository?: string;
  /**
   * Live workers in `scope`: a total, or by repository (`owner/name` → count), which the
   * per-repository caps use.
   */
  count(scope: TicketScope): Promise<number | ReadonlyMap<string, number>>;
}

export interface SourceError {
  readonly source: string;
  readonly message: string;
  readonly repository?: string;
}

export interface WorkerCount {
  /** False when a scope-wide source failed (or none is configured): no claims at all. */
  readonly available: boolean;
  /** Live workers in the scope (`maxWorkers` when not available). */
  readonly count: number;
  /**
   * Live workers per repository, as far as the sources say (a failed repository: its cap). Keys are
   * lower case: GitHub's names compare without case, and the sources spell them as they got them.
   */
  readonly byRepository: ReadonlyMap<string, number>;
  /** Repositories (lower case) whose own source failed: they get no claims. */
  readonly unavailable: ReadonlySet<string>;
  readonly errors: SourceError[];
}

const isCount = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 0;

/**
 * Asks every source. Each one sees a part of reality (live attempt leases, queued and running
 * workflow runs), so each figure is the largest answer; the scope's count is the larger of the
 * scope-wide totals and the sum over repositories. `capOf(repository)` is the least a repository
 * whose own source failed counts as (the dispatcher passes its own `max_workers`, else 0).
 */
export async function countWorkers(
  sources: readonly WorkerCountSource[],
  maxWorkers: number,
  scope: TicketScope,
  capOf: (repository: string) => number = () => maxWorkers,
): Promise<WorkerCount> {
  const answers = await Promise.allSettled(sources.map((source) => source.count(scope)));
  const errors: SourceError[] = [];
  const byRepository = new Map<string, number>();
  const unavailable = new Set<string>();
  const raise = (repository: string, n: number) => {
    const key = repository.toLowerCase();
    byRepository.set(key, Math.max(byRepository.get(key) ?? 0, n));
  };
  let scopeTotal = 0;
  let scopeFailed = sources.length === 0;
  answers.forEach((answer, i) => {
    const source = sources[i];
    const name = source?.name ?? `source ${i}`;
    const repository = source?.repository;
    const fail = (message: string) => {
      errors.push({ source: name, message, ...(repository ? { repository } : {}) });
      if (repository) unavailable.add(repository.toLowerCase());
      else scopeFailed = true;
    };
    if (answer.status === "rejected") {
      fail(errorMessage(answer.reason));
      return;
    }
    const value = answer.value;
    if (value instanceof Map) {
      const entries = [...(value as ReadonlyMap<string, number>)];
      const bad = entries.find(([, n]) => !isCount(n));
      if (bad) {
        fail(`answered ${String(bad[1])} for ${bad[0]}, not a count`);
        return;
      }
      for (const [repo, n] of entries) raise(repo, n);
      scopeTotal = Math.max(
        scopeTotal,
        entries.reduce((sum, [, n]) => sum + n, 0),
      );
    } else if (!isCount(value)) fail(`answered ${String(value)}, not a count`);
    else if (repository) raise(repository, value);
    else scopeTotal = Math.max(scopeTotal, value);
  });
  for (const repository of unavailable) raise(repository, capOf(repository));
  if (scopeFailed) {
    if (sources.length === 0)
      errors.push({ source: "(none)", message: "no worker count source is configured" });
    return { available: false, count: maxWorkers, byRepository, unavailable, errors };
  }
  let sum = 0;
  for (const n of byRepository.values()) sum += n;
  return { available: true, count: Math.max(scopeTotal, sum), byRepository, unavailable, errors };
}
