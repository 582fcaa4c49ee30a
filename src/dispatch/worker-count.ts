import { errorMessage } from "../domain/error-message.js";
/**
 * Counting live workers, failing closed. An earlier control plane returned 0 when its count
 * failed, and so launched as many workers as it had tickets. Here any source error means "no free
 * slot": the count is `max_workers` and the cycle records `worker_count_unavailable`.
 */
export interface WorkerCountSource {
  readonly name: string;
  count(): Promise<number>;
}

export type WorkerCount =
  | { readonly available: true; readonly count: number; readonly bySource: Record<string, number> }
  | {
      readonly available: false;
      readonly count: number;
      readonly errors: { source: string; message: string }[];
    };

/**
 * Asks every source. Each one sees a part of reality (live attempt leases, in-progress workflow
 * runs), so the count is the largest answer; if any source fails, the count is `maxWorkers`.
 */
export async function countWorkers(
  sources: readonly WorkerCountSource[],
  maxWorkers: number,
): Promise<WorkerCount> {
  const answers = await Promise.allSettled(sources.map((source) => source.count()));
  const errors: { source: string; message: string }[] = [];
  const bySource: Record<string, number> = {};
  answers.forEach((answer, i) => {
    const name = sources[i]?.name ?? `source ${i}`;
    if (answer.status === "rejected") errors.push({ source: name, message: errorMessage(answer.reason) });
    else if (!Number.isInteger(answer.value) || answer.value < 0)
      errors.push({ source: name, message: `answered ${String(answer.value)}, not a count` });
    else bySource[name] = answer.value;
  });
  if (errors.length || sources.length === 0) {
    if (sources.length === 0)
      errors.push({ source: "(none)", message: "no worker count source is configured" });
    return { available: false, count: maxWorkers, errors };
  }
  return { available: true, count: Math.max(0, ...Object.values(bySource)), bySource };
}
